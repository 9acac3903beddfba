package sddl

import (
	"fmt"
	"strconv"
	"strings"
)

// SID is a security identifier in structured form. Comparing two SIDs with == works because
// the sub-authorities are kept in a fixed-size array.
type SID struct {
	Revision  uint8
	Authority uint64
	Count     uint8
	Sub       [15]uint32
}

// MaxSubAuthorities is SID_MAX_SUB_AUTHORITIES from winnt.h.
const MaxSubAuthorities = 15

// PlaceholderDomain is the domain prefix used for domain-relative aliases (DA, DU, LA, ...).
// A real machine substitutes its own domain or account-domain SID; this lab has none, so it
// uses S-1-5-21-0-0-0 (a model choice, reported as domainRelative in the output).
const PlaceholderDomain = "S-1-5-21-0-0-0"

// String returns the S-R-I-S... form. Authorities of 2^32 and above are printed in hex, as
// ConvertSidToStringSid does.
func (s SID) String() string {
	var b strings.Builder
	b.WriteString("S-")
	b.WriteString(strconv.Itoa(int(s.Revision)))
	b.WriteByte('-')
	if s.Authority >= 1<<32 {
		fmt.Fprintf(&b, "0x%012X", s.Authority)
	} else {
		b.WriteString(strconv.FormatUint(s.Authority, 10))
	}
	for i := 0; i < int(s.Count); i++ {
		b.WriteByte('-')
		b.WriteString(strconv.FormatUint(uint64(s.Sub[i]), 10))
	}
	return b.String()
}

// RID returns the last sub-authority (0 when there is none).
//
//go:noinline
func (s SID) RID() uint32 {
	if s.Count == 0 {
		return 0
	}
	return s.Sub[s.Count-1]
}

// HasPrefix reports whether s starts with the authority and sub-authorities of p.
//
//go:noinline
func (s SID) HasPrefix(p SID) bool {
	if s.Revision != p.Revision || s.Authority != p.Authority || s.Count < p.Count {
		return false
	}
	for i := 0; i < int(p.Count); i++ {
		if s.Sub[i] != p.Sub[i] {
			return false
		}
	}
	return true
}

// ParseSIDLiteral parses "S-1-5-32-544" (also "s-", and a 0x-prefixed hex authority). The
// returned int is how many bytes were consumed; parsing stops at the first byte that cannot
// continue the SID, so the caller decides what may follow.
func ParseSIDLiteral(s string) (SID, int, error) {
	var sid SID
	if len(s) < 2 || (s[0] != 'S' && s[0] != 's') || s[1] != '-' {
		return sid, 0, fmt.Errorf("expected a SID starting with \"S-\"")
	}
	i := 2
	rev, n := scanDec(s[i:])
	if n == 0 || rev > 255 {
		return sid, i, fmt.Errorf("expected the SID revision (a number, normally 1)")
	}
	if rev != 1 {
		return sid, i, fmt.Errorf("expected SID revision 1")
	}
	sid.Revision = uint8(rev)
	i += n
	if i >= len(s) || s[i] != '-' {
		return sid, i, fmt.Errorf("expected '-' and the identifier authority")
	}
	i++
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j := i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j == i+2 || j-i-2 > 12 {
			return sid, i, fmt.Errorf("expected a 48-bit hexadecimal identifier authority")
		}
		v, _ := strconv.ParseUint(s[i+2:j], 16, 64)
		sid.Authority = v
		i = j
	} else {
		v, n := scanDec(s[i:])
		if n == 0 || v >= 1<<32 {
			return sid, i, fmt.Errorf("expected the identifier authority (decimal below 2^32, or 0x hex)")
		}
		sid.Authority = v
		i += n
	}
	for i < len(s) && s[i] == '-' {
		if sid.Count == MaxSubAuthorities {
			return sid, i, fmt.Errorf("a SID has at most %d sub-authorities", MaxSubAuthorities)
		}
		v, n := scanDec(s[i+1:])
		if n == 0 {
			return sid, i + 1, fmt.Errorf("expected a sub-authority (decimal number) after '-'")
		}
		if v > 0xFFFFFFFF {
			return sid, i + 1, fmt.Errorf("sub-authority does not fit in 32 bits")
		}
		sid.Sub[sid.Count] = uint32(v)
		sid.Count++
		i += 1 + n
	}
	return sid, i, nil
}

// MustSID parses a literal SID or alias and panics on error; for constant tables and tests.
func MustSID(s string) SID {
	if a, ok := aliasByCode(s); ok {
		return a.sid()
	}
	sid, n, err := ParseSIDLiteral(s)
	if err != nil || n != len(s) {
		panic("sddl: bad SID constant " + s)
	}
	return sid
}

