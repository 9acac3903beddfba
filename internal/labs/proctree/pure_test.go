package proctree

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps the engine runnable natively, over the API and in WebAssembly with identical
// results: standard library only, no I/O, no clock, no unseeded randomness.
func TestPure(t *testing.T) {
	forbidden := map[string]bool{"os": true, "os/exec": true, "net": true, "net/http": true, "syscall": true,
		"unsafe": true, "math/rand": true, "math/rand/v2": true, "database/sql": true, "io/ioutil": true}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[p] || (strings.Contains(p, ".") && !strings.HasPrefix(p, "ntatlas/internal/labs")) {
				t.Errorf("%s imports %s", f, p)
			}
		}
		if strings.Contains(string(src), "time.Now") || strings.Contains(string(src), "time.Since") {
			t.Errorf("%s reads the clock", f)
		}
	}
}
