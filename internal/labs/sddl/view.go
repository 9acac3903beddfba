package sddl

import (
	"fmt"
	"strings"
)

// OrderDoc is the page that defines the canonical DACL order.
const OrderDoc = "https://learn.microsoft.com/en-us/windows/win32/secauthz/order-of-aces-in-a-dacl"

// OrderExplanation says why ACE order matters; shown with every order warning.
const OrderExplanation = "The access check walks the DACL from the first ACE to the last and stops as soon as every " +
	"requested right is granted or one requested right is denied, so an earlier ACE wins over a later one. " +
	"The canonical order puts explicit ACEs before inherited ones and, among explicit ACEs, access-denied " +
	"before access-allowed, so that an explicit deny is never bypassed by an allow. Windows honours a " +
	"non-canonical DACL exactly as written; the Security tab offers to reorder it."

// CheckOrder reports whether the access ACEs of a DACL are in canonical order, with one
// message per ACE that breaks it. Inherited ACEs keep the order in which they were inherited
// (parent first), which cannot be checked from the string alone.
func (a *ACL) CheckOrder() (bool, []Warning) {
	problems := []Warning{}
	lastAllow, firstInherited := -1, -1
	for i := range a.ACEs {
		ace := &a.ACEs[i]
		if !ace.IsAllow() && !ace.IsDeny() {
			continue
		}
		if ace.Inherited() {
			if firstInherited < 0 {
				firstInherited = i
			}
			continue
		}
		if firstInherited >= 0 {
			problems = append(problems, Warning{ace.Offset, fmt.Sprintf(
				"ACE %d is explicit but comes after inherited ACE %d: explicit ACEs must come first", i, firstInherited)})
			continue
		}
		if ace.IsDeny() && lastAllow >= 0 {
			problems = append(problems, Warning{ace.Offset, fmt.Sprintf(
				"ACE %d is an explicit deny after the explicit allow ACE %d: explicit denies must come before explicit allows", i, lastAllow)})
		}
		if ace.IsAllow() {
			lastAllow = i
		}
	}
	return len(problems) == 0, problems
}

// Trustee describes a SID for display.
type Trustee struct {
	SID            string `json:"sid"`
	Alias          string `json:"alias"`
	Name           string `json:"name"`
	DomainRelative bool   `json:"domainRelative"`
}

// TrusteeOf builds the display form of a SID.
func TrusteeOf(s SID) Trustee {
	return Trustee{SID: s.String(), Alias: AliasOf(s), Name: NameOf(s), DomainRelative: IsDomainRelative(s)}
}

// ACLView is the JSON form of a DACL or SACL.
type ACLView struct {
	Present bool      `json:"present"`
	Null    bool      `json:"null"`
	Flags   []string  `json:"flags"`
	ACEs    []ACEView `json:"aces"`
}

// ACEView is the JSON form of one ACE.
type ACEView struct {
	Index               int                `json:"index"`
	Type                string             `json:"type"`
	TypeName            string             `json:"typeName"`
	Effect              string             `json:"effect"`
	Flags               []string           `json:"flags"`
	FlagNames           []string           `json:"flagNames"`
	Mask                string             `json:"mask"`
	Rights              string             `json:"rights"`
	RightNames          []string           `json:"rightNames"`
	RightsSummary       string             `json:"rightsSummary"`
	SID                 string             `json:"sid"`
	Trustee             Trustee            `json:"trustee"`
	ObjectType          string             `json:"objectType"`
	InheritedObjectType string             `json:"inheritedObjectType"`
	Condition           string             `json:"condition"`
	ConditionTree       *Node              `json:"conditionTree"`
	ResourceAttribute   *ResourceAttribute `json:"resourceAttribute"`
	Inheritance         string             `json:"inheritance"`
	Raw                 string             `json:"raw"`
	Canonical           string             `json:"canonical"`
	Offset              int                `json:"offset"`
}

// View is the JSON result of parsing an SDDL string.
type View struct {
	SDDL             string    `json:"sddl"`
	Type             string    `json:"type"`
	Owner            *Trustee  `json:"owner"`
	Group            *Trustee  `json:"group"`
	Control          uint16    `json:"control"`
	ControlHex       string    `json:"controlHex"`
	ControlFlags     []string  `json:"controlFlags"`
	DACL             ACLView   `json:"dacl"`
	SACL             ACLView   `json:"sacl"`
	Canonical        bool      `json:"canonical"`
	OrderProblems    []Warning `json:"orderProblems"`
	OrderExplanation string    `json:"orderExplanation"`
	OrderDoc         string    `json:"orderDoc"`
	Warnings         []Warning `json:"warnings"`
}

