package wfp

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ntatlas/internal/labs"
)

func check(t *testing.T, req string) *CheckResult {
	t.Helper()
	r, err := CheckPuzzle([]byte(req))
	if err != nil {
		t.Fatalf("%s: %v", req, err)
	}
	return r
}

func TestPuzzleScenariosAreValid(t *testing.T) {
	ids := map[string]bool{}
	for _, p := range Puzzles() {
		if ids[p.ID] {
			t.Errorf("duplicate puzzle id %s", p.ID)
		}
		ids[p.ID] = true
		if _, err := DecodeScenario(p.Scenario); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
		if p.Title == "" || p.Prompt == "" || p.Hint == "" || p.Answer == "" {
			t.Errorf("%s: incomplete puzzle", p.ID)
		}
	}
	for _, kind := range []string{"predict", "add-filter", "explain"} {
		found := false
		for _, p := range Puzzles() {
			found = found || p.Kind == kind
		}
		if !found {
			t.Errorf("no %s puzzle", kind)
		}
	}
}

// The expected answers, each derived from the documented rules (see engine_test.go).
func TestPredictPuzzles(t *testing.T) {
	cases := []struct {
		id, right, wrongVerdict, wrongHard string
	}{
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration: a soft permit is
		// blocked at another sublayer; the static block is hard.
		{"predict-soft-permit", `{"verdict":"block","hard":true}`, `{"verdict":"permit","hard":false}`, `{"verdict":"block","hard":false}`},
		// Same page: a hard permit can be overridden only by a callout veto.
		{"predict-hard-permit", `{"verdict":"permit","hard":true}`, `{"verdict":"block","hard":true}`, `{"verdict":"permit","hard":false}`},
		// Same page: "A Veto will block traffic that was permitted with a hard permit."
		{"predict-veto", `{"verdict":"block","hard":true}`, `{"verdict":"permit","hard":true}`, `{"verdict":"block","hard":false}`},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/basic-operation: boot-time filters
		// are enforced until BFE starts.
		{"predict-boot", `{"verdict":"block","hard":true}`, `{"verdict":"permit","hard":false}`, `{"verdict":"block","hard":false}`},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			if r := check(t, `{"id":"`+tc.id+`","answer":`+tc.right+`}`); !r.Correct {
				t.Errorf("right answer rejected: %s", r.Feedback)
			}
			if r := check(t, `{"id":"`+tc.id+`","answer":`+tc.wrongVerdict+`}`); r.Correct || !strings.Contains(r.Feedback, "verdict is") {
				t.Errorf("wrong verdict accepted or unexplained: %s", r.Feedback)
			}
			if r := check(t, `{"id":"`+tc.id+`","answer":`+tc.wrongHard+`}`); r.Correct || !strings.Contains(r.Feedback, "not") {
				t.Errorf("wrong hardness accepted: %s", r.Feedback)
			}
		})
	}
}

func TestPredictVetoShowsTheVeto(t *testing.T) {
	r := check(t, `{"id":"predict-veto","answer":{"verdict":"block","hard":true}}`)
	if !r.Result.Veto || !strings.Contains(r.Feedback, "veto") {
		t.Errorf("the veto puzzle must be decided by a veto: %+v", r)
	}
}

