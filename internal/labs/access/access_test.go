package access

import (
	"embed"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

//go:embed testdata/*.txt
var testdata embed.FS

func readTestdata(t testing.TB, name string) string {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func preset(t *testing.T, name string) Token {
	t.Helper()
	tok, ok := PresetByName(name)
	if !ok {
		t.Fatalf("no preset %s", name)
	}
	return tok
}

func run(t *testing.T, sdText string, tok Token, desired uint32, typ sddl.ObjectType) Result {
	t.Helper()
	sd, err := sddl.Parse(sdText)
	if err != nil {
		t.Fatalf("parse %q: %v", sdText, err)
	}
	r, err := Check(sd, &tok, desired, Options{Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hasRule(r Result, rule string) bool {
	for _, s := range r.Steps {
		if s.Rule == rule {
			return true
		}
	}
	return false
}

const (
	andrew = "S-1-5-21-1-2-3-1104"
	jane   = "S-1-5-21-1-2-3-1105"
	groupA = "S-1-5-21-1-2-3-1200"
)

// The rules of the access check, each case from the Microsoft Learn page in its comment.
func TestAccessRules(t *testing.T) {
	user := Token{User: jane, Groups: []Group{{SID: groupA, Attributes: []string{"enabled"}}, {SID: "S-1-1-0", Attributes: []string{"enabled"}}}, Integrity: "ME"}
	userAndrew := Token{User: andrew, Groups: []Group{{SID: groupA, Attributes: []string{"enabled"}}, {SID: "S-1-1-0", Attributes: []string{"enabled"}}}, Integrity: "ME"}
	illustration := "O:BAG:BAD:(D;;FA;;;" + andrew + ")(A;;FW;;;" + groupA + ")(A;;0x1200a9;;;WD)"
	cases := []struct {
		name    string
		sd      string
		tok     Token
		desired uint32
		typ     sddl.ObjectType
		granted bool
		mask    string
		rule    string
	}{
		// How DACLs Control Access to an Object: Thread A is denied by ACE 1 at once.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/how-dacls-control-access-to-an-object
		{"thread A denied by first ACE", illustration, userAndrew, 0x120089 | 0x2, sddl.TypeFile, false, "0x00000000", "deny-ace"},
		// ...Thread B gets write from ACE 2 and read/execute from ACE 3.
		{"thread B allowed by ACE 2 and 3", illustration, user, 0x120089 | 0x2, sddl.TypeFile, true, "0x0012008b", "allow-ace"},
		// "...there is still at least one requested access right that has not been explicitly allowed ... implicitly denied."
		{"implicit deny", "O:BAG:BAD:(A;;FR;;;WD)", user, 0x2, sddl.TypeFile, false, "0x00000000", "implicit-deny"},
		// Null DACLs and Empty DACLs: a NULL DACL grants full access, an empty one grants none.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/null-dacls-and-empty-dacls
		{"null DACL", "O:BAG:BAD:NO_ACCESS_CONTROL", user, 0x1F01FF, sddl.TypeFile, true, "0x001f01ff", "null-dacl"},
		{"no DACL at all", "O:BAG:BA", user, 0x1F01FF, sddl.TypeFile, true, "0x001f01ff", "null-dacl"},
		{"empty DACL", "O:BAG:BAD:", user, 0x1, sddl.TypeFile, false, "0x00000000", "implicit-deny"},
		// SeAccessCheck: "If the caller specifies MAXIMUM_ALLOWED, and the DACL in SecurityDescriptor is
		// NULL, then the routine returns GENERIC_ALL", mapped for a key to KEY_ALL_ACCESS (0xF003F,
		// without SYNCHRONIZE; https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-key-security-and-access-rights).
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-seaccesscheck
		{"null DACL maximum allowed on a key", "O:BAG:BAD:NO_ACCESS_CONTROL", preset(t, "elevated-admin"), sddl.MaximumAllowed, sddl.TypeKey, true, "0x000f003f", "null-dacl"},
		// ACE inheritance: inherit-only ACEs do not control access to the object itself.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-inheritance
		{"inherit-only skipped", "O:BAG:BAD:(A;OICIIO;FA;;;WD)", user, 0x1, sddl.TypeFile, false, "0x00000000", "inherit-only"},
		// SID Attributes in an Access Token: deny-only SIDs match deny ACEs only.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-attributes-in-an-access-token
		{"deny-only ignores allow", "O:SYG:SYD:(A;;FA;;;BA)", preset(t, "uac-filtered-admin"), 0x2, sddl.TypeFile, false, "0x00000000", "sid-no-match"},
		{"deny-only matches deny", "O:SYG:SYD:(D;;FW;;;BA)(A;;FA;;;WD)", preset(t, "uac-filtered-admin"), 0x2, sddl.TypeFile, false, "0x00000000", "deny-ace"},
		{"disabled group ignored", "O:SYG:SYD:(D;;FA;;;" + groupA + ")(A;;FA;;;WD)",
			Token{User: jane, Groups: []Group{{SID: groupA, Attributes: []string{}}, {SID: "S-1-1-0", Attributes: []string{"enabled"}}}}, 0x1, sddl.TypeFile, true, "0x00000001", "allow-ace"},
		// Order matters: a deny after the allow that already granted the right changes nothing.
		{"deny too late", "O:SYG:SYD:(A;;FA;;;WD)(D;;FA;;;" + groupA + ")", user, 0x1, sddl.TypeFile, true, "0x00000001", "all-granted"},
		// Owner implicit READ_CONTROL|WRITE_DAC ([MS-ADTS] 6.1.3.4) unless an OWNER RIGHTS ACE exists
		// (https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/understand-security-identifiers).
		{"owner implicit", "O:" + jane + "G:SYD:(A;;FA;;;SY)", user, sddl.WriteDAC | sddl.ReadControl, sddl.TypeFile, true, "0x00060000", "owner-implicit"},
		{"owner rights ACE removes implicit", "O:" + jane + "G:SYD:(A;;FR;;;OW)", user, sddl.WriteDAC, sddl.TypeFile, false, "0x00000000", "owner-rights-ace"},
		{"owner rights ACE grants", "O:" + jane + "G:SYD:(A;;FR;;;OW)", user, 0x120089, sddl.TypeFile, true, "0x00120089", "allow-ace"},
		{"group owner counts", "O:BAG:SYD:", preset(t, "system"), sddl.ReadControl, sddl.TypeFile, true, "0x00020000", "owner-implicit"},
		// Generic Access Rights: the request is mapped with the object's generic mapping.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/generic-access-rights
		{"generic read on a file", "O:BAG:BAD:(A;;FR;;;WD)", user, sddl.GenericRead, sddl.TypeFile, true, "0x00120089", "generic-mapping"},
		{"generic write on a key", "O:BAG:BAD:(A;;KR;;;WD)", user, sddl.GenericWrite, sddl.TypeKey, false, "0x00000000", "generic-mapping"},
		{"GA in the ACE is mapped", "O:BAG:BAD:(A;;GA;;;WD)", user, 0x1F01FF, sddl.TypeFile, true, "0x001f01ff", "ace-generic-mapping"},
		// Requesting Access Rights to an Object: MAXIMUM_ALLOWED.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/requesting-access-rights-to-an-object
		{"maximum allowed", "O:BAG:BAD:(D;;FW;;;" + groupA + ")(A;;FA;;;WD)", user, sddl.MaximumAllowed, sddl.TypeFile, true, "0x000d00e9", "end-of-dacl"},
		{"maximum allowed nothing", "O:BAG:BAD:", user, sddl.MaximumAllowed, sddl.TypeFile, false, "0x00000000", "maximum-allowed-result"},
		// MAXIMUM_ALLOWED never includes ACCESS_SYSTEM_SECURITY, which must be requested by name
		// (https://learn.microsoft.com/en-us/windows/win32/secauthz/sacl-access-right).
		{"maximum allowed without the SACL right", "O:BAG:BAD:(A;;FA;;;WD)", withPriv(preset(t, "elevated-admin"), "SeSecurityPrivilege"), sddl.MaximumAllowed, sddl.TypeFile, true, "0x001f01ff", "end-of-dacl"},
		// "The ACCESS_SYSTEM_SECURITY access right is not valid in a DACL because DACLs do not control
		// access to a SACL": an allow ACE carrying the bit adds nothing to MAXIMUM_ALLOWED.
		{"ACCESS_SYSTEM_SECURITY in an allow ACE is ignored", "O:BAG:BAD:(A;;0x011f01ff;;;WD)", user, sddl.MaximumAllowed, sddl.TypeFile, true, "0x001f01ff", "ace-invalid-bits"},
		// SACL Access Right: ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege, enabled.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/sacl-access-right
		{"SACL without privilege", "O:BAG:BAD:(A;;FA;;;WD)", preset(t, "elevated-admin"), sddl.AccessSystemSecurity, sddl.TypeFile, false, "0x00000000", "security-privilege-missing"},
		{"SACL with privilege", "O:BAG:BAD:", withPriv(preset(t, "elevated-admin"), "SeSecurityPrivilege"), sddl.AccessSystemSecurity, sddl.TypeFile, true, "0x01000000", "security-privilege"},
		// Privilege Constants: SeTakeOwnershipPrivilege grants WRITE_OWNER whatever the DACL.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/privilege-constants
		{"take ownership", "O:SYG:SYD:", withPriv(preset(t, "elevated-admin"), "SeTakeOwnershipPrivilege"), sddl.WriteOwner, sddl.TypeFile, true, "0x00080000", "take-ownership"},
		{"take ownership disabled", "O:SYG:SYD:", preset(t, "elevated-admin"), sddl.WriteOwner, sddl.TypeFile, false, "0x00000000", "implicit-deny"},
		// SeAccessCheck: "SeAccessCheck does not do any privilege checks unless the caller specifically
		// requests them by setting the ACCESS_SYSTEM_SECURITY or WRITE_OWNER bits": MAXIMUM_ALLOWED alone
		// does not add WRITE_OWNER from SeTakeOwnershipPrivilege, MAXIMUM_ALLOWED|WRITE_OWNER does.
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-seaccesscheck
		{"maximum allowed does not use take ownership", "O:SYG:SYD:(A;;FR;;;WD)", withPriv(preset(t, "elevated-admin"), "SeTakeOwnershipPrivilege"), sddl.MaximumAllowed, sddl.TypeFile, true, "0x00120089", "end-of-dacl"},
		{"maximum allowed with WRITE_OWNER uses take ownership", "O:SYG:SYD:(A;;FR;;;WD)", withPriv(preset(t, "elevated-admin"), "SeTakeOwnershipPrivilege"), sddl.MaximumAllowed | sddl.WriteOwner, sddl.TypeFile, true, "0x001a0089", "take-ownership"},
		// Mandatory Integrity Control: unlabelled objects are medium with no-write-up.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/mandatory-integrity-control
		{"low cannot write medium", "O:BAG:BAD:(A;;FA;;;WD)", lowToken(user), 0x2, sddl.TypeFile, false, "0x00000000", "integrity-denied"},
		{"low can read medium", "O:BAG:BAD:(A;;FA;;;WD)", lowToken(user), 0x120089, sddl.TypeFile, true, "0x00120089", "unlabelled-medium"},
		{"no-read-up label", "O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NWNR;;;HI)", user, 0x1, sddl.TypeFile, false, "0x00000000", "integrity-denied"},
		{"low label lets low write", "O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;LW)", lowToken(user), 0x2, sddl.TypeFile, true, "0x00000002", "integrity-dominates"},
		{"high token over medium", "O:BAG:BAD:(A;;FA;;;WD)", preset(t, "elevated-admin"), 0x2, sddl.TypeFile, true, "0x00000002", "integrity-dominates"},
		// Restricted Tokens: both passes must grant.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/restricted-tokens
		{"restricted pass denies", "O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;RC)", restricted(user, "RC"), 0x120089 | 0x2, sddl.TypeFile, false, "0x00000000", "implicit-deny"},
		{"restricted pass grants", "O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;RC)", restricted(user, "RC"), 0x120089, sddl.TypeFile, true, "0x00120089", "restricted-pass"},
		// AppContainer isolation: the package or a capability must also be granted.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/appcontainer-isolation
		{"appcontainer without AC ACE", "O:BAG:BAD:(A;;FA;;;WD)", preset(t, "appcontainer"), 0x120089, sddl.TypeFile, false, "0x00000000", "appcontainer-pass"},
		{"appcontainer with AC ACE", "O:BAG:BAD:(A;;FA;;;WD)(A;;0x1200a9;;;AC)", preset(t, "appcontainer"), 0x120089, sddl.TypeFile, true, "0x00120089", "appcontainer-pass"},
		{"appcontainer capability", "O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;S-1-15-3-1)", preset(t, "appcontainer"), 0x120089, sddl.TypeFile, true, "0x00120089", "allow-ace"},
		// Conditional ACEs: allow applies only when TRUE; deny applies when TRUE or UNKNOWN.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-definition-language-for-conditional-aces-
		{"conditional allow true", "O:BAG:BAD:(XA;;FR;;;WD;(Member_of {SID(" + groupA + ")}))", user, 0x120089, sddl.TypeFile, true, "0x00120089", "condition-applies"},
		{"conditional allow unknown", "O:BAG:BAD:(XA;;FR;;;WD;(@User.Title == \"PM\"))", user, 0x120089, sddl.TypeFile, false, "0x00000000", "condition-false"},
		{"conditional deny unknown", "O:BAG:BAD:(XD;;FR;;;WD;(@User.Title == \"PM\"))(A;;FA;;;WD)", user, 0x120089, sddl.TypeFile, false, "0x00000000", "deny-ace"},
		// The page's first example, with the claims in the token.
		{"user claims true", `O:BAG:BAD:(XA; ;FX;;;S-1-1-0; (@User.Title=="PM" && (@User.Division=="Finance" || @User.Division ==" Sales")))`,
			claims(user, map[string][]any{"Title": {"PM"}, "division": {"finance"}}), 0x1200a0, sddl.TypeFile, true, "0x001200a0", "condition-applies"},
		{"user claims false", `O:BAG:BAD:(XA; ;FX;;;S-1-1-0; (@User.Title=="PM" && (@User.Division=="Finance" || @User.Division ==" Sales")))`,
			claims(user, map[string][]any{"Title": {"PM"}, "Division": {"Sales"}}), 0x1200a0, sddl.TypeFile, false, "0x00000000", "condition-false"},
		{"device groups", "O:BAG:BAD:(XA;;FR;;;WD;(Device_Member_of {SID(S-1-5-21-1-2-3-515)}))",
			devices(user, "S-1-5-21-1-2-3-515"), 0x120089, sddl.TypeFile, true, "0x00120089", "condition-applies"},
		{"device groups unknown", "O:BAG:BAD:(XA;;FR;;;WD;(Device_Member_of {SID(S-1-5-21-1-2-3-515)}))",
			user, 0x120089, sddl.TypeFile, false, "0x00000000", "condition-false"},
		{"resource attribute", "O:BAG:BAD:(XA;;FR;;;WD;(@Resource.Secrecy < 4))S:(RA;;;;;WD;(\"Secrecy\",TU,0,3))", user, 0x120089, sddl.TypeFile, true, "0x00120089", "condition-applies"},
		// Object-specific ACEs with an object type apply to properties, not to the object.
		// https://learn.microsoft.com/en-us/windows/win32/secauthz/object-specific-aces
		{"object ACE skipped", "O:BAG:BAD:(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;WD)", user, 0x100, sddl.TypeGeneric, false, "0x00000000", "object-ace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.sd, c.tok, c.desired, c.typ)
			if r.Granted != c.granted || r.GrantedMask != c.mask || !hasRule(r, c.rule) {
				b, _ := json.MarshalIndent(r.Steps, "", " ")
				t.Errorf("granted=%v mask=%s rule %s present=%v; want %v %s\n%s", r.Granted, r.GrantedMask, c.rule, hasRule(r, c.rule), c.granted, c.mask, b)
			}
			for _, s := range r.Steps {
				if !strings.HasPrefix(s.Doc, "https://learn.microsoft.com/") || s.Message == "" {
					t.Errorf("step without a documented rule or message: %+v", s)
				}
			}
		})
	}
}

func withPriv(t Token, name string) Token {
	var ps []Privilege
	for _, p := range t.Privileges {
		if p.Name == name {
			p.Enabled = true
		}
		ps = append(ps, p)
	}
	t.Privileges = ps
	return t
}

func claims(t Token, c map[string][]any) Token { t.UserClaims = c; return t }

func devices(t Token, sids ...string) Token { t.DeviceGroups = sids; return t }

func lowToken(t Token) Token { t.Integrity = "LW"; return t }

func restricted(t Token, sids ...string) Token { t.RestrictedSids = sids; return t }

func TestBackupIntent(t *testing.T) {
	sd, _ := sddl.Parse("O:SYG:SYD:(A;;FA;;;SY)")
	tok := withPriv(preset(t, "elevated-admin"), "SeBackupPrivilege")
	r, err := Check(sd, &tok, 0x120089, Options{Type: sddl.TypeFile, BackupIntent: true})
	if err != nil || !r.Granted || !hasRule(r, "backup-restore") {
		t.Errorf("backup intent: %+v %v", r, err)
	}
	r, _ = Check(sd, &tok, 0x120089, Options{Type: sddl.TypeFile})
	if r.Granted {
		t.Error("SeBackupPrivilege granted read without backup intent")
	}
	r, _ = Check(sd, &tok, 0x2, Options{Type: sddl.TypeFile, BackupIntent: true})
	if r.Granted {
		t.Error("SeBackupPrivilege granted write")
	}
	// Privilege Constants, SE_BACKUP_NAME: the privilege grants ACCESS_SYSTEM_SECURITY itself, so a
	// backup-intent open needs no SeSecurityPrivilege to read the SACL
	// (https://learn.microsoft.com/en-us/windows/win32/secauthz/privilege-constants).
	r, _ = Check(sd, &tok, sddl.AccessSystemSecurity|0x120089, Options{Type: sddl.TypeFile, BackupIntent: true})
	if !r.Granted || r.GrantedMask != "0x01120089" || hasRule(r, "security-privilege-missing") {
		t.Errorf("SeBackupPrivilege did not grant ACCESS_SYSTEM_SECURITY with backup intent: %+v", r)
	}
	r, _ = Check(sd, &tok, sddl.AccessSystemSecurity|0x120089, Options{Type: sddl.TypeFile})
	if r.Granted || !hasRule(r, "security-privilege-missing") {
		t.Errorf("ACCESS_SYSTEM_SECURITY granted without backup intent or SeSecurityPrivilege: %+v", r)
	}
}

func TestTokenValidation(t *testing.T) {
	cases := []struct {
		tok   Token
		field string
	}{
		{Token{}, "token.user"},
		{Token{User: "S-1-5-x"}, "token.user"},
		{Token{User: jane, Groups: []Group{{SID: "BU", Attributes: []string{"on"}}}}, "token.groups[0].attributes"},
		{Token{User: jane, Groups: []Group{{SID: "BU", Attributes: []string{"enabled", "deny-only"}}}}, "token.groups[0].attributes"},
		{Token{User: jane, Privileges: []Privilege{{Name: "Backup"}}}, "token.privileges[0].name"},
		{Token{User: jane, Integrity: "BA"}, "token.integrity"},
		{Token{User: jane, Capabilities: []string{"S-1-15-3-1"}}, "token.capabilities"},
		{Token{User: jane, AppContainer: "S-1-5-18"}, "token.appContainer"},
		{Token{User: jane, UserClaims: map[string][]any{"Title": {1.5}}}, "token.userClaims.Title[0]"},
		{Token{User: jane, DeviceClaims: map[string][]any{"x": {map[string]any{}}}}, "token.deviceClaims.x[0]"},
		{Token{User: jane, DeviceGroups: []string{"S-1-5-"}}, "token.deviceGroups[0]"},
	}
	sd, _ := sddl.Parse("D:")
	for _, c := range cases {
		_, err := Check(sd, &c.tok, 1, Options{})
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%+v: err = %v, want field %s", c.tok, err, c.field)
		}
	}
}

func TestHandleCheck(t *testing.T) {
	out, err := Handle("check", []byte(`{"sd":"O:BAG:SYD:(A;;FA;;;BA)(A;;0x1200a9;;;BU)","preset":"standard-user","desired":"0x00000002","type":"file"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"granted":false,"grantedMask":"0x00000000"`) || !strings.Contains(string(b), `"steps":[`) {
		t.Errorf("check JSON = %s", b)
	}
	tok, _ := json.Marshal(preset(t, "elevated-admin"))
	out, err = Handle("check", []byte(`{"sd":"O:BAG:SYD:(A;;FA;;;BA)","token":`+string(tok)+`,"desired":"GENERIC_ALL","type":"file"}`))
	if err != nil || !out.(Result).Granted || out.(Result).GrantedMask != "0x001f01ff" {
		t.Errorf("token check = %+v %v", out, err)
	}
	out, err = Handle("check", []byte(`{"sd":"D:(XA;;FR;;;WD;(@User.clearance >= 3 && @Device.managed))","type":"file","desired":"FR",
		"token":{"user":"S-1-5-21-1-2-3-1001","groups":[{"sid":"WD","attributes":["enabled"]}],"userClaims":{"Clearance":[3]},"deviceClaims":{"managed":[true]}}}`))
	if err != nil || !out.(Result).Granted {
		t.Errorf("claims from JSON: %+v %v", out, err)
	}
	bad := []struct{ req, field string }{
		{`{"sd":"D:(","preset":"system","desired":"1"}`, "sd"},
		{`{"sd":"D:","desired":"1"}`, "token"},
		{`{"sd":"D:","preset":"root","desired":"1"}`, "preset"},
		{`{"sd":"D:","preset":"system","desired":"READ_EVERYTHING"}`, "desired"},
		{`{"sd":"D:","preset":"system","desired":"1","type":"printer"}`, "type"},
		{`{"sd":"D:","whoami":"hello","desired":"1"}`, "whoami line 1"},
	}
	for _, c := range bad {
		_, err := Handle("check", []byte(c.req))
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%s: err = %v, want field %q", c.req, err, c.field)
		}
	}
	if _, err := Handle("frobnicate", nil); err == nil {
		t.Error("unknown op accepted")
	}
	ps, _ := Handle("presets", nil)
	if n := len(ps.([]Preset)); n != 7 {
		t.Errorf("%d presets", n)
	}
}

func TestParseDesired(t *testing.T) {
	cases := map[string]uint32{
		"0x02000000":              sddl.MaximumAllowed,
		"33554432":                sddl.MaximumAllowed,
		"FR":                      0x120089,
		"GRGW":                    sddl.GenericRead | sddl.GenericWrite,
		"READ_CONTROL|WRITE_DAC":  0x60000,
		"file_generic_read | 0x2": 0x12008b,
	}
	for in, want := range cases {
		if got, err := ParseDesired(in); err != nil || got != want {
			t.Errorf("ParseDesired(%q) = %#x, %v; want %#x", in, got, err, want)
		}
	}
}

// whoami /all output (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/whoami).
func TestImportWhoami(t *testing.T) {
	res, err := ImportWhoami(readTestdata(t, "whoami-filtered-admin.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tok := res.Token
	if tok.User != "S-1-5-21-1004336348-1177238915-682003330-1000" || tok.UserName != `desktop\admin` || tok.Integrity != "S-1-16-8192" {
		t.Errorf("user/integrity = %q %q %q", tok.User, tok.UserName, tok.Integrity)
	}
	if len(tok.Groups) != 11 {
		t.Errorf("%d groups", len(tok.Groups))
	}
	var ba *Group
	for i := range tok.Groups {
		if tok.Groups[i].SID == "S-1-5-32-544" {
			ba = &tok.Groups[i]
		}
	}
	if ba == nil || strings.Join(ba.Attributes, ",") != "deny-only" || ba.Name != `BUILTIN\Administrators` {
		t.Errorf("BA = %+v", ba)
	}
	if tok.Groups[0].SID != "S-1-1-0" || tok.Groups[0].Attributes[0] != "enabled" {
		t.Errorf("Everyone = %+v", tok.Groups[0])
	}
	if len(tok.Privileges) != 5 || tok.Privileges[1] != (Privilege{"SeChangeNotifyPrivilege", true}) || tok.Privileges[0].Enabled {
		t.Errorf("privileges = %+v", tok.Privileges)
	}
	// The imported filtered admin cannot use BA to write.
	r := run(t, "O:SYG:SYD:(A;;FA;;;BA)(A;;0x1200a9;;;BU)", tok, 0x2, sddl.TypeFile)
	if r.Granted {
		t.Error("filtered admin granted write through a deny-only group")
	}

	res, err = ImportWhoami(strings.ReplaceAll(readTestdata(t, "whoami-elevated.txt"), "\n", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.Integrity != "S-1-16-12288" || len(res.Token.Privileges) != 8 {
		t.Errorf("elevated = %+v", res.Token)
	}
	r = run(t, "O:SYG:SYD:(A;;FA;;;BA)", res.Token, 0x1F01FF, sddl.TypeFile)
	if !r.Granted {
		t.Error("elevated admin denied")
	}
}

func TestImportWhoamiErrors(t *testing.T) {
	good := readTestdata(t, "whoami-filtered-admin.txt")
	cases := []struct {
		text  string
		field string
		msg   string
	}{
		{"", "line 1", "USER INFORMATION"},
		{"Benutzerinformationen\n", "line 1", "USER INFORMATION"},
		{strings.Replace(good, "S-1-5-32-545", "S-1-5-x", 1), "line 18", "malformed SID"},
		{strings.Replace(good, "SeTimeZonePrivilege           Change the time zone                 Disabled", "SeTimeZonePrivilege           Change the time zone                 Maybe", 1), "line 38", "Enabled or Disabled"},
		{strings.Replace(good, "============= ==============================================", "", 1), "line 6", "'='"},
		{strings.Replace(good, "S-1-1-0     ", "nobody      ", 1), "line 15", "expected a SID"},
	}
	for _, c := range cases {
		_, err := ImportWhoami(c.text)
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != c.field || !strings.Contains(ie.Message, c.msg) {
			t.Errorf("err = %v, want %s containing %q", err, c.field, c.msg)
		}
	}
}

func FuzzWhoami(f *testing.F) {
	f.Add(readTestdata(f, "whoami-filtered-admin.txt"))
	f.Add(readTestdata(f, "whoami-elevated.txt"))
	f.Add("USER INFORMATION\n----\n\nUser Name SID\n== ==\nx S-1-5-18\n")
	f.Add("GROUP INFORMATION\n\nA B C D\n= = = =\n")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ImportWhoami(s)
		if err != nil {
			var ie *labs.InputError
			if !errors.As(err, &ie) || ie.Field == "" {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if _, err := resolve(&res.Token); err != nil {
			t.Fatalf("imported token does not validate: %v", err)
		}
	})
}

func TestExercises(t *testing.T) {
	for _, ex := range Exercises() {
		if ex.Kind != "predict" {
			continue
		}
		// Both predictions are checked: exactly one passes.
		g, err1 := CheckExercise(ExerciseAnswer{ID: ex.ID, Prediction: "granted"})
		d, err2 := CheckExercise(ExerciseAnswer{ID: ex.ID, Prediction: "denied"})
		if err1 != nil || err2 != nil || g.Pass == d.Pass || g.Explanation == "" {
			t.Errorf("%s: %v %v %v %v", ex.ID, g.Pass, d.Pass, err1, err2)
		}
	}
	want := map[string]string{"deny-write-blocks-read": "denied", "uac-deny-only": "denied", "owner-write-dac": "granted",
		"low-integrity-write": "denied", "empty-dacl": "granted"}
	for id, p := range want {
		r, _ := CheckExercise(ExerciseAnswer{ID: id, Prediction: p})
		if !r.Pass {
			t.Errorf("%s: %s should be right: %s", id, p, r.Explanation)
		}
	}

	answers := []struct {
		sddl string
		pass bool
	}{
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)", true},
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)", true},
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;BU)", false},             // unchanged
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FW;;;BU)", false},             // write, not read
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(D;;FW;;;BU)", false},             // deny FW blocks READ_CONTROL too
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FR;;;BA)(A;;FR;;;BU)", false},             // two ACEs changed
		{"O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)(D;;FW;;;BU)", false}, // ACE added
	}
	for _, a := range answers {
		r, err := CheckExercise(ExerciseAnswer{ID: "users-read-not-write", SDDL: a.sddl})
		if err != nil || r.Pass != a.pass {
			t.Errorf("%s: pass=%v, want %v (%s) %v", a.sddl, r.Pass, a.pass, r.Explanation, err)
		}
	}
	_, err := CheckExercise(ExerciseAnswer{ID: "users-read-not-write", SDDL: "O:BAG:SYD:PAI(A;;FA;"})
	var ie *labs.InputError
	if !errors.As(err, &ie) || ie.Field != "sddl" || ie.Offset != 20 {
		t.Errorf("malformed answer: %v", err)
	}
}

func TestCustomPrediction(t *testing.T) {
	out, err := Handle("exercise", []byte(`{"id":"custom","prediction":"denied","check":{"sd":"O:BAG:SYD:(A;;FA;;;BA)","preset":"uac-filtered-admin","desired":"FW","type":"file"}}`))
	if err != nil || !out.(ExerciseResult).Pass {
		t.Errorf("custom prediction = %+v %v", out, err)
	}
	_, err = Handle("exercise", []byte(`{"id":"custom","prediction":"denied","check":{"sd":"O:BAG:SYD:(A;;FA;;;BA","preset":"system","desired":"FW"}}`))
	var ie *labs.InputError
	if !errors.As(err, &ie) || ie.Field != "check.sd" || ie.Offset != 21 {
		t.Errorf("bad custom check: %v", err)
	}
	if _, err := Handle("exercise", []byte(`{"id":"custom","prediction":"maybe","check":{"sd":"D:","preset":"system","desired":"1"}}`)); err == nil {
		t.Error("bad prediction accepted")
	}
}
