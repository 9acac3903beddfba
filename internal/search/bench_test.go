package search_test

import (
	"testing"

	"ntatlas"
	"ntatlas/internal/content"
	"ntatlas/internal/search"
)

func BenchmarkSearch(b *testing.B) {
	s, err := content.Load(ntatlas.Content())
	if err != nil {
		b.Fatal(err)
	}
	ix := search.NewSite(s)
	queries := []string{"afd", "filter arbitration", "irql dpc", "how does the i/o manager complete an irp", "w"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Search(queries[i%len(queries)], 30)
	}
}
