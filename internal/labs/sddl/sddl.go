// Package sddl parses and formats Security Descriptor Definition Language strings: owner,
// group, DACL and SACL with every ACE type, flag, rights string and SID alias that
// ConvertStringSecurityDescriptorToSecurityDescriptor documents, conditional ACE expressions
// and resource attribute ACEs. It decodes rights per object type, checks the canonical DACL
// order and prints a canonical SDDL string.
//
// References: "Security Descriptor String Format"
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-string-format),
// "ACE Strings" (https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-strings),
// "SID Strings" (https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-strings).
package sddl

import (
	"fmt"
	"strconv"
	"strings"
)

// posError is a parse error at a byte offset; the API turns it into a labs.InputError.
type posError struct {
	Offset int
	Msg    string
}

func (e *posError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// ErrorOffset returns the byte offset of a parse error, or -1.
func ErrorOffset(err error) (int, string, bool) {
	if pe, ok := err.(*posError); ok {
		return pe.Offset, pe.Msg, true
	}
	return -1, "", false
}

// SecurityDescriptor is a parsed SDDL string.
type SecurityDescriptor struct {
	Owner, Group *SID
	DACL, SACL   *ACL // nil when the component is absent
	Warnings     []Warning
}

// Warning is a non-fatal remark about the input.
type Warning struct {
	Offset  int    `json:"offset"`
	Message string `json:"message"`
}

// ACL is a DACL or SACL.
type ACL struct {
	Null         bool // NO_ACCESS_CONTROL: a NULL ACL
	Protected    bool // P
	AutoInherit  bool // AI
	AutoInheritR bool // AR
	ACEs         []ACE
}

// Flags returns the ACL flags as SDDL codes in the order Windows prints them.
//
//go:noinline
func (a *ACL) Flags() []string {
	f := []string{}
	if a.Protected {
		f = append(f, "P")
	}
	if a.AutoInheritR {
		f = append(f, "AR")
	}
	if a.AutoInherit {
		f = append(f, "AI")
	}
	if a.Null {
		f = append(f, "NO_ACCESS_CONTROL")
	}
	return f
}

// ACE is one access control entry.
type ACE struct {
	Type                string // SDDL code: A, D, OA, ...
	Flags               uint8
	Mask                uint32
	ObjectType          string // lower-case GUID or ""
	InheritedObjectType string
	SID                 SID
	Condition           *Node
	Attribute           *ResourceAttribute
	Offset              int    // offset of '(' in the input
	Raw                 string // the ACE as written
}

// ResourceAttribute is the payload of an RA ACE: ("name",type,flags,values...).
type ResourceAttribute struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"` // TI TU TS TD TX TB
	Flags  uint32   `json:"flags"`
	Values []*Value `json:"values"`
}

// aceType describes one ACE type string.
type aceType struct {
	Code    string
	Value   uint8
	Name    string
	Object  bool // carries object GUIDs
	Cond    bool // may carry a conditional expression
	InSACL  bool // belongs in a SACL
	Allow   bool
	Deny    bool
	MinVers string
}

// aceTypes is the table of "ACE Strings" and sddl.h (TL and FL are in sddl.h; their values
// are in winnt.h).
var aceTypes = [...]aceType{
	{"A", 0x00, "ACCESS_ALLOWED_ACE_TYPE", false, false, false, true, false, ""},
	{"D", 0x01, "ACCESS_DENIED_ACE_TYPE", false, false, false, false, true, ""},
	{"AU", 0x02, "SYSTEM_AUDIT_ACE_TYPE", false, false, true, false, false, ""},
	{"AL", 0x03, "SYSTEM_ALARM_ACE_TYPE", false, false, true, false, false, ""},
	{"OA", 0x05, "ACCESS_ALLOWED_OBJECT_ACE_TYPE", true, false, false, true, false, ""},
	{"OD", 0x06, "ACCESS_DENIED_OBJECT_ACE_TYPE", true, false, false, false, true, ""},
	{"OU", 0x07, "SYSTEM_AUDIT_OBJECT_ACE_TYPE", true, false, true, false, false, ""},
	{"OL", 0x08, "SYSTEM_ALARM_OBJECT_ACE_TYPE", true, false, true, false, false, ""},
	{"XA", 0x09, "ACCESS_ALLOWED_CALLBACK_ACE_TYPE", false, true, false, true, false, "Windows 7"},
	{"XD", 0x0A, "ACCESS_DENIED_CALLBACK_ACE_TYPE", false, true, false, false, true, "Windows 7"},
	{"ZA", 0x0B, "ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE", true, true, false, true, false, "Windows 8"},
	{"XU", 0x0D, "SYSTEM_AUDIT_CALLBACK_ACE_TYPE", false, true, true, false, false, "Windows 8"},
	{"ML", 0x11, "SYSTEM_MANDATORY_LABEL_ACE_TYPE", false, false, true, false, false, "Windows Vista"},
	{"RA", 0x12, "SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE", false, false, true, false, false, "Windows 8"},
	{"SP", 0x13, "SYSTEM_SCOPED_POLICY_ID_ACE_TYPE", false, false, true, false, false, "Windows 8"},
	{"TL", 0x14, "SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE", false, false, true, false, false, "Windows 8.1"},
	{"FL", 0x15, "SYSTEM_ACCESS_FILTER_ACE_TYPE", false, true, true, false, false, "Windows 10"},
}

