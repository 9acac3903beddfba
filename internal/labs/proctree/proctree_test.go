package proctree

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ntatlas/internal/labs"
)

// find returns the node with the given PID anywhere in the tree.
func find(ns []*Node, pid uint32) *Node {
	for _, n := range ns {
		if n.PID == pid {
			return n
		}
		if f := find(n.Children, pid); f != nil {
			return f
		}
	}
	return nil
}

func countNodes(ns []*Node) int {
	c := 0
	for _, n := range ns {
		c += 1 + countNodes(n.Children)
	}
	return c
}

func TestSampleIsNormal(t *testing.T) {
	s := Sample()
	if len(s.Findings) != 0 {
		t.Fatalf("the teaching sample must look normal, got findings: %+v", s.Findings)
	}
	if got, want := countNodes(s.Tree), len(sampleProcesses()); got != want {
		t.Fatalf("tree holds %d nodes, want %d", got, want)
	}
	// Shape as Process Explorer shows it (SANS "Hunt Evil" poster, https://www.sans.org/posters/hunt-evil/).
	cases := []struct {
		pid        uint32
		parent     string
		parentName string
	}{
		{4, ParentAlive, "System Idle Process"},
		{388, ParentAlive, "System"},      // smss.exe is started by System
		{532, ParentExited, ""},           // csrss.exe: its smss.exe copy exited
		{604, ParentExited, ""},           // wininit.exe: likewise
		{700, ParentExited, ""},           // winlogon.exe: likewise
		{760, ParentAlive, "wininit.exe"}, // services.exe
		{780, ParentAlive, "wininit.exe"}, // lsass.exe
		{772, ParentAlive, "wininit.exe"}, // LsaIso.exe with Credential Guard
		{880, ParentAlive, "services.exe"},
		{1060, ParentAlive, "winlogon.exe"}, // dwm.exe
		{4512, ParentExited, ""},            // explorer.exe: userinit.exe exited
		{7896, ParentAlive, "cmd.exe"},      // conhost.exe under its console program
	}
	for _, c := range cases {
		n := find(s.Tree, c.pid)
		if n == nil {
			t.Fatalf("PID %d missing from the tree", c.pid)
		}
		if n.Parent != c.parent || n.ParentName != c.parentName {
			t.Errorf("PID %d (%s): parent %s/%q, want %s/%q", c.pid, n.Name, n.Parent, n.ParentName, c.parent, c.parentName)
		}
	}
	if len(s.Profiles) < 20 {
		t.Errorf("only %d profiles", len(s.Profiles))
	}
	for _, p := range s.Profiles {
		if p.Topic == "" || p.Path == "" || p.Account == "" || p.Integrity == "" || p.StartedBy == "" || p.Instances == "" || len(p.Sources) == 0 {
			t.Errorf("profile %s is missing an explanation field: %+v", p.Name, p)
		}
		if p.Basis != Documented && p.Basis != Observed {
			t.Errorf("profile %s basis %q", p.Name, p.Basis)
		}
	}
}

// withChange returns the sample with some rows replaced (same PID) or added.
func withChange(ps ...Process) []Process {
	base := sampleProcesses()
	for _, p := range ps {
		replaced := false
		for i := range base {
			if base[i].PID == p.PID {
				base[i] = p
				replaced = true
			}
		}
		if !replaced {
			base = append(base, p)
		}
	}
	return base
}

