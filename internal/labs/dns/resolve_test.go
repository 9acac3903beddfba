package dns

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"ntatlas/internal/labs"
)

func servers(modes ...string) []Server {
	var s []Server
	for i, m := range modes {
		s = append(s, Server{Addr: fmt.Sprintf("10.0.0.%d", i+1), Mode: m})
	}
	return s
}

func run(t *testing.T, sc Scenario) *Outcome {
	t.Helper()
	out, err := Resolve(&sc)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return out
}

type send struct {
	dt     int64
	server string
}

func sends(r Result) []send {
	var s []send
	for _, st := range r.Steps {
		if st.Kind == "send" {
			s = append(s, send{st.Dt, st.Server})
		}
	}
	return s
}

// The retry schedule of the Windows DNS client, one table per server count, as given by
// KB 2834226: https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/dns-client-resolution-timeouts
func TestRetryScheduleKB2834226(t *testing.T) {
	cases := []struct {
		name  string
		modes []string
		want  []send
	}{
		// "single DNS server": queries at 0, 1, 2, 4, 8 s; stops at 10 s (five attempts)
		{"one server", []string{"unreachable"}, []send{{0, "10.0.0.1"}, {1000, "10.0.0.1"}, {2000, "10.0.0.1"}, {4000, "10.0.0.1"}, {8000, "10.0.0.1"}}},
		// "two DNS servers": 0 first; 1 second; 2 second again; 4 and 8 all servers
		{"two servers", []string{"unreachable", "unreachable"}, []send{{0, "10.0.0.1"}, {1000, "10.0.0.2"}, {2000, "10.0.0.2"},
			{4000, "10.0.0.1"}, {4000, "10.0.0.2"}, {8000, "10.0.0.1"}, {8000, "10.0.0.2"}}},
		// "three or more": 0 first; 1 second; 2 third; 4 and 8 all servers
		{"three servers", []string{"unreachable", "unreachable", "unreachable"}, []send{{0, "10.0.0.1"}, {1000, "10.0.0.2"}, {2000, "10.0.0.3"},
			{4000, "10.0.0.1"}, {4000, "10.0.0.2"}, {4000, "10.0.0.3"}, {8000, "10.0.0.1"}, {8000, "10.0.0.2"}, {8000, "10.0.0.3"}}},
		// the KB's five-server trace: 13 packets, servers 4 and 5 first asked at 4 s
		{"five servers", []string{"unreachable", "unreachable", "unreachable", "unreachable", "unreachable"}, []send{
			{0, "10.0.0.1"}, {1000, "10.0.0.2"}, {2000, "10.0.0.3"},
			{4000, "10.0.0.1"}, {4000, "10.0.0.2"}, {4000, "10.0.0.3"}, {4000, "10.0.0.4"}, {4000, "10.0.0.5"},
			{8000, "10.0.0.1"}, {8000, "10.0.0.2"}, {8000, "10.0.0.3"}, {8000, "10.0.0.4"}, {8000, "10.0.0.5"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := run(t, Scenario{Config: Config{Servers: servers(c.modes...)}, Queries: []Query{{Name: "microsoft.com."}}})
			r := out.Results[0]
			if diff := cmp.Diff(c.want, sends(r), cmp.AllowUnexported(send{})); diff != "" {
				t.Errorf("send times (-want +got):\n%s", diff)
			}
			// "If no response is received after 2 more seconds, client stops querying" (t=10 s)
			if r.Outcome != "timeout" || r.ElapsedMs != 10000 {
				t.Errorf("outcome %s after %d ms, want timeout after 10000", r.Outcome, r.ElapsedMs)
			}
			if r.DNSSends != len(c.want) {
				t.Errorf("DNSSends = %d, want %d", r.DNSSends, len(c.want))
			}
		})
	}
}

// "Any Name Error response by any of the DNS servers will cause the process to stop - client
// doesn't retry with the next server if the response was negative." (KB 2834226)
func TestNameErrorStopsSchedule(t *testing.T) {
	out := run(t, Scenario{Config: Config{Servers: servers("answer", "answer", "answer")},
		Queries: []Query{{Name: "nosuch.example.com."}}})
	r := out.Results[0]
	if r.Outcome != "nxdomain" || r.DNSSends != 1 || r.ElapsedMs != 20 {
		t.Errorf("got %s, %d sends, %d ms; want nxdomain, 1 send, 20 ms", r.Outcome, r.DNSSends, r.ElapsedMs)
	}
}

// "Client tries new servers only if the previous are unreachable" and a server in position 4 is
// not tried before 4 s (KB 2834226).
func TestArrivalTimes(t *testing.T) {
	zone := []Record{{Name: "www.example.com", Type: "A", TTL: 300, Data: "192.0.2.1"}}
	cases := []struct {
		name    string
		servers []Server
		want    int64
		sends   int
	}{
		{"first answers", []Server{{Addr: "10.0.0.1", LatencyMs: 30}, {Addr: "10.0.0.2", LatencyMs: 5}}, 30, 1},
		{"first unreachable", []Server{{Addr: "10.0.0.1", Mode: "unreachable"}, {Addr: "10.0.0.2", LatencyMs: 40}}, 1040, 2},
		{"third of three", []Server{{Addr: "10.0.0.1", Mode: "unreachable"}, {Addr: "10.0.0.2", Mode: "unreachable"}, {Addr: "10.0.0.3", LatencyMs: 10}}, 2010, 3},
		{"fourth of five", []Server{{Addr: "10.0.0.1", Mode: "unreachable"}, {Addr: "10.0.0.2", Mode: "unreachable"}, {Addr: "10.0.0.3", Mode: "unreachable"},
			{Addr: "10.0.0.4", LatencyMs: 20}, {Addr: "10.0.0.5", Mode: "unreachable"}}, 4020, 8},
		// the answer to the first query arrives after the 1 s retransmission and is accepted
		{"slow single server", []Server{{Addr: "10.0.0.1", LatencyMs: 1500}}, 1500, 2},
		// a server slower than 10 s is never heard: the client has stopped
		{"too slow", []Server{{Addr: "10.0.0.1", LatencyMs: 10001}}, 10000, 5},
		{"servfail ignored", []Server{{Addr: "10.0.0.1", Mode: "servfail"}, {Addr: "10.0.0.2", LatencyMs: 10}}, 1010, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := run(t, Scenario{Config: Config{Servers: c.servers}, Zone: zone, Queries: []Query{{Name: "www.example.com"}}})
			r := out.Results[0]
			if r.ElapsedMs != c.want || r.DNSSends != c.sends {
				t.Errorf("answered after %d ms with %d sends, want %d ms with %d sends", r.ElapsedMs, r.DNSSends, c.want, c.sends)
			}
		})
	}
}

