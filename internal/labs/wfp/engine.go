package wfp

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
)

// Result is the outcome of one classification at the scenario's layer.
type Result struct {
	Layer string `json:"layer"`
	Phase string `json:"phase"`
	// Verdict is the filter engine's result: "permit", "block", "no-match" (no filter matched,
	// FWP_ACTION_NONE_NO_MATCH) or "no-decision" (filters matched but all continued, FWP_ACTION_NONE).
	Verdict string `json:"verdict"`
	// Hard is true when FWPS_RIGHT_ACTION_WRITE is cleared at the end.
	Hard      bool    `json:"hard"`
	DecidedBy *uint64 `json:"decidedBy"`
	Sublayer  string  `json:"sublayer"`
	Veto      bool    `json:"veto"`
	Absorbed  bool    `json:"absorbed"`
	// Effective is what the traffic gets: the verdict, or options.defaultVerdict when the engine
	// reached no decision (G6, model).
	Effective string  `json:"effective"`
	Trace     []Step  `json:"trace"`
	Events    []Event `json:"events"`
}

// Step is one line of the trace: a sublayer being entered, or one filter and what happened to it.
type Step struct {
	Kind           string       `json:"kind"` // "sublayer" or "filter"
	Sublayer       string       `json:"sublayer"`
	SublayerWeight *uint16      `json:"sublayerWeight,omitempty"`
	FilterID       uint64       `json:"filterId,omitempty"`
	Name           string       `json:"name,omitempty"`
	Action         string       `json:"action,omitempty"`
	Weight         string       `json:"weight,omitempty"`
	WeightFrom     string       `json:"weightFrom,omitempty"`
	Status         string       `json:"status"` // sublayer: evaluated, skipped; filter: inactive, no-match, evaluated, not-reached, not-evaluated
	Why            string       `json:"why"`
	Conditions     []condResult `json:"conditions,omitempty"`
	Callout        *CalloutCall `json:"callout,omitempty"`
	Result         string       `json:"result,omitempty"` // permit, block, continue (after coercion)
	ResultHard     *bool        `json:"resultHard,omitempty"`
	DecisionBefore string       `json:"decisionBefore,omitempty"`
	RightsBefore   string       `json:"rightsBefore,omitempty"` // "write" or "cleared"
	DecisionAfter  string       `json:"decisionAfter,omitempty"`
	RightsAfter    string       `json:"rightsAfter,omitempty"`
	Outcome        string       `json:"outcome,omitempty"` // continue, decided, overrode, confirmed, ignored, veto
	Ignored        string       `json:"ignored,omitempty"` // why the result was not taken
	Label          string       `json:"label"`
	Source         string       `json:"source"`
	Rules          []string     `json:"rules"`
}

// CalloutCall records one call of a callout's classifyFn.
type CalloutCall struct {
	Key        string `json:"key"`
	Registered bool   `json:"registered"`
	Behavior   string `json:"behavior,omitempty"`
	Writable   bool   `json:"writable"`
	Returned   string `json:"returned,omitempty"`
	ClearWrite bool   `json:"clearWrite"`
	Absorb     bool   `json:"absorb"`
	Coerced    string `json:"coerced,omitempty"`
}

// Event is something the filter engine would report, or a warning about the scenario.
type Event struct {
	Type     string `json:"type"`
	FilterID uint64 `json:"filterId,omitempty"`
	Sublayer string `json:"sublayer,omitempty"`
	Message  string `json:"message"`
	Label    string `json:"label"`
	Source   string `json:"source"`
	Rule     string `json:"rule"`
}

func labelFor(rules []string) (label, source string) {
	label, source = Documented, ""
	for _, id := range rules {
		r := ruleByID(id)
		if source == "" {
			source = r.Source
		}
		if r.Label == Model && label == Documented {
			label, source = Model, r.Source
		}
	}
	return label, source
}

func newEvent(typ, rule string, id uint64, sl, msg string) Event {
	r := ruleByID(rule)
	return Event{Type: typ, FilterID: id, Sublayer: sl, Message: msg, Label: r.Label, Source: r.Source, Rule: rule}
}