// ParseSIDString accepts an SDDL alias ("BA") or a literal SID and requires the whole string.
func ParseSIDString(s string) (SID, error) {
	if a, ok := aliasByCode(s); ok {
		return a.sid(), nil
	}
	sid, n, err := ParseSIDLiteral(s)
	if err != nil {
		return sid, err
	}
	if n != len(s) {
		return sid, fmt.Errorf("unexpected %q after the SID", s[n:])
	}
	return sid, nil
}

//go:noinline
func scanDec(s string) (uint64, int) {
	var v uint64
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v > (1<<64-1)/10-1 {
			return 1 << 63, i + 1 // saturate: callers reject it as too large
		}
		v = v*10 + uint64(s[i]-'0')
		i++
	}
	return v, i
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// alias is one row of the SID Strings table
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-strings). Domain-relative
// aliases carry only their RID; they resolve under PlaceholderDomain.
type alias struct {
	Code   string
	SID    string // literal, or "" for domain-relative
	RID    uint32 // for domain-relative aliases
	Name   string
	Domain string // "domain", "root domain" or "machine" for domain-relative aliases
}

func (a alias) sid() SID {
	if a.SID != "" {
		s, _, _ := ParseSIDLiteral(a.SID)
		return s
	}
	s, _, _ := ParseSIDLiteral(PlaceholderDomain)
	s.Sub[s.Count] = a.RID
	s.Count++
	return s
}

