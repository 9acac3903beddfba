package search_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"ntatlas/internal/search"
)

// referenceTokenize is the first, simpler Tokenize (a rune builder per token). The faster one
// must split, lower, drop stop words and stem exactly as it did.
func referenceTokenize(s string, keep func(string) bool, stem func(string) string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		w := cur.String()
		cur.Reset()
		if keep(w) {
			out = append(out, stem(w))
		}
	}
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			cur.WriteRune(r)
			continue
		}
		flush()
	}
	flush()
	return out
}

func FuzzTokenizeMatchesReference(f *testing.F) {
	for _, s := range []string{"", "AFD sits below ws2_32.dll", "Filters, filtering; policies", "ÉTÉ naïve Straße İstanbul", "a\xffb\x00c", "  ", "the of and"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := search.Tokenize(s)
		// Stop words and stemming are the package's; read them back through Tokenize itself on
		// single words, so the reference only checks splitting and lowering.
		keep := func(w string) bool { return len(search.Tokenize(w)) == 1 }
		stem := func(w string) string { return search.Tokenize(w)[0] }
		want := referenceTokenize(s, keep, stem)
		if !slices.Equal(got, want) {
			t.Fatalf("Tokenize(%q) = %q, reference %q", s, got, want)
		}
	})
}