//go:noinline
func typeByCode(code string) (aceType, bool) {
	for _, t := range aceTypes {
		if t.Code == code {
			return t, true
		}
	}
	return aceType{}, false
}

// ACETypeCodes lists the accepted ACE type strings.
func ACETypeCodes() []string {
	out := make([]string, len(aceTypes))
	for i, t := range aceTypes {
		out[i] = t.Code
	}
	return out
}

// IsAllow, IsDeny, IsObject and HasCondition classify an ACE by its type.
func (a *ACE) IsAllow() bool { t, _ := typeByCode(a.Type); return t.Allow }

//go:noinline
func (a *ACE) IsDeny() bool     { t, _ := typeByCode(a.Type); return t.Deny }
func (a *ACE) IsObject() bool   { t, _ := typeByCode(a.Type); return t.Object }
func (a *ACE) IsCallback() bool { t, _ := typeByCode(a.Type); return t.Cond }
func (a *ACE) TypeName() string { t, _ := typeByCode(a.Type); return t.Name }

//go:noinline
func (a *ACE) TypeValue() uint8    { t, _ := typeByCode(a.Type); return t.Value }
func (a *ACE) InheritOnly() bool   { return a.Flags&FlagInheritOnly != 0 }
func (a *ACE) Inherited() bool     { return a.Flags&FlagInherited != 0 }
func (a *ACE) IsLabel() bool       { return a.Type == "ML" }
func (a *ACE) belongsInSACL() bool { t, _ := typeByCode(a.Type); return t.InSACL }

// ACE flag values (https://learn.microsoft.com/en-us/windows/win32/api/winnt/ns-winnt-ace_header).
const (
	FlagObjectInherit    uint8 = 0x01
	FlagContainerInherit uint8 = 0x02
	FlagNoPropagate      uint8 = 0x04
	FlagInheritOnly      uint8 = 0x08
	FlagInherited        uint8 = 0x10
	FlagCritical         uint8 = 0x20
	FlagSuccessfulAccess uint8 = 0x40
	FlagTrustProtected   uint8 = 0x40 // TRUST_PROTECTED_FILTER_ACE_FLAG, only on FL ACEs
	FlagFailedAccess     uint8 = 0x80
)

var aceFlags = [...]struct {
	Code  string
	Value uint8
	Name  string
}{
	{"OI", FlagObjectInherit, "OBJECT_INHERIT_ACE"},
	{"CI", FlagContainerInherit, "CONTAINER_INHERIT_ACE"},
	{"NP", FlagNoPropagate, "NO_PROPAGATE_INHERIT_ACE"},
	{"IO", FlagInheritOnly, "INHERIT_ONLY_ACE"},
	{"ID", FlagInherited, "INHERITED_ACE"},
	{"CR", FlagCritical, "CRITICAL_ACE_FLAG"},
	{"SA", FlagSuccessfulAccess, "SUCCESSFUL_ACCESS_ACE_FLAG"},
	{"TP", FlagTrustProtected, "TRUST_PROTECTED_FILTER_ACE_FLAG"},
	{"FA", FlagFailedAccess, "FAILED_ACCESS_ACE_FLAG"},
}

