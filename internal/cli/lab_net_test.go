package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const dnsScenario = `{"config":{"servers":[{"addr":"10.0.0.1","mode":"unreachable"},{"addr":"10.0.0.2","latencyMs":40}]},
 "zone":[{"name":"www.example.com","type":"A","ttl":300,"data":"192.0.2.10"}],
 "queries":[{"at":0,"name":"www.example.com"},{"at":3000,"name":"www.example.com"}]}`

func TestLabDNS(t *testing.T) {
	p := writeTemp(t, "s.json", dnsScenario)
	var out, errb bytes.Buffer
	if code := LabDNS([]string{p}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"→ answer via dns after 1040 ms", "→ answer via cache after 0 ms", "documented", "www.example.com"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := LabDNS([]string{"--json", "-"}, strings.NewReader(dnsScenario), &out, &errb); code != 0 {
		t.Fatalf("--json exit %d", code)
	}
	var res struct {
		Results []struct {
			ElapsedMs int64  `json:"elapsedMs"`
			Source    string `json:"source"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Results) != 2 || res.Results[0].ElapsedMs != 1040 || res.Results[1].Source != "cache" {
		t.Fatalf("JSON output %v %+v", err, res)
	}
}

func TestLabDNSErrors(t *testing.T) {
	bad := writeTemp(t, "bad.json", `{"config":{"servers":[{"addr":"10.0.0.1","mode":"sleepy"}]},"queries":[{"name":"a"}]}`)
	var out, errb bytes.Buffer
	if code := LabDNS([]string{"--json", bad}, nil, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	var e struct {
		Error struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Error.Field != "config.servers[0].mode" {
		t.Errorf("JSON error %v %+v", err, e)
	}
	out.Reset()
	errb.Reset()
	if code := LabDNS([]string{bad}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "config.servers[0].mode") || out.Len() != 0 {
		t.Errorf("text error: exit %d stderr %q", code, errb.String())
	}
	if code := LabDNS(nil, nil, &out, &errb); code != 2 {
		t.Errorf("no argument: exit %d", code)
	}
	if code := LabDNS([]string{filepath.Join(t.TempDir(), "missing.json")}, nil, &out, &errb); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}

func TestLabDNSImportCache(t *testing.T) {
	text := "Windows IP Configuration\n\n    www.example.com\n    ----------\n    Record Name . . . . . : www.example.com\n" +
		"    Record Type . . . . . : 1\n    Time To Live  . . . . : 120\n    Data Length . . . . . : 4\n    Section . . . . . . . : Answer\n" +
		"    A (Host) Record . . . : 192.0.2.10\n"
	p := writeTemp(t, "cache.txt", text)
	var out, errb bytes.Buffer
	if code := LabDNS([]string{"--import-cache", p}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "1 cache entries (displaydns)") {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	bad := writeTemp(t, "bad.txt", strings.Replace(text, ": 120", ": soon", 1))
	out.Reset()
	if code := LabDNS([]string{"--import-cache", "--json", bad}, nil, &out, &errb); code != 2 || !strings.Contains(out.String(), `"field": "line 7"`) {
		t.Errorf("bad cache: exit %d, %s", code, out.String())
	}
}

func TestLabSockpath(t *testing.T) {
	p := writeTemp(t, "w.json", `{"bytes":1073741824,"messageSize":512,"api":"send","options":{"sndbuf":0}}`)
	var out, errb bytes.Buffer
	if code := LabSockpath([]string{p}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"2097152 operations", "afd.sys", "warning:", "200 ms", "[documented]", "[model]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := LabSockpath([]string{"--json", p}, nil, &out, &errb); code != 0 {
		t.Fatal(code)
	}
	var r struct {
		Total struct {
			Transitions float64 `json:"transitions"`
		} `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Total.Transitions != 2097152 {
		t.Errorf("JSON %v %+v", err, r)
	}
	bad := writeTemp(t, "bad.json", `{"bytes":10,"messageSize":1,"api":"carrier-pigeon"}`)
	out.Reset()
	if code := LabSockpath([]string{"--json", bad}, nil, &out, &errb); code != 2 || !strings.Contains(out.String(), `"field": "api"`) {
		t.Errorf("bad workload: exit %d %s", code, out.String())
	}
}

func TestLabSockpathMeasurement(t *testing.T) {
	m := `{"tool":"ntatlas-loopback","version":1,"goos":"windows","goarch":"amd64","goVersion":"go1.26.8","numCPU":8,"durationMsPerSize":500,
	"results":[{"messageSize":64,"calls":1000,"bytes":64000,"seconds":1,"callsPerSec":1000,"mibPerSec":0.06103515625},
	{"messageSize":65536,"calls":100,"bytes":6553600,"seconds":1,"callsPerSec":100,"mibPerSec":6.25}]}`
	var out, errb bytes.Buffer
	if code := LabSockpath([]string{"--measurement", "-"}, strings.NewReader(m), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "windows/amd64") || !strings.Contains(out.String(), "spread") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if code := LabSockpath([]string{"--measurement", "--json", "-"}, strings.NewReader(strings.Replace(m, `"version":1`, `"version":9`, 1)), &out, &errb); code != 2 || !strings.Contains(out.String(), `"field": "version"`) {
		t.Errorf("bad measurement: exit %d %s", code, out.String())
	}
}