// Ask twice: the second answer comes from the resolver cache at once, with the TTL counted down
// (the cache is documented: https://docs.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/cc794721(v=ws.10)).
func TestAskTwiceAndTTL(t *testing.T) {
	sc := Scenario{Config: Config{Servers: servers("answer")},
		Zone:    []Record{{Name: "www.example.com", Type: "A", TTL: 60, Data: "192.0.2.1"}},
		Queries: []Query{{At: 0, Name: "www.example.com"}, {At: 3000, Name: "WWW.Example.com."}, {At: 60020, Name: "www.example.com"}}}
	out := run(t, sc)
	a, b, c := out.Results[0], out.Results[1], out.Results[2]
	if a.Source != "dns" || a.ElapsedMs != 20 {
		t.Errorf("first: %s after %d ms", a.Source, a.ElapsedMs)
	}
	if b.Source != "cache" || b.ElapsedMs != 0 || b.DNSSends != 0 {
		t.Errorf("second: %s after %d ms with %d sends, want cache, 0, 0", b.Source, b.ElapsedMs, b.DNSSends)
	}
	if len(b.Answers) != 1 || b.Answers[0].TTL != 57 {
		t.Errorf("second answer TTL = %+v, want 57 s left (60 s stored at t=0.02 s, read at t=3 s)", b.Answers)
	}
	// stored at 20 ms with TTL 60 s: expired at 60.02 s exactly
	if c.Source != "dns" || c.DNSSends != 1 {
		t.Errorf("third: %s with %d sends, want a new DNS query after expiry", c.Source, c.DNSSends)
	}
	found := false
	for _, s := range c.Steps {
		found = found || s.Kind == "cache-expired"
	}
	if !found {
		t.Error("no cache-expired step on the third query")
	}
}