func rights(writable bool) string {
	if writable {
		return "write"
	}
	return "cleared"
}

// EffectiveWeight computes the weight BFE would assign (R18): FWP_UINT64 as is, FWP_EMPTY an
// automatic weight below 2^60, FWP_UINT8 k the automatic weight with k in the top four bits.
func EffectiveWeight(f *Filter, o Options) uint64 {
	auto := uint64(0)
	if o.AutoWeight != "zero" {
		auto = specificity(f)
	}
	auto &= 1<<AutoWeightBits - 1
	switch f.Weight.Kind {
	case WeightUint64:
		return f.Weight.U64
	case WeightRange:
		return uint64(f.Weight.Range&0xF)<<AutoWeightBits | auto
	}
	return auto
}

func weightFrom(f *Filter, w uint64) string {
	switch f.Weight.Kind {
	case WeightUint64:
		return "FWP_UINT64, used as is"
	case WeightRange:
		return fmt.Sprintf("FWP_UINT8 range %d: %d<<60 | automatic 0x%X", f.Weight.Range, f.Weight.Range, w&(1<<AutoWeightBits-1))
	}
	return "FWP_EMPTY: automatic weight (model: specificity of the conditions)"
}

// state is the running arbitration state: the current decision and the write right.
type state struct {
	decision Act // ActContinue means "none yet"
	writable bool
	by       uint64
	sublayer string
	veto     bool
	absorbed bool
}

func (s state) decisionName() string {
	if s.decision == ActContinue {
		return "none"
	}
	return s.decision.String()
}

// evalResult is what one filter evaluation produced before arbitration.
type evalResult struct {
	act    Act
	hard   bool
	veto   bool
	absorb bool
	rules  []string
	why    string
	call   *CalloutCall
}

type entry struct {
	f      *Filter
	weight uint64
	active bool
	why    string
	match  matchResult
}

