package dns

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"ntatlas/internal/labs"
)

// Exercise is a prediction the learner makes about one query of a scenario; the engine checks
// it by running the scenario.
type Exercise struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Prompt     string   `json:"prompt"`
	Kind       string   `json:"kind"` // ms, count, choice
	Choices    []string `json:"choices,omitempty"`
	Scenario   Scenario `json:"scenario"`
	QueryIndex int      `json:"queryIndex"`
	Why        string   `json:"why"`
	Evidence   string   `json:"evidence"`
	Source     string   `json:"source"`
	measure    string   // elapsed, sends, source, answer-name
}

//go:noinline
func exampleZone() []Record {
	return []Record{
		{Name: "www.example.com", Type: "A", TTL: 300, Data: "192.0.2.10"},
		{Name: "app.example.com", Type: "CNAME", TTL: 60, Data: "www.example.com"},
		{Name: "emailsrv7.contoso.com", Type: "A", TTL: 3600, Data: "10.1.7.7"},
	}
}

// Exercises returns the built-in exercises. They are rebuilt on each call so callers cannot
// share mutable state.
func Exercises() []Exercise {
	one := []Server{{Addr: "10.0.0.1", Mode: "answer", LatencyMs: 35}}
	return []Exercise{
		{ID: "ask-twice", Title: "Ask twice — why is the second one instant?",
			Prompt: "www.example.com is resolved at t=0 and again 3 s later. How many milliseconds does the second resolution take?",
			Kind:   "ms", QueryIndex: 1, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: one}, Zone: exampleZone(),
				Queries: []Query{{At: 0, Name: "www.example.com"}, {At: 3000, Name: "www.example.com"}}},
			Why:      "The first answer was stored in the resolver cache for its TTL (300 s). The second lookup finds it there and no packet leaves the machine.",
			Evidence: Documented, Source: SrcHostsCache},
		{ID: "ask-twice-source", Title: "Where does the second answer come from?",
			Prompt: "Same scenario: where does the second answer for www.example.com come from?",
			Kind:   "choice", Choices: []string{"dns", "cache", "hosts", "llmnr"}, QueryIndex: 1, measure: "source",
			Scenario: Scenario{Config: Config{Servers: one}, Zone: exampleZone(),
				Queries: []Query{{At: 0, Name: "www.example.com"}, {At: 3000, Name: "www.example.com"}}},
			Why:      "The DNS Client service keeps answers in its cache; Get-DnsClientCache shows the entry with its TTL counting down.",
			Evidence: Documented, Source: SrcHostsCache},
		{ID: "ttl-expired", Title: "After the TTL",
			Prompt: "app.example.com is a CNAME (TTL 60 s) to www.example.com (TTL 300 s). It is resolved at t=0 and again at t=61 s. How long does the second resolution take, in ms? (server round trip 35 ms)",
			Kind:   "ms", QueryIndex: 1, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: one}, Zone: exampleZone(),
				Queries: []Query{{At: 0, Name: "app.example.com"}, {At: 61000, Name: "app.example.com"}}},
			Why:      "The CNAME record expired after 60 s, so the alias must be asked again even though the address record is still cached.",
			Evidence: Model, Source: SrcOurModel},
		{ID: "slow-server", Title: "A slow server",
			Prompt: "One DNS server that answers every query after 1500 ms. When does the application get its answer (ms after asking)?",
			Kind:   "ms", QueryIndex: 0, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: []Server{{Addr: "10.0.0.1", Mode: "answer", LatencyMs: 1500}}}, Zone: exampleZone(),
				Queries: []Query{{At: 0, Name: "www.example.com"}}},
			Why:      "The client retransmits at 1 s, but the answer to the first query still arrives at 1.5 s and is accepted (same transaction ID): the retry does not restart the wait.",
			Evidence: Documented, Source: SrcKB2834226},
		{ID: "first-server-down", Title: "First server unreachable",
			Prompt: "Two servers: the first is unreachable, the second answers in 40 ms. When does the answer arrive (ms)?",
			Kind:   "ms", QueryIndex: 0, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: []Server{{Addr: "10.0.0.1", Mode: "unreachable"}, {Addr: "10.0.0.2", Mode: "answer", LatencyMs: 40}}},
				Zone: exampleZone(), Queries: []Query{{At: 0, Name: "www.example.com"}}},
			Why:      "With two servers the second one is first asked at t=1 s, so the answer lands at 1 s + 40 ms.",
			Evidence: Documented, Source: SrcKB2834226},
		{ID: "fourth-server", Title: "The only good server is fourth",
			Prompt: "Five servers; only the fourth answers (20 ms). When does the answer arrive (ms)?",
			Kind:   "ms", QueryIndex: 0, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: []Server{{Addr: "10.0.0.1", Mode: "unreachable"}, {Addr: "10.0.0.2", Mode: "unreachable"},
				{Addr: "10.0.0.3", Mode: "unreachable"}, {Addr: "10.0.0.4", Mode: "answer", LatencyMs: 20}, {Addr: "10.0.0.5", Mode: "unreachable"}}},
				Zone: exampleZone(), Queries: []Query{{At: 0, Name: "www.example.com"}}},
			Why:      "A server in position 4 or later is not asked before the t=4 s round that queries all servers at once.",
			Evidence: Documented, Source: SrcKB2834226},
		{ID: "all-silent", Title: "Nobody answers",
			Prompt: "One configured server that is unreachable. After how many ms does the application get its failure?",
			Kind:   "ms", QueryIndex: 0, measure: "elapsed",
			Scenario: Scenario{Config: Config{Servers: []Server{{Addr: "10.0.0.1", Mode: "unreachable"}}}, Zone: exampleZone(),
				Queries: []Query{{At: 0, Name: "www.example.com."}}},
			Why:      "Five queries at 0, 1, 2, 4 and 8 s, then the client stops at 10 s.",
			Evidence: Documented, Source: SrcKB2834226},
		{ID: "nxdomain-stops", Title: "NXDOMAIN ends the schedule",
			Prompt: "Three servers, all reachable. nosuch.example.com does not exist. How many DNS packets does the client send?",
			Kind:   "count", QueryIndex: 0, measure: "sends",
			Scenario: Scenario{Config: Config{Servers: []Server{{Addr: "10.0.0.1", Mode: "answer"}, {Addr: "10.0.0.2", Mode: "answer"}, {Addr: "10.0.0.3", Mode: "answer"}}},
				Zone: exampleZone(), Queries: []Query{{At: 0, Name: "nosuch.example.com."}}},
			Why:      "A name error from any server stops the process: the client does not try the next server when the answer is negative.",
			Evidence: Documented, Source: SrcKB2834226},
		{ID: "devolution", Title: "Short name, devolved suffix",
			Prompt: "Primary DNS suffix central.contoso.com, devolution level 2, no search list. The user types emailsrv7. Which name finally answers?",
			Kind:   "choice", Choices: []string{"emailsrv7.central.contoso.com", "emailsrv7.contoso.com", "emailsrv7.com", "emailsrv7"}, QueryIndex: 0, measure: "answer-name",
			Scenario: Scenario{Config: Config{Servers: one, PrimarySuffix: "central.contoso.com", Devolution: &Devolution{Enabled: true, Level: 2}},
				Zone: exampleZone(), Queries: []Query{{At: 0, Name: "emailsrv7"}}},
			Why:      "emailsrv7.central.contoso.com gets NXDOMAIN, so the client devolves the primary suffix one label to contoso.com, which still has two labels (the level).",
			Evidence: Documented, Source: SrcDevolution},
	}
}

