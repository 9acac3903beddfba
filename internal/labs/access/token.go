package access

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

// Token is the JSON form of an access token (documented in docs/labs/access.md).
//
//	{"user":"S-1-…","groups":[{"sid":"S-1-…","attributes":["enabled"]}],
//	 "privileges":[{"name":"SeTakeOwnershipPrivilege","enabled":true}],
//	 "integrity":"S-1-16-8192","restrictedSids":[…],"appContainer":"S-1-15-2-…","capabilities":[…]}
//
// Group attributes: ["enabled"], ["deny-only"] or [] for a present but disabled group. The
// user SID is always enabled (for allow ACEs) unless userDenyOnly is set, as UAC never does
// but CreateRestrictedToken can.
type Token struct {
	User           string      `json:"user"`
	UserName       string      `json:"userName,omitempty"`
	UserDenyOnly   bool        `json:"userDenyOnly,omitempty"`
	Groups         []Group     `json:"groups"`
	Privileges     []Privilege `json:"privileges"`
	Integrity      string      `json:"integrity"`
	RestrictedSids []string    `json:"restrictedSids,omitempty"`
	AppContainer   string      `json:"appContainer,omitempty"`
	Capabilities   []string    `json:"capabilities,omitempty"`
	// Optional claims for conditional ACEs: claim name → values (strings, integers or
	// booleans), and the device's groups for Device_Member_of.
	UserClaims   map[string][]any `json:"userClaims,omitempty"`
	DeviceClaims map[string][]any `json:"deviceClaims,omitempty"`
	DeviceGroups []string         `json:"deviceGroups,omitempty"`
}

// Group is one token group.
type Group struct {
	SID        string   `json:"sid"`
	Name       string   `json:"name,omitempty"`
	Attributes []string `json:"attributes"`
}

// Privilege is one privilege and its state.
type Privilege struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

// groupAttributes are the accepted attribute words. Only "enabled" and "deny-only" change
// the access check; the others are SE_GROUP_* flags that whoami shows and the check ignores
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-attributes-in-an-access-token).
var groupAttributes = [...]string{"enabled", "deny-only", "mandatory", "enabled-by-default", "owner", "logon-id",
	"integrity", "integrity-enabled", "resource"}

// resolved is a validated token with parsed SIDs.
type resolved struct {
	user         sddl.SID
	userDenyOnly bool
	enabled      []sddl.SID // user (unless deny-only) and enabled groups
	denyOnly     []sddl.SID
	privileges   map[string]bool
	integrity    sddl.SID
	restricted   []sddl.SID
	appContainer *sddl.SID
	capabilities []sddl.SID
	userClaims   map[string][]*sddl.Value // keys in lower case: claim names compare case-insensitively
	deviceClaims map[string][]*sddl.Value
	deviceGroups []sddl.SID
	hasDevice    bool // deviceGroups was given, so Device_Member_of can be decided
}

func (r *resolved) privilege(name string) bool { return r.privileges[strings.ToLower(name)] }

func parseSIDField(s, field string) (sddl.SID, error) {
	sid, err := sddl.ParseSIDString(strings.TrimSpace(s))
	if err != nil {
		return sid, &labs.InputError{Offset: -1, Field: field, Message: fmt.Sprintf("expected a SID (S-1-... or an SDDL alias): %v", err)}
	}
	return sid, nil
}

