package wfp

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"ntatlas/internal/labs"
)

func TestDecodeErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name, filters, extra string
		field, msg           string
	}{
		{"unknown filter field", `{"id":1,"action":"block"},{"id":2,"action":"block"},{"id":3,"action":"block","wieght":5}`, "",
			"filters[2].wieght", "unknown field"},
		{"unknown top-level field", `{"id":1,"action":"block"}`, `,"verdict":"x"`, "verdict", "unknown field"},
		{"unknown option", `{"id":1,"action":"block"}`, `,"options":{"stopAtHardblock":true}`, "options.stopAtHardblock", "unknown field"},
		// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-identifiers (FWPM_WEIGHT_RANGE_MAX = 15)
		{"weight range above 15", `{"id":1,"action":"block","weight":{"range":16}}`, "", "filters[0].weight.range", "FWPM_WEIGHT_RANGE_MAX"},
		{"weight negative", `{"id":1,"action":"block","weight":-1}`, "", "filters[0].weight", "whole number"},
		{"weight fraction", `{"id":1,"action":"block","weight":1.5}`, "", "filters[0].weight", "whole number"},
		{"weight above uint64", `{"id":1,"action":"block","weight":18446744073709551616}`, "", "filters[0].weight", "whole number"},
		{"weight wrong type", `{"id":1,"action":"block","weight":true}`, "", "filters[0].weight", "FWP_UINT64"},
		{"weight string not a number", `{"id":1,"action":"block","weight":"high"}`, "", "filters[0].weight", "not a UINT64 weight"},
		{"weight string octal", `{"id":1,"action":"block","weight":"0o17"}`, "", "filters[0].weight", "not a UINT64 weight"},
		{"weight string underscore", `{"id":1,"action":"block","weight":"1_000"}`, "", "filters[0].weight", "not a UINT64 weight"},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// "This flag cannot be set together with FWPM_FILTER_FLAG_BOOTTIME."
		{"boottime and persistent", `{"id":1,"action":"block","flags":["boottime","persistent"]}`, "", "filters[0].flags[1]", "cannot be combined"},
		// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0
		// PERMIT_IF_CALLOUT_UNREGISTERED "can be set only if the action type is ... TERMINATING or ... UNKNOWN".
		{"permit-if-unregistered on a static filter", `{"id":1,"action":"block","flags":["permit-if-callout-unregistered"]}`, "",
			"filters[0].flags[0]", "callout-terminating or callout-unknown"},
		{"permit-if-unregistered on inspection", `{"id":1,"action":"callout-inspection","callout":"cb","flags":["permit-if-callout-unregistered"]}`, "",
			"filters[0].flags[0]", "not callout-inspection"},
		{"unknown sublayer", `{"id":1,"action":"block","sublayer":"nope"}`, "", "filters[0].sublayer", "unknown sublayer"},
		{"unknown callout", `{"id":1,"action":"callout-terminating","callout":"nope"}`, "", "filters[0].callout", "unknown callout"},
		{"callout missing", `{"id":1,"action":"callout-terminating"}`, "", "filters[0].callout", "required"},
		{"callout on static filter", `{"id":1,"action":"permit","callout":"cb"}`, "", "filters[0].callout", "only callout actions"},
		{"duplicate filter id", `{"id":1,"action":"block"},{"id":1,"action":"permit"}`, "", "filters[1].id", "duplicate filter id"},
		{"filter id zero", `{"id":0,"action":"block"}`, "", "filters[0].id", "1 or more"},
		{"unknown action", `{"id":1,"action":"drop"}`, "", "filters[0].action", "unknown action"},
		{"unknown flag", `{"id":1,"action":"block","flags":["silent"]}`, "", "filters[0].flags[0]", "unknown flag"},
		{"duplicate flag", `{"id":1,"action":"block","flags":["disabled","disabled"]}`, "", "filters[0].flags[1]", "duplicate flag"},
		{"port too large", `{"id":1,"action":"block","conditions":[{"field":"remote_port","value":65536}]}`, "", "filters[0].conditions[0].value", "at most 65535"},
		{"unknown condition field", `{"id":1,"action":"block","conditions":[{"field":"user","value":"x"}]}`, "", "filters[0].conditions[0].field", "unknown field"},
		{"prefix on an address", `{"id":1,"action":"block","conditions":[{"field":"remote_addr","op":"prefix","value":"10.0.0.0/8"}]}`, "",
			"filters[0].conditions[0].op", "CIDR"},
		{"IPv6 at a V4 layer", `{"id":1,"action":"block","conditions":[{"field":"remote_addr","value":"2001:db8::1"}]}`, "",
			"filters[0].conditions[0].value", "IPv4 layer"},
		{"bad range", `{"id":1,"action":"block","conditions":[{"field":"local_port","op":"range","value":{"low":9,"high":3}}]}`, "",
			"filters[0].conditions[0].value", "low must not be above high"},
		{"bad phase", `{"id":1,"action":"block"}`, `,"phase":"shutdown"`, "phase", "running"},
		{"bad default verdict", `{"id":1,"action":"block"}`, `,"options":{"defaultVerdict":"drop"}`, "options.defaultVerdict", "permit"},
		{"sublayer weight above UINT16", `{"id":1,"action":"block"}`, `,"sublayers":[{"key":"x","weight":70000}]`, "sublayers[0].weight", "at most 65535"},
		{"duplicate key", `{"id":1,"action":"block","id":2}`, "", "filters[0].id", "duplicate key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js := `{"layer":"ALE_AUTH_CONNECT_V4","callouts":[{"key":"cb","behavior":"compliant-block"}],"filters":[` + tc.filters + `]` + tc.extra + `}`
			if strings.Contains(tc.extra, `"sublayers"`) {
				js = strings.Replace(js, `"callouts"`, `"callouts_"`, 1)
				js = strings.Replace(js, `"callouts_":[{"key":"cb","behavior":"compliant-block"}],`, ``, 1)
			}
			_, err := DecodeScenario([]byte(js))
			var ie *labs.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *labs.InputError, got %v", err)
			}
			if ie.Field != tc.field || !strings.Contains(ie.Message, tc.msg) {
				t.Errorf("got %q: %q\nwant %q containing %q", ie.Field, ie.Message, tc.field, tc.msg)
			}
			if ie.Offset < 0 || ie.Offset >= len(js) {
				t.Errorf("offset %d outside the input", ie.Offset)
			}
		})
	}
}