func TestRules(t *testing.T) {
	type want struct {
		PID  uint32
		Rule string
	}
	cases := []struct {
		name  string
		procs []Process
		want  []want
	}{
		// Services run in svchost.exe processes started by the Service Control Manager:
		// https://learn.microsoft.com/en-us/windows/application-management/svchost-service-refactoring
		{"svchost parent is explorer", withChange(row(9000, 4512, "svchost.exe", 1, 300000, sys32+"svchost.exe", "")),
			[]want{{9000, RuleUnexpectedParent}}},
		// LSASS lives in System32 and is started by wininit.exe (SANS Hunt Evil); LSA protection page:
		// https://learn.microsoft.com/en-us/windows-server/security/credentials-protection-and-management/configuring-additional-lsa-protection
		{"lsass outside System32", withChange(row(780, 604, "lsass.exe", 0, 2750, `C:\Windows\Temp\lsass.exe`, "")),
			[]want{{780, RuleUnexpectedPath}}},
		{"lsass parent not wininit", withChange(row(780, 760, "lsass.exe", 0, 2750, sys32+"lsass.exe", "")),
			[]want{{780, RuleUnexpectedParent}}},
		{"second lsass flags the fake one", withChange(row(9100, 4512, "lsass.exe", 0, 300000, `C:\Users\Public\lsass.exe`, "")),
			[]want{{9100, RuleTooMany}, {9100, RuleUnexpectedParent}, {9100, RuleUnexpectedPath}}},
		// csrss.exe's smss.exe parent exits once the session is up (SANS Hunt Evil).
		{"csrss with live smss parent", withChange(row(9200, 388, "csrss.exe", 2, 300000, sys32+"csrss.exe", "")),
			[]want{{9200, RuleParentAlive}}},
		{"services parent not wininit", withChange(row(760, 388, "services.exe", 0, 2700, sys32+"services.exe", "")),
			[]want{{760, RuleUnexpectedParent}}},
		// explorer.exe (PID 4512) started after services.exe, so it cannot be its parent: the
		// PID was reused and services.exe's real parent is gone.
		{"services parent PID reused by a younger process", withChange(row(760, 4512, "services.exe", 0, 2700, sys32+"services.exe", "")),
			[]want{{760, RuleParentMissing}}},
		// Services and system processes run in session 0, users in 1 and above:
		// https://learn.microsoft.com/en-us/windows/win32/services/interactive-services
		{"lsass in session 1", withChange(row(780, 604, "lsass.exe", 1, 2750, sys32+"lsass.exe", "")),
			[]want{{780, RuleSession}}},
		{"winlogon in session 0", withChange(row(700, 592, "winlogon.exe", 0, 2500, sys32+"winlogon.exe", "")),
			[]want{{700, RuleSession}}},
		{"System with another PID", withChange(row(8, 0, "System", 0, 10, "", "")),
			[]want{{8, RuleSystemPID}, {8, RuleTooMany}}},
		{"look-alike name", withChange(row(9300, 4512, "lsasss.exe", 1, 300000, `C:\Users\a\lsasss.exe`, "")),
			[]want{{9300, RuleLookalike}}},
		{"swapped letters", withChange(row(9301, 4512, "scvhost.exe", 1, 300000, `C:\Users\a\scvhost.exe`, "")),
			[]want{{9301, RuleLookalike}}},
		{"svchost whose parent exited", withChange(row(9400, 555, "svchost.exe", 0, 300000, sys32+"svchost.exe", "")),
			[]want{{9400, RuleParentMissing}}},
		// Win32_Process: ParentProcessId can refer to a process that reused the PID.
		// https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-process
		{"svchost whose parent PID was reused", withChange(row(9500, 7312, "svchost.exe", 0, 100000, sys32+"svchost.exe", "")),
			[]want{{9500, RuleParentMissing}}},
		{"two csrss in one session", withChange(row(9600, 592, "csrss.exe", 1, 300000, sys32+"csrss.exe", "")),
			[]want{{9600, RuleTooMany}}},
		// Normal variations that must stay quiet.
		{"another system drive and case", withChange(row(780, 604, "LSASS.EXE", 0, 2750, `D:\WINDOWS\system32\lsass.exe`, "")), nil},
		{"NT path prefix", withChange(row(780, 604, "lsass.exe", 0, 2750, `\\?\C:\Windows\System32\lsass.exe`, "")), nil},
		{"no path read (protected process, not elevated)", withChange(row(780, 604, "lsass.exe", 0, 2750, "", "")), nil},
		{"second session is normal", withChange(
			row(9700, 9690, "csrss.exe", 2, 300000, sys32+"csrss.exe", ""),
			row(9704, 9690, "winlogon.exe", 2, 300010, sys32+"winlogon.exe", ""),
			row(9708, 9704, "dwm.exe", 2, 300020, sys32+"dwm.exe", ""),
			row(9712, 9704, "fontdrvhost.exe", 2, 300030, sys32+"fontdrvhost.exe", "")), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Analyze(c.procs)
			var got []want
			for _, f := range r.Findings {
				got = append(got, want{f.PID, f.Rule})
				if f.Why == "" || f.Topic == "" || f.Basis == "" || f.Name == "" {
					t.Errorf("finding lacks explanation: %+v", f)
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %+v", diff, r.Findings)
			}
		})
	}
}

