package content_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"ntatlas/internal/content"
	ct "ntatlas/internal/content/contenttest"
)

// synthetic builds a tree of n topics: 100 branches, each with children and grandchildren,
// related links between siblings, and one path per branch.
func synthetic(n int) fstest.MapFS {
	var topics []ct.T
	var paths []ct.Path
	perBranch := n / 100
	for b := 0; b < 100; b++ {
		root := fmt.Sprintf("b%d", b)
		topics = append(topics, ct.T{Slug: root})
		steps := []string{root}
		for i := 1; i < perBranch; i++ {
			var slug string
			// Every tenth topic is a second-level topic; the nine after it are its children.
			rel := root
			if i%10 == 0 || i < 10 {
				slug = fmt.Sprintf("%s/t%d", root, i)
			} else {
				slug = fmt.Sprintf("%s/t%d/c%d", root, i-i%10, i)
				rel = fmt.Sprintf("%s/t%d", root, i-i%10)
			}
			topics = append(topics, ct.T{Slug: slug, Level: "intermediate", Related: []string{rel}})
			if len(steps) < 6 {
				steps = append(steps, slug)
			}
		}
		paths = append(paths, ct.Path{ID: "p-" + root, Steps: steps})
	}
	return ct.FS(topics, paths)
}

// BenchmarkCheck10k is `ntatlas check` on a generated 10 000-topic tree.
func BenchmarkCheck10k(b *testing.B) {
	// On disk, as `ntatlas check -content DIR` reads it (fstest.MapFS lists directories in
	// linear time, which would make the walk itself quadratic).
	dir := b.TempDir()
	for name, f := range synthetic(10000) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	fs := os.DirFS(dir)
	if _, err := content.Load(fs); err != nil {
		b.Fatalf("synthetic tree is invalid: %v", err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := content.Load(fs); err != nil {
			b.Fatal(err)
		}
	}
}