// FlagCodes returns the flags as SDDL codes in the order Windows prints them. 0x40 is
// printed as TP on access filter ACEs and SA elsewhere.
func (a *ACE) FlagCodes() []string {
	out := []string{}
	for _, f := range aceFlags {
		if a.Flags&f.Value == 0 {
			continue
		}
		if f.Value == 0x40 && (f.Code == "TP") != (a.Type == "FL") {
			continue
		}
		out = append(out, f.Code)
	}
	return out
}

// FlagNames returns the winnt.h names of the flags.
func (a *ACE) FlagNames() []string {
	out := []string{}
	for _, f := range aceFlags {
		if a.Flags&f.Value == 0 {
			continue
		}
		if f.Value == 0x40 && (f.Code == "TP") != (a.Type == "FL") {
			continue
		}
		out = append(out, f.Name)
	}
	return out
}

// Control bits (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-control).
const (
	SEDaclPresent        uint16 = 0x0004
	SESaclPresent        uint16 = 0x0010
	SEDaclAutoInheritReq uint16 = 0x0100
	SESaclAutoInheritReq uint16 = 0x0200
	SEDaclAutoInherited  uint16 = 0x0400
	SESaclAutoInherited  uint16 = 0x0800
	SEDaclProtected      uint16 = 0x1000
	SESaclProtected      uint16 = 0x2000
	SESelfRelative       uint16 = 0x8000
)

var controlNames = [...]struct {
	Bit  uint16
	Name string
}{
	{SEDaclPresent, "SE_DACL_PRESENT"}, {SESaclPresent, "SE_SACL_PRESENT"},
	{SEDaclAutoInheritReq, "SE_DACL_AUTO_INHERIT_REQ"}, {SESaclAutoInheritReq, "SE_SACL_AUTO_INHERIT_REQ"},
	{SEDaclAutoInherited, "SE_DACL_AUTO_INHERITED"}, {SESaclAutoInherited, "SE_SACL_AUTO_INHERITED"},
	{SEDaclProtected, "SE_DACL_PROTECTED"}, {SESaclProtected, "SE_SACL_PROTECTED"},
	{SESelfRelative, "SE_SELF_RELATIVE"},
}

// Control returns the SECURITY_DESCRIPTOR_CONTROL word of the descriptor that
// ConvertStringSecurityDescriptorToSecurityDescriptor builds (a self-relative one).
//
//go:noinline
func (sd *SecurityDescriptor) Control() uint16 {
	c := SESelfRelative
	if d := sd.DACL; d != nil {
		c |= SEDaclPresent
		if d.Protected {
			c |= SEDaclProtected
		}
		if d.AutoInherit {
			c |= SEDaclAutoInherited
		}
		if d.AutoInheritR {
			c |= SEDaclAutoInheritReq
		}
	}
	if s := sd.SACL; s != nil {
		c |= SESaclPresent
		if s.Protected {
			c |= SESaclProtected
		}
		if s.AutoInherit {
			c |= SESaclAutoInherited
		}
		if s.AutoInheritR {
			c |= SESaclAutoInheritReq
		}
	}
	return c
}

// ControlNames names the bits of a control word.
func ControlNames(c uint16) []string {
	out := []string{}
	for _, n := range controlNames {
		if c&n.Bit != 0 {
			out = append(out, n.Name)
		}
	}
	return out
}

// MaxInput bounds the input so that a pasted file cannot exhaust the browser.
const MaxInput = 64 << 10

type parser struct {
	s   string
	pos int
	sd  *SecurityDescriptor
}

//go:noinline
func (p *parser) errf(at int, format string, args ...any) error {
	return &posError{Offset: at, Msg: fmt.Sprintf(format, args...)}
}

//go:noinline
func (p *parser) ws() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\r' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

//go:noinline
func (p *parser) warn(at int, format string, args ...any) {
	p.sd.Warnings = append(p.sd.Warnings, Warning{Offset: at, Message: fmt.Sprintf(format, args...)})
}

