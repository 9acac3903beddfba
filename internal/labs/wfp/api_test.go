package wfp

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"ntatlas/internal/labs"
)

func TestHandleOps(t *testing.T) {
	in, err := os.ReadFile("testdata/hard-permit-veto.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Handle("run", in)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := out.(Result)
	if !ok || r.Verdict != "block" || !r.Veto {
		t.Fatalf("run: %#v", out)
	}
	// The result is what the API and WebAssembly bridge marshal: the documented top-level keys.
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "hard", "decidedBy", "sublayer", "veto", "absorbed", "trace", "events"} {
		if _, ok := top[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}

	for _, req := range []string{"", "{}", "  "} {
		out, err = Handle("puzzles", []byte(req))
		if err != nil {
			t.Fatalf("puzzles %q: %v", req, err)
		}
		if ps := out.([]Puzzle); len(ps) < 3 {
			t.Errorf("puzzles: %d", len(ps))
		}
	}
	if _, err := Handle("puzzles", []byte(`{"x":1}`)); err == nil {
		t.Error("puzzles must reject unknown request fields")
	}

	out, err = Handle("check-puzzle", []byte(`{"id":"predict-veto","answer":{"verdict":"block","hard":true}}`))
	if err != nil || !out.(*CheckResult).Correct {
		t.Fatalf("check-puzzle: %v %#v", err, out)
	}
}

func TestHandleErrors(t *testing.T) {
	_, err := Handle("explode", nil)
	var uo *labs.ErrUnknownOp
	if !errors.As(err, &uo) || uo.Engine != "wfp" {
		t.Errorf("unknown op: %v", err)
	}
	_, err = Handle("run", []byte(`{"layer":"ALE_AUTH_CONNECT_V4","filters":[{"id":1,"action":"block","weight":{"range":20}}]}`))
	var ie *labs.InputError
	if !errors.As(err, &ie) || ie.Field != "filters[0].weight.range" {
		t.Errorf("run with a bad scenario: %v", err)
	}
}

// Two runs of the same scenario marshal to the same bytes: nothing depends on map order.
func TestDeterministic(t *testing.T) {
	in, err := os.ReadFile("testdata/weights-and-conditions.json")
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := 0; i < 20; i++ {
		out, err := Handle("run", in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		if i == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Fatal("two runs differ")
		}
	}
}