// ViewOf builds the JSON result for a parsed descriptor and object type.
func ViewOf(sd *SecurityDescriptor, t ObjectType) View {
	v := View{
		SDDL: sd.String(), Type: string(t), Control: sd.Control(),
		ControlHex: fmt.Sprintf("0x%04x", sd.Control()), ControlFlags: ControlNames(sd.Control()),
		DACL: aclView(sd.DACL, t), SACL: aclView(sd.SACL, t), Canonical: true,
		OrderProblems: []Warning{}, OrderExplanation: OrderExplanation, OrderDoc: OrderDoc,
		Warnings: append([]Warning{}, sd.Warnings...),
	}
	if sd.Owner != nil {
		tr := TrusteeOf(*sd.Owner)
		v.Owner = &tr
	}
	if sd.Group != nil {
		tr := TrusteeOf(*sd.Group)
		v.Group = &tr
	}
	if sd.DACL != nil {
		v.Canonical, v.OrderProblems = sd.DACL.CheckOrder()
	}
	return v
}

func aclView(a *ACL, t ObjectType) ACLView {
	if a == nil {
		return ACLView{Flags: []string{}, ACEs: []ACEView{}}
	}
	v := ACLView{Present: true, Null: a.Null, Flags: a.Flags(), ACEs: []ACEView{}}
	for i := range a.ACEs {
		v.ACEs = append(v.ACEs, aceView(i, &a.ACEs[i], t))
	}
	return v
}

func aceView(i int, a *ACE, t ObjectType) ACEView {
	v := ACEView{
		Index: i, Type: a.Type, TypeName: a.TypeName(), Effect: effectOf(a),
		Flags: a.FlagCodes(), FlagNames: a.FlagNames(),
		Mask: fmt.Sprintf("0x%08x", a.Mask), Rights: FormatRights(a.Mask, a.IsLabel()),
		RightNames: RightNames(a.Mask, t, a.IsLabel()), SID: a.SID.String(), Trustee: TrusteeOf(a.SID),
		ObjectType: a.ObjectType, InheritedObjectType: a.InheritedObjectType,
		ConditionTree: a.Condition, ResourceAttribute: a.Attribute,
		Inheritance: InheritanceText(a.Flags, t), Raw: a.Raw, Canonical: a.String(), Offset: a.Offset,
	}
	if a.Condition != nil {
		v.Condition = FormatExpr(a.Condition)
	}
	v.RightsSummary = rightsSummary(a, t)
	return v
}

func effectOf(a *ACE) string {
	switch {
	case a.IsAllow():
		return "allow"
	case a.IsDeny():
		return "deny"
	}
	switch a.Type {
	case "AU", "OU", "XU":
		return "audit"
	case "AL", "OL":
		return "alarm"
	case "ML":
		return "integrity label"
	case "RA":
		return "resource attribute"
	case "SP":
		return "central access policy"
	case "TL":
		return "process trust label"
	case "FL":
		return "access filter"
	}
	return ""
}

func rightsSummary(a *ACE, t ObjectType) string {
	if a.IsLabel() {
		var p []string
		if a.Mask&NoWriteUp != 0 {
			p = append(p, "no write up")
		}
		if a.Mask&NoReadUp != 0 {
			p = append(p, "no read up")
		}
		if a.Mask&NoExecuteUp != 0 {
			p = append(p, "no execute up")
		}
		if len(p) == 0 {
			return "no policy bits"
		}
		return strings.Join(p, ", ") + " for lower integrity levels"
	}
	if n := CompositeName(a.Mask, t); n != "" {
		return n
	}
	if a.Mask&GenericBits != 0 && a.Mask&^GenericBits == 0 {
		m := Mapping(t)
		return fmt.Sprintf("generic rights; for a %s they map to 0x%08x", t, m.Map(a.Mask))
	}
	return strings.Join(RightNames(a.Mask, t, false), ", ")
}

// InheritanceText says where an ACE applies, in the words of the Advanced Security Settings
// dialog for containers (https://learn.microsoft.com/en-us/windows/win32/secauthz/ace-inheritance-rules).
func InheritanceText(flags uint8, t ObjectType) string {
	oi, ci := flags&FlagObjectInherit != 0, flags&FlagContainerInherit != 0
	io, np := flags&FlagInheritOnly != 0, flags&FlagNoPropagate != 0
	var s string
	switch {
	case !oi && !ci:
		s = "this object only"
	case oi && ci && io:
		s = "subfolders and files only"
	case oi && ci:
		s = "this folder, subfolders and files"
	case ci && io:
		s = "subfolders only"
	case ci:
		s = "this folder and subfolders"
	case oi && io:
		s = "files only"
	case oi:
		s = "this folder and files"
	}
	if t == TypeKey {
		// Registry values are not securable objects: a key's only children are subkeys, which
		// are containers, so OI never makes an ACE effective anywhere below a key.
		switch {
		case ci && io:
			s = "subkeys only"
		case ci:
			s = "this key and subkeys"
		case io:
			s = "nothing: inherit-only, and OI alone never applies to a subkey"
		default:
			s = "this key only"
		}
		if oi {
			s += " (OI has no effect on registry keys)"
		}
	}
	if (oi || ci) && np {
		s += " (one level only: NP)"
	}
	if flags&FlagInherited != 0 {
		s += "; inherited from a parent"
	}
	if io && !oi && !ci {
		s = "inherit-only with nothing to inherit to (ignored)"
	}
	return s
}