// Parse parses an SDDL string.
func Parse(s string) (*SecurityDescriptor, error) {
	if len(s) > MaxInput {
		return nil, &posError{Offset: MaxInput, Msg: fmt.Sprintf("input longer than %d bytes", MaxInput)}
	}
	p := &parser{s: s, sd: &SecurityDescriptor{Warnings: []Warning{}}}
	seen := map[byte]int{}
	p.ws()
	if p.pos == len(s) {
		return nil, p.errf(0, "expected O:, G:, D: or S: (the SDDL string is empty)")
	}
	for {
		p.ws()
		if p.pos >= len(s) {
			break
		}
		at := p.pos
		if p.pos+1 >= len(s) || s[p.pos+1] != ':' || strings.IndexByte("OGDS", s[p.pos]) < 0 {
			return nil, p.errf(at, "expected O:, G:, D: or S: to start a component")
		}
		tag := s[p.pos]
		if prev, dup := seen[tag]; dup {
			return nil, p.errf(at, "expected each component once: %c: already appeared at offset %d", tag, prev)
		}
		seen[tag] = at
		p.pos += 2
		switch tag {
		case 'O', 'G':
			p.ws()
			sid, err := p.sidToken()
			if err != nil {
				return nil, err
			}
			if tag == 'O' {
				p.sd.Owner = &sid
			} else {
				p.sd.Group = &sid
			}
		case 'D', 'S':
			acl, err := p.acl(tag == 'S')
			if err != nil {
				return nil, err
			}
			if tag == 'D' {
				p.sd.DACL = acl
			} else {
				p.sd.SACL = acl
			}
		}
	}
	return p.sd, nil
}

// sidToken reads an alias or a literal SID at p.pos.
func (p *parser) sidToken() (SID, error) {
	at := p.pos
	rest := p.s[p.pos:]
	if len(rest) >= 2 && (rest[0] == 'S' || rest[0] == 's') && rest[1] == '-' {
		sid, n, err := ParseSIDLiteral(rest)
		if err != nil {
			return sid, p.errf(at+n, "%v", err)
		}
		p.pos += n
		return sid, nil
	}
	if len(rest) >= 2 {
		if a, ok := aliasByCode(rest[:2]); ok {
			p.pos += 2
			return a.sid(), nil
		}
	}
	return SID{}, p.errf(at, "expected a SID string: a two-letter alias such as BA, SY, WD, or a literal SID such as S-1-5-32-544")
}

func (p *parser) acl(sacl bool) (*ACL, error) {
	acl := &ACL{ACEs: []ACE{}}
	p.ws()
	for {
		switch {
		case strings.HasPrefix(p.s[p.pos:], "NO_ACCESS_CONTROL"):
			acl.Null = true
			p.pos += len("NO_ACCESS_CONTROL")
		case strings.HasPrefix(p.s[p.pos:], "AI"):
			acl.AutoInherit = true
			p.pos += 2
		case strings.HasPrefix(p.s[p.pos:], "AR"):
			acl.AutoInheritR = true
			p.pos += 2
		case strings.HasPrefix(p.s[p.pos:], "P"):
			acl.Protected = true
			p.pos++
		default:
			goto aces
		}
	}
aces:
	for {
		p.ws()
		if p.pos >= len(p.s) || p.s[p.pos] != '(' {
			return acl, nil
		}
		if acl.Null {
			return nil, p.errf(p.pos, "expected no ACEs after NO_ACCESS_CONTROL: a NULL ACL has no entries")
		}
		ace, err := p.ace()
		if err != nil {
			return nil, err
		}
		if ace.belongsInSACL() != sacl {
			where := "DACL"
			if !sacl {
				where = "SACL"
			}
			p.warn(ace.Offset, "%s ACEs belong in the %s; Windows ignores them here", ace.Type, where)
		}
		acl.ACEs = append(acl.ACEs, ace)
	}
}

// field reads up to the next ';' (or ')' when last is true) and returns the trimmed text and
// its offset.
func (p *parser) field(what string, last bool) (string, int, error) {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ';' || (last && c == ')') {
			break
		}
		if c == '(' || c == ')' {
			return "", 0, p.errf(p.pos, "expected ';' after the %s field", what)
		}
		p.pos++
	}
	if p.pos >= len(p.s) {
		if last {
			return "", 0, p.errf(p.pos, "expected ')' to close the ACE (or ';' and a condition), but the string ended")
		}
		return "", 0, p.errf(p.pos, "expected ';' after the %s field, but the string ended", what)
	}
	raw := p.s[start:p.pos]
	trimmed := strings.TrimLeft(raw, " \t\r\n")
	off := start + len(raw) - len(trimmed)
	return strings.TrimRight(trimmed, " \t\r\n"), off, nil
}