func TestFindingTopics(t *testing.T) {
	r := Analyze(withChange(
		row(9000, 4512, "svchost.exe", 1, 300000, sys32+"svchost.exe", ""),
		row(780, 760, "lsass.exe", 0, 2750, sys32+"lsass.exe", "")))
	topics := map[uint32]string{}
	for _, f := range r.Findings {
		topics[f.PID] = f.Topic
	}
	if topics[9000] != "services/svchost" || topics[780] != "auth/lsass-sam" {
		t.Errorf("topics = %v", topics)
	}
}

func TestTreeCyclesAndReuse(t *testing.T) {
	at := func(ms int64) time.Time { return sampleBoot.Add(time.Duration(ms) * time.Millisecond) }
	cases := []struct {
		name   string
		procs  []Process
		status map[uint32]string
		roots  []uint32
	}{
		{"two processes point at each other (no times)",
			[]Process{{PID: 10, PPID: 20, HasPPID: true, Name: "a.exe", Session: 1}, {PID: 20, PPID: 10, HasPPID: true, Name: "b.exe", Session: 1}},
			map[uint32]string{10: ParentCycle, 20: ParentAlive}, []uint32{10}},
		{"self parent",
			[]Process{{PID: 30, PPID: 30, HasPPID: true, Name: "a.exe", Session: 1}},
			map[uint32]string{30: ParentCycle}, []uint32{30}},
		{"three-cycle hanging off a chain",
			[]Process{
				{PID: 1, PPID: 3, HasPPID: true, Name: "x", Session: -1}, {PID: 2, PPID: 1, HasPPID: true, Name: "y", Session: -1},
				{PID: 3, PPID: 2, HasPPID: true, Name: "z", Session: -1}, {PID: 4, PPID: 3, HasPPID: true, Name: "w", Session: -1}},
			map[uint32]string{1: ParentCycle, 2: ParentAlive, 3: ParentAlive, 4: ParentAlive}, []uint32{1}},
		// Win32_Process documents PID reuse: a "parent" younger than the child is not the parent.
		{"parent younger than child",
			[]Process{{PID: 50, PPID: 60, HasPPID: true, Name: "child.exe", Session: 1, Created: at(1000), HasCreated: true},
				{PID: 60, PPID: 4, HasPPID: true, Name: "newer.exe", Session: 1, Created: at(5000), HasCreated: true}},
			map[uint32]string{50: ParentReused, 60: ParentExited}, []uint32{50, 60}},
		{"cycle broken by times",
			[]Process{{PID: 70, PPID: 80, HasPPID: true, Name: "a", Session: 1, Created: at(1), HasCreated: true},
				{PID: 80, PPID: 70, HasPPID: true, Name: "b", Session: 1, Created: at(2), HasCreated: true}},
			map[uint32]string{70: ParentReused, 80: ParentAlive}, []uint32{70}},
		{"ppid 0 without an idle row",
			[]Process{{PID: 4, PPID: 0, HasPPID: true, Name: "System", Session: 0}},
			map[uint32]string{4: ParentRoot}, []uint32{4}},
		{"tasklist rows have no parent",
			[]Process{{PID: 4, Name: "System", Session: 0}, {PID: 8, Name: "x", Session: 0}},
			map[uint32]string{4: ParentUnknown, 8: ParentUnknown}, []uint32{4, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := buildTree(c.procs)
			if got := countNodes(b.roots); got != len(c.procs) {
				t.Fatalf("tree has %d nodes, want %d", got, len(c.procs))
			}
			for pid, st := range c.status {
				if n := find(b.roots, pid); n == nil || n.Parent != st {
					t.Errorf("PID %d: %+v, want parent %s", pid, n, st)
				}
			}
			var roots []uint32
			for _, r := range b.roots {
				roots = append(roots, r.PID)
			}
			if diff := cmp.Diff(c.roots, roots); diff != "" {
				t.Errorf("roots (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLongChainDoesNotRecurseBadly(t *testing.T) {
	var ps []Process
	for i := uint32(1); i <= 5000; i++ {
		ps = append(ps, Process{PID: i * 4, PPID: (i - 1) * 4, HasPPID: true, Name: "chain.exe", Session: 1})
	}
	r := Analyze(ps)
	if countNodes(r.Tree) != len(ps) {
		t.Fatal("nodes lost in a long chain")
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Go's decoder refuses nesting beyond 10000 levels; the tree must stay readable.
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("tree JSON does not decode: %v", err)
	}
	if len(r.Tree) != 1+(len(ps)-1)/MaxDepth || !r.Tree[1].Detached {
		t.Errorf("%d roots; want the chain cut every %d levels", len(r.Tree), MaxDepth)
	}
}

const ps51 = `[
    {
        "ProcessId":  4,
        "ParentProcessId":  0,
        "Name":  "System",
        "SessionId":  0,
        "CreationDate":  "\/Date(1700000000000)\/",
        "ExecutablePath":  null,
        "CommandLine":  null
    },
    {
        "ProcessId":  388,
        "ParentProcessId":  4,
        "Name":  "smss.exe",
        "SessionId":  0,
        "CreationDate":  "\/Date(1700000000500)\/",
        "ExecutablePath":  "C:\\Windows\\System32\\smss.exe",
        "CommandLine":  "\\SystemRoot\\System32\\smss.exe"
    }
]`

const ps7 = `[
  {
    "ProcessId": 4,
    "ParentProcessId": 0,
    "Name": "System",
    "SessionId": 0,
    "CreationDate": "2023-11-14T23:13:20.0000000+01:00",
    "ExecutablePath": null,
    "CommandLine": null
  },
  {
    "ProcessId": 388,
    "ParentProcessId": 4,
    "Name": "smss.exe",
    "SessionId": 0,
    "CreationDate": "2023-11-14T23:13:20.5000000+01:00",
    "ExecutablePath": "C:\\Windows\\System32\\smss.exe",
    "CommandLine": "\\SystemRoot\\System32\\smss.exe"
  }
]`

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestImportCIMVariants(t *testing.T) {
	want := []time.Time{time.UnixMilli(1700000000000).UTC(), time.UnixMilli(1700000000500).UTC()}
	cases := []struct {
		name string
		in   []byte
		n    int
	}{
		{"Windows PowerShell 5.1 /Date()/", []byte(ps51), 2},
		{"PowerShell 7 ISO 8601 with offset", []byte(ps7), 2},
		{"PowerShell 5.1 redirected with > (UTF-16 LE, BOM)", utf16le(ps51), 2},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, ps7...), 2},
		{"single object, not an array", []byte(`{"ProcessId":4,"ParentProcessId":0,"Name":"System","SessionId":0,"CreationDate":"\/Date(1700000000000)\/"}`), 1},
		{"DateTime with extended properties", []byte(`{"ProcessId":4,"ParentProcessId":0,"Name":"System","SessionId":0,"CreationDate":{"value":"\/Date(1700000000000)\/","DisplayHint":2,"DateTime":"Tuesday, 14 November 2023 23:13:20"}}`), 1},
		{"Get-WmiObject DMTF date", []byte(`[{"ProcessId":4,"ParentProcessId":0,"Name":"System","SessionId":0,"CreationDate":"20231114231320.000000+060"}]`), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, f, err := Import(FormatAuto, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if f != FormatCIM || len(ps) != c.n {
				t.Fatalf("format %s, %d rows", f, len(ps))
			}
			for i, p := range ps {
				if !p.HasCreated || !p.Created.Equal(want[i]) {
					t.Errorf("row %d created %v, want %v", i, p.Created, want[i])
				}
			}
			if ps[0].PID != 4 || ps[0].Name != "System" || !ps[0].HasPPID || ps[0].Session != 0 || ps[0].Path != "" {
				t.Errorf("row 0 = %+v", ps[0])
			}
			if c.n == 2 && ps[1].Path != `C:\Windows\System32\smss.exe` {
				t.Errorf("path = %q", ps[1].Path)
			}
		})
	}
}

func TestImportErrorsNameTheLineOrField(t *testing.T) {
	cases := []struct {
		name, format, in, field string
	}{
		{"truncated JSON", FormatCIM, ps51[:200], fmt.Sprintf("line %d", strings.Count(ps51[:200], "\n")+1)},
		{"syntax error", FormatCIM, "[\n{\"ProcessId\": 4,,}\n]", "process[0] (line 2)"},
		{"ProcessId not a number", FormatCIM, "[\n{\"ProcessId\":4,\"Name\":\"a\"},\n{\"ProcessId\":\"x\",\"Name\":\"b\"}\n]", "process[1] (line 3).ProcessId"},
		{"missing Name", FormatCIM, `[{"ProcessId":4}]`, "process[0] (line 1).Name"},
		{"bad date", FormatCIM, `[{"ProcessId":4,"Name":"a","CreationDate":"yesterday"}]`, "process[0] (line 1).CreationDate"},
		{"duplicate PID", FormatCIM, "[{\"ProcessId\":4,\"Name\":\"a\"},\n{\"ProcessId\":4,\"Name\":\"b\"}]", "process[1] (line 2)"},
		{"text after the array", FormatCIM, "[{\"ProcessId\":4,\"Name\":\"a\"}]\nxyz", "line 2"},
		{"empty array", FormatCIM, "[]", "line 1"},
		{"tasklist bad PID", FormatTasklist, "\"Image Name\",\"PID\",\"Session Name\",\"Session#\",\"Mem Usage\"\n\"System\",\"4\",\"Services\",\"0\",\"1 K\"\n\"x.exe\",\"abc\",\"Console\",\"1\",\"1 K\"\n", "line 3, PID"},
		{"tasklist short line", FormatTasklist, "\"Image Name\",\"PID\",\"Session Name\",\"Session#\",\"Mem Usage\"\n\"System\",\"4\",\"Services\"\n", "line 2"},
		{"tasklist broken quote", FormatTasklist, "\"Image Name\",\"PID\",\"Session Name\",\"Session#\",\"Mem Usage\"\n\"Sys\"tem\",\"4\",\"Services\",\"0\",\"1 K\"\n", "line 2"},
		{"not tasklist at all", FormatTasklist, "a,b,c\n", "line 1"},
		{"invalid UTF-8", FormatCIM, "[{\"Name\":\"\xff\"}]", "line 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Import(c.format, []byte(c.in))
			var ie *labs.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *labs.InputError, got %v", err)
			}
			if ie.Field != c.field {
				t.Errorf("field %q, want %q (%v)", ie.Field, c.field, ie)
			}
		})
	}
}

const tasklistV = `"Image Name","PID","Session Name","Session#","Mem Usage","Status","User Name","CPU Time","Window Title"
"System Idle Process","0","Services","0","8 K","Unknown","NT AUTHORITY\SYSTEM","7:15:36","N/A"
"System","4","Services","0","580 K","Unknown","N/A","0:17:29","N/A"
"smss.exe","420","Services","0","436 K","Unknown","N/A","0:00:00","N/A"
"csrss.exe","676","Services","0","2,464 K","Unknown","N/A","0:00:01","N/A"
"lsass.exe","868","Services","0","11,544 K","Unknown","N/A","0:00:18","N/A"
"lsass.exe","5120","Console","1","9,000 K","Unknown","DESKTOP\alex","0:00:00","N/A"
"explorer.exe","4512","Console","1","90,000 K","Running","DESKTOP\alex","0:01:00","N/A"
`

func TestImportTasklist(t *testing.T) {
	// tasklist /v /fo csv columns: https://learn.microsoft.com/windows-server/administration/windows-commands/tasklist
	r, err := ImportAndAnalyze(FormatAuto, []byte(tasklistV))
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != FormatTasklist || r.Count != 7 || len(r.Tree) != 7 {
		t.Fatalf("format %s count %d roots %d", r.Format, r.Count, len(r.Tree))
	}
	got := map[string]bool{}
	for _, f := range r.Findings {
		got[fmt.Sprintf("%d/%s", f.PID, f.Rule)] = true
	}
	for _, w := range []string{"5120/" + RuleTooMany, "5120/" + RuleSession, "5120/" + RuleUser} {
		if !got[w] {
			t.Errorf("missing finding %s in %v", w, got)
		}
	}
	for k := range got {
		if strings.HasPrefix(k, "868/") {
			t.Errorf("the genuine lsass.exe was flagged: %s", k)
		}
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "parent") {
		t.Errorf("notes should explain the missing parent column: %v", r.Notes)
	}

	// Without headers (/nh), short form, and with German headers (read by position).
	variants := map[string]string{
		"no header":               "\"System\",\"4\",\"Services\",\"0\",\"580 K\"\n\"smss.exe\",\"420\",\"Services\",\"0\",\"436 K\"\n",
		"German headers":          "\"Abbildname\",\"PID\",\"Sitzungsname\",\"Sitz.-Nr.\",\"Speichernutzung\"\n\"System\",\"4\",\"Services\",\"0\",\"580 K\"\n\"smss.exe\",\"420\",\"Services\",\"0\",\"436 K\"\n",
		"OEM code page user name": "\"System\",\"4\",\"Services\",\"0\",\"580 K\",\"Unknown\",\"NT-AUTORIT\x8eT\\\\SYSTEM\",\"0:00:01\",\"N/A\"\n\"smss.exe\",\"420\",\"Services\",\"0\",\"436 K\",\"Unknown\",\"N/A\",\"0:00:00\",\"N/A\"\n",
		"CRLF":                    "\"Image Name\",\"PID\",\"Session Name\",\"Session#\",\"Mem Usage\"\r\n\"System\",\"4\",\"Services\",\"0\",\"580 K\"\r\n\"smss.exe\",\"420\",\"Services\",\"0\",\"436 K\"\r\n",
	}
	for name, in := range variants {
		ps, _, err := Import(FormatTasklist, []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ps) != 2 || ps[1].PID != 420 || ps[1].Name != "smss.exe" || ps[1].Session != 0 || ps[1].HasPPID {
			t.Errorf("%s: %+v", name, ps)
		}
	}
}

func TestHandle(t *testing.T) {
	if _, err := Handle("nope", nil); !errors.As(err, new(*labs.ErrUnknownOp)) {
		t.Errorf("unknown op: %v", err)
	}
	for _, op := range []string{"sample", "profiles", "exercises"} {
		if _, err := Handle(op, nil); err != nil {
			t.Errorf("%s with empty body: %v", op, err)
		}
		if _, err := Handle(op, []byte(`{"x":1}`)); err == nil {
			t.Errorf("%s accepted an unknown field", op)
		}
	}
	req, _ := json.Marshal(ImportRequest{Format: FormatCIM, Text: ps7})
	a, err := Handle("import", req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Handle("import", req)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) || !strings.Contains(string(ja), `"tree"`) || !strings.Contains(string(ja), `"findings":[]`) {
		t.Errorf("import output not deterministic or malformed: %s", ja)
	}
	_, err = Handle("import", []byte(`{"format":"cim-json","text":"[{\"ProcessId\":1}]"}`))
	var ie *labs.InputError
	if !errors.As(err, &ie) || !strings.HasPrefix(ie.Field, "text: process[0]") {
		t.Errorf("import error should point into text: %v", err)
	}
	if _, err := Handle("import", []byte(`{"format":"xml","text":"a"}`)); !errors.As(err, &ie) || ie.Field != "format" {
		t.Errorf("bad format: %v", err)
	}
	if _, err := Handle("check", []byte(`{"exercise":"nope","pids":[1]}`)); !errors.As(err, &ie) || ie.Field != "exercise" {
		t.Errorf("unknown exercise: %v", err)
	}
}

func TestExercises(t *testing.T) {
	ex := Exercises()
	if len(ex) != 1+len(oddTrees) {
		t.Fatalf("%d exercises", len(ex))
	}
	js, _ := json.Marshal(ex[0])
	if strings.Contains(string(js), "session") && strings.Contains(string(js), `"session":`) {
		t.Errorf("the session-0 question leaks the answer: %s", js)
	}
	// Session 0 holds services and their starters; users get session 1+.
	// https://learn.microsoft.com/en-us/windows/win32/services/interactive-services
	res, err := Check("session-0", []uint32{532, 604, 760, 780, 880, 896, 2412})
	if err != nil || !res.Correct {
		t.Fatalf("right answer rejected: %+v %v", res, err)
	}
	res, _ = Check("session-0", []uint32{532, 616, 604})
	if res.Correct || !cmp.Equal(res.Unexpected, []uint32{616}) || len(res.Missing) != 5 {
		t.Errorf("wrong answer verdict: %+v", res)
	}
	planted := map[string]uint32{}
	for _, o := range oddTrees {
		planted[o.id] = o.add[0].PID
	}
	for _, e := range ex[1:] {
		res, err := Check(e.ID, []uint32{planted[e.ID]})
		if err != nil || !res.Correct || len(res.Expected) != 1 {
			t.Errorf("%s: planted PID %d: %+v %v", e.ID, planted[e.ID], res, err)
		}
		if res, _ := Check(e.ID, []uint32{4}); res.Correct {
			t.Errorf("%s: System accepted as the odd one", e.ID)
		}
		if countNodes(e.Tree) != len(sampleProcesses())+1 {
			t.Errorf("%s: tree size", e.ID)
		}
	}
}

// Fuzz targets: bad input never panics or hangs, and a list that loads always yields a tree
// holding every process exactly once.

func FuzzImportCIM(f *testing.F) {
	for _, s := range []string{ps51, ps7, ps51[:120], `{"ProcessId":4,"Name":"x"}`, `[{"ProcessId":4,"ParentProcessId":4,"Name":"x"}]`,
		`[{"ProcessId":1,"ParentProcessId":2,"Name":"a"},{"ProcessId":2,"ParentProcessId":1,"Name":"b"}]`,
		`[{"ProcessId":"7","Name":"a","CreationDate":{"value":"\/Date(-5+0100)\/"}}]`, string(utf16le(ps7))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, _, err := Import(FormatCIM, b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if r := Analyze(ps); countNodes(r.Tree) != len(ps) {
			t.Fatalf("tree lost processes")
		}
	})
}

func FuzzImportTasklist(f *testing.F) {
	for _, s := range []string{tasklistV, tasklistV[:150], "\"a\",\"1\",\"b\",\"0\",\"1 K\"\n", "\"x\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, _, err := Import(FormatTasklist, b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if r := Analyze(ps); countNodes(r.Tree) != len(ps) {
			t.Fatalf("tree lost processes")
		}
	})
}

