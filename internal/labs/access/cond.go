package access

import (
	"strings"

	"ntatlas/internal/labs/sddl"
)

// tri is the three-valued result of a conditional expression
// ("Unknown Values" in https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-definition-language-for-conditional-aces-).
type tri int

const (
	condFalse tri = iota
	condTrue
	condUnknown
)

func (t tri) String() string {
	return [...]string{"FALSE", "TRUE", "UNKNOWN"}[t]
}

func not3(t tri) tri {
	switch t {
	case condTrue:
		return condFalse
	case condFalse:
		return condTrue
	}
	return condUnknown
}

// evalCondition evaluates a conditional ACE expression. @User and @Device attributes come
// from the token's optional claims, @Resource attributes from the RA ACEs of the SACL; an
// attribute that is absent makes relations UNKNOWN and Exists FALSE. Device_Member_of* is
// UNKNOWN unless the token lists deviceGroups. For Member_of, a deny ACE also matches
// deny-only SIDs.
func evalCondition(n *sddl.Node, sd *sddl.SecurityDescriptor, tok *resolved, set sidSet, deny bool) tri {
	if n == nil {
		return condTrue // a callback ACE without a condition behaves like its plain type (model)
	}
	e := evaluator{sd: sd, tok: tok, set: set, deny: deny}
	return e.eval(n, 0)
}

type evaluator struct {
	sd   *sddl.SecurityDescriptor
	tok  *resolved
	set  sidSet
	deny bool
}

func (e evaluator) eval(n *sddl.Node, depth int) tri {
	if depth > 500 {
		return condUnknown
	}
	switch n.Kind {
	case "logical":
		l, r := e.eval(n.Args[0], depth+1), e.eval(n.Args[1], depth+1)
		if n.Op == "&&" {
			switch {
			case l == condFalse || r == condFalse:
				return condFalse
			case l == condTrue && r == condTrue:
				return condTrue
			}
			return condUnknown
		}
		switch {
		case l == condTrue || r == condTrue:
			return condTrue
		case l == condFalse && r == condFalse:
			return condFalse
		}
		return condUnknown
	case "not":
		return not3(e.eval(n.Args[0], depth+1))
	case "unary":
		return e.unary(n)
	case "compare":
		return e.compare(n)
	case "attribute":
		vals, ok := e.attr(n.Attr)
		if !ok || len(vals) == 0 {
			return condUnknown
		}
		// "Tests whether the specified attribute has a nonzero value."
		for _, v := range vals {
			if isZero(v) {
				return condFalse
			}
		}
		return condTrue
	case "value":
		if isZero(n.Value) {
			return condFalse
		}
		return condTrue
	}
	return condUnknown
}

//go:noinline
func isZero(v *sddl.Value) bool {
	switch v.Type {
	case "int":
		return v.Int == 0
	case "uint":
		return v.Uint == 0
	case "bool":
		return !v.Bool
	case "string":
		return v.String == ""
	}
	return false
}

func (e evaluator) unary(n *sddl.Node) tri {
	op := n.Op
	neg := strings.HasPrefix(op, "Not_")
	base := strings.TrimPrefix(op, "Not_")
	var res tri
	switch base {
	case "Exists":
		_, ok := e.attr(n.Args[0].Attr)
		res = condFalse
		if ok {
			res = condTrue
		}
	case "Member_of", "Member_of_Any", "Device_Member_of", "Device_Member_of_Any":
		sids := sidsOf(n.Args[0])
		if sids == nil {
			return condUnknown
		}
		device := strings.HasPrefix(base, "Device_")
		if device && !e.tok.hasDevice {
			return condUnknown
		}
		anyOf := strings.HasSuffix(base, "_Any")
		has := func(s sddl.SID) bool {
			if device {
				for _, d := range e.tok.deviceGroups {
					if d == s {
						return true
					}
				}
				return false
			}
			return e.set.matchAllow(s) || (e.deny && e.set.matchDeny(s))
		}
		res = condFalse
		if !anyOf {
			res = condTrue
		}
		for _, s := range sids {
			if anyOf && has(s) {
				res = condTrue
				break
			}
			if !anyOf && !has(s) {
				res = condFalse
				break
			}
		}
	default:
		return condUnknown
	}
	if neg {
		return not3(res)
	}
	return res
}

