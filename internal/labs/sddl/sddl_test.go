package sddl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ntatlas/internal/labs"
)

func mustParse(t *testing.T, s string) *SecurityDescriptor {
	t.Helper()
	sd, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return sd
}

// The two examples of "Security Descriptor String Format"
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-string-format).
func TestStringFormatExamples(t *testing.T) {
	sd := mustParse(t, "O:AOG:DAD:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)")
	if got := sd.Owner.String(); got != "S-1-5-32-548" {
		t.Errorf("owner = %s, want S-1-5-32-548", got)
	}
	// The page resolves DA under its example domain; we resolve under the placeholder domain.
	if got := sd.Group.String(); got != PlaceholderDomain+"-512" {
		t.Errorf("group = %s", got)
	}
	// The page prints Control 0x0004 and also says the converter always sets SE_SELF_RELATIVE.
	if got := sd.Control(); got&^SESelfRelative != SEDaclPresent || got&SESelfRelative == 0 {
		t.Errorf("control = %#04x", got)
	}
	if n := len(sd.DACL.ACEs); n != 1 || sd.DACL.ACEs[0].Mask != 0x100e003f || sd.DACL.ACEs[0].SID.String() != "S-1-0-0" {
		t.Errorf("dacl = %+v", sd.DACL.ACEs)
	}
	if sd.SACL != nil {
		t.Error("SACL should be absent")
	}

	s2 := "O:DAG:DAD:(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)\n(A;;RPWPCCDCLCRCWOWDSDSW;;;DA)\n" +
		"(OA;;CCDC;bf967aba-0de6-11d0-a285-00aa003049e2;;AO)\n(OA;;CCDC;bf967a9c-0de6-11d0-a285-00aa003049e2;;AO)\n" +
		"(OA;;CCDC;6da8a4ff-0e52-11d0-a286-00aa003049e2;;AO)\n(OA;;CCDC;bf967aa8-0de6-11d0-a285-00aa003049e2;;PO)\n" +
		"(A;;RPLCRC;;;AU)S:(AU;SAFA;WDWOSDWPCCDCSW;;;WD)"
	sd = mustParse(t, s2)
	if got := sd.Control() &^ SESelfRelative; got != 0x0014 {
		t.Errorf("control = %#04x, want 0x0014", got)
	}
	wantMasks := []uint32{0x000f003f, 0x000f003f, 3, 3, 3, 3, 0x00020014}
	wantTypes := []string{"A", "A", "OA", "OA", "OA", "OA", "A"}
	for i, a := range sd.DACL.ACEs {
		if a.Mask != wantMasks[i] || a.Type != wantTypes[i] {
			t.Errorf("ace %d = %s %#x, want %s %#x", i, a.Type, a.Mask, wantTypes[i], wantMasks[i])
		}
	}
	if got := sd.DACL.ACEs[2].ObjectType; got != "bf967aba-0de6-11d0-a285-00aa003049e2" {
		t.Errorf("object type = %q", got)
	}
	if got := sd.DACL.ACEs[5].SID.String(); got != "S-1-5-32-550" {
		t.Errorf("PO = %s", got)
	}
	au := sd.SACL.ACEs[0]
	if au.Type != "AU" || au.Flags != 0xc0 || au.Mask != 0x000d002b || au.SID.String() != "S-1-1-0" {
		t.Errorf("sacl ace = %+v", au)
	}
}