func TestNegativeCaching(t *testing.T) {
	sc := Scenario{Config: Config{Servers: servers("answer")},
		Queries: []Query{{At: 0, Name: "nosuch.example.com"}, {At: 1000, Name: "nosuch.example.com"}, {At: 400000, Name: "nosuch.example.com"}}}
	out := run(t, sc)
	if r := out.Results[1]; r.DNSSends != 0 || r.Outcome != "nxdomain" {
		t.Errorf("within the negative TTL: %d sends, outcome %s; want 0 and nxdomain", r.DNSSends, r.Outcome)
	}
	if r := out.Results[2]; r.DNSSends != 1 {
		t.Errorf("after the negative TTL (300 s): %d sends, want 1", r.DNSSends)
	}
	zero := uint32(0)
	sc.Config.MaxNegativeCacheTTL = &zero
	out = run(t, sc)
	if r := out.Results[1]; r.DNSSends != 1 {
		t.Errorf("MaxNegativeCacheTtl=0: %d sends, want the name asked again", r.DNSSends)
	}
}

// Devolution: "if the primary DNS suffix is central.contoso.com and devolution is enabled with a
// devolution level of two, ... emailsrv7.central.contoso.com and emailsrv7.contoso.com. If the
// devolution level is three, ... emailsrv7.central.contoso.com, but not emailsrv7.contoso.com."
// http://technet.microsoft.com/library/ee683928(WS.10).aspx
// A global suffix search list turns devolution off (same page).
func TestCandidatesDevolution(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"level 2", Config{PrimarySuffix: "central.contoso.com", Devolution: &Devolution{Enabled: true, Level: 2}},
			[]string{"emailsrv7.central.contoso.com", "emailsrv7.contoso.com"}},
		{"level 3", Config{PrimarySuffix: "central.contoso.com", Devolution: &Devolution{Enabled: true, Level: 3}},
			[]string{"emailsrv7.central.contoso.com"}},
		{"default is level 2", Config{PrimarySuffix: "a.b.central.contoso.com"},
			[]string{"emailsrv7.a.b.central.contoso.com", "emailsrv7.b.central.contoso.com", "emailsrv7.central.contoso.com", "emailsrv7.contoso.com"}},
		{"devolution off", Config{PrimarySuffix: "central.contoso.com", Devolution: &Devolution{Enabled: false}},
			[]string{"emailsrv7.central.contoso.com"}},
		// primary suffix first, then connection-specific suffixes, then devolution (ADMX text of the
		// Primary DNS suffix devolution policy)
		{"connection suffix", Config{PrimarySuffix: "central.contoso.com", ConnectionSuffixes: []string{"lab.fabrikam.com"}},
			[]string{"emailsrv7.central.contoso.com", "emailsrv7.lab.fabrikam.com", "emailsrv7.contoso.com"}},
		{"search list wins", Config{PrimarySuffix: "central.contoso.com", SuffixSearchList: []string{"fabrikam.com", "contoso.com"}},
			[]string{"emailsrv7.fabrikam.com", "emailsrv7.contoso.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Servers = servers("answer")
			no := false
			c.cfg.LLMNR, c.cfg.NetBIOS = &no, &no
			out := run(t, Scenario{Config: c.cfg, Queries: []Query{{Name: "emailsrv7"}}})
			if diff := cmp.Diff(c.want, out.Results[0].Candidates); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
			// every candidate got NXDOMAIN, so each was asked exactly once
			if got := out.Results[0].DNSSends; got != len(c.want) {
				t.Errorf("DNSSends = %d, want %d", got, len(c.want))
			}
		})
	}
	// a name with a dot or a trailing dot is queried as written
	out := run(t, Scenario{Config: Config{Servers: servers("answer"), PrimarySuffix: "contoso.com"}, Queries: []Query{{Name: "host.sub"}, {Name: "host."}}})
	if diff := cmp.Diff([]string{"host.sub"}, out.Results[0].Candidates); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"host"}, out.Results[1].Candidates); diff != "" {
		t.Error(diff)
	}
}

