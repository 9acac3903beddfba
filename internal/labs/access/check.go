// Package access simulates the Windows access check: given a security descriptor (SDDL), an
// access token and a desired access mask, it decides granted or denied and records every
// step with the documented rule it applies.
//
// The order of the phases follows the documented behaviour: generic mapping of the request,
// the mandatory integrity check, privileges, the owner's implicit rights, the DACL walk,
// then the second passes for restricted tokens and AppContainer tokens.
package access

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs/sddl"
)

// Documentation pages cited by the steps.
const (
	DocDACL         = "https://learn.microsoft.com/en-us/windows/win32/secauthz/how-dacls-control-access-to-an-object"
	DocNullDACL     = "https://learn.microsoft.com/en-us/windows/win32/secauthz/null-dacls-and-empty-dacls"
	DocGeneric      = "https://learn.microsoft.com/en-us/windows/win32/secauthz/generic-access-rights"
	DocRequesting   = "https://learn.microsoft.com/en-us/windows/win32/secauthz/requesting-access-rights-to-an-object"
	DocMIC          = "https://learn.microsoft.com/en-us/windows/win32/secauthz/mandatory-integrity-control"
	DocSIDAttrs     = "https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-attributes-in-an-access-token"
	DocACEInherit   = "https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-inheritance"
	DocSACLRight    = "https://learn.microsoft.com/en-us/windows/win32/secauthz/sacl-access-right"
	DocPrivileges   = "https://learn.microsoft.com/en-us/windows/win32/secauthz/privilege-constants"
	DocOwnerRights  = "https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/understand-security-identifiers"
	DocOwnerImplied = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/fb7c101d-ec8b-4fbf-bca8-7d7c2d747d0c"
	DocRestricted   = "https://learn.microsoft.com/en-us/windows/win32/secauthz/restricted-tokens"
	DocAppContainer = "https://learn.microsoft.com/en-us/windows/win32/secauthz/appcontainer-isolation"
	DocConditional  = "https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-definition-language-for-conditional-aces-"
	DocObjectACE    = "https://learn.microsoft.com/en-us/windows/win32/secauthz/object-specific-aces"
)

// Step is one line of the trace.
type Step struct {
	Phase   string `json:"phase"`  // request, integrity, privileges, owner, dacl, restricted, appcontainer, result
	Rule    string `json:"rule"`   // short rule id, e.g. "deny-ace", "inherit-only"
	Effect  string `json:"effect"` // grant, deny, skip, info
	Message string `json:"message"`
	Doc     string `json:"doc"`
	ACE     *int   `json:"ace,omitempty"`
	ACEText string `json:"aceText,omitempty"`
	SID     string `json:"sid,omitempty"`
	Mask    string `json:"mask,omitempty"`
	Model   bool   `json:"model,omitempty"` // true when the rule is our simplification, not documented behaviour
}

// Result is the outcome of a check.
type Result struct {
	Granted       bool     `json:"granted"`
	GrantedMask   string   `json:"grantedMask"`
	DesiredMask   string   `json:"desiredMask"`
	GrantedRights []string `json:"grantedRights"`
	Steps         []Step   `json:"steps"`
}

// Options are the parts of a request beyond descriptor, token and mask.
type Options struct {
	Type         sddl.ObjectType
	BackupIntent bool // FILE_FLAG_BACKUP_SEMANTICS: lets SeBackup/SeRestore privileges grant rights
}

type tracer struct{ steps []Step }

//go:noinline
func (t *tracer) add(s Step) { t.steps = append(t.steps, s) }

//go:noinline
func hex(m uint32) string { return fmt.Sprintf("0x%08x", m) }

func names(m uint32, typ sddl.ObjectType) string {
	if m == 0 {
		return "nothing"
	}
	return strings.Join(sddl.RightNames(m, typ, false), ", ")
}