// Examples of "ACE Strings" (https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-strings).
func TestACEStringsExamples(t *testing.T) {
	sd := mustParse(t, "D:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-1-0)")
	if a := sd.DACL.ACEs[0]; a.Mask != 0x100e003f || a.Flags != 0 || a.TypeValue() != 0 {
		t.Errorf("ace = %+v", a)
	}
	sd = mustParse(t, `S:(RA;CI;;;;S-1-1-0; ("Project",TS,0,"Windows","SQL"))(RA;CI;;;;S-1-1-0; ("Secrecy",TU,0,3))`)
	p := sd.SACL.ACEs[0]
	if p.TypeValue() != 0x12 || p.Flags != 0x2 || p.Mask != 0 || p.Attribute.Name != "Project" || p.Attribute.Type != "TS" {
		t.Fatalf("RA = %+v %+v", p, p.Attribute)
	}
	if got := []string{p.Attribute.Values[0].String, p.Attribute.Values[1].String}; !cmp.Equal(got, []string{"Windows", "SQL"}) {
		t.Errorf("values = %v", got)
	}
	if v := sd.SACL.ACEs[1].Attribute.Values[0]; v.Type != "uint" || v.Uint != 3 {
		t.Errorf("Secrecy = %+v", v)
	}
	if got := sd.String(); got != `S:(RA;CI;;;;WD;("Project",TS,0x0,"Windows","SQL"))(RA;CI;;;;WD;("Secrecy",TU,0x0,3))` {
		t.Errorf("canonical = %s", got)
	}
	// "If ace_type is ACCESS_ALLOWED_OBJECT_ACE_TYPE and neither object_guid nor
	// inherit_object_guid has a GUID specified, then ... converts ace_type to ACCESS_ALLOWED_ACE_TYPE."
	sd = mustParse(t, "D:(OA;;CC;;;BA)")
	if sd.DACL.ACEs[0].Type != "A" || len(sd.Warnings) != 1 {
		t.Errorf("OA without GUIDs = %s, warnings %v", sd.DACL.ACEs[0].Type, sd.Warnings)
	}
}

// "Appendix A: SDDL for Mandatory Labels"
// (https://learn.microsoft.com/en-us/previous-versions/dotnet/articles/bb625958(v=msdn.10)).
func TestMandatoryLabel(t *testing.T) {
	sd := mustParse(t, "S:(ML;;NW;;;LW)")
	a := sd.SACL.ACEs[0]
	if a.TypeValue() != 0x11 || a.Mask != NoWriteUp || a.SID.String() != "S-1-16-4096" {
		t.Errorf("ML = %+v", a)
	}
	if got := sd.String(); got != "S:(ML;;NW;;;LW)" {
		t.Errorf("canonical = %s", got)
	}
	if got := mustParse(t, "S:(ML;;NWNRNX;;;HI)").String(); got != "S:(ML;;NWNRNX;;;HI)" {
		t.Errorf("canonical = %s", got)
	}
}