func (p *parser) ace() (ACE, error) {
	start := p.pos
	p.pos++ // '('
	var ace ACE
	ace.Offset = start

	typ, at, err := p.field("ACE type", false)
	if err != nil {
		return ace, err
	}
	t, ok := typeByCode(typ)
	if !ok {
		return ace, p.errf(at, "expected an ACE type string (%s), found %q", strings.Join(ACETypeCodes(), ", "), typ)
	}
	ace.Type = t.Code
	p.pos++

	flags, at, err := p.field("ACE flags", false)
	if err != nil {
		return ace, err
	}
	for i := 0; i < len(flags); i += 2 {
		if i+2 > len(flags) {
			return ace, p.errf(at+i, "expected a two-letter ACE flag (CI, OI, NP, IO, ID, SA, FA, TP, CR)")
		}
		code := flags[i : i+2]
		found := false
		for _, f := range aceFlags {
			if f.Code == code {
				ace.Flags |= f.Value
				found = true
			}
		}
		if !found {
			return ace, p.errf(at+i, "unknown ACE flag %q: expected CI, OI, NP, IO, ID, SA, FA, TP or CR", code)
		}
	}
	p.pos++

	rights, at, err := p.field("rights", false)
	if err != nil {
		return ace, err
	}
	mask, rel, err := parseRights(rights)
	if err != nil {
		return ace, p.errf(at+rel, "%v", err)
	}
	ace.Mask = mask
	p.pos++

	for i, dst := range []*string{&ace.ObjectType, &ace.InheritedObjectType} {
		what := [...]string{"object GUID", "inherited object GUID"}[i]
		g, at, err := p.field(what, false)
		if err != nil {
			return ace, err
		}
		if g != "" {
			if !t.Object {
				return ace, p.errf(at, "expected an empty %s: only object ACE types (OA, OD, OU, OL, ZA) carry GUIDs", what)
			}
			norm, ok := normGUID(g)
			if !ok {
				return ace, p.errf(at, "expected a GUID such as bf967aba-0de6-11d0-a285-00aa003049e2")
			}
			*dst = norm
		}
		p.pos++
	}

	sidText, at, err := p.field("account SID", true)
	if err != nil {
		return ace, err
	}
	if sidText == "" {
		return ace, p.errf(at, "expected the trustee SID (an alias such as BA or S-1-...)")
	}
	if len(sidText) >= 2 && (sidText[0] == 'S' || sidText[0] == 's') && sidText[1] == '-' {
		sid, n, err := ParseSIDLiteral(sidText)
		if err != nil {
			return ace, p.errf(at+n, "%v", err)
		}
		if n != len(sidText) {
			return ace, p.errf(at+n, "expected the end of the SID, found %q", sidText[n:])
		}
		ace.SID = sid
	} else if a, ok := aliasByCode(sidText); ok {
		ace.SID = a.sid()
	} else {
		return ace, p.errf(at, "unknown SID string %q: expected a two-letter alias of sddl.h (BA, SY, WD, ...) or S-1-...", sidText)
	}

	if p.s[p.pos] == ';' {
		p.pos++
		switch {
		case t.Cond:
			n, used, err := parseCondition(p.s[p.pos:], p.pos)
			if err != nil {
				return ace, err
			}
			ace.Condition = n
			p.pos += used
		case t.Code == "RA":
			ra, err := p.resourceAttribute()
			if err != nil {
				return ace, err
			}
			ace.Attribute = ra
		default:
			return ace, p.errf(p.pos-1, "expected ')': only callback ACEs (XA, XD, XU, ZA, FL) take a condition and only RA takes a resource attribute")
		}
		p.ws()
	}
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return ace, p.errf(p.pos, "expected ')' to close the ACE that starts at offset %d", start)
	}
	p.pos++
	ace.Raw = p.s[start:p.pos]

	if ace.Type == "OA" && ace.ObjectType == "" && ace.InheritedObjectType == "" {
		// Documented on "ACE Strings": without GUIDs OA becomes ACCESS_ALLOWED_ACE_TYPE.
		ace.Type = "A"
		p.warn(start, "OA without object GUIDs is converted to A (ACCESS_ALLOWED_ACE_TYPE), as the ACE Strings page documents")
	}
	if ace.Type == "RA" && ace.SID != MustSID("WD") {
		p.warn(start, "the SDDL grammar ([MS-DTYP] 2.5.1.1) gives RA ACEs the trustee WD (Everyone)")
	}
	if t.Cond && ace.Condition == nil {
		p.warn(start, "%s is a callback ACE type but has no condition", ace.Type)
	}
	return ace, nil
}