func TestHostsAndFallbacks(t *testing.T) {
	yes := true
	sc := Scenario{
		Config: Config{Servers: servers("answer"), PrimarySuffix: "contoso.com", LLMNR: &yes},
		Hosts:  "# comment\n127.0.0.1 localhost\n10.9.9.9 intranet intranet.contoso.com\n::1 localhost\n",
		Link: []LinkHost{{Name: "printer", Addr: "192.168.1.50", LLMNR: true, LatencyMs: 7},
			{Name: "nas", Addr: "192.168.1.60", NetBIOS: true}},
		Queries: []Query{{Name: "intranet"}, {Name: "localhost", Type: "AAAA"}, {At: 100, Name: "printer"}, {At: 200, Name: "nas"},
			{At: 300, Name: "ghost"}, {At: 400, Name: "ghost.example.com."}},
	}
	out := run(t, sc)
	got := func(i int) string {
		r := out.Results[i]
		s := r.Outcome + "/" + r.Source + fmt.Sprintf("/%d", r.ElapsedMs)
		if len(r.Answers) > 0 {
			s += "/" + r.Answers[0].Data
		}
		return s
	}
	want := []string{
		"answer/hosts/0/10.9.9.9",
		"answer/hosts/0/::1",
		// DNS says NXDOMAIN after 20 ms, then LLMNR answers 7 ms later (MS-WPO 7.1.4 order)
		"answer/llmnr/27/192.168.1.50",
		// LLMNR gets nothing for 3 s (model), NetBIOS answers after 5 ms
		"answer/netbios/3025/192.168.1.60",
		// nothing answers: 20 ms DNS + 3000 ms LLMNR + 2250 ms NetBIOS
		"nxdomain/dns/5270",
		// a fully qualified name never falls back to LLMNR/NetBIOS
		"nxdomain/dns/20",
	}
	for i, w := range want {
		if g := got(i); g != w {
			t.Errorf("query %d (%s): %s, want %s", i, sc.Queries[i].Name, g, w)
		}
	}
	// fallback order: LLMNR before NetBIOS
	var kinds []string
	for _, s := range out.Results[4].Steps {
		if s.Kind == "llmnr-send" || s.Kind == "netbios-send" {
			kinds = append(kinds, s.Kind)
		}
	}
	if diff := cmp.Diff([]string{"llmnr-send", "llmnr-send", "llmnr-send", "netbios-send", "netbios-send", "netbios-send"}, kinds); diff != "" {
		t.Error(diff)
	}
}

// The wire messages must be real DNS: parse the hex independently and check IDs and flags.
func TestWireMessages(t *testing.T) {
	out := run(t, Scenario{Config: Config{Servers: servers("unreachable", "answer")},
		Zone:    []Record{{Name: "app.example.com", Type: "CNAME", TTL: 60, Data: "www.example.com"}, {Name: "www.example.com", Type: "A", TTL: 300, Data: "192.0.2.1"}},
		Queries: []Query{{Name: "app.example.com"}}})
	r := out.Results[0]
	if len(r.Messages) != 2 {
		t.Fatalf("%d messages, want query and response", len(r.Messages))
	}
	// both sends (to server 1 at 0 s and server 2 at 1 s) reference the same query bytes: the
	// KB 2834226 traces show one QueryId across retransmissions
	for _, s := range r.Steps {
		if s.Kind == "send" && (s.Message == nil || *s.Message != 0) {
			t.Errorf("send step %+v does not reference message 0", s)
		}
	}
	var p dnsmessage.Parser
	q, _ := hex.DecodeString(r.Messages[0].Hex)
	qh, err := p.Start(q)
	if err != nil || qh.Response || !qh.RecursionDesired {
		t.Fatalf("query header %+v, err %v", qh, err)
	}
	resp, _ := hex.DecodeString(r.Messages[1].Hex)
	var p2 dnsmessage.Parser
	rh, err := p2.Start(resp)
	if err != nil || !rh.Response || rh.ID != qh.ID || rh.RCode != dnsmessage.RCodeSuccess {
		t.Fatalf("response header %+v (query ID %d), err %v", rh, qh.ID, err)
	}
	_ = p2.SkipAllQuestions()
	ans, err := p2.AllAnswers()
	if err != nil || len(ans) != 2 || ans[0].Header.Type != dnsmessage.TypeCNAME || ans[1].Header.Type != dnsmessage.TypeA {
		t.Fatalf("answers %v, err %v", ans, err)
	}
	if d := r.Messages[1].Decoded; d.Answers[1].Data != "192.0.2.1" || d.Answers[0].Data != "www.example.com." {
		t.Errorf("decoded answers %+v", d.Answers)
	}
}

