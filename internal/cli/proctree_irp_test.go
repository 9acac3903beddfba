package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ptRun(t *testing.T, fn func([]string, io.Reader, *bytes.Buffer, *bytes.Buffer) int, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := fn(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func ptProctreeCmd(args []string, in io.Reader, out, errb *bytes.Buffer) int {
	return LabProctree(args, in, out, errb)
}

func ptIRPCmd(args []string, in io.Reader, out, errb *bytes.Buffer) int {
	return LabIRP(args, in, out, errb)
}

func ptTempFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const ptCIMSample = `[
  {"ProcessId": 4, "ParentProcessId": 0, "Name": "System", "SessionId": 0, "CreationDate": "\/Date(1700000000000)\/", "ExecutablePath": null, "CommandLine": null},
  {"ProcessId": 700, "ParentProcessId": 4, "Name": "svchost.exe", "SessionId": 0, "CreationDate": "\/Date(1700000001000)\/", "ExecutablePath": "C:\\Windows\\System32\\svchost.exe", "CommandLine": "svchost.exe -k netsvcs"}
]`

func TestLabProctreeJSON(t *testing.T) {
	code, out, errs := ptRun(t, ptProctreeCmd, "", "--json", ptTempFile(t, "p.json", ptCIMSample))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Tree     []map[string]any `json:"tree"`
		Findings []struct {
			PID   uint32 `json:"pid"`
			Name  string `json:"name"`
			Rule  string `json:"rule"`
			Why   string `json:"why"`
			Topic string `json:"topic"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(v.Tree) != 1 || len(v.Findings) != 1 || v.Findings[0].PID != 700 || v.Findings[0].Rule != "unexpected-parent" || v.Findings[0].Topic != "services/svchost" || v.Findings[0].Why == "" {
		t.Errorf("unexpected output: %s", out)
	}
}

func TestLabProctreeTextAndStdin(t *testing.T) {
	code, out, _ := ptRun(t, ptProctreeCmd, ptCIMSample, "-")
	if code != 0 || !strings.Contains(out, "System (4)") || !strings.Contains(out, "  svchost.exe (700)") || !strings.Contains(out, "unexpected-parent") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestLabProctreeErrors(t *testing.T) {
	bad := ptTempFile(t, "bad.json", "[\n{\"ProcessId\": 4, \"Name\": \"System\"},\n{\"ProcessId\": \"four\", \"Name\": \"x\"}\n]")
	code, out, errs := ptRun(t, ptProctreeCmd, "", bad)
	if code != 2 || out != "" || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "ProcessId") {
		t.Errorf("exit %d stderr %q", code, errs)
	}
	code, out, _ = ptRun(t, ptProctreeCmd, "", "--json", bad)
	var v struct {
		Error struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if code != 2 || json.Unmarshal([]byte(out), &v) != nil || !strings.Contains(v.Error.Field, "ProcessId") {
		t.Errorf("exit %d json %q", code, out)
	}
	if code, _, _ := ptRun(t, ptProctreeCmd, "", filepath.Join(t.TempDir(), "missing.json")); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
	if code, _, errs := ptRun(t, ptProctreeCmd, ""); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("no argument: exit %d %q", code, errs)
	}
	if code, _, _ := ptRun(t, ptProctreeCmd, "x", "--format", "xml", "-"); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
}

func TestLabIRP(t *testing.T) {
	sc := ptTempFile(t, "s.json", `{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"event"},"predicted":["disk.sys","volmgr.sys","ntfs.sys","FileInfo","WdFilter"]}`)
	code, out, errs := ptRun(t, ptIRPCmd, "", sc)
	if code != 0 || !strings.Contains(out, "Prediction: correct.") || !strings.Contains(out, "DISPATCH_LEVEL") {
		t.Fatalf("exit %d %s\n%s", code, errs, out)
	}
	wrong := ptTempFile(t, "w.json", `{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"event"},"predicted":["WdFilter"]}`)
	if code, out, _ := ptRun(t, ptIRPCmd, "", wrong); code != 1 || !strings.Contains(out, "wrong from position 1") {
		t.Errorf("wrong prediction: exit %d\n%s", code, out)
	}
	code, out, _ = ptRun(t, ptIRPCmd, "", "--json", sc)
	var v struct {
		Transcript struct {
			Steps           []map[string]any `json:"steps"`
			CompletionOrder []string         `json:"completionOrder"`
		} `json:"transcript"`
		Check *struct {
			Correct bool `json:"correct"`
		} `json:"check"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Transcript.Steps) == 0 || v.Check == nil || !v.Check.Correct {
		t.Errorf("json: exit %d\n%s", code, out)
	}
	badSc := ptTempFile(t, "b.json", `{"stack":[{"name":"a","kind":"function","action":"forward","forward":"copy"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`)
	if code, _, errs := ptRun(t, ptIRPCmd, "", badSc); code != 2 || !strings.Contains(errs, "stack[0].action") {
		t.Errorf("invalid scenario: exit %d %q", code, errs)
	}
	if code, _, _ := ptRun(t, ptIRPCmd, ""); code != 2 {
		t.Errorf("no argument: exit %d", code)
	}
}
