package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLabSDDLJSON(t *testing.T) {
	var out, errb bytes.Buffer
	// The first example of "Security Descriptor String Format"
	// (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-string-format).
	code := LabSDDL([]string{"--json", "--type", "file", "O:AOG:DAD:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	var v struct {
		Owner struct{ SID string } `json:"owner"`
		DACL  struct {
			Present bool
			Null    bool
			Flags   []string
			ACEs    []struct {
				Type, Mask, SID string
				Flags           []string
			} `json:"aces"`
		} `json:"dacl"`
		SACL      struct{ Present bool } `json:"sacl"`
		Control   int                    `json:"control"`
		Canonical bool                   `json:"canonical"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Owner.SID != "S-1-5-32-548" || !v.DACL.Present || v.DACL.Null || len(v.DACL.ACEs) != 1 ||
		v.DACL.ACEs[0].Mask != "0x100e003f" || v.DACL.ACEs[0].Type != "A" || v.DACL.ACEs[0].SID != "S-1-0-0" ||
		v.SACL.Present || v.Control&0x4 == 0 || !v.Canonical {
		t.Errorf("JSON = %s", out.String())
	}
}

func TestLabSDDLText(t *testing.T) {
	var out, errb bytes.Buffer
	// Flags may follow the SDDL; stdin works too.
	code := LabSDDL([]string{"D:(A;;FA;;;BA)(D;;FA;;;BG)", "--type", "file"}, strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "NOT canonical") || !strings.Contains(out.String(), "BUILTIN\\Administrators") {
		t.Errorf("exit %d: %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	code = LabSDDL(nil, strings.NewReader("S:(ML;;NW;;;LW)\n"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "Canonical SDDL: S:(ML;;NW;;;LW)") {
		t.Errorf("stdin: exit %d: %s", code, out.String())
	}
}

func TestLabSDDLErrors(t *testing.T) {
	var out, errb bytes.Buffer
	code := LabSDDL([]string{"--json", "D:(A;;FA;;;ZZ)"}, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	var e struct {
		Error struct {
			Offset  int    `json:"offset"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Error.Offset != 11 || !strings.Contains(e.Error.Message, "SID") {
		t.Errorf("error JSON = %s (%v)", out.String(), err)
	}
	out.Reset()
	errb.Reset()
	if code := LabSDDL([]string{"D:(A;;FA;;;ZZ)"}, strings.NewReader(""), &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "offset 11") || !strings.Contains(errb.String(), "           ^") {
		t.Errorf("text error: exit %d %q", code, errb.String())
	}
	if code := LabSDDL([]string{"--type", "printer", "D:"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("bad type: exit %d", code)
	}
	if code := LabSDDL([]string{"a", "b"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("two args: exit %d", code)
	}
	if code := LabSDDL([]string{"--bogus"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
}