// RFC 1001 §14.1 encodes the name "FRED" (padded with spaces) as EGFCEFEECACACA…CA.
func TestNetBIOSEncoding(t *testing.T) {
	if got, want := netbiosEncode("fred"), "EGFCEFEECACACACACACACACACACACACA"; got != want {
		t.Errorf("netbiosEncode(fred) = %s, want %s", got, want)
	}
	raw, err := buildNetBIOS(7, false, "fred", "")
	if err != nil {
		t.Fatal(err)
	}
	// RFC 1002 broadcast NAME QUERY REQUEST: flags 0x0110 (RD and B), QDCOUNT 1, type NB 0x0020
	if hex.EncodeToString(raw[2:6]) != "01100001" || hex.EncodeToString(raw[len(raw)-4:]) != "00200001" {
		t.Errorf("header/trailer %x", raw)
	}
}

func TestDeterministic(t *testing.T) {
	ex := Exercises()
	for _, e := range ex {
		a, err := json.Marshal(run(t, e.Scenario))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(run(t, e.Scenario))
		if string(a) != string(b) {
			t.Errorf("%s: two runs differ", e.ID)
		}
	}
}

func TestValidation(t *testing.T) {
	cases := []struct {
		json  string
		field string
	}{
		{`{"config":{"servers":[{"addr":"nope"}]},"queries":[{"name":"a"}]}`, "config.servers[0].addr"},
		{`{"config":{"servers":[{"addr":"10.0.0.1","mode":"sleepy"}]},"queries":[{"name":"a"}]}`, "config.servers[0].mode"},
		{`{"config":{"servers":[]},"queries":[]}`, "queries"},
		{`{"config":{},"queries":[{"at":5,"name":"a"},{"at":1,"name":"b"}]}`, "queries[1].at"},
		{`{"config":{},"queries":[{"name":"a..b"}]}`, "queries[0].name"},
		{`{"config":{},"queries":[{"name":"a","type":"MX"}]}`, "queries[0].type"},
		{`{"config":{},"zone":[{"name":"a.b","type":"A","ttl":1,"data":"::1"}],"queries":[{"name":"a"}]}`, "zone[0]"},
		{`{"config":{"devolution":{"enabled":true,"level":1}},"queries":[{"name":"a"}]}`, "config.devolution.level"},
		{`{"config":{},"hosts":"10.0.0.1 ok\nbad-address host","queries":[{"name":"a"}]}`, "hosts line 2"},
		{`{"config":{},"link":[{"name":"a.b","addr":"10.0.0.1"}],"queries":[{"name":"a"}]}`, "link[0].name"},
		{`{"config":{},"cache":[{"name":"a","type":"A","ttl":5,"status":"Maybe"}],"queries":[{"name":"a"}]}`, "cache[0].status"},
		{`{"config":{},"queries":[{"name":"a"}],"extra":1}`, ""},
	}
	for _, c := range cases {
		_, err := Handle("resolve", []byte(c.json))
		var ie *labs.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: error %v is not an InputError", c.json, err)
			continue
		}
		if c.field != "" && ie.Field != c.field {
			t.Errorf("%s: field %q, want %q (%v)", c.json, ie.Field, c.field, ie)
		}
	}
	if _, err := Handle("nope", nil); !errors.As(err, new(*labs.ErrUnknownOp)) {
		t.Errorf("unknown op: %v", err)
	}
}

func TestExercisesCheck(t *testing.T) {
	want := map[string]any{
		"ask-twice": 0.0, "ask-twice-source": "cache", "ttl-expired": 35.0, "slow-server": 1500.0,
		"first-server-down": 1040.0, "fourth-server": 4020.0, "all-silent": 10000.0, "nxdomain-stops": 1.0,
		"devolution": "emailsrv7.contoso.com",
	}
	ex := Exercises()
	if len(ex) != len(want) {
		t.Fatalf("%d exercises, the test knows %d", len(ex), len(want))
	}
	for _, e := range ex {
		w, ok := want[e.ID]
		if !ok {
			t.Errorf("exercise %s has no expected answer here", e.ID)
			continue
		}
		right, _ := json.Marshal(w)
		res, err := Check(CheckRequest{Exercise: e.ID, Answer: right})
		if err != nil || !res.Correct {
			t.Errorf("%s: right answer %s judged %+v, err %v", e.ID, right, res, err)
			continue
		}
		var wrong []byte
		switch v := w.(type) {
		case float64:
			wrong, _ = json.Marshal(v + 3000)
		case string:
			for _, c := range e.Choices {
				if c != v {
					wrong, _ = json.Marshal(c)
					break
				}
			}
		}
		res, err = Check(CheckRequest{Exercise: e.ID, Answer: wrong})
		if err != nil || res.Correct {
			t.Errorf("%s: wrong answer %s judged correct (err %v)", e.ID, wrong, err)
		}
	}
	if _, err := Check(CheckRequest{Exercise: "devolution", Answer: []byte(`"emailsrv7.org"`)}); !strings.Contains(fmt.Sprint(err), "not one of") {
		t.Errorf("answer outside the choices: %v", err)
	}
	if _, err := Handle("check", []byte(`{"exercise":"nope","answer":1}`)); err == nil {
		t.Error("unknown exercise accepted")
	}
}