// Examples of "Security Descriptor Definition Language for Conditional ACEs"
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-definition-language-for-conditional-aces-).
func TestConditionalExamples(t *testing.T) {
	cases := []struct{ in, want string }{
		{`D:(XA; ;FX;;;S-1-1-0; (@User.Title=="PM" && (@User.Division=="Finance" || @User.Division ==" Sales")))`,
			`D:(XA;;FX;;;WD;((@User.Title == "PM") && ((@User.Division == "Finance") || (@User.Division == " Sales"))))`},
		{`D:(XA; ;FX;;;S-1-1-0; (@User.Project Any_of @Resource.Project))`,
			`D:(XA;;FX;;;WD;(@User.Project Any_of @Resource.Project))`},
		// The page's third example uses the placeholder Smartcard_SID; with a real SID it parses.
		{`D:(XA; ;FR;;;S-1-1-0; (Member_of {SID(S-1-5-65-1), SID(BO)} && @Device.Bitlocker))`,
			`D:(XA;;FR;;;WD;((Member_of {SID(S-1-5-65-1), SID(BO)}) && @Device.Bitlocker))`},
		// "#" means "0" in octet strings: #1#2#3## is #01020300.
		{`D:AI(XA;OICI;FA;;;WD;(OctetStringType==#1#2#3##))`, `D:AI(XA;OICI;FA;;;WD;(OctetStringType == #01020300))`},
		// Precedence: ! binds looser than ==, && tighter than ||.
		{`D:(XD;;FA;;;WD;(!@User.a==1 || @User.b==0x10 && Exists @Resource.c))`,
			`D:(XD;;FA;;;WD;((!(@User.a == 1)) || ((@User.b == 0x10) && (Exists @Resource.c))))`},
	}
	for _, c := range cases {
		sd := mustParse(t, c.in)
		if got := sd.String(); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	_, err := Parse(`D:(XA; ;FR;;;S-1-1-0; (Member_of {SID(Smartcard_SID), SID(BO)}))`)
	off, msg, ok := ErrorOffset(err)
	if !ok || off != strings.Index(`D:(XA; ;FR;;;S-1-1-0; (Member_of {SID(Smartcard_SID), SID(BO)}))`, "Smartcard") ||
		!strings.Contains(msg, "SID") {
		t.Errorf("placeholder SID error = %v", err)
	}
	n := mustParse(t, cases[0].in).DACL.ACEs[0].Condition
	if n.Kind != "logical" || n.Op != "&&" || n.Args[0].Kind != "compare" || n.Args[0].Args[0].Attr != "@User.Title" ||
		n.Args[0].Args[1].Value.String != "PM" {
		t.Errorf("AST = %+v", n)
	}
}

// Every alias of "SID Strings" (https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-strings)
// with the well-known SID of "Well-known SIDs"
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/well-known-sids) and sddl.h.
func TestSIDAliases(t *testing.T) {
	want := map[string]string{
		"AA": "S-1-5-32-579", "AC": "S-1-15-2-1", "AN": "S-1-5-7", "AO": "S-1-5-32-548", "AS": "S-1-18-1",
		"AU": "S-1-5-11", "BA": "S-1-5-32-544", "BG": "S-1-5-32-546", "BO": "S-1-5-32-551", "BU": "S-1-5-32-545",
		"CD": "S-1-5-32-574", "CG": "S-1-3-1", "CO": "S-1-3-0", "CY": "S-1-5-32-569", "ED": "S-1-5-9",
		"ER": "S-1-5-32-573", "ES": "S-1-5-32-576", "HA": "S-1-5-32-578", "HI": "S-1-16-12288", "HO": "S-1-5-32-584",
		"IS": "S-1-5-32-568", "IU": "S-1-5-4", "LS": "S-1-5-19", "LU": "S-1-5-32-559", "LW": "S-1-16-4096",
		"ME": "S-1-16-8192", "MP": "S-1-16-8448", "MS": "S-1-5-32-577", "MU": "S-1-5-32-558", "NO": "S-1-5-32-556",
		"NS": "S-1-5-20", "NU": "S-1-5-2", "OW": "S-1-3-4", "PO": "S-1-5-32-550", "PS": "S-1-5-10",
		"PU": "S-1-5-32-547", "RA": "S-1-5-32-575", "RC": "S-1-5-12", "RD": "S-1-5-32-555", "RE": "S-1-5-32-552",
		"RM": "S-1-5-32-580", "RU": "S-1-5-32-554", "SH": "S-1-5-32-585", "SI": "S-1-16-16384", "SO": "S-1-5-32-549",
		"SS": "S-1-18-2", "SU": "S-1-5-6", "SY": "S-1-5-18", "UD": "S-1-5-84-0-0-0-0-0", "WD": "S-1-1-0",
		"WR": "S-1-5-33",
		// Domain-relative (RIDs from "Well-known SIDs"), under the placeholder domain.
		"DA": PlaceholderDomain + "-512", "DU": PlaceholderDomain + "-513", "DG": PlaceholderDomain + "-514",
		"DC": PlaceholderDomain + "-515", "DD": PlaceholderDomain + "-516", "CA": PlaceholderDomain + "-517",
		"SA": PlaceholderDomain + "-518", "EA": PlaceholderDomain + "-519", "PA": PlaceholderDomain + "-520",
		"CN": PlaceholderDomain + "-522", "AP": PlaceholderDomain + "-525", "KA": PlaceholderDomain + "-526",
		"EK": PlaceholderDomain + "-527", "RO": PlaceholderDomain + "-498", "RS": PlaceholderDomain + "-553",
		"LA": PlaceholderDomain + "-500", "LG": PlaceholderDomain + "-501",
	}
	codes := AliasCodes()
	if len(codes) != len(want) {
		t.Errorf("%d aliases in the table, %d expected", len(codes), len(want))
	}
	for _, code := range codes {
		sd := mustParse(t, "O:"+code+"D:(A;;FA;;;"+code+")")
		if got := sd.Owner.String(); got != want[code] {
			t.Errorf("%s = %s, want %s", code, got, want[code])
		}
		// Printing picks the alias back.
		if got := sd.String(); got != "O:"+code+"D:(A;;FA;;;"+code+")" {
			t.Errorf("round trip of %s = %s", code, got)
		}
		if NameOf(*sd.Owner) == "" {
			t.Errorf("%s has no name", code)
		}
	}
	// A literal SID that has an alias prints as the alias.
	if got := mustParse(t, "O:S-1-5-32-544").String(); got != "O:BA" {
		t.Errorf("literal BA = %s", got)
	}
}