func TestRDPPuzzle(t *testing.T) {
	// Baseline: the vendor's callout blocks RDP.
	p := Puzzles()
	var rdp Puzzle
	for _, x := range p {
		if x.ID == "rdp-allow" {
			rdp = x
		}
	}
	s, err := DecodeScenario(rdp.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	if base := Run(s); base.Verdict != "block" || *base.DecidedBy != 200 {
		t.Fatalf("baseline must be blocked by the vendor's callout:\n%s", FormatText(base))
	}
	cases := []struct {
		name, filter string
		correct      bool
		feedback     string
	}{
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration: "The only way for a
		// filter to be bypassed is if a higher weight filter in the same sub-layer permits or blocks".
		{"permit above the vendor's filter in its sublayer",
			`{"id":900,"sublayer":"vendor-fw","weight":5000,"action":"permit","conditions":[{"field":"local_port","value":3389}]}`, true, "No veto"},
		{"hard permit above the vendor's filter in its sublayer",
			`{"id":900,"sublayer":"vendor-fw","weight":{"range":15},"action":"permit","conditions":[{"field":"local_port","value":3389}],"flags":["clear-action-right"]}`, true, "No veto"},
		// Same page: a callout Veto blocks a hard permit (and raises an audit event).
		{"hard permit in a higher sublayer gets vetoed",
			`{"id":900,"sublayer":"corp-admin","weight":20,"action":"permit","conditions":[{"field":"local_port","value":3389}],"flags":["clear-action-right"]}`, false, "vetoed"},
		// A soft permit above is simply overridden by the vendor's block.
		{"soft permit in a higher sublayer is overridden",
			`{"id":900,"sublayer":"corp-admin","weight":20,"action":"permit","conditions":[{"field":"local_port","value":3389}]}`, false, "still blocked"},
		{"permit below the vendor's filter never runs",
			`{"id":900,"sublayer":"vendor-fw","weight":10,"action":"permit","conditions":[{"field":"local_port","value":3389}]}`, false, "still blocked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, `{"id":"rdp-allow","answer":{"filter":`+tc.filter+`}}`)
			if r.Correct != tc.correct || !strings.Contains(r.Feedback, tc.feedback) {
				t.Errorf("correct=%v feedback=%q\n%s", r.Correct, r.Feedback, FormatText(r.Result))
			}
		})
	}
}

func TestRDPPuzzleRejectsBadFilters(t *testing.T) {
	for _, tc := range []struct{ filter, field string }{
		{`{"id":200,"sublayer":"vendor-fw","action":"permit"}`, "answer.filter.id"},
		{`{"id":901,"sublayer":"my-own","action":"permit"}`, "answer.filter.sublayer"},
		{`{"id":901,"action":"permit","weight":{"range":16}}`, "answer.filter.weight.range"},
		{`{"id":901,"action":"permit","flags":["boottime","persistent"]}`, "answer.filter.flags[1]"},
	} {
		_, err := CheckPuzzle([]byte(`{"id":"rdp-allow","answer":{"filter":` + tc.filter + `}}`))
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: got %v, want an error on %s", tc.filter, err, tc.field)
		}
	}
}

func TestWhyBlockedPuzzle(t *testing.T) {
	// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0:
	// without FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED the orphaned EDR filter blocks.
	if r := check(t, `{"id":"why-blocked","answer":{"filterId":50,"cause":"unregistered-callout"}}`); !r.Correct {
		t.Errorf("right answer rejected: %s", r.Feedback)
	}
	if r := check(t, `{"id":"why-blocked","answer":{"filterId":50,"cause":"veto"}}`); r.Correct || !strings.Contains(r.Feedback, "right filter") {
		t.Errorf("wrong cause: %+v", r.Feedback)
	}
	if r := check(t, `{"id":"why-blocked","answer":{"filterId":60,"cause":"unregistered-callout"}}`); r.Correct {
		t.Error("wrong filter accepted")
	}
	r := check(t, `{"id":"why-blocked","answer":{"filterId":60,"cause":"hard-block"}}`)
	if r.Result.Verdict != "block" || len(r.Result.Trace) == 0 {
		t.Error("the check result must carry the full trace")
	}
}

func TestCheckPuzzleInputErrors(t *testing.T) {
	for _, tc := range []struct{ req, field string }{
		{`{"id":"nope","answer":{}}`, "id"},
		{`{"answer":{}}`, "id"},
		{`{"id":"predict-boot"}`, "answer"},
		{`{"id":"predict-boot","answer":{"verdict":"allow"}}`, "answer.verdict"},
		{`{"id":"predict-boot","answer":{"verdict":"block","hard":true,"extra":1}}`, "answer.extra"},
		{`{"id":"why-blocked","answer":{"filterId":50,"cause":"gremlins"}}`, "answer.cause"},
		{`{"id":"why-blocked","answer":{"filterId":-1,"cause":"veto"}}`, "answer.filterId"},
		{`{"id":"rdp-allow","answer":{"filters":[]}}`, "answer.filters"},
	} {
		_, err := CheckPuzzle([]byte(tc.req))
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: got %v, want an error on %s", tc.req, err, tc.field)
		}
	}
}

func TestPuzzleListHasNoAnswers(t *testing.T) {
	b, err := json.Marshal(Puzzles())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "unregistered-callout\"}") || strings.Contains(string(b), `"verdict":"block","hard"`) {
		t.Error("the puzzle list must not leak expected answers")
	}
}
