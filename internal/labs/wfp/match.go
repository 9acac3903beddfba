package wfp

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs/ipaddr"
)

// fieldKind is the data type family of a condition field.
type fieldKind uint8

const (
	kindNumber fieldKind = iota
	kindAddr
	kindString
)

// fieldInfo describes one condition field: its FWPM_CONDITION_* name, type and value bound.
type fieldInfo struct {
	Name    string
	WFPName string
	Kind    fieldKind
	Max     uint64 // for numbers
	ALEOnly bool
}

// fieldByName is the closed list of condition fields the model understands.
func fieldByName(name string) (fieldInfo, bool) {
	switch name {
	case "protocol":
		return fieldInfo{name, "FWPM_CONDITION_IP_PROTOCOL", kindNumber, 0xFF, false}, true
	case "remote_port":
		return fieldInfo{name, "FWPM_CONDITION_IP_REMOTE_PORT", kindNumber, 0xFFFF, false}, true
	case "local_port":
		return fieldInfo{name, "FWPM_CONDITION_IP_LOCAL_PORT", kindNumber, 0xFFFF, false}, true
	case "remote_addr":
		return fieldInfo{name, "FWPM_CONDITION_IP_REMOTE_ADDRESS", kindAddr, 0, false}, true
	case "local_addr":
		return fieldInfo{name, "FWPM_CONDITION_IP_LOCAL_ADDRESS", kindAddr, 0, false}, true
	case "app_id":
		return fieldInfo{name, "FWPM_CONDITION_ALE_APP_ID", kindString, 0, true}, true
	}
	return fieldInfo{}, false
}

const fieldNames = "protocol, remote_port, local_port, remote_addr, local_addr, app_id"

// opsFor lists the match types (FWP_MATCH_*) allowed for a field kind, as our op names.
func opsFor(k fieldKind) []string {
	switch k {
	case kindNumber:
		return []string{"eq", "neq", "gt", "lt", "gte", "lte", "range"}
	case kindAddr:
		return []string{"eq", "neq", "range"}
	}
	return []string{"eq", "neq", "prefix", "not-prefix"}
}

// condValue is a decoded condition value. Addresses are either one address, a prefix
// (FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK, which FWP_MATCH_EQUAL accepts) or a range.
type condValue struct {
	Num    uint64
	Lo, Hi uint64
	Addr   ipaddr.Prefix // a single address is a full-length prefix
	ALo    ipaddr.Addr
	AHi    ipaddr.Addr
	Str    string
}

type addrValue = ipaddr.Addr

// exact reports whether the condition names one exact value (for automatic weights, G4).
func (c Condition) exact() bool {
	if c.Op != "eq" {
		return false
	}
	fi, _ := fieldByName(c.Field)
	if fi.Kind == kindAddr {
		return c.Value.Addr.Bits() == c.Value.Addr.Addr().BitLen()
	}
	return true
}

// specificity is the G4 model of FWP_EMPTY automatic weights: conditions with exact values rank
// above ranges, masks and inequalities; more conditions rank above fewer.
func specificity(f *Filter) uint64 {
	var exact, other uint64
	for _, c := range f.Conditions {
		if c.exact() {
			exact++
		} else {
			other++
		}
	}
	s := exact<<32 | other
	if s > AutoWeightMax {
		s = AutoWeightMax
	}
	return s
}

// condResult is the outcome of one condition against the packet.
type condResult struct {
	Index   int    `json:"index"`
	Field   string `json:"field"`
	Op      string `json:"op"`
	Want    string `json:"value"`
	Got     string `json:"packet"`
	Matched bool   `json:"matched"`
	Missing bool   `json:"missing,omitempty"`
}

func (v condValue) describe(fi fieldInfo, op string) string {
	switch fi.Kind {
	case kindNumber:
		if op == "range" {
			return fmt.Sprintf("%d-%d", v.Lo, v.Hi)
		}
		return fmt.Sprintf("%d", v.Num)
	case kindAddr:
		if op == "range" {
			return v.ALo.String() + "-" + v.AHi.String()
		}
		if v.Addr.Bits() == v.Addr.Addr().BitLen() {
			return v.Addr.Addr().String()
		}
		return v.Addr.String()
	}
	return v.Str
}

