package wfp

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Puzzle is one exercise as the lab shows it. The expected answer is not part of it.
type Puzzle struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"` // "predict", "add-filter" or "explain"
	Title    string          `json:"title"`
	Prompt   string          `json:"prompt"`
	Answer   string          `json:"answer"` // the JSON shape check-puzzle expects in "answer"
	Choices  []Choice        `json:"choices,omitempty"`
	Hint     string          `json:"hint"`
	Scenario json.RawMessage `json:"scenario"`
}

// Choice is one possible cause in an "explain" puzzle.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// puzzleDef adds the expected answer to a Puzzle.
type puzzleDef struct {
	Puzzle
	verdict string // predict
	hard    bool   // predict
	filter  uint64 // explain
	cause   string // explain
}

const predictSoftScenario = `{
  "name": "Soft permit, then a block in a lower sublayer",
  "layer": "ALE_AUTH_CONNECT_V4",
  "sublayers": [
    {"key": "mail-client", "name": "Mail client's own rules", "weight": 40000},
    {"key": "corp-policy", "name": "Corporate policy", "weight": 20000}
  ],
  "filters": [
    {"id": 11, "name": "Mail client may send", "sublayer": "mail-client", "weight": 100, "action": "permit",
     "conditions": [{"field": "app_id", "value": "\\device\\harddiskvolume3\\program files\\mailer\\mailer.exe"}]},
    {"id": 21, "name": "No direct SMTP", "sublayer": "corp-policy", "weight": 50, "action": "block",
     "conditions": [{"field": "remote_port", "value": 25}, {"field": "protocol", "value": 6}]}
  ],
  "packet": {"protocol": 6, "remote_addr": "198.51.100.25", "remote_port": 25, "local_port": 50123,
             "app_id": "\\device\\harddiskvolume3\\program files\\mailer\\mailer.exe"}
}`

const predictHardScenario = `{
  "name": "Hard permit, then a block and a well-behaved callout",
  "layer": "ALE_AUTH_RECV_ACCEPT_V4",
  "sublayers": [
    {"key": "admin", "name": "Remote administration", "weight": 50000},
    {"key": "vendor-fw", "name": "Third-party firewall", "weight": 30000},
    {"key": "ids", "name": "Intrusion detection", "weight": 10000}
  ],
  "callouts": [{"key": "ids-inspect", "registered": true, "behavior": "compliant-block"}],
  "filters": [
    {"id": 1, "name": "Admin port stays open", "sublayer": "admin", "weight": 10, "action": "permit",
     "conditions": [{"field": "local_port", "value": 5985}], "flags": ["clear-action-right"]},
    {"id": 2, "name": "Block everything inbound", "sublayer": "vendor-fw", "weight": 0, "action": "block"},
    {"id": 3, "name": "IDS signature match", "sublayer": "ids", "weight": 0, "action": "callout-terminating",
     "callout": "ids-inspect"}
  ],
  "packet": {"protocol": 6, "remote_addr": "192.0.2.44", "remote_port": 61000, "local_port": 5985}
}`

const predictVetoScenario = `{
  "name": "Hard permit against a callout that blocks anyway",
  "layer": "ALE_AUTH_RECV_ACCEPT_V4",
  "sublayers": [
    {"key": "admin", "name": "Remote administration", "weight": 50000},
    {"key": "ids", "name": "Intrusion detection", "weight": 10000}
  ],
  "callouts": [{"key": "ids-inspect", "registered": true, "behavior": "veto"}],
  "filters": [
    {"id": 1, "name": "Admin port stays open", "sublayer": "admin", "weight": 10, "action": "permit",
     "conditions": [{"field": "local_port", "value": 5985}], "flags": ["clear-action-right"]},
    {"id": 3, "name": "IDS: known attacker", "sublayer": "ids", "weight": 0, "action": "callout-terminating",
     "callout": "ids-inspect", "conditions": [{"field": "remote_addr", "value": "192.0.2.0/24"}]}
  ],
  "packet": {"protocol": 6, "remote_addr": "192.0.2.44", "remote_port": 61000, "local_port": 5985}
}`