func FuzzResolveScenario(f *testing.F) {
	for _, e := range Exercises() {
		b, _ := json.Marshal(e.Scenario)
		f.Add(b)
	}
	f.Add([]byte(`{"config":{"servers":[{"addr":"10.0.0.1","mode":"servfail"},{"addr":"10.0.0.2"}],"primarySuffix":"a.b.c"},"hosts":"1.2.3.4 x","link":[{"name":"p","addr":"1.1.1.1","llmnr":true}],"queries":[{"name":"p"},{"at":9,"name":"x"}]}`))
	f.Add([]byte(`{"queries":[{"name":"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Handle("resolve", b)
		if err != nil {
			var ie *labs.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("non-input error: %v", err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseHosts(f *testing.F) {
	f.Add("127.0.0.1 localhost\n::1 localhost # v6\n")
	f.Add("10.0.0.1\n")
	f.Add("x y")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHosts(s)
		if err != nil {
			var ie *labs.InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.Field, "hosts line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, e := range h {
			if e.Name == "" || !e.Addr.IsValid() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

// Undocumented, so a model option: by default a timeout ends the DNS part of a short-name search.
func TestTimeoutEndsSuffixSearch(t *testing.T) {
	no := false
	cfg := Config{Servers: servers("unreachable"), PrimarySuffix: "central.contoso.com", LLMNR: &no, NetBIOS: &no}
	r := run(t, Scenario{Config: cfg, Queries: []Query{{Name: "emailsrv7"}}}).Results[0]
	if r.Outcome != "timeout" || r.DNSSends != 5 || r.ElapsedMs != 10000 {
		t.Errorf("default: %s, %d sends, %d ms; want timeout, 5, 10000", r.Outcome, r.DNSSends, r.ElapsedMs)
	}
	cfg.ContinueAfterTimeout = true
	r = run(t, Scenario{Config: cfg, Queries: []Query{{Name: "emailsrv7"}}}).Results[0]
	if r.Outcome != "timeout" || r.DNSSends != 10 || r.ElapsedMs != 20000 {
		t.Errorf("continueAfterTimeout: %s, %d sends, %d ms; want timeout, 10, 20000", r.Outcome, r.DNSSends, r.ElapsedMs)
	}
	last := r.Steps[len(r.Steps)-1]
	if last.Kind != "fail" || last.Evidence != Documented {
		t.Errorf("last step %+v", last)
	}
}

// A name the cache already knows not to exist is answered negatively from the cache: "Negative
// caching prevents the repeating of additional queries for names that do not exist"
// (http://technet.microsoft.com/en-us/library/cc779517(v=ws.10).aspx). The result must then name
// the negative cache as its source, not DNS, since no packet was sent (as a cached NoRecords does).
func TestNegativeCacheSource(t *testing.T) {
	sc := Scenario{Config: Config{Servers: servers("answer")},
		Queries: []Query{{At: 0, Name: "nosuch.example.com"}, {At: 1000, Name: "nosuch.example.com"}}}
	out := run(t, sc)
	cases := []struct {
		name    string
		query   int
		sends   int
		outcome string
		source  string
	}{
		// first ask: the server's NXDOMAIN ends the schedule (KB 2834226)
		{"server says NXDOMAIN", 0, 1, "nxdomain", "dns"},
		// second ask inside the negative TTL: answered from the cache (cc779517 above)
		{"negative cache entry", 1, 0, "nxdomain", "negative-cache"},
	}
	for _, c := range cases {
		r := out.Results[c.query]
		if r.DNSSends != c.sends || r.Outcome != c.outcome || r.Source != c.source {
			t.Errorf("%s: sends %d, outcome %s, source %s; want %d, %s, %s", c.name, r.DNSSends, r.Outcome, r.Source, c.sends, c.outcome, c.source)
		}
	}
}