// resolve validates a token; errors name the JSON field.
func resolve(t *Token) (*resolved, error) {
	r := &resolved{privileges: map[string]bool{}}
	if t.User == "" {
		return nil, &labs.InputError{Offset: -1, Field: "token.user", Message: "expected the user SID"}
	}
	u, err := parseSIDField(t.User, "token.user")
	if err != nil {
		return nil, err
	}
	r.user, r.userDenyOnly = u, t.UserDenyOnly
	if t.UserDenyOnly {
		r.denyOnly = append(r.denyOnly, u)
	} else {
		r.enabled = append(r.enabled, u)
	}
	for i, g := range t.Groups {
		field := fmt.Sprintf("token.groups[%d]", i)
		sid, err := parseSIDField(g.SID, field+".sid")
		if err != nil {
			return nil, err
		}
		en, deny := false, false
		for _, a := range g.Attributes {
			known := false
			for _, k := range groupAttributes {
				if a == k {
					known = true
				}
			}
			if !known {
				return nil, &labs.InputError{Offset: -1, Field: field + ".attributes",
					Message: fmt.Sprintf("unknown attribute %q: expected enabled, deny-only (or informational %s)", a, strings.Join(groupAttributes[2:], ", "))}
			}
			en = en || a == "enabled"
			deny = deny || a == "deny-only"
		}
		if en && deny {
			return nil, &labs.InputError{Offset: -1, Field: field + ".attributes", Message: "a group is either enabled or deny-only, not both"}
		}
		switch {
		case en:
			r.enabled = append(r.enabled, sid)
		case deny:
			r.denyOnly = append(r.denyOnly, sid)
		}
	}
	for i, p := range t.Privileges {
		if !strings.HasPrefix(p.Name, "Se") || !strings.HasSuffix(p.Name, "Privilege") {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("token.privileges[%d].name", i),
				Message: fmt.Sprintf("expected a privilege name such as SeBackupPrivilege, found %q", p.Name)}
		}
		r.privileges[strings.ToLower(p.Name)] = p.Enabled
	}
	if t.Integrity == "" {
		r.integrity = sddl.MustSID("ME")
	} else {
		il, err := parseSIDField(t.Integrity, "token.integrity")
		if err != nil {
			return nil, err
		}
		if !il.HasPrefix(sddl.MustSID("S-1-16")) || il.Count != 1 {
			return nil, &labs.InputError{Offset: -1, Field: "token.integrity", Message: "expected an integrity level SID S-1-16-<level> (LW, ME, HI, SI)"}
		}
		r.integrity = il
	}
	for i, s := range t.RestrictedSids {
		sid, err := parseSIDField(s, fmt.Sprintf("token.restrictedSids[%d]", i))
		if err != nil {
			return nil, err
		}
		r.restricted = append(r.restricted, sid)
	}
	if t.AppContainer != "" {
		sid, err := parseSIDField(t.AppContainer, "token.appContainer")
		if err != nil {
			return nil, err
		}
		if !sid.HasPrefix(sddl.MustSID("S-1-15-2")) {
			return nil, &labs.InputError{Offset: -1, Field: "token.appContainer", Message: "expected an AppContainer package SID S-1-15-2-..."}
		}
		r.appContainer = &sid
	}
	for i, s := range t.Capabilities {
		sid, err := parseSIDField(s, fmt.Sprintf("token.capabilities[%d]", i))
		if err != nil {
			return nil, err
		}
		if !sid.HasPrefix(sddl.MustSID("S-1-15-3")) {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("token.capabilities[%d]", i), Message: "expected a capability SID S-1-15-3-..."}
		}
		r.capabilities = append(r.capabilities, sid)
	}
	var err2 error
	if r.userClaims, err2 = claimValues(t.UserClaims, "token.userClaims"); err2 != nil {
		return nil, err2
	}
	if r.deviceClaims, err2 = claimValues(t.DeviceClaims, "token.deviceClaims"); err2 != nil {
		return nil, err2
	}
	r.hasDevice = t.DeviceGroups != nil
	for i, s := range t.DeviceGroups {
		sid, err := parseSIDField(s, fmt.Sprintf("token.deviceGroups[%d]", i))
		if err != nil {
			return nil, err
		}
		r.deviceGroups = append(r.deviceGroups, sid)
	}
	if len(r.capabilities) > 0 && r.appContainer == nil {
		return nil, &labs.InputError{Offset: -1, Field: "token.capabilities", Message: "capabilities only count in an AppContainer token: set appContainer"}
	}
	return r, nil
}

const (
	exampleUser  = "S-1-5-21-1004336348-1177238915-682003330-1001"
	exampleAdmin = "S-1-5-21-1004336348-1177238915-682003330-1000"
	examplePkg   = "S-1-15-2-2434737943-167758768-3180539153-984336765-1107280622-3591121930-2677285773"
	logonSID     = "S-1-5-5-0-171593"
)

//go:noinline
func en(sid, name string) Group { return Group{SID: sid, Name: name, Attributes: []string{"enabled"}} }

//go:noinline
func deny(sid, name string) Group {
	return Group{SID: sid, Name: name, Attributes: []string{"deny-only"}}
}

//go:noinline
func privs(enabled []string, disabled ...string) []Privilege {
	var out []Privilege
	for _, n := range enabled {
		out = append(out, Privilege{Name: n, Enabled: true})
	}
	for _, n := range disabled {
		out = append(out, Privilege{Name: n})
	}
	return out
}