func (p *Packet) number(field string) (uint64, bool) {
	var v *uint64
	switch field {
	case "protocol":
		v = p.Protocol
	case "remote_port":
		v = p.RemotePort
	case "local_port":
		v = p.LocalPort
	}
	if v == nil {
		return 0, false
	}
	return *v, true
}

func (p *Packet) addr(field string) (ipaddr.Addr, bool) {
	var v *ipaddr.Addr
	switch field {
	case "remote_addr":
		v = p.RemoteAddr
	case "local_addr":
		v = p.LocalAddr
	}
	if v == nil {
		return ipaddr.Addr{}, false
	}
	return *v, true
}

// evalCondition tests one condition. A field the packet does not carry never matches (G12).
func evalCondition(i int, c Condition, p *Packet, ci bool) condResult {
	fi, _ := fieldByName(c.Field)
	r := condResult{Index: i, Field: c.Field, Op: c.Op, Want: c.Value.describe(fi, c.Op)}
	switch fi.Kind {
	case kindNumber:
		got, ok := p.number(c.Field)
		if !ok {
			r.Missing = true
			return r
		}
		r.Got = fmt.Sprintf("%d", got)
		v := c.Value
		switch c.Op {
		case "eq":
			r.Matched = got == v.Num
		case "neq":
			r.Matched = got != v.Num
		case "gt":
			r.Matched = got > v.Num
		case "lt":
			r.Matched = got < v.Num
		case "gte":
			r.Matched = got >= v.Num
		case "lte":
			r.Matched = got <= v.Num
		case "range":
			r.Matched = got >= v.Lo && got <= v.Hi
		}
	case kindAddr:
		got, ok := p.addr(c.Field)
		if !ok {
			r.Missing = true
			return r
		}
		r.Got = got.String()
		switch c.Op {
		case "eq":
			r.Matched = c.Value.Addr.Contains(got)
		case "neq":
			r.Matched = got.Is4() == c.Value.Addr.Addr().Is4() && !c.Value.Addr.Contains(got)
		case "range":
			r.Matched = got.BitLen() == c.Value.ALo.BitLen() &&
				got.Compare(c.Value.ALo) >= 0 && got.Compare(c.Value.AHi) <= 0
		}
	case kindString:
		if p.AppID == nil {
			r.Missing = true
			return r
		}
		got, want := *p.AppID, c.Value.Str
		r.Got = got
		if ci {
			got, want = strings.ToLower(got), strings.ToLower(want)
		}
		switch c.Op {
		case "eq":
			r.Matched = got == want
		case "neq":
			r.Matched = got != want
		case "prefix": // FWP_MATCH_PREFIX tests that the value ENDS with the condition value (R24)
			r.Matched = strings.HasSuffix(got, want)
		case "not-prefix":
			r.Matched = !strings.HasSuffix(got, want)
		}
	}
	return r
}

// matchResult is the outcome of a filter's conditions.
type matchResult struct {
	Matched    bool
	Conditions []condResult
	Groups     [][]int // condition indexes ORed together; groups are ANDed
	Regrouped  bool    // non-consecutive conditions on one field were ORed (G11)
}

// groupConditions applies R16: conditions are ANDed, conditions on the same field are ORed.
// The documentation says "consecutive" conditions; joining non-consecutive ones is G11.
func groupConditions(conds []Condition, onlyConsecutive bool) (groups [][]int, regrouped bool) {
	byField := map[string]int{}
	for i, c := range conds {
		if n := len(groups); n > 0 && conds[groups[n-1][0]].Field == c.Field {
			groups[n-1] = append(groups[n-1], i)
			continue
		}
		if g, ok := byField[c.Field]; ok && !onlyConsecutive {
			groups[g] = append(groups[g], i)
			regrouped = true
			continue
		}
		byField[c.Field] = len(groups)
		groups = append(groups, []int{i})
	}
	return groups, regrouped
}

func matchFilter(f *Filter, p *Packet, o Options) matchResult {
	m := matchResult{Matched: true}
	m.Groups, m.Regrouped = groupConditions(f.Conditions, o.OrOnlyConsecutive)
	for i, c := range f.Conditions {
		m.Conditions = append(m.Conditions, evalCondition(i, c, p, o.CaseInsensitiveStrings))
	}
	for _, g := range m.Groups {
		any := false
		for _, i := range g {
			if m.Conditions[i].Matched {
				any = true
			}
		}
		if !any {
			m.Matched = false
		}
	}
	return m
}