// Weights above 2^53 can come as strings, because the lab page's JavaScript cannot hold them
// as numbers; both spellings decode to the same FWP_UINT64.
func TestDecodeStringWeights(t *testing.T) {
	s, err := DecodeScenario([]byte(`{"layer":"ALE_AUTH_CONNECT_V4","filters":[
		{"id":1,"action":"block","weight":"0xF000000000000001"},
		{"id":2,"action":"block","weight":"17293822569102704641"},
		{"id":3,"action":"block","weight":17293822569102704641}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Filters {
		if f.Weight.Kind != WeightUint64 || f.Weight.U64 != 0xF000000000000001 {
			t.Errorf("filter %d weight %+v", f.ID, f.Weight)
		}
	}
}

// An object with many keys must not take quadratic time in the duplicate-key check.
func TestDecodeManyKeysIsFast(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"layer":"ALE_AUTH_CONNECT_V4","packet":{`)
	for i := 0; i < 40000; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	b.WriteString("}}")
	if b.Len() > MaxInputBytes {
		t.Fatal("the input must stay under the size limit to exercise the parser")
	}
	_, err := DecodeScenario([]byte(b.String()))
	var ie *labs.InputError
	if !errors.As(err, &ie) || ie.Field != "packet.k0" {
		t.Fatalf("want an unknown-field error on packet.k0, got %v", err)
	}
}

func TestDecodeErrorOffsetPointsAtValue(t *testing.T) {
	js := `{"layer":"ALE_AUTH_CONNECT_V4","filters":[{"id":1,"action":"block","weight":{"range":  99}}]}`
	_, err := DecodeScenario([]byte(js))
	var ie *labs.InputError
	if !errors.As(err, &ie) {
		t.Fatal(err)
	}
	if got := js[ie.Offset : ie.Offset+2]; got != "99" {
		t.Errorf("offset %d points at %q, want the value 99", ie.Offset, got)
	}
}

func TestDecodeSyntaxErrors(t *testing.T) {
	for _, js := range []string{``, `{`, `{"layer":}`, `[1,2`, `{"layer":"ALE_AUTH_CONNECT_V4"} {}`, `nul`,
		strings.Repeat("[", 100) + strings.Repeat("]", 100), `{"layer":"ALE_AUTH_CONNECT_V5"}`, `{"phase":"boot"}`} {
		_, err := DecodeScenario([]byte(js))
		var ie *labs.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%q: want an InputError, got %v", js, err)
		}
	}
}