func interactiveGroups() []Group {
	return []Group{
		en("S-1-1-0", "Everyone"),
		en("S-1-5-32-545", "BUILTIN\\Users"),
		en("S-1-5-4", "NT AUTHORITY\\INTERACTIVE"),
		en("S-1-2-1", "CONSOLE LOGON"),
		en("S-1-5-11", "NT AUTHORITY\\Authenticated Users"),
		en("S-1-5-15", "NT AUTHORITY\\This Organization"),
		en("S-1-5-113", "NT AUTHORITY\\Local account"),
		en(logonSID, "logon session"),
		en("S-1-2-0", "LOCAL"),
		en("S-1-5-64-10", "NT AUTHORITY\\NTLM Authentication"),
	}
}

var userPrivs = []string{"SeShutdownPrivilege", "SeUndockPrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege"}

// Preset is a named example token.
type Preset struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Token       Token  `json:"token"`
}

// Presets returns the token presets. Group and privilege lists follow `whoami /all` on
// Windows 10/11 (observed); machine SIDs are example values.
func Presets() []Preset {
	std := Token{User: exampleUser, UserName: "DESKTOP\\alice", Groups: interactiveGroups(),
		Privileges: privs([]string{"SeChangeNotifyPrivilege"}, userPrivs...), Integrity: "S-1-16-8192"}

	filtered := Token{User: exampleAdmin, UserName: "DESKTOP\\admin", Integrity: "S-1-16-8192",
		Privileges: privs([]string{"SeChangeNotifyPrivilege"}, userPrivs...)}
	filtered.Groups = append(interactiveGroups(),
		deny("S-1-5-32-544", "BUILTIN\\Administrators"),
		deny("S-1-5-114", "NT AUTHORITY\\Local account and member of Administrators group"))

	adminPrivs := privs([]string{"SeChangeNotifyPrivilege", "SeImpersonatePrivilege", "SeCreateGlobalPrivilege"},
		"SeIncreaseQuotaPrivilege", "SeSecurityPrivilege", "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege",
		"SeSystemProfilePrivilege", "SeSystemtimePrivilege", "SeProfileSingleProcessPrivilege",
		"SeIncreaseBasePriorityPrivilege", "SeCreatePagefilePrivilege", "SeBackupPrivilege", "SeRestorePrivilege",
		"SeShutdownPrivilege", "SeDebugPrivilege", "SeSystemEnvironmentPrivilege", "SeRemoteShutdownPrivilege",
		"SeUndockPrivilege", "SeManageVolumePrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege",
		"SeCreateSymbolicLinkPrivilege", "SeDelegateSessionUserImpersonatePrivilege")
	elevated := Token{User: exampleAdmin, UserName: "DESKTOP\\admin", Integrity: "S-1-16-12288", Privileges: adminPrivs}
	elevated.Groups = append(interactiveGroups(),
		Group{SID: "S-1-5-32-544", Name: "BUILTIN\\Administrators", Attributes: []string{"enabled", "owner"}},
		en("S-1-5-114", "NT AUTHORITY\\Local account and member of Administrators group"))

	system := Token{User: "S-1-5-18", UserName: "NT AUTHORITY\\SYSTEM", Integrity: "S-1-16-16384",
		Groups: []Group{
			Group{SID: "S-1-5-32-544", Name: "BUILTIN\\Administrators", Attributes: []string{"enabled", "owner"}},
			en("S-1-1-0", "Everyone"), en("S-1-5-11", "NT AUTHORITY\\Authenticated Users"),
		},
		Privileges: privs([]string{"SeTcbPrivilege", "SeDebugPrivilege", "SeImpersonatePrivilege", "SeCreateGlobalPrivilege",
			"SeChangeNotifyPrivilege", "SeAuditPrivilege", "SeLockMemoryPrivilege", "SeCreatePermanentPrivilege",
			"SeProfileSingleProcessPrivilege", "SeIncreaseBasePriorityPrivilege", "SeCreatePagefilePrivilege",
			"SeManageVolumePrivilege", "SeCreateSymbolicLinkPrivilege"},
			"SeAssignPrimaryTokenPrivilege", "SeIncreaseQuotaPrivilege", "SeSecurityPrivilege", "SeTakeOwnershipPrivilege",
			"SeLoadDriverPrivilege", "SeBackupPrivilege", "SeRestorePrivilege", "SeShutdownPrivilege",
			"SeSystemEnvironmentPrivilege", "SeRelabelPrivilege")}

	svcGroups := func() []Group {
		return []Group{
			en("S-1-1-0", "Everyone"), en("S-1-5-32-545", "BUILTIN\\Users"), en("S-1-5-6", "NT AUTHORITY\\SERVICE"),
			en("S-1-2-1", "CONSOLE LOGON"), en("S-1-5-11", "NT AUTHORITY\\Authenticated Users"),
			en("S-1-5-15", "NT AUTHORITY\\This Organization"), en(logonSID, "logon session"), en("S-1-2-0", "LOCAL"),
		}
	}
	svcPrivs := privs([]string{"SeAuditPrivilege", "SeChangeNotifyPrivilege", "SeImpersonatePrivilege", "SeCreateGlobalPrivilege"},
		"SeAssignPrimaryTokenPrivilege", "SeIncreaseQuotaPrivilege", "SeSystemtimePrivilege", "SeShutdownPrivilege",
		"SeUndockPrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege")
	local := Token{User: "S-1-5-19", UserName: "NT AUTHORITY\\LOCAL SERVICE", Integrity: "S-1-16-16384",
		Groups: svcGroups(), Privileges: svcPrivs}
	network := Token{User: "S-1-5-20", UserName: "NT AUTHORITY\\NETWORK SERVICE", Integrity: "S-1-16-16384",
		Groups: svcGroups(), Privileges: svcPrivs}

	app := Token{User: exampleUser, UserName: "DESKTOP\\alice", Integrity: "S-1-16-4096",
		Groups: interactiveGroups(), Privileges: privs([]string{"SeChangeNotifyPrivilege"}, userPrivs...),
		AppContainer: examplePkg, Capabilities: []string{"S-1-15-3-1"}}

	return []Preset{
		{"standard-user", "Standard user", "A non-administrator signed in at the console, medium integrity.", std},
		{"uac-filtered-admin", "Administrator, UAC-filtered", "An administrator's normal (filtered) token: BUILTIN\\Administrators is deny-only, medium integrity, only the basic privileges.", filtered},
		{"elevated-admin", "Administrator, elevated", "The same administrator after \"Run as administrator\": Administrators enabled, high integrity, admin privileges present but mostly disabled.", elevated},
		{"system", "SYSTEM", "NT AUTHORITY\\SYSTEM (LocalSystem services), system integrity.", system},
		{"local-service", "LocalService", "NT AUTHORITY\\LOCAL SERVICE, a low-privilege service account.", local},
		{"network-service", "NetworkService", "NT AUTHORITY\\NETWORK SERVICE, a service account that uses the computer's credentials on the network.", network},
		{"appcontainer", "AppContainer app", "A packaged app: the user's groups, low integrity, an AppContainer package SID and the internetClient capability.", app},
	}
}