// Run classifies the scenario's packet at its layer. The scenario must come from
// DecodeScenario (or satisfy the same validation).
func Run(s *Scenario) Result {
	o := s.Options
	res := Result{Layer: s.Layer, Phase: s.Phase.String(), Trace: []Step{}, Events: []Event{}}

	entries := make([]*entry, len(s.Filters))
	for i := range s.Filters {
		f := &s.Filters[i]
		e := &entry{f: f, weight: EffectiveWeight(f, o), active: true}
		switch {
		case f.Flags.Disabled:
			e.active, e.why = false, "FWPM_FILTER_FLAG_DISABLED: BFE reports this filter as disabled, so it is not enforced"
		case s.Phase == PhaseBoot && !f.Flags.BootTime:
			e.active, e.why = false, "BFE has not started: only boot-time filters (FWPM_FILTER_FLAG_BOOTTIME) are enforced"
			if f.Flags.Persistent {
				e.why += "; persistent filters are added when BFE starts"
			}
		case s.Phase == PhaseRunning && f.Flags.BootTime:
			e.active, e.why = false, "boot-time filters are dropped when BFE starts; persistent and dynamic filters are enforced from then on"
		}
		if e.active {
			e.match = matchFilter(f, &s.Packet, o)
			if e.match.Regrouped {
				res.Events = append(res.Events, newEvent("or-regrouped", "G11", f.ID, f.Sublayer,
					"conditions on the same field that are not consecutive were ORed together; the documentation promises OR only for consecutive conditions (set options.orOnlyConsecutive to AND the separate groups)"))
			}
			if f.Sublayer == SublayerInspection && f.Action != FACalloutInspection {
				res.Events = append(res.Events, newEvent("inspection-sublayer", "R17", f.ID, f.Sublayer,
					"FWPM_SUBLAYER_INSPECTION is meant for inspection filters only, but this filter's action is "+f.Action.String()))
			}
		} else {
			res.Trace = append(res.Trace, filterStep(e, "inactive", e.why, []string{"R22"}))
		}
		entries[i] = e
	}

	// Sublayers that hold at least one active filter, highest weight first (R1). On a tie,
	// FWPM_SUBLAYER_INSPECTION goes last because the documentation calls it the lowest weighted
	// sublayer (R17); other ties are undefined and go by key (G5).
	type slInfo struct {
		key      string
		weight   uint16
		filters  []*entry
		matching int
	}
	var sls []*slInfo
	slOf := map[string]*slInfo{}
	for _, e := range entries {
		if !e.active {
			continue
		}
		si := slOf[e.f.Sublayer]
		if si == nil {
			si = &slInfo{key: e.f.Sublayer, weight: sublayerWeight(s, e.f.Sublayer)}
			slOf[e.f.Sublayer] = si
			sls = append(sls, si)
		}
		si.filters = append(si.filters, e)
		if e.match.Matched {
			si.matching++
		}
	}
	// sort.SliceStable rather than slices.SortStableFunc: the sort package is in the
	// WebAssembly bundle anyway, and each slices instantiation adds to it.
	sort.SliceStable(sls, func(i, j int) bool {
		a, b := sls[i], sls[j]
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c < 0
		}
		if c := cmp.Compare(inspectionLast(a.key), inspectionLast(b.key)); c != 0 {
			return c < 0
		}
		return cmp.Compare(a.key, b.key) < 0
	})
	for i := 1; i < len(sls); i++ {
		if sls[i].weight != sls[i-1].weight || sls[i].matching == 0 || sls[i-1].matching == 0 {
			continue
		}
		if sls[i].key == SublayerInspection {
			res.Events = append(res.Events, newEvent("equal-weight", "R17", 0, sls[i].key,
				fmt.Sprintf("sublayer %q has the same weight %d as FWPM_SUBLAYER_INSPECTION; the documentation calls INSPECTION the lowest weighted sublayer, so the model evaluates it last", sls[i-1].key, sls[i].weight)))
			continue
		}
		res.Events = append(res.Events, newEvent("equal-weight", "G5", 0, sls[i].key,
			fmt.Sprintf("sublayers %q and %q have the same weight %d; the order is undefined, the model evaluates them by key", sls[i-1].key, sls[i].key, sls[i].weight)))
	}

	anyMatch := false
	st := state{writable: true}
	for _, si := range sls {
		sort.SliceStable(si.filters, func(i, j int) bool {
			a, b := si.filters[i], si.filters[j]
			if c := cmp.Compare(b.weight, a.weight); c != 0 {
				return c < 0
			}
			return cmp.Compare(a.f.ID, b.f.ID) < 0
		})
		equalWeightEvents(&res, si.filters)
		w := si.weight
		if o.StopAtHardBlock && st.decision == ActBlock && !st.writable && si.matching > 0 {
			rules := []string{"G1"}
			label, src := labelFor(rules)
			res.Trace = append(res.Trace, Step{Kind: "sublayer", Sublayer: si.key, SublayerWeight: &w, Status: "skipped",
				Why: "options.stopAtHardBlock: a hard block was already reached, so lower sublayers are not evaluated", Label: label, Source: src, Rules: rules})
			for _, e := range si.filters {
				if e.match.Matched {
					anyMatch = true
				}
				res.Trace = append(res.Trace, filterStep(e, "not-evaluated", "its sublayer was skipped (options.stopAtHardBlock)", []string{"G1"}))
			}
			continue
		}
		rules := []string{"R1"}
		why := fmt.Sprintf("sublayer weight %d; sublayers are evaluated from the highest weight to the lowest", si.weight)
		if st.decision != ActContinue {
			rules = append(rules, "R4")
			why += "; every sublayer is evaluated even after a higher one decided"
			if st.decision == ActBlock && !st.writable {
				rules = append(rules, "G1")
				why += " (model: after a hard block the decision is frozen, but callouts here still run with the write right cleared)"
			}
		}
		if si.key == SublayerUniversal || si.key == SublayerInspection {
			rules = append(rules, "R17", "G10")
			why += "; built-in sublayer, weight from options.builtinSublayerWeights (undocumented)"
		}
		label, src := labelFor(rules)
		res.Trace = append(res.Trace, Step{Kind: "sublayer", Sublayer: si.key, SublayerWeight: &w, Status: "evaluated", Why: why, Label: label, Source: src, Rules: rules})

		done := false
		for _, e := range si.filters {
			if !e.match.Matched {
				st := filterStep(e, "no-match", "conditions do not match the packet, so the filter is not considered", []string{"R2", "R16"})
				if hasMissing(e.match) {
					st.Rules = append(st.Rules, "G12")
					st.Label, st.Source = labelFor(st.Rules)
					st.Why += " (a condition names a field the packet does not carry; the model treats it as not matching)"
				}
				res.Trace = append(res.Trace, st)
				continue
			}
			anyMatch = true
			if done {
				res.Trace = append(res.Trace, filterStep(e, "not-reached", "a higher-weight filter in this sublayer already returned permit or block, so the rest of the sublayer is skipped", []string{"R3"}))
				continue
			}
			r := evalFilter(s, e.f, st)
			step := filterStep(e, "evaluated", r.why, r.rules)
			step.Callout = r.call
			step.Result = r.act.String()
			step.DecisionBefore, step.RightsBefore = st.decisionName(), rights(st.writable)
			if r.act == ActContinue {
				step.Outcome = "continue"
			} else {
				hard := r.hard
				step.ResultHard = &hard
				var outcome, ignored string
				var more []string
				st, outcome, ignored, more = combine(st, r, e.f, si.key, &res)
				step.Outcome, step.Ignored = outcome, ignored
				step.Rules = append(step.Rules, more...)
				done = true
			}
			step.DecisionAfter, step.RightsAfter = st.decisionName(), rights(st.writable)
			step.Label, step.Source = labelFor(step.Rules)
			res.Trace = append(res.Trace, step)
		}
	}

	switch {
	case st.decision == ActContinue && !anyMatch:
		res.Verdict = "no-match"
	case st.decision == ActContinue:
		res.Verdict = "no-decision"
	default:
		res.Verdict = st.decision.String()
		res.Hard = !st.writable
		by := st.by
		res.DecidedBy = &by
		res.Sublayer = st.sublayer
		res.Veto = st.veto
		res.Absorbed = st.absorbed && st.decision == ActBlock
	}
	if st.decision == ActContinue {
		res.Effective = o.DefaultVerdict
		res.Events = append(res.Events, newEvent("default-verdict", "G6", 0, "",
			fmt.Sprintf("the engine returned %s; the model's shim then applies options.defaultVerdict = %s", res.Verdict, o.DefaultVerdict)))
	} else {
		res.Effective = res.Verdict
	}
	if res.Absorbed {
		res.Events = append(res.Events, newEvent("absorbed", "R11", st.by, st.sublayer,
			"FWPS_CLASSIFY_OUT_FLAG_ABSORB: the blocked data is dropped silently, with no audit or drop event"))
	}
	return res
}

