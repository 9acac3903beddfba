package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ct "ntatlas/internal/content/contenttest"
)

func writeTree(t *testing.T, topics []ct.T) string {
	dir := t.TempDir()
	for name, f := range ct.FS(topics, nil) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckEmbeddedContentIsClean(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Check(nil, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("output %q", out.String())
	}
}

func TestCheckReportsFileLine(t *testing.T) {
	dir := writeTree(t, []ct.T{{Slug: "net"}, {Slug: "net/afd", Related: []string{"net/tcpp"}}})
	var out, errb bytes.Buffer
	code := Check([]string{"-content", dir}, nil, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := filepath.Join(dir, "topics/net/afd.md") + ":7: related \"net/tcpp\": no such topic"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if !strings.Contains(errb.String(), "problem(s)") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestCheckUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Check([]string{"-content", "/does/not/exist"}, nil, &out, &errb); code != 2 {
		t.Errorf("missing dir: exit %d, want 2", code)
	}
	if code := Check([]string{"extra"}, nil, &out, &errb); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}