func normGUID(g string) (string, bool) {
	if len(g) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := g[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", false
			}
			continue
		}
		if !isHex(c) {
			return "", false
		}
	}
	return strings.ToLower(g), true
}

// resourceAttribute parses ("name",TYPE,flags,value,...) at p.pos (after the sixth ';').
func (p *parser) resourceAttribute() (*ResourceAttribute, error) {
	p.ws()
	if p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return nil, p.errf(p.pos, "expected '(' to open the resource attribute (\"Name\",TYPE,flags,values...)")
	}
	p.pos++
	p.ws()
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		return nil, p.errf(p.pos, "expected the attribute name in double quotes")
	}
	end := strings.IndexByte(p.s[p.pos+1:], '"')
	if end < 0 {
		return nil, p.errf(p.pos, "unterminated attribute name: expected a closing '\"'")
	}
	ra := &ResourceAttribute{Name: p.s[p.pos+1 : p.pos+1+end], Values: []*Value{}}
	if ra.Name == "" {
		return nil, p.errf(p.pos, "expected a non-empty attribute name")
	}
	p.pos += end + 2
	comma := func() error {
		p.ws()
		if p.pos >= len(p.s) || p.s[p.pos] != ',' {
			return p.errf(p.pos, "expected ',' in the resource attribute")
		}
		p.pos++
		p.ws()
		return nil
	}
	if err := comma(); err != nil {
		return nil, err
	}
	if p.pos+2 > len(p.s) {
		return nil, p.errf(p.pos, "expected the attribute type TI, TU, TS, TD, TX or TB")
	}
	ra.Type = p.s[p.pos : p.pos+2]
	switch ra.Type {
	case "TI", "TU", "TS", "TD", "TX", "TB":
	default:
		return nil, p.errf(p.pos, "expected the attribute type TI, TU, TS, TD, TX or TB")
	}
	p.pos += 2
	if err := comma(); err != nil {
		return nil, err
	}
	tok, at := p.raToken()
	f, err := strconv.ParseUint(tok, 0, 32)
	if err != nil {
		return nil, p.errf(at, "expected the attribute flags as a number (such as 0 or 0x0)")
	}
	ra.Flags = uint32(f)
	for {
		p.ws()
		if p.pos < len(p.s) && p.s[p.pos] == ')' {
			p.pos++
			return ra, nil
		}
		if err := comma(); err != nil {
			return nil, p.errf(p.pos, "expected ',' and a value, or ')' to close the resource attribute")
		}
		v, err := p.raValue(ra.Type)
		if err != nil {
			return nil, err
		}
		ra.Values = append(ra.Values, v)
	}
}

func (p *parser) raToken() (string, int) {
	at := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ',' && p.s[p.pos] != ')' && p.s[p.pos] != ' ' {
		p.pos++
	}
	return p.s[at:p.pos], at
}

