package search_test

import (
	"strings"
	"testing"

	"ntatlas"
	"ntatlas/internal/content"
	"ntatlas/internal/search"
)

func TestTokenize(t *testing.T) {
	for in, want := range map[string]string{
		"AFD.sys and the I/O manager": "afd sys i o manager",
		"ws2_32.dll filters":          "ws2_32 dll filter",
		"IRQLs, DPCs & policies":      "irql dpc policy",
		"":                            "",
	} {
		if got := strings.Join(search.Tokenize(in), " "); got != want {
			t.Errorf("Tokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBM25Ranking(t *testing.T) {
	ix := search.New([]search.Doc{
		{Fields: []search.Field{{Text: "Filter arbitration in WFP", Weight: 5}}},
		{Fields: []search.Field{{Text: "A page that mentions filter once among many other words about disks and volumes", Weight: 1}}},
		{Fields: []search.Field{{Text: "Nothing relevant", Weight: 1}}},
	})
	hits := ix.Search("filter arbitration", 0)
	if len(hits) != 2 || hits[0].Doc != 0 {
		t.Fatalf("hits = %+v, want doc 0 first and doc 2 absent", hits)
	}
	// The last word matches as a prefix while typing.
	if hits := ix.Search("arbit", 0); len(hits) != 1 || hits[0].Doc != 0 {
		t.Errorf("prefix search = %+v", hits)
	}
	if hits := ix.Search("arbit ", 0); len(hits) != 0 {
		t.Errorf("a finished word must not prefix-match: %+v", hits)
	}
}

func TestSiteSearch(t *testing.T) {
	s, err := content.Load(ntatlas.Content())
	if err != nil {
		t.Fatal(err)
	}
	ix := search.NewSite(s)
	res := ix.Search("AFD", 5)
	if len(res) == 0 || res[0].Title != "Winsock, AFD, and kernel boundaries" {
		t.Fatalf("AFD: first result %+v", res)
	}
	marked := false
	for _, seg := range res[0].Snippet {
		if seg.Match && strings.EqualFold(seg.Text, "afd") {
			marked = true
		}
	}
	if !marked {
		t.Errorf("snippet does not mark the match: %+v", res[0].Snippet)
	}
	if res := ix.Search(strings.Repeat("zzz ", 1000), 5); len(res) != 0 {
		t.Errorf("nonsense query matched %d results", len(res))
	}
	if res := ix.Search("\xff\xfe irql", 5); len(res) == 0 {
		t.Errorf("invalid UTF-8 around a real word should still find it")
	}
}

func FuzzSearch(f *testing.F) {
	s, err := content.Load(ntatlas.Content())
	if err != nil {
		f.Fatal(err)
	}
	ix := search.NewSite(s)
	f.Add("afd")
	f.Add("i/o manager irp")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, q string) {
		for _, r := range ix.Search(q, 10) {
			var b strings.Builder
			for _, seg := range r.Snippet {
				b.WriteString(seg.Text)
			}
			if r.URL == "" || r.Title == "" {
				t.Fatalf("result without URL or title: %+v", r)
			}
		}
	})
}