// aliases lists every SDDL SID string of sddl.h / the "SID Strings" page, in the order of
// sddl.h. RIDs of well-known groups: https://learn.microsoft.com/en-us/windows/win32/secauthz/well-known-sids
var aliases = [...]alias{
	{Code: "DA", RID: 512, Name: "Domain Admins", Domain: "domain"},
	{Code: "DG", RID: 514, Name: "Domain Guests", Domain: "domain"},
	{Code: "DU", RID: 513, Name: "Domain Users", Domain: "domain"},
	{Code: "ED", SID: "S-1-5-9", Name: "NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS"},
	{Code: "DD", RID: 516, Name: "Domain Controllers", Domain: "domain"},
	{Code: "DC", RID: 515, Name: "Domain Computers", Domain: "domain"},
	{Code: "BA", SID: "S-1-5-32-544", Name: "BUILTIN\\Administrators"},
	{Code: "BG", SID: "S-1-5-32-546", Name: "BUILTIN\\Guests"},
	{Code: "BU", SID: "S-1-5-32-545", Name: "BUILTIN\\Users"},
	{Code: "LA", RID: 500, Name: "local Administrator account", Domain: "machine"},
	{Code: "LG", RID: 501, Name: "local Guest account", Domain: "machine"},
	{Code: "AO", SID: "S-1-5-32-548", Name: "BUILTIN\\Account Operators"},
	{Code: "BO", SID: "S-1-5-32-551", Name: "BUILTIN\\Backup Operators"},
	{Code: "PO", SID: "S-1-5-32-550", Name: "BUILTIN\\Print Operators"},
	{Code: "SO", SID: "S-1-5-32-549", Name: "BUILTIN\\Server Operators"},
	{Code: "AU", SID: "S-1-5-11", Name: "NT AUTHORITY\\Authenticated Users"},
	{Code: "PS", SID: "S-1-5-10", Name: "NT AUTHORITY\\SELF (principal self)"},
	{Code: "CO", SID: "S-1-3-0", Name: "CREATOR OWNER"},
	{Code: "CG", SID: "S-1-3-1", Name: "CREATOR GROUP"},
	{Code: "SY", SID: "S-1-5-18", Name: "NT AUTHORITY\\SYSTEM"},
	{Code: "PU", SID: "S-1-5-32-547", Name: "BUILTIN\\Power Users"},
	{Code: "WD", SID: "S-1-1-0", Name: "Everyone"},
	{Code: "RE", SID: "S-1-5-32-552", Name: "BUILTIN\\Replicator"},
	{Code: "IU", SID: "S-1-5-4", Name: "NT AUTHORITY\\INTERACTIVE"},
	{Code: "NU", SID: "S-1-5-2", Name: "NT AUTHORITY\\NETWORK"},
	{Code: "SU", SID: "S-1-5-6", Name: "NT AUTHORITY\\SERVICE"},
	{Code: "RC", SID: "S-1-5-12", Name: "NT AUTHORITY\\RESTRICTED"},
	{Code: "WR", SID: "S-1-5-33", Name: "NT AUTHORITY\\WRITE RESTRICTED"},
	{Code: "AN", SID: "S-1-5-7", Name: "NT AUTHORITY\\ANONYMOUS LOGON"},
	{Code: "SA", RID: 518, Name: "Schema Admins", Domain: "root domain"},
	{Code: "CA", RID: 517, Name: "Cert Publishers", Domain: "domain"},
	{Code: "RS", RID: 553, Name: "RAS and IAS Servers", Domain: "domain"},
	{Code: "EA", RID: 519, Name: "Enterprise Admins", Domain: "root domain"},
	{Code: "PA", RID: 520, Name: "Group Policy Creator Owners", Domain: "domain"},
	{Code: "RU", SID: "S-1-5-32-554", Name: "BUILTIN\\Pre-Windows 2000 Compatible Access"},
	{Code: "LS", SID: "S-1-5-19", Name: "NT AUTHORITY\\LOCAL SERVICE"},
	{Code: "NS", SID: "S-1-5-20", Name: "NT AUTHORITY\\NETWORK SERVICE"},
	{Code: "RD", SID: "S-1-5-32-555", Name: "BUILTIN\\Remote Desktop Users"},
	{Code: "NO", SID: "S-1-5-32-556", Name: "BUILTIN\\Network Configuration Operators"},
	{Code: "MU", SID: "S-1-5-32-558", Name: "BUILTIN\\Performance Monitor Users"},
	{Code: "LU", SID: "S-1-5-32-559", Name: "BUILTIN\\Performance Log Users"},
	{Code: "IS", SID: "S-1-5-32-568", Name: "BUILTIN\\IIS_IUSRS"},
	{Code: "CY", SID: "S-1-5-32-569", Name: "BUILTIN\\Cryptographic Operators"},
	{Code: "OW", SID: "S-1-3-4", Name: "OWNER RIGHTS"},
	{Code: "ER", SID: "S-1-5-32-573", Name: "BUILTIN\\Event Log Readers"},
	{Code: "RO", RID: 498, Name: "Enterprise Read-only Domain Controllers", Domain: "root domain"},
	{Code: "CD", SID: "S-1-5-32-574", Name: "BUILTIN\\Certificate Service DCOM Access"},
	{Code: "AC", SID: "S-1-15-2-1", Name: "APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES"},
	{Code: "RA", SID: "S-1-5-32-575", Name: "BUILTIN\\RDS Remote Access Servers"},
	{Code: "ES", SID: "S-1-5-32-576", Name: "BUILTIN\\RDS Endpoint Servers"},
	{Code: "MS", SID: "S-1-5-32-577", Name: "BUILTIN\\RDS Management Servers"},
	{Code: "UD", SID: "S-1-5-84-0-0-0-0-0", Name: "NT AUTHORITY\\USER MODE DRIVERS"},
	{Code: "HA", SID: "S-1-5-32-578", Name: "BUILTIN\\Hyper-V Administrators"},
	{Code: "CN", RID: 522, Name: "Cloneable Domain Controllers", Domain: "domain"},
	{Code: "AA", SID: "S-1-5-32-579", Name: "BUILTIN\\Access Control Assistance Operators"},
	{Code: "RM", SID: "S-1-5-32-580", Name: "BUILTIN\\Remote Management Users"},
	{Code: "AS", SID: "S-1-18-1", Name: "Authentication authority asserted identity"},
	{Code: "SS", SID: "S-1-18-2", Name: "Service asserted identity"},
	{Code: "AP", RID: 525, Name: "Protected Users", Domain: "domain"},
	{Code: "KA", RID: 526, Name: "Key Admins", Domain: "domain"},
	{Code: "EK", RID: 527, Name: "Enterprise Key Admins", Domain: "root domain"},
	{Code: "HO", SID: "S-1-5-32-584", Name: "BUILTIN\\User Mode Hardware Operators"},
	{Code: "SH", SID: "S-1-5-32-585", Name: "BUILTIN\\OpenSSH Users"},
	{Code: "LW", SID: "S-1-16-4096", Name: "Mandatory Label\\Low Mandatory Level"},
	{Code: "ME", SID: "S-1-16-8192", Name: "Mandatory Label\\Medium Mandatory Level"},
	{Code: "MP", SID: "S-1-16-8448", Name: "Mandatory Label\\Medium Plus Mandatory Level"},
	{Code: "HI", SID: "S-1-16-12288", Name: "Mandatory Label\\High Mandatory Level"},
	{Code: "SI", SID: "S-1-16-16384", Name: "Mandatory Label\\System Mandatory Level"},
}

//go:noinline
func aliasByCode(code string) (alias, bool) {
	for _, a := range aliases {
		if a.Code == code {
			return a, true
		}
	}
	return alias{}, false
}

// AliasOf returns the SDDL alias for a SID ("" if none). Domain-relative aliases are found
// only under PlaceholderDomain.
//
//go:noinline
func AliasOf(s SID) string {
	for _, a := range aliases {
		if a.sid() == s {
			return a.Code
		}
	}
	return ""
}

// AliasCodes lists every alias in sddl.h order.
func AliasCodes() []string {
	out := make([]string, len(aliases))
	for i, a := range aliases {
		out[i] = a.Code
	}
	return out
}

