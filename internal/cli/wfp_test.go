package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runWFP(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := LabWFP(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const wfpScenario = `{"layer":"ALE_AUTH_RECV_ACCEPT_V4",
 "sublayers":[{"key":"admin","weight":50000},{"key":"ids","weight":10000}],
 "callouts":[{"key":"ids","behavior":"veto"}],
 "filters":[
  {"id":1,"name":"WinRM","sublayer":"admin","action":"permit","conditions":[{"field":"local_port","value":5985}],"flags":["clear-action-right"]},
  {"id":2,"name":"IDS","sublayer":"ids","action":"callout-terminating","callout":"ids"},
  {"id":3,"name":"boot block","sublayer":"admin","weight":{"range":15},"action":"block","flags":["boottime"]}],
 "packet":{"protocol":6,"remote_addr":"192.0.2.1","remote_port":50000,"local_port":5985}}`

func writeScenario(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLabWFPJSON(t *testing.T) {
	code, out, _ := runWFP(t, "", "--json", writeScenario(t, wfpScenario))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		Verdict   string
		Hard      bool
		DecidedBy *uint64
		Veto      bool
		Trace     []map[string]any
		Events    []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration: a callout veto blocks a hard permit.
	if r.Verdict != "block" || !r.Hard || r.DecidedBy == nil || *r.DecidedBy != 2 || !r.Veto || len(r.Trace) == 0 || len(r.Events) == 0 {
		t.Errorf("result: %+v", r)
	}
}

func TestLabWFPText(t *testing.T) {
	code, out, _ := runWFP(t, wfpScenario, "-")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Verdict: BLOCK (hard) by filter 2", "VETO", "sublayer admin (weight 50000)", "Sources:", "filter-arbitration"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLabWFPPhaseOverride(t *testing.T) {
	// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0:
	// before BFE starts only the boot-time filter is enforced.
	code, out, _ := runWFP(t, wfpScenario, "--json", "--phase", "boot", "-")
	if code != 0 || !strings.Contains(out, `"phase": "boot"`) || !strings.Contains(out, `"decidedBy": 3`) {
		t.Errorf("exit %d\n%s", code, out)
	}
	if code, _, errs := runWFP(t, wfpScenario, "--phase", "later", "-"); code != 2 || !strings.Contains(errs, "--phase") {
		t.Errorf("bad --phase: exit %d %q", code, errs)
	}
}

func TestLabWFPInvalidScenario(t *testing.T) {
	bad := strings.Replace(wfpScenario, `{"range":15}`, `{"range":16}`, 1)
	path := writeScenario(t, bad)
	code, out, errs := runWFP(t, "", path)
	if code != 2 || out != "" || !strings.Contains(errs, "filters[2].weight.range") {
		t.Errorf("text mode: exit %d out %q err %q", code, out, errs)
	}
	code, out, _ = runWFP(t, "", "--json", path)
	var e struct {
		Error struct {
			Field   string
			Offset  int
			Message string
		}
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != 2 || e.Error.Field != "filters[2].weight.range" || !strings.HasPrefix(bad[e.Error.Offset:], "16") {
		t.Errorf("json mode: exit %d %+v", code, e)
	}
	// https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0:
	// BOOTTIME and PERSISTENT cannot be combined.
	bad = strings.Replace(wfpScenario, `"flags":["boottime"]`, `"flags":["boottime","persistent"]`, 1)
	if code, _, errs := runWFP(t, bad, "-"); code != 2 || !strings.Contains(errs, "filters[2].flags[1]") {
		t.Errorf("boottime+persistent: exit %d %q", code, errs)
	}
}

func TestLabWFPUsage(t *testing.T) {
	if code, _, errs := runWFP(t, ""); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("no args: exit %d %q", code, errs)
	}
	if code, _, _ := runWFP(t, "", "a.json", "b.json"); code != 2 {
		t.Errorf("two files: exit %d", code)
	}
	if code, out, errs := runWFP(t, "", "--json", filepath.Join(t.TempDir(), "missing.json")); code != 2 || !strings.Contains(out, `"error"`) || errs == "" {
		t.Errorf("missing file: exit %d %q %q", code, out, errs)
	}
}