// inspectionLast is a sort key that puts FWPM_SUBLAYER_INSPECTION after any sublayer of the same weight.
func inspectionLast(key string) int {
	if key == SublayerInspection {
		return 1
	}
	return 0
}

func hasMissing(m matchResult) bool {
	for _, c := range m.Conditions {
		if c.Missing {
			return true
		}
	}
	return false
}

func equalWeightEvents(res *Result, fs []*entry) {
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if a.weight != b.weight || !a.match.Matched || !b.match.Matched {
			continue
		}
		rule := "G5"
		msg := fmt.Sprintf("filters %d and %d share weight 0x%016X in sublayer %q; the order is undefined, the model evaluates the lower id first", a.f.ID, b.f.ID, a.weight, a.f.Sublayer)
		if a.f.Action.IsCallout() && b.f.Action.IsCallout() {
			rule = "R20"
			msg = fmt.Sprintf("callout filters %d and %d share weight 0x%016X in sublayer %q: Microsoft warns that problems may occur and advises each callout to use its own sublayer; the model evaluates the lower id first", a.f.ID, b.f.ID, a.weight, a.f.Sublayer)
		}
		res.Events = append(res.Events, newEvent("equal-weight", rule, b.f.ID, a.f.Sublayer, msg))
	}
}

func sublayerWeight(s *Scenario, key string) uint16 {
	switch key {
	case SublayerUniversal:
		return s.Options.UniversalWeight
	case SublayerInspection:
		return s.Options.InspectionWeight
	}
	for _, sl := range s.Sublayers {
		if sl.Key == key {
			return sl.Weight
		}
	}
	return 0
}