// Check runs the access check.
func Check(sd *sddl.SecurityDescriptor, tok *Token, desired uint32, opt Options) (Result, error) {
	r, err := resolve(tok)
	if err != nil {
		return Result{}, err
	}
	if opt.Type == "" {
		opt.Type = sddl.TypeGeneric
	}
	return check(sd, r, desired, opt), nil
}

func check(sd *sddl.SecurityDescriptor, tok *resolved, desired uint32, opt Options) Result {
	tr := &tracer{}
	typ := opt.Type
	gm := sddl.Mapping(typ)

	// 1. Generic rights in the request are mapped before anything else.
	want := gm.Map(desired)
	if desired&sddl.GenericBits != 0 {
		tr.add(Step{Phase: "request", Rule: "generic-mapping", Effect: "info", Doc: DocGeneric, Model: !gm.Documented,
			Mask: hex(want), Message: fmt.Sprintf("The request %s contains generic rights; the %s generic mapping turns them into %s (%s).",
				hex(desired), typ, hex(want), names(want&^sddl.MaximumAllowed, typ))})
	}
	maxAllowed := want&sddl.MaximumAllowed != 0
	want &^= sddl.MaximumAllowed
	if maxAllowed {
		tr.add(Step{Phase: "request", Rule: "maximum-allowed", Effect: "info", Doc: DocRequesting,
			Message: "MAXIMUM_ALLOWED asks for every right the descriptor would grant: the whole DACL is evaluated instead of stopping early."})
	}
	if want == 0 && !maxAllowed {
		tr.add(Step{Phase: "request", Rule: "empty-request", Effect: "deny", Doc: DocRequesting,
			Message: "The request asks for no rights at all; an open with a zero access mask is refused here (a model choice: Windows rejects most such opens with STATUS_ACCESS_DENIED)."})
		return finish(tr, false, 0, desired, typ)
	}

	// 2. Mandatory integrity control (before the DACL).
	micAllowed := ^uint32(0)
	{
		objIL, policy, labelIdx := uint32(0x2000), sddl.NoWriteUp, -1
		if sd.SACL != nil {
			for i := range sd.SACL.ACEs {
				a := &sd.SACL.ACEs[i]
				if a.Type == "ML" && !a.InheritOnly() {
					objIL, policy, labelIdx = a.SID.RID(), a.Mask, i
					break
				}
			}
		}
		tokIL := tok.integrity.RID()
		if labelIdx < 0 {
			tr.add(Step{Phase: "integrity", Rule: "unlabelled-medium", Effect: "info", Doc: DocMIC,
				Message: "The object has no mandatory label, so it is treated as Medium integrity with the no-write-up policy."})
		} else {
			idx := labelIdx
			tr.add(Step{Phase: "integrity", Rule: "label", Effect: "info", Doc: DocMIC, ACE: &idx, ACEText: sd.SACL.ACEs[idx].String(),
				SID: sd.SACL.ACEs[idx].SID.String(),
				Message: fmt.Sprintf("The SACL labels the object at integrity %d (%s) with policy %s.", objIL,
					sddl.NameOf(sd.SACL.ACEs[idx].SID), policyText(policy))})
		}
		if tokIL >= objIL {
			tr.add(Step{Phase: "integrity", Rule: "integrity-dominates", Effect: "info", Doc: DocMIC,
				Message: fmt.Sprintf("The token's integrity %d is not lower than the object's %d: the mandatory policy restricts nothing.", tokIL, objIL)})
		} else {
			micAllowed = 0
			if policy&sddl.NoReadUp == 0 {
				micAllowed |= gm.Read
			}
			if policy&sddl.NoWriteUp == 0 {
				micAllowed |= gm.Write
			}
			if policy&sddl.NoExecuteUp == 0 {
				micAllowed |= gm.Execute
			}
			tr.add(Step{Phase: "integrity", Rule: "integrity-lower", Effect: "info", Doc: DocMIC, Mask: hex(micAllowed), Model: true,
				Message: fmt.Sprintf("The token's integrity %d is lower than the object's %d: only the rights of the generic read/write/execute mappings not blocked by the policy can be granted (%s). Rights outside every mapping (WRITE_DAC, WRITE_OWNER, DELETE...) are blocked for lower integrity.",
					tokIL, objIL, hex(micAllowed))})
			if blocked := want &^ micAllowed; blocked != 0 && !maxAllowed {
				tr.add(Step{Phase: "integrity", Rule: "integrity-denied", Effect: "deny", Doc: DocMIC, Mask: hex(blocked),
					Message: fmt.Sprintf("The mandatory integrity policy denies %s before the DACL is even read.", names(blocked, typ))})
				return finish(tr, false, 0, desired, typ)
			}
		}
	}

	// 3. Privileges. Backup/restore come first: with backup intent they grant
	// ACCESS_SYSTEM_SECURITY themselves, so SeSecurityPrivilege is then not needed
	// (Privilege Constants, SE_BACKUP_NAME / SE_RESTORE_NAME).
	var privGranted uint32
	if opt.BackupIntent && (typ == sddl.TypeFile || typ == sddl.TypeDirectory) {
		const backup = 0x00020000 | 0x01000000 | 0x00120089 | 0x20                                 // READ_CONTROL|ACCESS_SYSTEM_SECURITY|FILE_GENERIC_READ|FILE_TRAVERSE
		const restore = 0x00040000 | 0x00080000 | 0x01000000 | 0x00120116 | 0x2 | 0x4 | 0x00010000 // WRITE_DAC|WRITE_OWNER|ACCESS_SYSTEM_SECURITY|FILE_GENERIC_WRITE|FILE_ADD_FILE|FILE_ADD_SUBDIRECTORY|DELETE
		for _, p := range []struct {
			name string
			bits uint32
		}{{"SeBackupPrivilege", backup}, {"SeRestorePrivilege", restore}} {
			if !tok.privilege(p.name) {
				continue
			}
			g := p.bits
			if !maxAllowed {
				g &= want
			}
			if g != 0 {
				privGranted |= g
				tr.add(Step{Phase: "privileges", Rule: "backup-restore", Effect: "grant", Doc: DocPrivileges, Mask: hex(g),
					Message: fmt.Sprintf("The file is opened with backup intent and %s is enabled: it grants %s regardless of the DACL.", p.name, names(g, typ))})
			}
		}
	}
	// ACCESS_SYSTEM_SECURITY must be asked for by name: MAXIMUM_ALLOWED does not include it.
	if want&sddl.AccessSystemSecurity != 0 && privGranted&sddl.AccessSystemSecurity == 0 {
		if tok.privilege("SeSecurityPrivilege") {
			privGranted |= sddl.AccessSystemSecurity
			tr.add(Step{Phase: "privileges", Rule: "security-privilege", Effect: "grant", Doc: DocSACLRight, Mask: hex(sddl.AccessSystemSecurity),
				Message: "SeSecurityPrivilege is enabled: ACCESS_SYSTEM_SECURITY (read/write the SACL) is granted by the privilege, not by the DACL."})
		} else {
			tr.add(Step{Phase: "privileges", Rule: "security-privilege-missing", Effect: "deny", Doc: DocSACLRight, Mask: hex(sddl.AccessSystemSecurity),
				Message: "ACCESS_SYSTEM_SECURITY needs the SeSecurityPrivilege enabled in the token; it is missing or disabled, so the request fails whatever the DACL says."})
			return finish(tr, false, 0, desired, typ)
		}
	}
	// SeAccessCheck checks privileges only when ACCESS_SYSTEM_SECURITY or WRITE_OWNER is
	// requested by name; MAXIMUM_ALLOWED alone does not bring in SeTakeOwnershipPrivilege.
	if want&sddl.WriteOwner != 0 && privGranted&sddl.WriteOwner == 0 && tok.privilege("SeTakeOwnershipPrivilege") {
		privGranted |= sddl.WriteOwner
		tr.add(Step{Phase: "privileges", Rule: "take-ownership", Effect: "grant", Doc: DocPrivileges, Mask: hex(sddl.WriteOwner),
			Message: "SeTakeOwnershipPrivilege is enabled and WRITE_OWNER was requested: it is granted without consulting the DACL."})
	}
	if !maxAllowed && want&^privGranted == 0 {
		tr.add(Step{Phase: "privileges", Rule: "all-by-privilege", Effect: "grant", Doc: DocPrivileges,
			Message: "Privileges alone cover every requested right; the DACL is not needed."})
		return finish(tr, true, want&micAllowed, desired, typ)
	}

	// 4–5. The DACL walk with the token's own SIDs.
	base := sidSet{enabled: tok.enabled, denyOnly: tok.denyOnly}
	g1, ok := walk(tr, "dacl", sd, tok, base, want, privGranted, maxAllowed, typ, gm)
	if !ok {
		return finish(tr, false, 0, desired, typ)
	}
	granted := g1

	// 6. Restricted tokens: a second pass with the restricting SIDs only.
	if len(tok.restricted) > 0 {
		tr.add(Step{Phase: "restricted", Rule: "restricted-pass", Effect: "info", Doc: DocRestricted,
			Message: "The token is restricted: the DACL is checked a second time using only the restricting SIDs, and access needs both checks to grant it."})
		g2, ok := walk(tr, "restricted", sd, tok, sidSet{enabled: tok.restricted}, want, privGranted, maxAllowed, typ, gm)
		if !ok {
			return finish(tr, false, 0, desired, typ)
		}
		granted &= g2
	}

	// 7. AppContainer tokens: a second pass with the package and capability SIDs.
	if tok.appContainer != nil {
		acSIDs := []sddl.SID{*tok.appContainer, sddl.MustSID("AC"), sddl.MustSID("S-1-15-2-2")}
		acSIDs = append(acSIDs, tok.capabilities...)
		tr.add(Step{Phase: "appcontainer", Rule: "appcontainer-pass", Effect: "info", Doc: DocAppContainer,
			Message: "The token belongs to an AppContainer: the DACL must also grant the access to the package SID, ALL APPLICATION PACKAGES (AC), ALL RESTRICTED APPLICATION PACKAGES or one of the token's capabilities."})
		g3, ok := walk(tr, "appcontainer", sd, tok, sidSet{enabled: acSIDs}, want, privGranted, maxAllowed, typ, gm)
		if !ok {
			return finish(tr, false, 0, desired, typ)
		}
		granted &= g3
	}

	granted = (granted | privGranted) & micAllowed
	if maxAllowed {
		if granted == 0 || want&^granted != 0 {
			tr.add(Step{Phase: "result", Rule: "maximum-allowed-result", Effect: "deny", Doc: DocRequesting, Mask: hex(granted),
				Message: fmt.Sprintf("MAXIMUM_ALLOWED found %s; that does not include everything requested, so access is denied.", names(granted, typ))})
			return finish(tr, false, 0, desired, typ)
		}
		return finish(tr, true, granted, desired, typ)
	}
	if want&^granted != 0 {
		tr.add(Step{Phase: "result", Rule: "passes-disagree", Effect: "deny", Doc: DocRestricted, Mask: hex(want &^ granted),
			Message: fmt.Sprintf("The second access check did not grant %s.", names(want&^granted, typ))})
		return finish(tr, false, 0, desired, typ)
	}
	return finish(tr, true, want, desired, typ)
}