const predictBootScenario = `{
  "name": "Before BFE starts",
  "layer": "ALE_AUTH_CONNECT_V4",
  "phase": "boot",
  "sublayers": [{"key": "hardening", "name": "Boot hardening", "weight": 60000}],
  "filters": [
    {"id": 1, "name": "Block all outbound until the firewall runs", "sublayer": "hardening", "weight": 0,
     "action": "block", "flags": ["boottime"]},
    {"id": 2, "name": "Allow DNS (persistent)", "sublayer": "hardening", "weight": 100, "action": "permit",
     "conditions": [{"field": "remote_port", "value": 53}], "flags": ["persistent"]}
  ],
  "packet": {"protocol": 17, "remote_addr": "192.0.2.53", "remote_port": 53, "local_port": 53001}
}`

const rdpScenario = `{
  "name": "A third-party firewall blocks RDP",
  "layer": "ALE_AUTH_RECV_ACCEPT_V4",
  "sublayers": [
    {"key": "corp-admin", "name": "Corporate administration", "weight": 50000},
    {"key": "vendor-fw", "name": "Third-party firewall", "weight": 30000},
    {"key": "windows-firewall", "name": "Windows Firewall", "weight": 4096}
  ],
  "callouts": [{"key": "vendor-inspect", "name": "Vendor inbound inspection", "registered": true, "behavior": "veto"}],
  "filters": [
    {"id": 100, "name": "SSH for admins", "sublayer": "corp-admin", "weight": 10, "action": "permit",
     "conditions": [{"field": "local_port", "value": 22}], "flags": ["clear-action-right"]},
    {"id": 200, "name": "Vendor: inspect inbound TCP", "sublayer": "vendor-fw", "weight": 1000,
     "action": "callout-terminating", "callout": "vendor-inspect", "conditions": [{"field": "protocol", "value": 6}]},
    {"id": 300, "name": "Remote Desktop (TCP-In)", "sublayer": "windows-firewall", "weight": {"range": 8},
     "action": "permit", "conditions": [{"field": "local_port", "value": 3389}, {"field": "protocol", "value": 6}]},
    {"id": 301, "name": "Default inbound block", "sublayer": "windows-firewall", "weight": 0, "action": "block"}
  ],
  "packet": {"protocol": 6, "remote_addr": "198.51.100.7", "remote_port": 51000, "local_port": 3389,
             "app_id": "\\device\\harddiskvolume3\\windows\\system32\\svchost.exe"}
}`

const whyBlockedScenario = `{
  "name": "The VPN client cannot connect",
  "layer": "ALE_AUTH_CONNECT_V4",
  "sublayers": [
    {"key": "vpn-client", "name": "VPN client", "weight": 30000},
    {"key": "edr", "name": "Endpoint protection (uninstalled last week)", "weight": 20000},
    {"key": "windows-firewall", "name": "Windows Firewall", "weight": 4096}
  ],
  "callouts": [{"key": "edr-classify", "name": "EDR connection classifier", "registered": false, "behavior": "compliant-block"}],
  "filters": [
    {"id": 40, "name": "VPN client may connect", "sublayer": "vpn-client", "weight": 100, "action": "permit",
     "conditions": [{"field": "app_id", "value": "\\device\\harddiskvolume3\\program files\\vpn\\vpnclient.exe"}]},
    {"id": 50, "name": "EDR: classify outbound", "sublayer": "edr", "weight": 10, "action": "callout-terminating",
     "callout": "edr-classify"},
    {"id": 60, "name": "Allow outbound", "sublayer": "windows-firewall", "weight": 0, "action": "permit"}
  ],
  "packet": {"protocol": 17, "remote_addr": "203.0.113.80", "remote_port": 1194, "local_port": 50500,
             "app_id": "\\device\\harddiskvolume3\\program files\\vpn\\vpnclient.exe"}
}`