func filterStep(e *entry, status, why string, rules []string) Step {
	label, src := labelFor(rules)
	st := Step{Kind: "filter", Sublayer: e.f.Sublayer, FilterID: e.f.ID, Name: e.f.Name, Action: e.f.Action.String(),
		Weight: fmt.Sprintf("0x%016X", e.weight), WeightFrom: weightFrom(e.f, e.weight),
		Status: status, Why: why, Label: label, Source: src, Rules: slices.Clone(rules)}
	if status != "inactive" {
		st.Conditions = e.match.Conditions
	}
	return st
}

// evalFilter runs one matching filter against the current state (R8, R10, R12, R14, R15).
func evalFilter(s *Scenario, f *Filter, st state) evalResult {
	switch f.Action {
	case FABlock:
		r := evalResult{act: ActBlock, hard: true, rules: []string{"R8"}, why: "static block filter: a hard block by default"}
		if f.Flags.ClearActionRight {
			r.why += " (clear-action-right changes nothing: a static block is already hard)"
		}
		return r
	case FAPermit:
		if f.Flags.ClearActionRight {
			return evalResult{act: ActPermit, hard: true, rules: []string{"R8", "G2"},
				why: "static permit with FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT: a hard permit"}
		}
		return evalResult{act: ActPermit, rules: []string{"R8"}, why: "static permit filter: a soft permit by default"}
	}
	c := s.callout(f.Callout)
	if c == nil { // only for hand-built scenarios: DecodeScenario rejects unknown callouts
		c = &Callout{Key: f.Callout}
	}
	call := &CalloutCall{Key: c.Key, Registered: c.Registered, Writable: st.writable}
	if !c.Registered {
		switch {
		case f.Action == FACalloutInspection:
			return evalResult{act: ActContinue, call: call, rules: []string{"R26"},
				why: "the callout is not registered: an inspection callout filter is ignored (continue)"}
		case f.Flags.PermitIfCalloutUnregistered:
			r := evalResult{act: ActPermit, hard: f.Flags.ClearActionRight, call: call, rules: []string{"R15", "G8"},
				why: "the callout is not registered and the filter has FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED: treated as a permit filter"}
			if r.hard {
				r.why += " (hard: clear-action-right)"
			}
			return r
		}
		r := evalResult{act: ActBlock, hard: s.Options.UnregisteredBlockHard, call: call, rules: []string{"R26", "G8"},
			why: "the callout is not registered: the filter is treated as FWP_ACTION_BLOCK (hard in the model)"}
		if !r.hard {
			r.why += " (soft: options.unregisteredBlockHard is false)"
		}
		return r
	}
	b := c.Behavior
	call.Behavior = b.Name
	out := ActContinue
	var clearWrite, absorb bool
	rules := []string{}
	switch {
	case b.Compliant && !st.writable:
		// The deep-inspection sample returns at once when the write right is not set (R14).
		rules = append(rules, "R14")
	case b.Compliant && b.Act == ActBlock:
		out, clearWrite = ActBlock, true
		rules = append(rules, "R14")
	case b.Compliant:
		out, clearWrite = ActPermit, f.Flags.ClearActionRight
		rules = append(rules, "R14")
	default:
		out, clearWrite, absorb = b.Act, b.ClearWrite, b.Absorb
	}
	call.Returned, call.ClearWrite, call.Absorb = out.String(), clearWrite, absorb

	if f.Action == FACalloutInspection {
		r := evalResult{act: ActContinue, call: call, rules: append(rules, "R12"),
			why: "inspection callout: whatever it returns is treated as continue"}
		if out != ActContinue {
			call.Coerced = "continue"
		}
		return r
	}
	if !st.writable {
		if out == ActBlock {
			return evalResult{act: ActBlock, hard: true, veto: true, absorb: absorb, call: call, rules: append(rules, "R9", "R10"),
				why: "the callout returned block although the write right was already cleared: a veto"}
		}
		r := evalResult{act: ActContinue, call: call, rules: append(rules, "R10"),
			why: "the write right is cleared, so the callout cannot change the action"}
		if out == ActPermit {
			r.rules = append(r.rules, "G7")
			r.why += "; its permit counts as continue (model)"
			call.Coerced = "continue"
		} else if b.Compliant {
			r.why = "the write right is cleared: a compliant callout returns without acting (continue)"
		}
		return r
	}
	r := evalResult{act: out, hard: clearWrite, absorb: absorb && out == ActBlock, call: call}
	switch {
	case f.Action == FACalloutTerminating && out == ActContinue:
		r.act = ActBlock
		call.Coerced = "block"
		r.rules = append(rules, "R12", "G9")
		r.why = "terminating callout returned continue: treated as block; hard only if it cleared the write right"
	case out == ActContinue:
		r.rules = append(rules, "R12")
		r.why = "the callout returned continue: evaluation goes on in this sublayer"
	case out == ActBlock:
		r.rules = append(rules, "R8", "R6")
		r.why = "callout block: soft unless the callout clears the write right"
		if f.Action == FACalloutUnknown {
			r.rules = append(r.rules, "R12")
		}
	default:
		r.rules = append(rules, "R8", "R6")
		r.why = "callout permit: soft unless the callout clears the write right"
		if f.Action == FACalloutUnknown {
			r.rules = append(r.rules, "R12")
		}
	}
	if clearWrite && r.act != ActContinue {
		r.why += " (it cleared the right: hard)"
	}
	if absorb && out != ActBlock {
		r.why += "; the absorb flag applies only to block and is ignored"
		r.rules = append(r.rules, "R11")
	} else if absorb {
		r.rules = append(r.rules, "R11")
	}
	if !b.Compliant && b.Name == "veto" {
		r.why += " (a \"veto\" callout blocks whether or not it may write)"
	}
	return r
}