func policyText(p uint32) string {
	var s []string
	if p&sddl.NoWriteUp != 0 {
		s = append(s, "no-write-up")
	}
	if p&sddl.NoReadUp != 0 {
		s = append(s, "no-read-up")
	}
	if p&sddl.NoExecuteUp != 0 {
		s = append(s, "no-execute-up")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func finish(tr *tracer, ok bool, granted, desired uint32, typ sddl.ObjectType) Result {
	if !ok {
		granted = 0
	}
	msg := fmt.Sprintf("Access granted: %s.", names(granted, typ))
	eff := "grant"
	if !ok {
		msg, eff = "Access denied: the granted mask is 0x00000000.", "deny"
	}
	tr.add(Step{Phase: "result", Rule: "result", Effect: eff, Doc: DocDACL, Mask: hex(granted), Message: msg})
	return Result{Granted: ok, GrantedMask: hex(granted), DesiredMask: hex(desired),
		GrantedRights: sddl.RightNames(granted, typ, false), Steps: tr.steps}
}

// sidSet is the set of SIDs one pass matches ACEs against.
type sidSet struct {
	enabled, denyOnly []sddl.SID
}

//go:noinline
func (s sidSet) matchAllow(x sddl.SID) bool {
	for _, e := range s.enabled {
		if e == x {
			return true
		}
	}
	return false
}

//go:noinline
func (s sidSet) matchDeny(x sddl.SID) bool {
	if s.matchAllow(x) {
		return true
	}
	for _, e := range s.denyOnly {
		if e == x {
			return true
		}
	}
	return false
}

var ownerRightsSID = sddl.MustSID("OW")

// walk evaluates the DACL for one set of SIDs. It returns the rights this pass grants and
// false when the pass denies the request.
func walk(tr *tracer, phase string, sd *sddl.SecurityDescriptor, tok *resolved, set sidSet, want, privGranted uint32,
	maxAllowed bool, typ sddl.ObjectType, gm sddl.GenericMapping) (uint32, bool) {
	// SeAccessCheck: with MAXIMUM_ALLOWED and a NULL DACL the result is GENERIC_ALL, i.e. the
	// type's GenericAll (KEY_ALL_ACCESS has no SYNCHRONIZE, so nothing is added to it).
	all := gm.All
	if sd.DACL == nil || sd.DACL.Null {
		what := "has no DACL"
		if sd.DACL != nil {
			what = "has a NULL DACL (NO_ACCESS_CONTROL)"
		}
		g := all
		if !maxAllowed {
			g = want
		}
		tr.add(Step{Phase: phase, Rule: "null-dacl", Effect: "grant", Doc: DocNullDACL, Mask: hex(g),
			Message: fmt.Sprintf("The object %s: the system grants every requested right to everyone.", what)})
		return g, true
	}

	granted, denied := privGranted, uint32(0)
	remaining := want &^ privGranted

	// The owner's implicit rights, unless an effective OWNER RIGHTS ACE is present.
	if sd.Owner != nil && set.matchAllow(*sd.Owner) {
		hasOW := false
		for i := range sd.DACL.ACEs {
			a := &sd.DACL.ACEs[i]
			if a.SID == ownerRightsSID && !a.InheritOnly() {
				hasOW = true
			}
		}
		if hasOW {
			tr.add(Step{Phase: phase, Rule: "owner-rights-ace", Effect: "info", Doc: DocOwnerRights, SID: sd.Owner.String(),
				Message: "The token is the object's owner, but the DACL has an OWNER RIGHTS (S-1-3-4) ACE: the implicit READ_CONTROL and WRITE_DAC are not given; the owner gets what the OWNER RIGHTS ACEs say."})
		} else {
			implicit := sddl.ReadControl | sddl.WriteDAC
			g := implicit
			if !maxAllowed {
				g &= remaining
			}
			granted |= g
			remaining &^= g
			tr.add(Step{Phase: phase, Rule: "owner-implicit", Effect: "grant", Doc: DocOwnerImplied, SID: sd.Owner.String(), Mask: hex(implicit),
				Message: fmt.Sprintf("The token holds the owner SID %s: the owner is implicitly granted READ_CONTROL and WRITE_DAC.", sddl.FormatSID(*sd.Owner))})
		}
	}
	isOwner := sd.Owner != nil && set.matchAllow(*sd.Owner)

	if len(sd.DACL.ACEs) == 0 {
		tr.add(Step{Phase: phase, Rule: "empty-dacl", Effect: "info", Doc: DocNullDACL,
			Message: "The DACL is empty: it allows nothing to anyone."})
	}
	if !maxAllowed && remaining == 0 {
		tr.add(Step{Phase: phase, Rule: "all-granted", Effect: "grant", Doc: DocDACL,
			Message: "Every requested right is already granted; the ACEs are not examined."})
		return granted, true
	}

	for i := range sd.DACL.ACEs {
		a := &sd.DACL.ACEs[i]
		idx := i
		st := Step{Phase: phase, ACE: &idx, ACEText: a.String(), SID: a.SID.String(), Doc: DocDACL}
		if !a.IsAllow() && !a.IsDeny() {
			st.Rule, st.Effect = "not-access-ace", "skip"
			st.Message = fmt.Sprintf("%s ACEs do not grant or deny access; skipped.", a.Type)
			tr.add(st)
			continue
		}
		if a.InheritOnly() {
			st.Rule, st.Effect, st.Doc = "inherit-only", "skip", DocACEInherit
			st.Message = "Inherit-only (IO) ACE: it is only a template for child objects and does not apply to this object."
			tr.add(st)
			continue
		}
		if a.IsObject() && a.ObjectType != "" {
			st.Rule, st.Effect, st.Doc = "object-ace", "skip", DocObjectACE
			st.Message = "Object-specific ACE with an object type GUID: it applies to a property or child class, and this check has no object type list."
			tr.add(st)
			continue
		}
		matchSID := a.SID
		var matched bool
		switch {
		case a.SID == ownerRightsSID:
			matched = isOwner
		case a.IsDeny():
			matched = set.matchDeny(matchSID)
		default:
			matched = set.matchAllow(matchSID)
		}
		if !matched {
			st.Rule, st.Effect, st.Doc = "sid-no-match", "skip", DocSIDAttrs
			switch {
			case a.SID == ownerRightsSID:
				st.Message = "OWNER RIGHTS ACE, but the token is not the owner."
			case a.IsAllow() && set.matchDeny(matchSID):
				st.Message = fmt.Sprintf("%s is in the token only as deny-only: it can never match an allow ACE.", sddl.FormatSID(a.SID))
			default:
				st.Message = fmt.Sprintf("%s (%s) is not an enabled SID of this pass.", sddl.FormatSID(a.SID), nameOr(a.SID))
			}
			tr.add(st)
			continue
		}
		if a.IsCallback() {
			res := evalCondition(a.Condition, sd, tok, set, a.IsDeny())
			cond := "(none)"
			if a.Condition != nil {
				cond = sddl.FormatExpr(a.Condition)
			}
			apply := res == condTrue || (a.IsDeny() && res == condUnknown)
			if !apply {
				st.Rule, st.Effect, st.Doc = "condition-false", "skip", DocConditional
				st.Message = fmt.Sprintf("Conditional ACE: %s evaluates to %s, so the ACE is ignored.", cond, res)
				tr.add(st)
				continue
			}
			tr.add(Step{Phase: phase, ACE: &idx, Rule: "condition-applies", Effect: "info", Doc: DocConditional, Model: res == condUnknown,
				Message: fmt.Sprintf("Conditional ACE: %s evaluates to %s, so the ACE applies (an UNKNOWN condition makes a deny ACE apply).", cond, res)})
		}
		mask := a.Mask
		if mask&sddl.GenericBits != 0 {
			mask = gm.Map(mask)
			tr.add(Step{Phase: phase, ACE: &idx, Rule: "ace-generic-mapping", Effect: "info", Doc: DocGeneric, Model: true,
				Message: fmt.Sprintf("The ACE holds generic rights %s; they are mapped with the %s mapping to %s (Windows maps them when the descriptor is assigned to the object).", hex(a.Mask), typ, hex(mask))})
		}
		// "The ACCESS_SYSTEM_SECURITY access right is not valid in a DACL" (SACL Access Right), and
		// MAXIMUM_ALLOWED is a request flag, not a right: neither can be granted or denied by an
		// ACE (this matters for MAXIMUM_ALLOWED, which would otherwise collect them).
		if bad := mask & (sddl.AccessSystemSecurity | sddl.MaximumAllowed); bad != 0 {
			mask &^= bad
			tr.add(Step{Phase: phase, ACE: &idx, Rule: "ace-invalid-bits", Effect: "info", Doc: DocSACLRight, Mask: hex(bad),
				Message: fmt.Sprintf("The ACE mask holds %s, which a DACL cannot grant or deny (only SeSecurityPrivilege grants ACCESS_SYSTEM_SECURITY); those bits are ignored.", hex(bad))})
		}
		st.Mask = hex(mask)
		who := fmt.Sprintf("%s (%s)", sddl.FormatSID(a.SID), nameOr(a.SID))
		if a.IsDeny() {
			if maxAllowed {
				d := mask &^ granted
				denied |= d
				st.Rule, st.Effect = "deny-ace", "deny"
				st.Message = fmt.Sprintf("Deny ACE matches %s: %s cannot be granted by later ACEs.", who, names(d, typ))
				tr.add(st)
				continue
			}
			if hit := mask & remaining; hit != 0 {
				st.Rule, st.Effect, st.Mask = "deny-ace", "deny", hex(hit)
				st.Message = fmt.Sprintf("Deny ACE matches %s and denies %s, which was requested and not yet granted: access is denied and the walk stops.", who, names(hit, typ))
				tr.add(st)
				return 0, false
			}
			st.Rule, st.Effect = "deny-too-late", "skip"
			st.Message = fmt.Sprintf("Deny ACE matches %s but covers no right still wanted (already granted or not requested).", who)
			tr.add(st)
			continue
		}
		if maxAllowed {
			g := mask &^ denied &^ granted
			granted |= g
			st.Rule, st.Effect, st.Mask = "allow-ace", "grant", hex(g)
			if g == 0 {
				st.Rule, st.Effect = "allow-nothing-new", "skip"
			}
			st.Message = fmt.Sprintf("Allow ACE matches %s and adds %s.", who, names(g, typ))
			tr.add(st)
			continue
		}
		g := mask & remaining
		if g == 0 {
			st.Rule, st.Effect = "allow-nothing-new", "skip"
			st.Message = fmt.Sprintf("Allow ACE matches %s but grants nothing still wanted.", who)
			tr.add(st)
			continue
		}
		granted |= g
		remaining &^= g
		st.Rule, st.Effect, st.Mask = "allow-ace", "grant", hex(g)
		st.Message = fmt.Sprintf("Allow ACE matches %s and grants %s.", who, names(g, typ))
		tr.add(st)
		if remaining == 0 {
			tr.add(Step{Phase: phase, Rule: "all-granted", Effect: "grant", Doc: DocDACL,
				Message: "Every requested right is now granted; the remaining ACEs are not examined."})
			return granted, true
		}
	}
	if maxAllowed {
		tr.add(Step{Phase: phase, Rule: "end-of-dacl", Effect: "info", Doc: DocRequesting, Mask: hex(granted),
			Message: fmt.Sprintf("End of the DACL: this pass allows %s.", names(granted, typ))})
		return granted, true
	}
	tr.add(Step{Phase: phase, Rule: "implicit-deny", Effect: "deny", Doc: DocDACL, Mask: hex(remaining),
		Message: fmt.Sprintf("End of the DACL and %s was never granted: access is implicitly denied.", names(remaining, typ))})
	return 0, false
}

func nameOr(s sddl.SID) string {
	if n := sddl.NameOf(s); n != "" {
		return n
	}
	return s.String()
}