func (p *parser) raValue(typ string) (*Value, error) {
	if typ == "TS" {
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return nil, p.errf(p.pos, "expected a string value in double quotes (type TS)")
		}
		end := strings.IndexByte(p.s[p.pos+1:], '"')
		if end < 0 {
			return nil, p.errf(p.pos, "unterminated string: expected a closing '\"'")
		}
		v := &Value{Type: "string", String: p.s[p.pos+1 : p.pos+1+end]}
		p.pos += end + 2
		return v, nil
	}
	tok, at := p.raToken()
	if tok == "" {
		return nil, p.errf(at, "expected a value of type %s", typ)
	}
	switch typ {
	case "TI":
		v, err := strconv.ParseInt(tok, 0, 64)
		if err != nil {
			return nil, p.errf(at, "expected a signed 64-bit integer (type TI)")
		}
		base := 10
		if strings.HasPrefix(strings.TrimLeft(tok, "+-"), "0x") {
			base = 16
		}
		return &Value{Type: "int", Int: v, Base: base}, nil
	case "TU":
		v, err := strconv.ParseUint(tok, 0, 64)
		if err != nil {
			return nil, p.errf(at, "expected an unsigned 64-bit integer (type TU)")
		}
		base := 10
		if strings.HasPrefix(tok, "0x") {
			base = 16
		}
		return &Value{Type: "uint", Uint: v, Base: base}, nil
	case "TB":
		switch tok {
		case "0":
			return &Value{Type: "bool"}, nil
		case "1":
			return &Value{Type: "bool", Bool: true}, nil
		}
		return nil, p.errf(at, "expected 0 or 1 (type TB)")
	case "TD":
		t := tok
		if len(t) > 4 && strings.EqualFold(t[:4], "SID(") && strings.HasSuffix(t, ")") {
			t = t[4 : len(t)-1]
		}
		sid, err := ParseSIDString(t)
		if err != nil {
			return nil, p.errf(at, "expected a SID string (type TD): %v", err)
		}
		return &Value{Type: "sid", SID: sid.String()}, nil
	case "TX":
		h := strings.TrimPrefix(tok, "#")
		for i := 0; i < len(h); i++ {
			if !isHex(h[i]) {
				return nil, p.errf(at+i, "expected hexadecimal octets (type TX)")
			}
		}
		if len(h)%2 == 1 {
			return nil, p.errf(at, "expected an even number of hex digits (type TX)")
		}
		return &Value{Type: "octets", Hex: strings.ToLower(h)}, nil
	}
	return nil, p.errf(at, "unknown attribute type")
}

// String formats the descriptor as canonical SDDL: components in the order O G D S, aliases
// for SIDs that have one, rights as ConvertSecurityDescriptorToStringSecurityDescriptor
// prints them, GUIDs in lower case, conditions fully parenthesised.
func (sd *SecurityDescriptor) String() string {
	var b strings.Builder
	if sd.Owner != nil {
		b.WriteString("O:" + FormatSID(*sd.Owner))
	}
	if sd.Group != nil {
		b.WriteString("G:" + FormatSID(*sd.Group))
	}
	if sd.DACL != nil {
		b.WriteString("D:" + sd.DACL.String())
	}
	if sd.SACL != nil {
		b.WriteString("S:" + sd.SACL.String())
	}
	return b.String()
}

// FormatSID prints the alias when there is one, else the literal SID.
func FormatSID(s SID) string {
	if a := AliasOf(s); a != "" {
		return a
	}
	return s.String()
}

func (a *ACL) String() string {
	var b strings.Builder
	for _, f := range a.Flags() {
		b.WriteString(f)
	}
	for i := range a.ACEs {
		b.WriteString(a.ACEs[i].String())
	}
	return b.String()
}

func (a *ACE) String() string {
	var b strings.Builder
	b.WriteByte('(')
	b.WriteString(a.Type)
	b.WriteByte(';')
	b.WriteString(strings.Join(a.FlagCodes(), ""))
	b.WriteByte(';')
	b.WriteString(FormatRights(a.Mask, a.IsLabel()))
	b.WriteByte(';')
	b.WriteString(a.ObjectType)
	b.WriteByte(';')
	b.WriteString(a.InheritedObjectType)
	b.WriteByte(';')
	b.WriteString(FormatSID(a.SID))
	if a.Condition != nil {
		b.WriteByte(';')
		b.WriteString(FormatExpr(a.Condition))
	}
	if a.Attribute != nil {
		b.WriteByte(';')
		b.WriteString(a.Attribute.String())
	}
	b.WriteByte(')')
	return b.String()
}

func (r *ResourceAttribute) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "(\"%s\",%s,0x%x", r.Name, r.Type, r.Flags)
	for _, v := range r.Values {
		b.WriteByte(',')
		b.WriteString(FormatValue(v, false))
	}
	b.WriteByte(')')
	return b.String()
}