// FuzzParentLinks builds arbitrary parent graphs (cycles, self links, reuse) from bytes.
func FuzzParentLinks(f *testing.F) {
	f.Add([]byte{1, 2, 2, 1, 3, 3})
	f.Add([]byte{0, 0, 4, 0, 8, 4, 12, 8, 4, 12})
	f.Fuzz(func(t *testing.T, b []byte) {
		var ps []Process
		seen := map[uint32]bool{}
		for i := 0; i+1 < len(b) && len(ps) < 200; i += 2 {
			pid := uint32(b[i])
			if seen[pid] {
				continue
			}
			seen[pid] = true
			p := Process{PID: pid, PPID: uint32(b[i+1]), HasPPID: true, Name: "p.exe", Session: int(b[i+1] % 3)}
			if b[i]%3 == 0 {
				p.Created, p.HasCreated = sampleBoot.Add(time.Duration(b[i+1])*time.Second), true
			}
			ps = append(ps, p)
		}
		r := Analyze(ps)
		if countNodes(r.Tree) != len(ps) {
			t.Fatalf("tree holds %d nodes for %d processes", countNodes(r.Tree), len(ps))
		}
	})
}

func TestProfileSources(t *testing.T) {
	for _, p := range Profiles() {
		for _, s := range p.Sources {
			if s.Basis == Documented && !strings.HasPrefix(s.URL, "https://learn.microsoft.com/") {
				t.Errorf("%s: documented source %q is not a Learn page", p.Name, s.URL)
			}
			if s.URL == "" || s.Title == "" {
				t.Errorf("%s: incomplete source %+v", p.Name, s)
			}
		}
	}
}