func sidsOf(n *sddl.Node) []sddl.SID {
	if n.Kind != "value" {
		return nil
	}
	var vals []*sddl.Value
	if n.Value.Type == "composite" {
		vals = n.Value.Items
	} else {
		vals = []*sddl.Value{n.Value}
	}
	out := []sddl.SID{}
	for _, v := range vals {
		if v.Type != "sid" {
			return nil
		}
		s, err := sddl.ParseSIDString(v.SID)
		if err != nil {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// attr looks an attribute up: @User. and @Device. in the token's claims, @Resource. in the
// RA ACEs of the SACL. @Token. and local names have no source in this model.
func (e evaluator) attr(name string) ([]*sddl.Value, bool) {
	switch {
	case strings.HasPrefix(name, "@User."):
		v, ok := e.tok.userClaims[strings.ToLower(strings.TrimPrefix(name, "@User."))]
		return v, ok
	case strings.HasPrefix(name, "@Device."):
		v, ok := e.tok.deviceClaims[strings.ToLower(strings.TrimPrefix(name, "@Device."))]
		return v, ok
	}
	if !strings.HasPrefix(name, "@Resource.") || e.sd.SACL == nil {
		return nil, false
	}
	want := strings.TrimPrefix(name, "@Resource.")
	for i := range e.sd.SACL.ACEs {
		a := &e.sd.SACL.ACEs[i]
		if a.Type == "RA" && a.Attribute != nil && strings.EqualFold(a.Attribute.Name, want) {
			return a.Attribute.Values, true
		}
	}
	return nil, false
}

func (e evaluator) operand(n *sddl.Node) ([]*sddl.Value, bool) {
	switch n.Kind {
	case "attribute":
		return e.attr(n.Attr)
	case "value":
		if n.Value.Type == "composite" {
			return n.Value.Items, true
		}
		return []*sddl.Value{n.Value}, true
	}
	return nil, false
}

func (e evaluator) compare(n *sddl.Node) tri {
	l, ok := e.operand(n.Args[0])
	if !ok {
		return condUnknown
	}
	r, ok := e.operand(n.Args[1])
	if !ok {
		return condUnknown
	}
	op := n.Op
	neg := strings.HasPrefix(op, "Not_")
	op = strings.TrimPrefix(op, "Not_")
	var res tri
	switch op {
	case "Contains": // every right-hand value is among the attribute's values
		res = condTrue
		for _, rv := range r {
			if !contains(l, rv) {
				res = condFalse
			}
		}
	case "Any_of": // the attribute's values and the right-hand values intersect
		res = condFalse
		for _, lv := range l {
			if contains(r, lv) {
				res = condTrue
			}
		}
	default:
		if len(l) != 1 || len(r) != 1 {
			return condUnknown
		}
		c, ok := cmpValues(l[0], r[0])
		if !ok {
			return condUnknown
		}
		var b bool
		switch op {
		case "==":
			b = c == 0
		case "!=":
			b = c != 0
		case "<":
			b = c < 0
		case "<=":
			b = c <= 0
		case ">":
			b = c > 0
		case ">=":
			b = c >= 0
		}
		res = condFalse
		if b {
			res = condTrue
		}
	}
	if neg {
		return not3(res)
	}
	return res
}

func contains(list []*sddl.Value, v *sddl.Value) bool {
	for _, x := range list {
		if c, ok := cmpValues(x, v); ok && c == 0 {
			return true
		}
	}
	return false
}

// cmpValues compares integers numerically and strings case-insensitively (as conditional
// ACE string comparison is); other types only for equality.
func cmpValues(a, b *sddl.Value) (int, bool) {
	an, aneg, aok := intOf(a)
	bn, bneg, bok := intOf(b)
	if aok && bok {
		switch {
		case aneg && !bneg:
			return -1, true
		case !aneg && bneg:
			return 1, true
		case an == bn:
			return 0, true
		case (an < bn) != aneg:
			return -1, true
		}
		return 1, true
	}
	if a.Type == "string" && b.Type == "string" {
		return strings.Compare(strings.ToLower(a.String), strings.ToLower(b.String)), true
	}
	if a.Type == b.Type {
		if sddl.FormatValue(a, true) == sddl.FormatValue(b, true) {
			return 0, true
		}
		return 1, true
	}
	return 0, false
}

// intOf returns the magnitude and sign of an integer-like value.
//
//go:noinline
func intOf(v *sddl.Value) (uint64, bool, bool) {
	switch v.Type {
	case "int":
		if v.Int < 0 {
			return uint64(-v.Int), true, true
		}
		return uint64(v.Int), false, true
	case "uint":
		return v.Uint, false, true
	case "bool":
		if v.Bool {
			return 1, false, true
		}
		return 0, false, true
	}
	return 0, false, false
}