// "D:NO_ACCESS_CONTROL" is a NULL DACL, "D:" an empty one
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/null-dacls-and-empty-dacls).
func TestNullVersusEmpty(t *testing.T) {
	v, err := ParseView("D:NO_ACCESS_CONTROL", "")
	if err != nil || !v.DACL.Present || !v.DACL.Null || len(v.DACL.ACEs) != 0 {
		t.Errorf("null: %+v %v", v.DACL, err)
	}
	v, err = ParseView("D:", "")
	if err != nil || !v.DACL.Present || v.DACL.Null || v.DACL.ACEs == nil {
		t.Errorf("empty: %+v %v", v.DACL, err)
	}
	b, _ := json.Marshal(v)
	if !strings.Contains(string(b), `"dacl":{"present":true,"null":false,"flags":[],"aces":[]}`) {
		t.Errorf("JSON = %s", b)
	}
	if _, err := Parse("D:NO_ACCESS_CONTROL(A;;FA;;;WD)"); err == nil {
		t.Error("ACEs after NO_ACCESS_CONTROL accepted")
	}
}

func TestFormatRights(t *testing.T) {
	cases := []struct {
		mask  uint32
		label bool
		want  string
	}{
		{0x1F01FF, false, "FA"}, // FILE_ALL_ACCESS, "ACE Strings"
		{0x120089, false, "FR"},
		{0xF003F, false, "KA"},
		{0x20019, false, "KR"}, // KEY_READ == KEY_EXECUTE
		{0x1200a9, false, "0x1200a9"},
		{0x1301bf, false, "0x1301bf"},
		{GenericRead | GenericExecute, false, "GXGR"},
		{0xF01FF, false, "CCDCLCSWRPWPDTLOCRSDRCWDWO"},
		{0x100e003f, false, "CCDCLCSWRPWPRCWDWOGA"},
		{NoWriteUp, true, "NW"},
		{0, false, ""},
	}
	for _, c := range cases {
		if got := FormatRights(c.mask, c.label); got != c.want {
			t.Errorf("FormatRights(%#x) = %q, want %q", c.mask, got, c.want)
		}
	}
	for _, in := range []string{"0x1200A9", "1179817"} {
		if m, _, err := parseRights(in); err != nil || m != 0x1200a9 {
			t.Errorf("parseRights(%q) = %#x, %v", in, m, err)
		}
	}
}