// PresetByName finds a preset.
//
//go:noinline
func PresetByName(name string) (Token, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p.Token, true
		}
	}
	return Token{}, false
}

// PresetNames lists the preset names.
func PresetNames() []string {
	var out []string
	for _, p := range Presets() {
		out = append(out, p.Name)
	}
	return out
}

// claimValues converts JSON claim values to conditional-expression values.
func claimValues(in map[string][]any, field string) (map[string][]*sddl.Value, error) {
	out := map[string][]*sddl.Value{}
	for name, vals := range in {
		if name == "" {
			return nil, &labs.InputError{Offset: -1, Field: field, Message: "expected a non-empty claim name"}
		}
		for i, v := range vals {
			f := fmt.Sprintf("%s.%s[%d]", field, name, i)
			switch x := v.(type) {
			case string:
				out[strings.ToLower(name)] = append(out[strings.ToLower(name)], &sddl.Value{Type: "string", String: x})
			case bool:
				out[strings.ToLower(name)] = append(out[strings.ToLower(name)], &sddl.Value{Type: "bool", Bool: x})
			case float64:
				if x != float64(int64(x)) || x > 1<<62 || x < -(1<<62) {
					return nil, &labs.InputError{Offset: -1, Field: f, Message: "expected a whole number (claims are 64-bit integers)"}
				}
				out[strings.ToLower(name)] = append(out[strings.ToLower(name)], &sddl.Value{Type: "int", Int: int64(x), Base: 10})
			default:
				return nil, &labs.InputError{Offset: -1, Field: f, Message: "expected a string, a whole number or a boolean"}
			}
		}
	}
	return out, nil
}
