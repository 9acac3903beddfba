package wfp

import (
	"fmt"
	"strings"
	"testing"
)

// Every scenario of the table runs at ALE_AUTH_CONNECT_V4 with two sublayers ("hi" weight 200,
// "lo" weight 100), a fixed set of callouts and one packet, so each case only lists its filters.
const stdCallouts = `
 {"key":"cb","behavior":"compliant-block"},
 {"key":"cp","behavior":"compliant-permit"},
 {"key":"cont","behavior":"continue"},
 {"key":"veto","behavior":"veto"},
 {"key":"rawblock","behavior":{"act":"block"}},
 {"key":"rawpermit","behavior":{"act":"permit"}},
 {"key":"rawpermithard","behavior":{"act":"permit","clearWrite":true}},
 {"key":"rawcont","behavior":{"act":"continue"}},
 {"key":"absorb","behavior":{"act":"block","clearWrite":true,"absorb":true}},
 {"key":"absorbpermit","behavior":{"act":"permit","absorb":true}},
 {"key":"gone","registered":false,"behavior":"compliant-block"}`

const stdPacket = `{"protocol":6,"remote_addr":"203.0.113.10","remote_port":443,"local_port":50000,"app_id":"\\device\\harddiskvolume3\\apps\\browser.exe"}`

func scenarioJSON(filters, extra string) string {
	return fmt.Sprintf(`{"layer":"ALE_AUTH_CONNECT_V4","sublayers":[{"key":"hi","weight":200},{"key":"lo","weight":100}],"callouts":[%s],"filters":[%s],"packet":%s%s}`,
		stdCallouts, filters, stdPacket, extra)
}

func mustRun(t *testing.T, js string) Result {
	t.Helper()
	s, err := DecodeScenario([]byte(js))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, js)
	}
	return Run(s)
}

// stepFor returns the trace step of one filter (the evaluated one when there are several).
func stepFor(r Result, id uint64) *Step {
	for i := range r.Trace {
		if r.Trace[i].Kind == "filter" && r.Trace[i].FilterID == id {
			return &r.Trace[i]
		}
	}
	return nil
}