const predictAnswer = `{"verdict": "permit" | "block" | "no-match" | "no-decision", "hard": true | false}`

func explainChoices() []Choice {
	return []Choice{
		{"hard-block", "A static block filter in a higher sublayer made a hard block"},
		{"soft-permit-overridden", "A permit was soft and a lower sublayer's block overrode it"},
		{"veto", "A callout vetoed a hard permit"},
		{"unregistered-callout", "A filter points to a callout that is not registered, so it counts as a block"},
		{"boot-time", "A boot-time filter is still enforced because BFE has not started"},
	}
}

// puzzleDefs builds the puzzle table; a function, so there is no package-level mutable state.
func puzzleDefs() []puzzleDef {
	return []puzzleDef{
		{Puzzle: Puzzle{ID: "predict-soft-permit", Kind: "predict", Title: "Predict the verdict: soft permit",
			Prompt: "The mail client permits its own traffic in a high sublayer; corporate policy blocks SMTP lower down. Will the connection to port 25 go through, and is the verdict hard or soft?",
			Answer: predictAnswer, Hint: "A plain permit filter leaves the write right set. What may a lower sublayer do with it?",
			Scenario: json.RawMessage(predictSoftScenario)}, verdict: "block", hard: true},
		{Puzzle: Puzzle{ID: "predict-hard-permit", Kind: "predict", Title: "Predict the verdict: hard permit",
			Prompt: "Remote administration (port 5985) is permitted with clear-action-right. Below, a third-party firewall blocks everything inbound and an IDS callout (well-behaved) would block too. What happens?",
			Answer: predictAnswer, Hint: "Which results can override a permit whose write right is cleared, and does a compliant callout act when it may not write?",
			Scenario: json.RawMessage(predictHardScenario)}, verdict: "permit", hard: true},
		{Puzzle: Puzzle{ID: "predict-veto", Kind: "predict", Title: "Predict the verdict: veto",
			Prompt: "The same hard permit for port 5985, but the IDS callout blocks known attackers even when it may not write. What is the verdict?",
			Answer: predictAnswer, Hint: "A block returned by a callout after the write right was cleared has a name.",
			Scenario: json.RawMessage(predictVetoScenario)}, verdict: "block", hard: true},
		{Puzzle: Puzzle{ID: "predict-boot", Kind: "predict", Title: "Predict the verdict: before BFE starts",
			Prompt: "During boot, before the Base Filtering Engine runs, a DNS query leaves the machine. A boot-time filter blocks all outbound traffic; a persistent filter permits DNS. What is the verdict? (Then move the phase to running.)",
			Answer: predictAnswer, Hint: "Which filters does the stack enforce before BFE starts?",
			Scenario: json.RawMessage(predictBootScenario)}, verdict: "block", hard: true},
		{Puzzle: Puzzle{ID: "rdp-allow", Kind: "add-filter", Title: "Open RDP without a veto",
			Prompt:   "A third-party firewall's callout blocks inbound RDP (TCP 3389), and it blocks even when it may not write. Add exactly one filter so that RDP is permitted without any veto.",
			Answer:   `{"filter": {"id": N, "sublayer": "...", "weight": ..., "action": "...", "conditions": [...], "flags": [...]}}`,
			Hint:     "A hard permit in a higher sublayer still reaches the vendor's callout, which vetoes it. Within one sublayer, a higher-weight filter that permits or blocks is the only way a lower-weight filter is never called.",
			Scenario: json.RawMessage(rdpScenario)}},
		{Puzzle: Puzzle{ID: "why-blocked", Kind: "explain", Title: "Why was my connection blocked?",
			Prompt: "The VPN client's connection is blocked although both the VPN client and Windows Firewall permit it. Run the scenario, read the trace, then name the filter that decided and the cause.",
			Answer: `{"filterId": N, "cause": "one of the choice ids"}`, Choices: explainChoices(),
			Hint:     "Look at the callout of the filter that decided: is it registered?",
			Scenario: json.RawMessage(whyBlockedScenario)}, filter: 50, cause: "unregistered-callout"},
	}
}

