package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ntatlas/internal/labs/evtx/evtxgen"
	"ntatlas/internal/labs/registry"
)

type transcriptCase struct {
	Engine  string          `json:"engine"`
	Op      string          `json:"op"`
	Request json.RawMessage `json:"request"`
}

func loadTranscripts(t *testing.T) ([]transcriptCase, []byte) {
	data, err := os.ReadFile("testdata/transcripts.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []transcriptCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases, data
}

// canon re-encodes JSON so transports that indent differently compare equal.
func canon(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, b)
	}
	return v
}

// The same engine gives the same answer natively, over the JSON API and in WebAssembly
// (the committed bundle, run under Node exactly as pages run it).
func TestTranscriptsNativeAPIWasm(t *testing.T) {
	cases, _ := loadTranscripts(t)
	ts := server(t)
	var native []any
	for i, c := range cases {
		nat := canon(t, registry.RunJSON(c.Engine, c.Op, c.Request))
		native = append(native, nat)
		resp, err := http.Post(ts.URL+"/api/v1/labs/"+c.Engine+"/"+c.Op, "application/json", bytes.NewReader(c.Request))
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if d := cmp.Diff(nat, canon(t, body.Bytes())); d != "" {
			t.Errorf("case %d %s/%s: API differs from native (-native +api):\n%s", i, c.Engine, c.Op, d)
		}
		isErr := strings.Contains(body.String(), `"error"`) && !strings.Contains(body.String(), `"result"`)
		if (resp.StatusCode == 200) == isErr {
			t.Errorf("case %d: status %d does not match the envelope", i, resp.StatusCode)
		}
	}

	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is required in CI for the WebAssembly transcripts")
		}
		t.Skip("SKIPPING the WebAssembly transcripts: node is not installed")
	}
	dir := t.TempDir()
	// Hand Node the exact request bytes, so byte offsets in errors mean the same thing.
	type wire struct {
		Engine  string `json:"engine"`
		Op      string `json:"op"`
		Request string `json:"request"`
	}
	var ws []wire
	for _, c := range cases {
		ws = append(ws, wire{c.Engine, c.Op, string(c.Request)})
	}
	wb, _ := json.Marshal(ws)
	casesFile := filepath.Join(dir, "cases.json")
	os.WriteFile(casesFile, wb, 0o644)
	out := filepath.Join(dir, "out.json")
	cmd := exec.Command(node, "testdata/wasm_driver.js", mustAbs(t, "static/labs/wasm_exec.js"), "static/labs/labs.wasm", casesFile, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Results []json.RawMessage `json:"results"`
		MS      int               `json:"ms"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Results) != len(cases) {
		t.Fatalf("wasm ran %d cases, want %d", len(w.Results), len(cases))
	}
	for i, c := range cases {
		if d := cmp.Diff(native[i], canon(t, w.Results[i])); d != "" {
			t.Errorf("case %d %s/%s: WebAssembly differs from native (-native +wasm):\n%s", i, c.Engine, c.Op, d)
		}
	}
	t.Logf("%d cases identical natively, over the API and in WebAssembly (%d ms in wasm)", len(cases), w.MS)
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The committed artefacts must be what their sources build to today; otherwise pages would run
// older engines than the API. Building takes a while, so this runs in CI or on request.
func TestAssetsUpToDate(t *testing.T) {
	if os.Getenv("CI") != "true" && os.Getenv("NTATLAS_ASSETS_CHECK") == "" {
		t.Skip("set NTATLAS_ASSETS_CHECK=1 (automatic in CI) to rebuild the committed artefacts and compare")
	}
	dir := t.TempDir()
	for _, a := range []struct{ goos, goarch, pkg, committed string }{
		{"js", "wasm", "ntatlas/cmd/ntatlas-wasm", "static/labs/labs.wasm"},
		{"windows", "amd64", "ntatlas/cmd/ntatlas-loopback", "static/downloads/ntatlas-loopback-windows-amd64.exe"},
	} {
		out := filepath.Join(dir, filepath.Base(a.committed))
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, a.pkg)
		cmd.Env = append(os.Environ(), "GOOS="+a.goos, "GOARCH="+a.goarch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", a.pkg, err, b)
		}
		fresh, _ := os.ReadFile(out)
		committed, err := os.ReadFile(a.committed)
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(fresh) != sha256.Sum256(committed) {
			t.Errorf("internal/web/%s is stale (%d bytes committed, %d built with %s): run ./scripts/build-assets.sh and commit it",
				a.committed, len(committed), len(fresh), runtime.Version())
		}
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	execJS, _ := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	committedJS, _ := os.ReadFile("static/labs/wasm_exec.js")
	if !bytes.Equal(execJS, committedJS) {
		t.Fatalf("static/labs/wasm_exec.js does not match this Go toolchain's: run ./scripts/build-assets.sh")
	}
	// The EVTX lab's sample is generated, not collected: it must be what the generator writes.
	sample, err := os.ReadFile("static/labs/samples/synthetic-security.evtx")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sample, evtxgen.SyntheticSecurity()) {
		t.Errorf("static/labs/samples/synthetic-security.evtx differs from evtxgen.SyntheticSecurity(): run ./scripts/build-assets.sh")
	}
}
