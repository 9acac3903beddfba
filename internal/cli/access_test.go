package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type secAccessOut struct {
	Granted     bool   `json:"granted"`
	GrantedMask string `json:"grantedMask"`
	Steps       []struct {
		Rule string `json:"rule"`
		Doc  string `json:"doc"`
	} `json:"steps"`
}

func TestLabAccessPreset(t *testing.T) {
	var out, errb bytes.Buffer
	// A UAC-filtered administrator cannot use the deny-only Administrators group
	// (https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-attributes-in-an-access-token).
	code := LabAccess([]string{"--json", "--sd", "O:SYG:SYD:(A;;FA;;;BA)(A;;0x1200a9;;;BU)", "--preset", "uac-filtered-admin",
		"--desired", "0x40000000", "--type", "file"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r secAccessOut
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Granted || r.GrantedMask != "0x00000000" || len(r.Steps) == 0 {
		t.Errorf("result = %s", out.String())
	}
	out.Reset()
	code = LabAccess([]string{"--sd", "O:SYG:SYD:(A;;FA;;;BA)", "--preset", "elevated-admin", "--desired", "GENERIC_ALL", "--type", "file"},
		strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "GRANTED: desired 0x10000000, granted 0x001f01ff") {
		t.Errorf("text: exit %d %s", code, out.String())
	}
}

func TestLabAccessFiles(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token.json")
	os.WriteFile(tok, []byte(`{"user":"S-1-5-21-1-2-3-1001","groups":[{"sid":"S-1-5-32-545","attributes":["enabled"]}],
		"privileges":[{"name":"SeChangeNotifyPrivilege","enabled":true}],"integrity":"S-1-16-8192"}`), 0o600)
	var out, errb bytes.Buffer
	code := LabAccess([]string{"--json", "--sd", "O:BAG:SYD:(A;;0x1200a9;;;BU)", "--token", tok, "--desired", "FR", "--type", "file"},
		strings.NewReader(""), &out, &errb)
	var r secAccessOut
	json.Unmarshal(out.Bytes(), &r)
	if code != 0 || !r.Granted || r.GrantedMask != "0x00120089" {
		t.Errorf("token file: exit %d %s %s", code, out.String(), errb.String())
	}

	whoami, err := os.ReadFile("../labs/access/testdata/whoami-filtered-admin.txt")
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	code = LabAccess([]string{"--json", "--sd", "O:SYG:SYD:(A;;FA;;;BA)(A;;0x1200a9;;;BU)", "--whoami", "-", "--desired", "0x2", "--type", "file"},
		bytes.NewReader(whoami), &out, &errb)
	r = secAccessOut{}
	json.Unmarshal(out.Bytes(), &r)
	if code != 0 || r.Granted {
		t.Errorf("whoami stdin: exit %d %s %s", code, out.String(), errb.String())
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"user":"S-1-5-18","grups":[]}`), 0o600)
	out.Reset()
	code = LabAccess([]string{"--json", "--sd", "D:", "--token", bad, "--desired", "1"}, strings.NewReader(""), &out, &errb)
	if code != 2 || !strings.Contains(out.String(), `"error"`) || !strings.Contains(out.String(), "grups") {
		t.Errorf("bad token: exit %d %s", code, out.String())
	}
}

func TestLabAccessErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--json", "--sd", "D:(A;;FA", "--preset", "system", "--desired", "1"}, `"offset": 8`},
		{[]string{"--json", "--sd", "D:", "--preset", "nobody", "--desired", "1"}, `"field": "preset"`},
		{[]string{"--json", "--sd", "D:", "--preset", "system", "--token", "x.json", "--desired", "1"}, `"error"`},
		{[]string{"--json", "--sd", "D:", "--whoami", "/nonexistent/whoami.txt", "--desired", "1"}, `"field": "whoami"`},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := LabAccess(c.args, strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: exit %d, out %s", c.args, code, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := LabAccess([]string{"--sd", "D:"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("missing --desired: exit %d", code)
	}
	out.Reset()
	if code := LabAccess([]string{"--list-presets"}, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "appcontainer") {
		t.Errorf("list: exit %d %s", code, out.String())
	}
}