// Puzzles lists the puzzles without their answers.
func Puzzles() []Puzzle {
	defs := puzzleDefs()
	out := make([]Puzzle, len(defs))
	for i, d := range defs {
		out[i] = d.Puzzle
	}
	return out
}

// CheckResult is the answer to check-puzzle.
type CheckResult struct {
	ID       string `json:"id"`
	Correct  bool   `json:"correct"`
	Feedback string `json:"feedback"`
	// Result is the engine's run of the puzzle scenario (with the learner's filter for
	// add-filter puzzles), so the lab can show the full trace.
	Result Result `json:"result"`
}

// CheckPuzzle checks a learner's answer. The request is {"id": "...", "answer": {...}}.
func CheckPuzzle(req []byte) (*CheckResult, error) {
	root, err := parseTree(req)
	if err != nil {
		return nil, err
	}
	m, err := object(root, "", "id", "answer")
	if err != nil {
		return nil, err
	}
	idn, ok := m["id"]
	if !ok {
		return nil, fieldErr(root, "id", "required: a puzzle id from the puzzles operation")
	}
	id, err := asString(idn, "id")
	if err != nil {
		return nil, err
	}
	var def *puzzleDef
	defs := puzzleDefs()
	for i := range defs {
		if defs[i].ID == id {
			def = &defs[i]
		}
	}
	if def == nil {
		ids := make([]string, len(defs))
		for i, d := range defs {
			ids[i] = d.ID
		}
		return nil, fieldErr(idn, "id", fmt.Sprintf("unknown puzzle %q: use one of %s", id, strings.Join(ids, ", ")))
	}
	an, ok := m["answer"]
	if !ok {
		return nil, fieldErr(root, "answer", "required: "+def.Answer)
	}
	s, err := DecodeScenario(def.Scenario)
	if err != nil {
		return nil, err // a broken built-in puzzle; tests keep this from happening
	}
	switch def.Kind {
	case "predict":
		return checkPredict(def, s, an)
	case "add-filter":
		return checkAddFilter(def, s, an)
	}
	return checkExplain(def, s, an)
}

func checkPredict(def *puzzleDef, s *Scenario, an *node) (*CheckResult, error) {
	m, err := object(an, "answer", "verdict", "hard")
	if err != nil {
		return nil, err
	}
	vn, ok := m["verdict"]
	if !ok {
		return nil, fieldErr(an, "answer.verdict", "required: permit, block, no-match or no-decision")
	}
	v, err := asString(vn, "answer.verdict")
	if err != nil {
		return nil, err
	}
	switch v {
	case "permit", "block", "no-match", "no-decision":
	default:
		return nil, fieldErr(vn, "answer.verdict", fmt.Sprintf("must be permit, block, no-match or no-decision, not %q", v))
	}
	hard := false
	hn, hasHard := m["hard"]
	if hasHard {
		if hard, err = asBool(hn, "answer.hard"); err != nil {
			return nil, err
		}
	}
	res := Run(s)
	out := &CheckResult{ID: def.ID, Result: res}
	switch {
	case v != res.Verdict:
		out.Feedback = fmt.Sprintf("Not quite: the engine's verdict is %s, not %s. %s", res.Verdict, v, def.Hint)
	case (v == "permit" || v == "block") && !hasHard:
		out.Feedback = "The verdict is right; say also whether it is hard or soft (\"hard\": true or false)."
	case (v == "permit" || v == "block") && hard != res.Hard:
		out.Feedback = fmt.Sprintf("The verdict is right, but it is %s, not %s: look at the write right after the deciding filter.", hardName(res.Hard), hardName(hard))
	default:
		out.Correct = true
		out.Feedback = fmt.Sprintf("Correct: %s", summary(res))
	}
	return out, nil
}