// Rights decoded per object type, from each type's access rights page.
func TestRightNames(t *testing.T) {
	cases := []struct {
		mask uint32
		typ  ObjectType
		want []string
	}{
		// https://learn.microsoft.com/en-us/windows/win32/fileio/file-access-rights-constants
		{0x120089, TypeFile, []string{"FILE_READ_DATA", "FILE_READ_EA", "FILE_READ_ATTRIBUTES", "READ_CONTROL", "SYNCHRONIZE"}},
		{0x41, TypeDirectory, []string{"FILE_LIST_DIRECTORY", "FILE_DELETE_CHILD"}},
		// https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-key-security-and-access-rights
		{0x20019, TypeKey, []string{"KEY_QUERY_VALUE", "KEY_ENUMERATE_SUB_KEYS", "KEY_NOTIFY", "READ_CONTROL"}},
		// https://learn.microsoft.com/en-us/windows/win32/services/service-security-and-access-rights
		{0x30, TypeService, []string{"SERVICE_START", "SERVICE_STOP"}},
		// https://learn.microsoft.com/en-us/windows/win32/procthread/process-security-and-access-rights
		{0x1010, TypeProcess, []string{"PROCESS_VM_READ", "PROCESS_QUERY_LIMITED_INFORMATION"}},
		{GenericAll | AccessSystemSecurity, TypeGeneric, []string{"ACCESS_SYSTEM_SECURITY", "GENERIC_ALL"}},
	}
	for _, c := range cases {
		if got := RightNames(c.mask, c.typ, false); !cmp.Equal(got, c.want) {
			t.Errorf("RightNames(%#x, %s) = %v, want %v", c.mask, c.typ, got, c.want)
		}
	}
	// Generic mappings: https://learn.microsoft.com/en-us/windows/win32/fileio/file-security-and-access-rights
	if got := Mapping(TypeFile).Map(GenericRead); got != 0x120089 {
		t.Errorf("file GR = %#x", got)
	}
	if got := Mapping(TypeService).Map(GenericExecute); got != 0x20170 {
		t.Errorf("service GX = %#x", got)
	}
}

// "Order of ACEs in a DACL" (https://learn.microsoft.com/en-us/windows/win32/secauthz/order-of-aces-in-a-dacl).
func TestCanonicalOrder(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"D:(D;;FA;;;BG)(A;;FA;;;BA)(A;ID;FR;;;BU)", true},
		{"D:(A;;FA;;;BA)(D;;FA;;;BG)", false},    // explicit deny after explicit allow
		{"D:(A;ID;FR;;;BU)(A;;FA;;;BA)", false},  // explicit after inherited
		{"D:(A;ID;FR;;;BU)(D;ID;FW;;;BU)", true}, // inherited order is the inheritance order
		{"D:(A;;FA;;;BA)(XD;;FA;;;WD;(Exists a))", false},
	}
	for _, c := range cases {
		v, err := ParseView(c.in, "file")
		if err != nil {
			t.Fatal(err)
		}
		if v.Canonical != c.want || (len(v.OrderProblems) == 0) != c.want {
			t.Errorf("%s: canonical = %v (%v), want %v", c.in, v.Canonical, v.OrderProblems, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "empty"},
		{"X:BA", 0, "expected O:, G:, D: or S:"},
		{"O:ZZ", 2, "expected a SID string"},
		{"O:S-1-5-", 8, "sub-authority"},
		{"O:BAO:SY", 4, "once"},
		{"D:(Q;;FA;;;BA)", 3, "ACE type"},
		{"D:(A;XX;FA;;;BA)", 5, "unknown ACE flag"},
		{"D:(A;;FAQQ;;;BA)", 8, "unknown rights string"},
		{"D:(A;;0xZZ;;;BA)", 8, "hexadecimal"},
		{"D:(A;;FA;;;)", 11, "trustee SID"},
		{"D:(A;;FA;;;BA", 13, "close the ACE"},
		{"D:(A;;FA;x;;BA)", 9, "only object ACE types"},
		{"D:(OA;;CC;not-a-guid;;BA)", 10, "GUID"},
		{"D:(A;;FA;;;BA;(x))", 13, "expected ')'"},
		{"D:(XA;;FA;;;BA;(@User.x ==))", 26, "expected a value"},
		{"D:(XA;;FA;;;BA;(@Bogus.x == 1))", 16, "prefix"},
		{"D:(XA;;FA;;;BA;(a == \"open))", 21, "unterminated"},
		{"D:(XA;;FA;;;BA;((a == 1))", 25, "expected ')'"},
		{"S:(RA;;;;;WD;(\"x\",TQ,0))", 18, "attribute type"},
		{"S:(RA;;;;;WD;(\"x\",TI,0,abc))", 23, "signed"},
		{"D:(A;;FA;;;S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)", 52, "at most 15"},
		{"D:(A;;FA;;;S-1-5-18x)", 19, "end of the SID"},
		{"D:(A;;FA;;;QQ)", 11, "unknown SID string"},
		{"D:(A;;0x100000000;;;BA)", 6, "32 bits"},
	}
	for _, c := range cases {
		_, err := ParseView(c.in, "")
		var ie *labs.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%q: err = %v, want InputError", c.in, err)
			continue
		}
		if ie.Offset != c.offset || !strings.Contains(ie.Message, c.msg) {
			t.Errorf("%q: got offset %d %q, want offset %d containing %q", c.in, ie.Offset, ie.Message, c.offset, c.msg)
		}
	}
}