func hasEvent(r Result, typ string) bool {
	for _, e := range r.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

type want struct {
	verdict   string
	hard      bool
	by        uint64 // 0: no deciding filter
	veto      bool
	absorbed  bool
	effective string // "" means same as verdict
}

func TestArbitrationFromDocs(t *testing.T) {
	cases := []struct {
		name    string
		filters string
		extra   string
		want    want
		check   func(t *testing.T, r Result)
	}{
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "Network traffic traverses sub-layers from the highest priority to the lowest": the hard
		// block of the higher-weight sublayer decides before the lower sublayer's hard permit.
		{name: "R1 higher sublayer first (block above permit)",
			filters: `{"id":1,"sublayer":"lo","action":"permit","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"hi","action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Outcome != "ignored" {
					t.Errorf("lower permit outcome = %q, want ignored", s.Outcome)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// Same filters with the sublayers swapped: now the hard permit is evaluated first.
		{name: "R1 higher sublayer first (permit above block)",
			filters: `{"id":1,"sublayer":"hi","action":"permit","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "permit", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "filters are ordered by weight ... from highest weight to lowest weight", and the sublayer
		// stops at the first permit or block: the lower-weight permit is never reached.
		{name: "R2 R3 filter weight order inside a sublayer",
			filters: `{"id":1,"sublayer":"hi","weight":5,"action":"permit"},
			          {"id":2,"sublayer":"hi","weight":10,"action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Status != "not-reached" {
					t.Errorf("filter 1 status = %q, want not-reached", s.Status)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "Calculate the list of matching filters": a non-matching higher-weight block is not considered.
		{name: "R2 only matching filters are considered",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"block","conditions":[{"field":"remote_port","value":3389}]},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit"}`,
			want: want{verdict: "permit", by: 2},
			check: func(t *testing.T, r Result) {
				s := stepFor(r, 1)
				if s.Status != "no-match" || len(s.Conditions) != 1 || s.Conditions[0].Matched || s.Conditions[0].Got != "443" {
					t.Errorf("filter 1 = %+v, want a no-match on remote_port 443", s)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "A filter can also return Continue": evaluation goes on with the next filter of the sublayer.
		{name: "R3 Continue passes to the next filter",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"callout-unknown","callout":"cont"},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit"}`,
			want: want{verdict: "permit", by: 2},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Outcome != "continue" || s.Status != "evaluated" {
					t.Errorf("filter 1 = %q/%q, want evaluated/continue", s.Status, s.Outcome)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// FWP_ACTION_NONE: filters matched, none decided. The shim's reaction is our G6 default.
		{name: "G6 matched but nothing decided",
			filters: `{"id":1,"sublayer":"hi","action":"callout-inspection","callout":"cont"}`,
			want:    want{verdict: "no-decision", effective: "permit"},
			check: func(t *testing.T, r Result) {
				if !hasEvent(r, "default-verdict") || r.DecidedBy != nil {
					t.Errorf("want a default-verdict event and no decidedBy: %+v", r.Events)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// FWP_ACTION_NONE_NO_MATCH, with options.defaultVerdict = block (G6 is configurable).
		{name: "G6 no filter matches, default verdict block",
			filters: `{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"local_port","value":1}]}`,
			extra:   `,"options":{"defaultVerdict":"block"}`,
			want:    want{verdict: "no-match", effective: "block"}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "Evaluate all sub-layers even if a higher priority sub-layer has decided": a soft permit
		// ("can be blocked at another sub-layer") is overridden by the lower sublayer's block.
		{name: "R4 R7 soft permit overridden by a lower block",
			filters: `{"id":1,"sublayer":"hi","action":"permit"},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2},
			check: func(t *testing.T, r Result) {
				s := stepFor(r, 2)
				if s.Outcome != "overrode" || s.RightsBefore != "write" || s.RightsAfter != "cleared" {
					t.Errorf("filter 2 = %s %s->%s, want overrode write->cleared", s.Outcome, s.RightsBefore, s.RightsAfter)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// Default behaviour table: "Callout block: Soft block", which "can be permitted at another sub-layer".
		{name: "R7 R8 soft callout block permitted by a lower sublayer",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"rawblock"},
			          {"id":2,"sublayer":"lo","action":"permit"}`,
			want: want{verdict: "permit", by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "Filter block: Hard block", which "cannot be permitted at another sub-layer".
		{name: "R7 R8 static block is hard",
			filters: `{"id":1,"sublayer":"hi","action":"block"},
			          {"id":2,"sublayer":"lo","action":"permit","flags":["clear-action-right"]}`,
			want: want{verdict: "block", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 2); s.Outcome != "ignored" || !strings.Contains(s.Ignored, "hard") {
					t.Errorf("filter 2 = %q %q, want ignored because hard", s.Outcome, s.Ignored)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// A hard permit "can be blocked at another sub-layer only by a callout Veto": a static block can't.
		{name: "R7 hard permit survives a static block",
			filters: `{"id":1,"sublayer":"hi","action":"permit","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "permit", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				if r.Veto || hasEvent(r, "veto") {
					t.Error("a static block must never veto")
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "Callout permit: Soft permit": a lower static block overrides it.
		{name: "R8 callout permit is soft",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"cp"},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_filter0
		// FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT: a compliant callout clears the right on PERMIT too.
		{name: "R14 compliant callout permit with clear-action-right is hard",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"cp","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "permit", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_filter0
		// Without the flag a compliant callout clears the right only when it blocks: a hard block.
		{name: "R14 compliant callout block clears the right",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"cb"},
			          {"id":2,"sublayer":"lo","action":"permit","flags":["clear-action-right"]}`,
			want: want{verdict: "block", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT on a static permit: hard, so a lower callout block
		// that may not write turns into a veto.
		{name: "R9 veto of a hard permit",
			filters: `{"id":1,"sublayer":"hi","action":"permit","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"veto"}`,
			want: want{verdict: "block", hard: true, by: 2, veto: true},
			check: func(t *testing.T, r Result) {
				if !hasEvent(r, "veto") {
					t.Error("a veto must raise a veto event (audit + notification)")
				}
				if s := stepFor(r, 2); s.Outcome != "veto" || s.Callout.Writable {
					t.Errorf("filter 2 = %q writable=%v, want veto with the right cleared", s.Outcome, s.Callout.Writable)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// A Veto "will block traffic that was permitted with a hard permit"; after a hard block
		// there is nothing to veto.
		{name: "R9 a veto after a hard block changes nothing",
			filters: `{"id":1,"sublayer":"hi","action":"block"},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"veto"}`,
			want: want{verdict: "block", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 2); s.Outcome != "ignored" {
					t.Errorf("filter 2 outcome = %q, want ignored", s.Outcome)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// "In order to silently override Hard Permit filters a firewall has to add its filters within a
		// higher priority sub-layer": a block above the hard permit wins without a veto.
		{name: "R9 silent override from a higher sublayer",
			filters: `{"id":1,"sublayer":"lo","action":"permit","flags":["clear-action-right"]},
			          {"id":2,"sublayer":"hi","action":"callout-terminating","callout":"cb"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// Without FWPS_RIGHT_ACTION_WRITE a callout may not write actionType: its permit cannot act,
		// the model continues within the sublayer (G7), and the next filter is evaluated.
		{name: "R10 G7 non-writable callout permit continues",
			filters: `{"id":1,"sublayer":"hi","action":"block"},
			          {"id":2,"sublayer":"lo","weight":10,"action":"callout-terminating","callout":"rawpermit"},
			          {"id":3,"sublayer":"lo","weight":5,"action":"permit"}`,
			want: want{verdict: "block", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				s2, s3 := stepFor(r, 2), stepFor(r, 3)
				if s2.Outcome != "continue" || s2.Callout.Coerced != "continue" || s2.Label != Model {
					t.Errorf("filter 2 = %+v, want a model-labelled continue", s2)
				}
				if s3.Status != "evaluated" || s3.Outcome != "ignored" {
					t.Errorf("filter 3 = %q/%q, want evaluated/ignored", s3.Status, s3.Outcome)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// FWPS_CLASSIFY_OUT_FLAG_ABSORB: blocked data is dropped silently.
		{name: "R11 absorbed block",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"absorb"}`,
			want:    want{verdict: "block", hard: true, by: 1, absorbed: true},
			check: func(t *testing.T, r Result) {
				if !hasEvent(r, "absorbed") {
					t.Error("want an absorbed event")
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// The absorb flag applies when actionType is FWP_ACTION_BLOCK; on a permit it means nothing.
		{name: "R11 absorb on a permit is ignored",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"absorbpermit"}`,
			want:    want{verdict: "permit", by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_action0
		// FWP_ACTION_CALLOUT_TERMINATING: any value but block or permit "is handled the same as" block.
		// Hardness is ours (G9): the callout did not clear the right, so a lower permit overrides it.
		{name: "R12 G9 terminating callout returning continue is a soft block",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"rawcont"}`,
			want:    want{verdict: "block", by: 1},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Callout.Coerced != "block" {
					t.Errorf("coerced = %q, want block", s.Callout.Coerced)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_action0
		// FWP_ACTION_CALLOUT_INSPECTION: anything else "is handled the same as" continue.
		{name: "R12 inspection callout block is treated as continue",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"callout-inspection","callout":"rawblock"},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit"}`,
			want: want{verdict: "permit", by: 2},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Result != "continue" || s.Callout.Returned != "block" {
					t.Errorf("filter 1 = returned %q result %q, want block treated as continue", s.Callout.Returned, s.Result)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_action0
		// FWP_ACTION_CALLOUT_UNKNOWN may return block, permit or continue; continue goes on.
		{name: "R12 unknown callout may continue",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"callout-unknown","callout":"rawcont"},
			          {"id":2,"sublayer":"hi","weight":5,"action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_action0
		// FWP_ACTION_CALLOUT_UNKNOWN returning permit decides (soft, no right cleared).
		{name: "R12 unknown callout may permit",
			filters: `{"id":1,"sublayer":"hi","action":"callout-unknown","callout":"rawpermit"}`,
			want:    want{verdict: "permit", by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0
		// A callout that clears the right on permit makes a hard permit; a lower block is ignored.
		{name: "R6 callout clearing the right on permit",
			filters: `{"id":1,"sublayer":"hi","action":"callout-unknown","callout":"rawpermithard"},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			want: want{verdict: "permit", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0
		// Filters of an unregistered terminating/unknown callout "are treated as FWP_ACTION_BLOCK"
		// (hard in the model, G8).
		{name: "R26 G8 unregistered callout blocks",
			filters: `{"id":1,"sublayer":"hi","action":"permit"},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"gone"},
			          {"id":3,"sublayer":"lo","weight":0,"action":"permit"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED: "the filter is treated as a permit filter".
		{name: "R15 permit if callout unregistered",
			filters: `{"id":1,"sublayer":"hi","action":"callout-unknown","callout":"gone","flags":["permit-if-callout-unregistered"]},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"cb","conditions":[{"field":"local_port","value":1}]}`,
			want: want{verdict: "permit", by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// With options.unregisteredBlockHard = false the unregistered block is soft (G8 knob).
		{name: "G8 soft unregistered block when configured",
			filters: `{"id":1,"sublayer":"hi","action":"callout-terminating","callout":"gone"},
			          {"id":2,"sublayer":"lo","action":"permit"}`,
			extra: `,"options":{"unregisteredBlockHard":false}`,
			want:  want{verdict: "permit", by: 2}},
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0
		// Filters of an unregistered inspection callout "are ignored".
		{name: "R26 unregistered inspection callout is ignored",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"callout-inspection","callout":"gone"},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit"}`,
			want: want{verdict: "permit", by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// "All must be true for the action to be performed": the conditions are ANDed.
		{name: "R16 conditions on different fields are ANDed",
			filters: `{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"remote_port","value":443},{"field":"protocol","value":17}]}`,
			want:    want{verdict: "no-match", effective: "permit"}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// "consecutive conditions with the same fieldKey will be evaluated using the OR operator".
		{name: "R16 same-field conditions are ORed",
			filters: `{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"remote_port","value":80},{"field":"remote_port","value":443},{"field":"protocol","value":6}]}`,
			want:    want{verdict: "block", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// Non-consecutive same-field conditions: ORed by default (G11), ANDed per run with the knob.
		{name: "G11 non-consecutive same field, only-consecutive option",
			filters: `{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"remote_port","value":80},{"field":"protocol","value":6},{"field":"remote_port","value":443}]}`,
			extra:   `,"options":{"orOnlyConsecutive":true}`,
			want:    want{verdict: "no-match", effective: "permit"}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// "If no conditions are specified, the action is always performed."
		{name: "R16 no conditions always match",
			filters: `{"id":1,"sublayer":"hi","action":"block"}`,
			want:    want{verdict: "block", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// FWPM_FILTER_FLAG_BOOTTIME: "enforced at boot-time, even before BFE starts"; persistent
		// filters arrive when BFE starts.
		{name: "R22 boot phase enforces only boot-time filters",
			filters: `{"id":1,"sublayer":"hi","action":"permit","flags":["persistent"]},
			          {"id":2,"sublayer":"lo","action":"block","flags":["boottime"]}`,
			extra: `,"phase":"boot"`,
			want:  want{verdict: "block", hard: true, by: 2},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 1); s.Status != "inactive" {
					t.Errorf("persistent filter status at boot = %q, want inactive", s.Status)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/basic-operation
		// Boot-time filters are dropped once BFE starts.
		{name: "R22 running phase drops boot-time filters",
			filters: `{"id":1,"sublayer":"hi","action":"permit","flags":["persistent"]},
			          {"id":2,"sublayer":"lo","action":"block","flags":["boottime"]}`,
			want: want{verdict: "permit", by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// FWPM_FILTER_FLAG_DISABLED: the filter is not enforced.
		{name: "R22 disabled filter",
			filters: `{"id":1,"sublayer":"hi","action":"block","flags":["disabled"]},
			          {"id":2,"sublayer":"lo","action":"permit"}`,
			want: want{verdict: "permit", by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// No subLayerKey: the default sublayer (FWPM_SUBLAYER_UNIVERSAL); its weight is our G10
		// parameter, here raised above "hi" so it goes first.
		{name: "R17 G10 default sublayer weight",
			filters: `{"id":1,"action":"block"},
			          {"id":2,"sublayer":"hi","action":"permit","flags":["clear-action-right"]}`,
			extra: `,"options":{"builtinSublayerWeights":{"universal":300}}`,
			want:  want{verdict: "block", hard: true, by: 1, effective: "block"},
			check: func(t *testing.T, r Result) {
				if r.Sublayer != SublayerUniversal {
					t.Errorf("sublayer = %q", r.Sublayer)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/management-filtering-sublayer-identifiers
		// FWPM_SUBLAYER_INSPECTION "is the lowest weighted sublayer": a declared sublayer that ties
		// with it still goes first, although "lo" sorts after "FWPM_..." by key.
		{name: "R17 INSPECTION is evaluated after a sublayer of the same weight",
			filters: `{"id":1,"sublayer":"FWPM_SUBLAYER_INSPECTION","action":"callout-inspection","callout":"cont"},
			          {"id":2,"sublayer":"lo","action":"block"}`,
			extra: `,"options":{"builtinSublayerWeights":{"universal":1,"inspection":100}}`,
			want:  want{verdict: "block", hard: true, by: 2},
			check: func(t *testing.T, r Result) {
				var order []string
				for _, s := range r.Trace {
					if s.Kind == "sublayer" {
						order = append(order, s.Sublayer)
					}
				}
				if len(order) != 2 || order[0] != "lo" || order[1] != SublayerInspection {
					t.Errorf("sublayer order = %v, want [lo %s]", order, SublayerInspection)
				}
				found := false
				for _, e := range r.Events {
					found = found || (e.Type == "equal-weight" && e.Rule == "R17")
				}
				if !found {
					t.Errorf("want an R17 equal-weight event, got %+v", r.Events)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-assignment
		// FWP_UINT8 k sets the 4 high-order bits: range 1 outranks any explicit weight below 2^60.
		{name: "R18 weight range outranks a smaller explicit weight",
			filters: `{"id":1,"sublayer":"hi","weight":1152921504606846975,"action":"permit"},
			          {"id":2,"sublayer":"hi","weight":{"range":1},"action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-assignment
		// FWP_EMPTY: "BFE automatically generates a weight in the range [0, 2^60)" - below 2^60.
		{name: "R18 automatic weight stays below 2^60",
			filters: `{"id":1,"sublayer":"hi","weight":null,"action":"permit","conditions":[{"field":"remote_port","value":443},{"field":"protocol","value":6}]},
			          {"id":2,"sublayer":"hi","weight":1152921504606846976,"action":"block"}`,
			want: want{verdict: "block", hard: true, by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-assignment
		// Equal weights are undefined ("problems may occur"); the model orders by id and warns (G5, R20).
		{name: "G5 R20 equal weights warn",
			filters: `{"id":7,"sublayer":"hi","weight":5,"action":"callout-terminating","callout":"cb"},
			          {"id":3,"sublayer":"hi","weight":5,"action":"callout-terminating","callout":"cp"}`,
			want: want{verdict: "permit", by: 3},
			check: func(t *testing.T, r Result) {
				found := false
				for _, e := range r.Events {
					found = found || (e.Type == "equal-weight" && e.Rule == "R20")
				}
				if !found {
					t.Errorf("want an R20 equal-weight event, got %+v", r.Events)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// G1 knob: with stopAtHardBlock the lower sublayer is not evaluated at all.
		{name: "G1 stop at hard block",
			filters: `{"id":1,"sublayer":"hi","action":"block"},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"veto"}`,
			extra: `,"options":{"stopAtHardBlock":true}`,
			want:  want{verdict: "block", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 2); s.Status != "not-evaluated" || s.Callout != nil {
					t.Errorf("filter 2 = %q, want not-evaluated without a callout call", s.Status)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration
		// G1 default: lower-sublayer callouts still run after a hard block, with the right cleared.
		{name: "G1 default keeps evaluating after a hard block",
			filters: `{"id":1,"sublayer":"hi","action":"block"},
			          {"id":2,"sublayer":"lo","action":"callout-terminating","callout":"cb"}`,
			want: want{verdict: "block", hard: true, by: 1},
			check: func(t *testing.T, r Result) {
				if s := stepFor(r, 2); s.Status != "evaluated" || s.Callout == nil || s.Callout.Writable {
					t.Errorf("filter 2 = %+v, want evaluated with the right cleared", s)
				}
			}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwptypes/ne-fwptypes-fwp_match_type
		// FWP_MATCH_PREFIX "is misleading": it tests whether the value ends with the condition value.
		{name: "R24 prefix is a suffix match",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"block","conditions":[{"field":"app_id","op":"prefix","value":"\\device"}]},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit","conditions":[{"field":"app_id","op":"prefix","value":"\\BROWSER.EXE"}]}`,
			want: want{verdict: "permit", by: 2}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwptypes/ne-fwptypes-fwp_match_type
		// An IPv4 address field "can be compared with an FWP_V4_ADDR_MASK value": CIDR with eq.
		{name: "R24 address mask match",
			filters: `{"id":1,"sublayer":"hi","weight":10,"action":"block","conditions":[{"field":"remote_addr","value":"203.0.113.0/25"}]},
			          {"id":2,"sublayer":"hi","weight":5,"action":"permit"}`,
			want: want{verdict: "block", hard: true, by: 1}},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwptypes/ne-fwptypes-fwp_match_type
		// FWP_MATCH_RANGE on ports.
		{name: "R24 port range",
			filters: `{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"local_port","op":"range","value":{"low":49152,"high":65535}}]}`,
			want:    want{verdict: "block", hard: true, by: 1}},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d documentation cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, scenarioJSON(tc.filters, tc.extra))
			w := tc.want
			if w.effective == "" {
				w.effective = w.verdict
			}
			var by uint64
			if r.DecidedBy != nil {
				by = *r.DecidedBy
			}
			got := want{r.Verdict, r.Hard, by, r.Veto, r.Absorbed, r.Effective}
			if got != w {
				t.Errorf("got %+v\nwant %+v\n%s", got, w, FormatText(r))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			for _, s := range r.Trace {
				if (s.Label != Documented && s.Label != Model) || !strings.HasPrefix(s.Source, "https://learn.microsoft.com/") || len(s.Rules) == 0 {
					t.Errorf("trace step without label/source/rules: %+v", s)
				}
			}
		})
	}
}

// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-identifiers
func TestWeightIdentifiers(t *testing.T) {
	if AutoWeightMax != 0x0FFFFFFFFFFFFFFF || WeightRangeMax != 15 || AutoWeightBits != 60 {
		t.Fatalf("constants: %X %d %d", AutoWeightMax, WeightRangeMax, AutoWeightBits)
	}
	o := DefaultOptions()
	f := Filter{Weight: Weight{Kind: WeightRange, Range: 15}, Conditions: []Condition{{Field: "remote_port", Op: "eq"}}}
	if got := EffectiveWeight(&f, o); got != 0xF000000100000000 {
		t.Errorf("range 15 + one exact condition = %#X", got)
	}
	f = Filter{Weight: Weight{Kind: WeightUint64, U64: ^uint64(0)}}
	if got := EffectiveWeight(&f, o); got != ^uint64(0) {
		t.Errorf("FWP_UINT64 must be used as is, got %#X", got)
	}
	o.AutoWeight = "zero"
	f = Filter{Weight: Weight{Kind: WeightRange, Range: 0xC}, Conditions: []Condition{{Field: "remote_port", Op: "eq"}}}
	if got := EffectiveWeight(&f, o); got != 0xC000000000000000 {
		t.Errorf("FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS with zero auto = %#X", got)
	}
}

// The automatic weight model (G4) ranks exact conditions above masks and ranges.
func TestSpecificityOrder(t *testing.T) {
	r := mustRun(t, scenarioJSON(`
		{"id":1,"sublayer":"hi","action":"block","conditions":[{"field":"remote_addr","value":"203.0.113.0/24"},{"field":"local_port","op":"range","value":{"low":1,"high":60000}}]},
		{"id":2,"sublayer":"hi","action":"permit","conditions":[{"field":"remote_port","value":443}]}`, ""))
	if r.Verdict != "permit" || *r.DecidedBy != 2 {
		t.Fatalf("one exact condition must outrank two masks/ranges:\n%s", FormatText(r))
	}
}

func TestFormatTextMentionsEverything(t *testing.T) {
	r := mustRun(t, scenarioJSON(`{"id":1,"name":"admin","sublayer":"hi","action":"permit","flags":["clear-action-right"]},
		{"id":2,"sublayer":"lo","action":"callout-terminating","callout":"veto"},
		{"id":3,"sublayer":"lo","action":"block","flags":["boottime"]}`, ""))
	txt := FormatText(r)
	for _, want := range []string{"Verdict: BLOCK (hard) by filter 2", "VETO", "inactive", "veto:", URLArbitration, "[M]", "[D]", `filter 1 "admin"`} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
}
