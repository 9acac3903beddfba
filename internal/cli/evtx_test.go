package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func evtxSample(t *testing.T, name string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "shared", "evtx", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if parent := filepath.Dir(dir); parent != dir {
			dir = parent
			continue
		}
		t.Skipf("EVTX sample %s not found under a shared/evtx folder above %s", name, dir)
	}
}

func TestEvtxInfoJSON(t *testing.T) {
	f := evtxSample(t, "post-Security.evtx")
	var out, errb bytes.Buffer
	if code := EvtxInfo([]string{"--json", f}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"records", "chunks", "firstRecordId", "lastRecordId", "firstTime", "lastTime", "dirty", "full", "errors"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if got["records"].(float64) != 126 {
		t.Errorf("records = %v, want 126", got["records"])
	}
}

func TestEvtxInfoText(t *testing.T) {
	f := evtxSample(t, "sample_with_a_bad_chunk_magic.evtx")
	var out, errb bytes.Buffer
	if code := EvtxInfo([]string{f}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"records:         267", "chunk 1, offset 69632: chunk signature"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvtxDump(t *testing.T) {
	f := evtxSample(t, "post-Security.evtx")
	var out, errb bytes.Buffer
	if code := EvtxDump([]string{"--format", "jsonl", "--filter", "EventID=4624", f}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("no 4624 records")
	}
	var prev float64
	for _, l := range lines {
		var rec struct {
			Record map[string]any `json:"#record"`
			Event  struct {
				System struct{ EventID any }
			}
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if rec.Event.System.EventID != float64(4624) {
			t.Errorf("EventID = %v", rec.Event.System.EventID)
		}
		off := rec.Record["offset"].(float64)
		if off <= prev {
			t.Errorf("records not in file order: offset %v after %v", off, prev)
		}
		prev = off
	}
	out.Reset()
	if code := EvtxDump([]string{"--chunk", "0", f}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "<?xml") || !strings.HasSuffix(out.String(), "</Events>\n") {
		t.Errorf("xml dump: exit %d, %q…", code, out.String()[:min(80, out.Len())])
	}
	out.Reset()
	if code := EvtxDump([]string{"--format", "json", f}, nil, &out, &errb); code != 0 || !json.Valid(out.Bytes()) {
		t.Errorf("json dump: exit %d, valid %v", code, json.Valid(out.Bytes()))
	}
}

func TestEvtxUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--format", "yaml", "x.evtx"},
		{"--filter", "Bogus=1", "x.evtx"},
		{"--format", "jsonl", "/nonexistent.evtx"},
	} {
		var out, errb bytes.Buffer
		if code := EvtxDump(args, nil, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
		if len(args) > 1 && args[1] == "jsonl" && !strings.Contains(out.String(), `"error"`) {
			t.Errorf("%v: no JSON error object on stdout: %q", args, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := EvtxInfo([]string{"--json", "/nonexistent.evtx"}, nil, &out, &errb); code != 2 || !json.Valid(out.Bytes()) {
		t.Errorf("info on missing file: exit %d, stdout %q", code, out.String())
	}
}
