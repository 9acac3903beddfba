package sddl

import (
	"fmt"
	"strconv"
	"strings"

	"ntatlas/internal/labs"
)

// ParseRequest is the request of the "parse" op.
type ParseRequest struct {
	SDDL string `json:"sddl"`
	Type string `json:"type,omitempty"`
}

// DecodeRequest is the request of the "decode-mask" op.
type DecodeRequest struct {
	Mask string `json:"mask"`
	Type string `json:"type,omitempty"`
}

// DecodeResult names the bits of a mask for an object type.
type DecodeResult struct {
	Mask      string   `json:"mask"`
	Rights    string   `json:"rights"`
	Names     []string `json:"names"`
	Composite string   `json:"composite"`
	Mapped    string   `json:"mapped"` // after the type's generic mapping
}

// AliasInfo is one row of the "aliases" op.
type AliasInfo struct {
	Alias          string `json:"alias"`
	SID            string `json:"sid"`
	Name           string `json:"name"`
	DomainRelative bool   `json:"domainRelative"`
	Domain         string `json:"domain,omitempty"`
}

// Handle runs an op of the sddl engine: "parse" {sddl, type} → View; "decode-mask"
// {mask, type} → DecodeResult; "aliases" → []AliasInfo; "samples" → []Sample.
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "parse":
		var r ParseRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		return ParseView(r.SDDL, r.Type)
	case "decode-mask":
		var r DecodeRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		t, err := ParseObjectType(r.Type)
		if err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "type", Message: err.Error()}
		}
		m, err := ParseMask(r.Mask)
		if err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "mask", Message: err.Error()}
		}
		return DecodeResult{Mask: fmt.Sprintf("0x%08x", m), Rights: FormatRights(m, false),
			Names: RightNames(m, t, false), Composite: CompositeName(m, t),
			Mapped: fmt.Sprintf("0x%08x", Mapping(t).Map(m))}, nil
	case "aliases":
		out := make([]AliasInfo, 0, len(aliases))
		for _, a := range aliases {
			out = append(out, AliasInfo{Alias: a.Code, SID: a.sid().String(), Name: a.Name,
				DomainRelative: a.SID == "", Domain: a.Domain})
		}
		return out, nil
	case "samples":
		return Samples(), nil
	}
	return nil, &labs.ErrUnknownOp{Engine: "sddl", Op: op}
}

// ParseView parses s and builds the JSON view; errors are *labs.InputError with the offset.
func ParseView(s, typ string) (View, error) {
	t, err := ParseObjectType(typ)
	if err != nil {
		return View{}, &labs.InputError{Offset: -1, Field: "type", Message: err.Error()}
	}
	sd, err := Parse(s)
	if err != nil {
		return View{}, ToInputError(err, "sddl")
	}
	return ViewOf(sd, t), nil
}

// ToInputError converts a parse error to a labs.InputError naming field.
func ToInputError(err error, field string) error {
	if off, msg, ok := ErrorOffset(err); ok {
		return &labs.InputError{Offset: off, Field: field, Message: msg}
	}
	return &labs.InputError{Offset: -1, Field: field, Message: err.Error()}
}

// ParseMask accepts "0x...", a decimal number, or SDDL rights strings ("FR", "GRGW").
func ParseMask(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("expected an access mask such as 0x00120089, 1179785 or FR")
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") || (s[0] >= '0' && s[0] <= '9') {
		base := 10
		digits := s
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			base, digits = 16, s[2:]
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return 0, fmt.Errorf("expected a 32-bit access mask in hex (0x...) or decimal, found %q", s)
		}
		return uint32(v), nil
	}
	m, off, err := parseRights(s)
	if err != nil {
		return 0, fmt.Errorf("at character %d: %v", off, err)
	}
	return m, nil
}

// Sample is a ready-made descriptor for the lab page.
type Sample struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Type  string `json:"type"`
	SDDL  string `json:"sddl"`
	Note  string `json:"note"`
}

// Samples returns the lab's sample descriptors. They are typical of Windows 10/11 installs
// (observed output of Get-Acl and sc.exe sdshow); machine-specific SIDs are replaced by
// example values.
func Samples() []Sample {
	const ti = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
	const user = "S-1-5-21-1004336348-1177238915-682003330-1001"
	return []Sample{
		{"profile", `A user's profile folder (C:\Users\alice)`, "directory",
			"O:" + user + "G:" + "S-1-5-21-1004336348-1177238915-682003330-513" +
				"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;" + user + ")",
			"Protected (P): nothing is inherited from C:\\Users. Only SYSTEM, Administrators and the user get in."},
		{"windows", `C:\Windows`, "directory",
			"O:" + ti + "G:" + ti + "D:PAI(A;OICIIO;GA;;;CO)(A;OICIIO;GA;;;SY)(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;BA)" +
				"(A;;0x1301bf;;;BA)(A;OICIIO;GXGR;;;BU)(A;;0x1200a9;;;BU)(A;CIIO;GA;;;" + ti + ")(A;;FA;;;" + ti + ")" +
				"(A;;0x1200a9;;;AC)(A;OICIIO;GXGR;;;AC)(A;;0x1200a9;;;S-1-15-2-2)(A;OICIIO;GXGR;;;S-1-15-2-2)",
			"Owned by TrustedInstaller; administrators get Modify (0x1301bf), not full control; users and app packages read and execute."},
		{"service", "A service (the default descriptor of a new service, as sc.exe sdshow prints it)", "service",
			"D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)(A;;CCLCSWLOCRRC;;;SU)" +
				"S:(AU;FA;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)",
			"Service rights reuse the directory-service letters: RP is SERVICE_START, WP SERVICE_STOP, LC SERVICE_QUERY_STATUS."},
		{"regkey", `A registry key (HKLM\SOFTWARE\Example)`, "key",
			"O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)",
			"Administrators and SYSTEM have KEY_ALL_ACCESS, users and app packages KEY_READ; CREATOR OWNER applies to subkeys created later."},
		{"protected-process", "A protected process (model)", "process",
			"O:SYG:SYD:(A;;0x1fffff;;;SY)(A;;0x121411;;;BA)S:(ML;;NWNR;;;SI)(TL;;0x1001;;;S-1-19-512-8192)",
			"Illustrative: a System-integrity label with no-read-up and a process trust label ACE that limits what non-protected callers get. Real masks vary by process."},
		{"appcontainer-file", "A file an AppContainer app can read", "file",
			"O:BAG:SYD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)(A;;0x1200a9;;;AC)S:(ML;;NW;;;LW)",
			"AC (ALL APPLICATION PACKAGES) lets AppContainer processes pass their second access check; the low label lets low-integrity writers in only if the DACL allows."},
		{"conditional", "A conditional ACE (claims-based access)", "file",
			`D:(XA;;FX;;;S-1-1-0;(@User.Title=="PM" && (@User.Division=="Finance" || @User.Division==" Sales")))`,
			"From the conditional ACE page: execute for everyone whose Title claim is PM and Division is Finance or Sales."},
		{"null-dacl", "A NULL DACL (no protection at all)", "file", "O:BAG:SYD:NO_ACCESS_CONTROL",
			"A NULL DACL grants everyone everything; an empty DACL (D:) grants nobody anything."},
	}
}