func hardName(h bool) string {
	if h {
		return "hard"
	}
	return "soft"
}

func summary(r Result) string {
	if r.DecidedBy == nil {
		return fmt.Sprintf("%s (no filter decided; the traffic is %sed).", r.Verdict, r.Effective)
	}
	s := fmt.Sprintf("%s (%s) by filter %d in sublayer %s", r.Verdict, hardName(r.Hard), *r.DecidedBy, r.Sublayer)
	if r.Veto {
		s += ", through a veto"
	}
	return s + "."
}

func checkAddFilter(def *puzzleDef, s *Scenario, an *node) (*CheckResult, error) {
	m, err := object(an, "answer", "filter")
	if err != nil {
		return nil, err
	}
	fn, ok := m["filter"]
	if !ok {
		return nil, fieldErr(an, "answer.filter", "required: exactly one filter, in the scenario's filter format")
	}
	f, err := decodeFilter(fn, "answer.filter", s)
	if err != nil {
		return nil, err
	}
	for _, old := range s.Filters {
		if old.ID == f.ID {
			fm, _ := object(fn, "answer.filter", filterKeys()...)
			return nil, fieldErr(fm["id"], "answer.filter.id", fmt.Sprintf("filter id %d is already used by %q", f.ID, old.Name))
		}
	}
	f.index = len(s.Filters)
	s.Filters = append(s.Filters, *f)
	res := Run(s)
	out := &CheckResult{ID: def.ID, Result: res}
	switch {
	case res.Veto:
		out.Feedback = "RDP is still blocked, and loudly: the vendor's callout vetoed your hard permit (audit event and notification). " + def.Hint
	case res.Effective != "permit":
		out.Feedback = fmt.Sprintf("RDP is still blocked: %s Read the trace to see where your filter stood.", summary(res))
	case res.DecidedBy == nil:
		out.Feedback = "The traffic passes only because no filter decided; add a filter that permits RDP."
	default:
		out.Correct = true
		out.Feedback = fmt.Sprintf("Correct: %s No veto was needed.", summary(res))
	}
	return out, nil
}

func checkExplain(def *puzzleDef, s *Scenario, an *node) (*CheckResult, error) {
	m, err := object(an, "answer", "filterId", "cause")
	if err != nil {
		return nil, err
	}
	idn, ok := m["filterId"]
	if !ok {
		return nil, fieldErr(an, "answer.filterId", "required: the id of the filter that decided")
	}
	id, err := asUint(idn, "answer.filterId", ^uint64(0))
	if err != nil {
		return nil, err
	}
	cn, ok := m["cause"]
	if !ok {
		return nil, fieldErr(an, "answer.cause", "required: one of the choice ids")
	}
	cause, err := asString(cn, "answer.cause")
	if err != nil {
		return nil, err
	}
	known := false
	var ids []string
	for _, c := range def.Choices {
		ids = append(ids, c.ID)
		known = known || c.ID == cause
	}
	if !known {
		return nil, fieldErr(cn, "answer.cause", fmt.Sprintf("unknown cause %q: use one of %s", cause, strings.Join(ids, ", ")))
	}
	res := Run(s)
	out := &CheckResult{ID: def.ID, Result: res}
	switch {
	case id != def.filter:
		out.Feedback = fmt.Sprintf("Filter %d did not decide. Follow the trace to the step whose outcome changed the decision to block. %s", id, def.Hint)
	case cause != def.cause:
		out.Feedback = "That is the right filter, but not the cause. " + def.Hint
	default:
		out.Correct = true
		out.Feedback = "Correct: the EDR product was uninstalled but its filter stayed; a filter whose callout is not registered is treated as a block, and FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED would have avoided it."
	}
	return out, nil
}