// CheckRequest is the input of the "check" operation.
type CheckRequest struct {
	Exercise string          `json:"exercise"`
	Answer   json.RawMessage `json:"answer"`
}

// CheckResult tells the learner whether the prediction was right, and why.
type CheckResult struct {
	Exercise string `json:"exercise"`
	Correct  bool   `json:"correct"`
	Expected any    `json:"expected"`
	Got      any    `json:"got"`
	Why      string `json:"why"`
	Evidence string `json:"evidence"`
	Source   string `json:"source"`
	Result   Result `json:"result"` // the timeline of the query the exercise is about
}

// Check runs the exercise's scenario and compares the learner's answer with the engine's.
func Check(req CheckRequest) (*CheckResult, error) {
	var ex *Exercise
	all := Exercises()
	for i := range all {
		if all[i].ID == req.Exercise {
			ex = &all[i]
		}
	}
	if ex == nil {
		return nil, &labs.InputError{Offset: -1, Field: "exercise", Message: fmt.Sprintf("unknown exercise %q", req.Exercise)}
	}
	out, err := Resolve(&ex.Scenario)
	if err != nil {
		return nil, fmt.Errorf("exercise %s: %w", ex.ID, err)
	}
	r := out.Results[ex.QueryIndex]
	res := &CheckResult{Exercise: ex.ID, Why: ex.Why, Evidence: ex.Evidence, Source: ex.Source, Result: r}
	if len(req.Answer) == 0 {
		return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "missing answer"}
	}
	switch ex.Kind {
	case "ms", "count":
		var got float64
		if err := json.Unmarshal(req.Answer, &got); err != nil || math.IsNaN(got) || math.IsInf(got, 0) {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "expected a number"}
		}
		var want int64
		if ex.measure == "sends" {
			want = int64(r.DNSSends)
		} else {
			want = r.ElapsedMs
		}
		tol := 0.0
		if ex.Kind == "ms" {
			tol = math.Max(50, 0.05*float64(want)) // the learner predicts, they do not simulate to the millisecond
		}
		res.Expected, res.Got = want, got
		res.Correct = math.Abs(got-float64(want)) <= tol
	case "choice":
		var got string
		if err := json.Unmarshal(req.Answer, &got); err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "expected one of the choices as a string"}
		}
		valid := false
		for _, c := range ex.Choices {
			valid = valid || c == got
		}
		if !valid {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: fmt.Sprintf("%q is not one of %s", got, strings.Join(ex.Choices, ", "))}
		}
		want := r.Source
		if ex.measure == "answer-name" {
			want = ""
			if len(r.Answers) > 0 {
				want = r.Answers[0].Name
			}
		}
		res.Expected, res.Got = want, got
		res.Correct = got == want
	}
	return res, nil
}
