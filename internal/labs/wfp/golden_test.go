package wfp

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden runs every testdata/*.json scenario through Handle("run") and compares the JSON
// result and the text rendering with testdata/<name>.golden.json and .golden.txt.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Handle("run", in)
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			js = append(js, '\n')
			txt := []byte(FormatText(out.(Result)))
			base := strings.TrimSuffix(f, ".json")
			for _, g := range []struct {
				path string
				got  []byte
			}{{base + ".golden.json", js}, {base + ".golden.txt", txt}} {
				if *update {
					if err := os.WriteFile(g.path, g.got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(g.path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(want, g.got) {
					t.Errorf("%s differs (run go test -update and review the diff):\n%s", g.path, g.got)
				}
			}
		})
	}
	if n < 5 {
		t.Errorf("only %d golden scenarios", n)
	}
}

// The golden verdicts, stated once more by hand so that a careless -update cannot bless a
// wrong engine.
func TestGoldenVerdicts(t *testing.T) {
	cases := map[string]struct {
		verdict string
		by      uint64
		veto    bool
	}{
		"soft-permit-overridden": {"block", 2, false},  // soft permit blocked at another sublayer
		"hard-permit-veto":       {"block", 4, true},   // hard permit, static block ignored, veto
		"boot-handover-boot":     {"block", 1, false},  // only the boot-time filter is enforced
		"boot-handover-running":  {"permit", 2, false}, // persistent DNS permit after BFE starts
		"unregistered-callout":   {"block", 22, false}, // unregistered terminating callout blocks
		"weights-and-conditions": {"permit", 4, false}, // range 2 beats 2^61-1; 3 continues, 4 permits
		"stop-at-hard-block":     {"block", 1, false},  // second sublayer skipped
	}
	for name, w := range cases {
		in, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		s, err := DecodeScenario(in)
		if err != nil {
			t.Fatal(err)
		}
		r := Run(s)
		if r.Verdict != w.verdict || r.DecidedBy == nil || *r.DecidedBy != w.by || r.Veto != w.veto {
			t.Errorf("%s: got %s by %v veto=%v\n%s", name, r.Verdict, r.DecidedBy, r.Veto, FormatText(r))
		}
	}
}