func TestDecodeAcceptsTheIssueExample(t *testing.T) {
	// The format sketched in issue 6, with every optional part present.
	js := `{"layer":"ALE_AUTH_CONNECT_V4","phase":"running","options":{"stopAtHardBlock":false},
	"sublayers":[{"key":"vendor","weight":4000}],
	"callouts":[{"key":"c1","registered":true,"behavior":"compliant-block"},
	            {"key":"c2","registered":true,"behavior":{"act":"block","clearWrite":true,"absorb":false}}],
	"filters":[{"id":5,"name":"x","sublayer":"vendor","weight":{"range":3},"action":"callout-terminating","callout":"c1",
	            "conditions":[{"field":"remote_port","op":"eq","value":443}],"flags":["clear-action-right","permit-if-callout-unregistered","persistent"]},
	           {"id":6,"sublayer":"vendor","weight":null,"action":"callout-unknown","callout":"c2","flags":["boottime","disabled"]},
	           {"id":7,"weight":18446744073709551615,"action":"permit"}],
	"packet":{"protocol":6,"remote_addr":"203.0.113.10","remote_port":443,"local_port":50000,"app_id":"x"}}`
	s, err := DecodeScenario([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Filters) != 3 || s.Filters[2].Weight.U64 != ^uint64(0) || s.Filters[0].Weight.Range != 3 || !s.Filters[1].Flags.BootTime {
		t.Errorf("decoded %+v", s.Filters)
	}
	if s.Filters[2].Sublayer != SublayerUniversal {
		t.Errorf("a filter without sublayer belongs to %s, got %q", SublayerUniversal, s.Filters[2].Sublayer)
	}
}

func FuzzScenario(f *testing.F) {
	f.Add([]byte(scenarioJSON(`{"id":1,"sublayer":"hi","action":"permit","flags":["clear-action-right"]},{"id":2,"sublayer":"lo","action":"callout-terminating","callout":"veto"}`, "")))
	f.Add([]byte(scenarioJSON(`{"id":1,"weight":{"range":3},"action":"block","conditions":[{"field":"remote_addr","op":"range","value":{"low":"1.2.3.4","high":"9.9.9.9"}}]}`, `,"phase":"boot"`)))
	f.Add([]byte(`{"layer":"ALE_AUTH_CONNECT_V6","filters":[{"id":1,"action":"block","conditions":[{"field":"remote_addr","value":"::ffff:1.2.3.4/120"}]}],"packet":{"remote_addr":"::ffff:1.2.3.9"}}`))
	f.Add([]byte(`{"layer":"ALE_AUTH_CONNECT_V4","filters":[{"id":1,"action":"block","weight":{"range":16}}]}`))
	f.Add([]byte(`{"layer":1}`))
	f.Add([]byte(`[[[[[[[[`))
	for _, p := range Puzzles() {
		f.Add([]byte(p.Scenario))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeScenario(data)
		if err != nil {
			var ie *labs.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("non-InputError %T: %v", err, err)
			}
			return
		}
		r := Run(s)
		switch r.Verdict {
		case "permit", "block":
			if r.DecidedBy == nil {
				t.Fatal("a decision without a deciding filter")
			}
		case "no-match", "no-decision":
			if r.DecidedBy != nil || r.Effective != s.Options.DefaultVerdict {
				t.Fatal("no decision but a deciding filter or a wrong effective verdict")
			}
		default:
			t.Fatalf("verdict %q", r.Verdict)
		}
		if r.Veto && r.Verdict != "block" {
			t.Fatal("a veto always blocks")
		}
		_ = FormatText(r)
	})
}