func TestSamplesRoundTrip(t *testing.T) {
	for _, s := range Samples() {
		v, err := ParseView(s.SDDL, s.Type)
		if err != nil {
			t.Errorf("%s: %v", s.ID, err)
			continue
		}
		checkRoundTrip(t, s.SDDL)
		if s.ID == "windows" && (v.DACL.ACEs[2].Mask != "0x001301bf" || v.DACL.ACEs[2].RightsSummary != "Modify") {
			t.Errorf("windows ACE 2 = %+v", v.DACL.ACEs[2])
		}
	}
}

func TestHandle(t *testing.T) {
	out, err := Handle("parse", []byte(`{"sddl":"O:BAG:SYD:PAI(A;OICI;FA;;;SY)","type":"file"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	for _, want := range []string{`"owner":{"sid":"S-1-5-32-544"`, `"control":37892`, `"flags":["P","AI"]`,
		`"type":"A"`, `"flags":["OI","CI"]`, `"mask":"0x001f01ff"`, `"sid":"S-1-5-18"`, `"objectType":""`, `"canonical":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("missing %s in %s", want, b)
		}
	}
	if _, err := Handle("nope", nil); err == nil {
		t.Error("unknown op accepted")
	}
	if _, err := Handle("parse", []byte(`{"sddl":"D:","extra":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := Handle("parse", []byte(`{"sddl":"D:","type":"printer"}`)); err == nil {
		t.Error("unknown type accepted")
	}
	dm, err := Handle("decode-mask", []byte(`{"mask":"GR","type":"key"}`))
	if err != nil || dm.(DecodeResult).Mapped != "0x00020019" {
		t.Errorf("decode-mask = %+v %v", dm, err)
	}
}

// checkRoundTrip asserts parse(format(parse(x))) == parse(x), comparing everything except
// where each piece was in the input.
func checkRoundTrip(t testing.TB, s string) {
	sd1, err := Parse(s)
	if err != nil {
		return
	}
	canon := sd1.String()
	sd2, err := Parse(canon)
	if err != nil {
		t.Fatalf("canonical form of %q does not parse: %q: %v", s, canon, err)
	}
	if a, b := stripPositions(sd1), stripPositions(sd2); !cmp.Equal(a, b) {
		t.Fatalf("round trip of %q via %q differs: %s", s, canon, cmp.Diff(a, b))
	}
	if again := sd2.String(); again != canon {
		t.Fatalf("format is not stable: %q then %q", canon, again)
	}
}

func stripPositions(sd *SecurityDescriptor) *SecurityDescriptor {
	c := *sd
	c.Warnings = nil
	for _, acl := range []**ACL{&c.DACL, &c.SACL} {
		if *acl == nil {
			continue
		}
		cp := **acl
		cp.ACEs = append([]ACE{}, cp.ACEs...)
		for i := range cp.ACEs {
			cp.ACEs[i].Offset, cp.ACEs[i].Raw = 0, ""
			cp.ACEs[i].Condition = stripNode(cp.ACEs[i].Condition)
		}
		*acl = &cp
	}
	return &c
}

func stripNode(n *Node) *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Offset = 0
	c.Args = nil
	for _, a := range n.Args {
		c.Args = append(c.Args, stripNode(a))
	}
	return &c
}

func FuzzParse(f *testing.F) {
	for _, s := range Samples() {
		f.Add(s.SDDL)
	}
	for _, s := range []string{
		"O:AOG:DAD:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)",
		`S:(RA;CI;;;;S-1-1-0; ("Project",TS,0,"Windows","SQL"))(RA;CI;;;;WD;("n",TI,0x1,-5,0x10))`,
		`S:(RA;;;;;WD;("b",TB,0,1,0))(RA;;;;;WD;("s",TD,0,BA,S-1-5-18))(RA;;;;;WD;("x",TX,0,#00ff))`,
		`D:(XA;;FX;;;WD;(Member_of_Any {SID(BA), SID(S-1-5-32-545)} || !(Not_Exists @Token.x) && a >= -0x10))`,
		`D:(ZA;;CR;00299570-246d-11d0-a768-00aa006e0529;;PS;(@Device.x Not_Contains {1, 010, "a"}))`,
		"S:P(ML;;NWNR;;;S-1-16-8192)(TL;;0x1001;;;S-1-19-512-8192)(SP;;;;;S-1-17-1)(FL;TP;0x1;;;WD;(x))",
		"D:PARAI(D;OICINPIOID;0x0;;;S-1-0x123456789ABC-1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sd, err := Parse(s)
		if err != nil {
			if _, _, ok := ErrorOffset(err); !ok {
				t.Fatalf("error without offset: %v", err)
			}
			return
		}
		_ = ViewOf(sd, TypeFile)
		checkRoundTrip(t, s)
	})
}

// A registry key's children are subkeys, which are containers; values carry no security
// descriptor. So OI never makes an ACE effective below a key ("ACE Inheritance Rules",
// https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-inheritance-rules: OI ACEs are
// effective only on noncontainer children), and the text must not speak of files or values.
func TestInheritanceTextKeys(t *testing.T) {
	cases := []struct {
		flags uint8
		want  string
	}{
		{0, "this key only"},
		{FlagContainerInherit, "this key and subkeys"},
		{FlagContainerInherit | FlagInheritOnly, "subkeys only"},
		{FlagObjectInherit | FlagContainerInherit, "this key and subkeys (OI has no effect on registry keys)"},
		{FlagObjectInherit | FlagContainerInherit | FlagInheritOnly, "subkeys only (OI has no effect on registry keys)"},
		{FlagObjectInherit, "this key only (OI has no effect on registry keys)"},
		{FlagObjectInherit | FlagInheritOnly, "nothing: inherit-only, and OI alone never applies to a subkey (OI has no effect on registry keys)"},
		{FlagContainerInherit | FlagNoPropagate, "this key and subkeys (one level only: NP)"},
		{FlagContainerInherit | FlagInherited, "this key and subkeys; inherited from a parent"},
	}
	for _, c := range cases {
		if got := InheritanceText(c.flags, TypeKey); got != c.want {
			t.Errorf("InheritanceText(%#x, key) = %q, want %q", c.flags, got, c.want)
		}
	}
	// Directories keep the words of the Advanced Security Settings dialog.
	if got := InheritanceText(FlagObjectInherit|FlagContainerInherit, TypeDirectory); got != "this folder, subfolders and files" {
		t.Errorf("directory OICI = %q", got)
	}
}