// extraNames names well-known SIDs that have no SDDL alias
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/well-known-sids,
// https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/understand-security-identifiers).
var extraNames = [...]struct{ SID, Name string }{
	{"S-1-0-0", "NULL SID"},
	{"S-1-2-0", "LOCAL"},
	{"S-1-2-1", "CONSOLE LOGON"},
	{"S-1-3-2", "CREATOR OWNER SERVER"},
	{"S-1-3-3", "CREATOR GROUP SERVER"},
	{"S-1-5-1", "NT AUTHORITY\\DIALUP"},
	{"S-1-5-3", "NT AUTHORITY\\BATCH"},
	{"S-1-5-8", "NT AUTHORITY\\PROXY"},
	{"S-1-5-13", "NT AUTHORITY\\TERMINAL SERVER USER"},
	{"S-1-5-14", "NT AUTHORITY\\REMOTE INTERACTIVE LOGON"},
	{"S-1-5-15", "NT AUTHORITY\\This Organization"},
	{"S-1-5-17", "NT AUTHORITY\\IUSR"},
	{"S-1-5-32-562", "BUILTIN\\Distributed COM Users"},
	{"S-1-5-64-10", "NT AUTHORITY\\NTLM Authentication"},
	{"S-1-5-64-14", "NT AUTHORITY\\SChannel Authentication"},
	{"S-1-5-64-21", "NT AUTHORITY\\Digest Authentication"},
	{"S-1-5-80-0", "NT SERVICE\\ALL SERVICES"},
	{"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", "NT SERVICE\\TrustedInstaller"},
	{"S-1-5-113", "NT AUTHORITY\\Local account"},
	{"S-1-5-114", "NT AUTHORITY\\Local account and member of Administrators group"},
	{"S-1-15-2-2", "APPLICATION PACKAGE AUTHORITY\\ALL RESTRICTED APPLICATION PACKAGES"},
	{"S-1-15-3-1", "capability: internetClient"},
	{"S-1-15-3-2", "capability: internetClientServer"},
	{"S-1-15-3-3", "capability: privateNetworkClientServer"},
	{"S-1-15-3-4", "capability: picturesLibrary"},
	{"S-1-15-3-5", "capability: videosLibrary"},
	{"S-1-15-3-6", "capability: musicLibrary"},
	{"S-1-15-3-7", "capability: documentsLibrary"},
	{"S-1-15-3-8", "capability: enterpriseAuthentication"},
	{"S-1-15-3-9", "capability: sharedUserCertificates"},
	{"S-1-15-3-10", "capability: removableStorage"},
	{"S-1-15-3-11", "capability: appointments"},
	{"S-1-15-3-12", "capability: contacts"},
	{"S-1-16-0", "Mandatory Label\\Untrusted Mandatory Level"},
	{"S-1-16-20480", "Mandatory Label\\Protected Process Mandatory Level"},
	{"S-1-16-28672", "Mandatory Label\\Secure Process Mandatory Level"},
}

// NameOf returns a human-readable name for well-known SIDs and a description of the SID's
// family otherwise ("" when nothing is known).
func NameOf(s SID) string {
	for _, a := range aliases {
		if a.sid() == s {
			return a.Name
		}
	}
	str := s.String()
	for _, e := range extraNames {
		if e.SID == str {
			return e.Name
		}
	}
	switch {
	case strings.HasPrefix(str, "S-1-5-5-") && s.Count == 3:
		return "logon session SID"
	case strings.HasPrefix(str, "S-1-5-21-") && s.Count == 5:
		switch s.RID() {
		case 500:
			return "account domain: Administrator"
		case 501:
			return "account domain: Guest"
		case 513:
			return "account domain: None / Domain Users"
		}
		return fmt.Sprintf("account in a domain or machine (RID %d)", s.RID())
	case strings.HasPrefix(str, "S-1-5-80-"):
		return "service SID (NT SERVICE\\...)"
	case strings.HasPrefix(str, "S-1-15-2-"):
		return "AppContainer package SID"
	case strings.HasPrefix(str, "S-1-15-3-"):
		return "capability SID"
	case strings.HasPrefix(str, "S-1-16-"):
		return fmt.Sprintf("integrity level %d", s.RID())
	case strings.HasPrefix(str, "S-1-19-"):
		return "process trust label"
	case strings.HasPrefix(str, "S-1-17-"):
		return "central access policy ID"
	}
	return ""
}

// IsDomainRelative reports whether s sits under PlaceholderDomain, i.e. came from an alias
// such as DA or LA whose real value depends on the machine or domain.
func IsDomainRelative(s SID) bool {
	p, _, _ := ParseSIDLiteral(PlaceholderDomain)
	return s.HasPrefix(p) && s.Count == p.Count+1
}