// combine applies a terminating result to the arbitration state (R5-R9). It returns the new
// state, the outcome, why a result was ignored, and the rules it relied on.
func combine(st state, r evalResult, f *Filter, sl string, res *Result) (state, string, string, []string) {
	if r.veto {
		if st.decision == ActPermit {
			res.Events = append(res.Events, newEvent("veto", "R9", f.ID, sl,
				fmt.Sprintf("callout filter %d vetoed the hard permit of filter %d: the traffic is blocked, an audit event and a notification are generated", f.ID, st.by)))
			return state{decision: ActBlock, writable: false, by: f.ID, sublayer: sl, veto: true, absorbed: r.absorb}, "veto", "", nil
		}
		return st, "ignored", "the decision is already a hard block; there is no permit to veto", []string{"R7"}
	}
	if st.decision == ActContinue {
		return state{decision: r.act, writable: !r.hard, by: f.ID, sublayer: sl, absorbed: r.absorb}, "decided", "", nil
	}
	if st.writable {
		outcome := "confirmed"
		if r.act != st.decision {
			outcome = "overrode"
		}
		return state{decision: r.act, writable: !r.hard, by: f.ID, sublayer: sl, absorbed: r.absorb}, outcome, "", []string{"R7"}
	}
	why := "the current block is hard: nothing can permit it"
	if st.decision == ActPermit {
		why = "the current permit is hard: only a callout veto can override it"
		if r.act == ActPermit {
			why = "the current permit is hard and stays as it is"
		}
	}
	return st, "ignored", why, []string{"R7"}
}
