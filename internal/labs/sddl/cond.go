package sddl

import (
	"fmt"
	"strconv"
	"strings"
)

// Conditional ACE expressions, from "Security Descriptor Definition Language for Conditional
// ACEs" (https://learn.microsoft.com/en-us/windows/win32/secauthz/security-descriptor-definition-language-for-conditional-aces-)
// and the grammar of [MS-DTYP] 2.5.1.1
// (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/f4296d69-1c0f-491f-9587-a960b292d070).

// Node is one node of a conditional expression.
//
//	kind "logical": Op "&&" or "||", Args = [left, right]
//	kind "not":     Op "!", Args = [operand]
//	kind "compare": Op "==" "!=" "<" "<=" ">" ">=" "Contains" "Any_of" "Not_Contains" "Not_Any_of",
//	                Args = [attribute, value-or-attribute]
//	kind "unary":   Op "Exists" "Not_Exists" "Member_of" ... , Args = [operand]
//	kind "attribute": Attr holds the name ("@User.Title", "@Resource.Project" or a local name)
//	kind "value":   Value holds a literal
type Node struct {
	Kind   string  `json:"kind"`
	Op     string  `json:"op,omitempty"`
	Attr   string  `json:"attr,omitempty"`
	Value  *Value  `json:"value,omitempty"`
	Args   []*Node `json:"args,omitempty"`
	Offset int     `json:"offset"`
}

// Value is a literal in a conditional expression or a resource attribute.
type Value struct {
	Type   string   `json:"type"` // int, uint, string, sid, octets, bool, composite
	Int    int64    `json:"int,omitempty"`
	Uint   uint64   `json:"uint,omitempty"`
	Base   int      `json:"base,omitempty"` // 8, 10 or 16 for integers as written
	String string   `json:"string,omitempty"`
	SID    string   `json:"sid,omitempty"`
	Hex    string   `json:"hex,omitempty"`
	Bool   bool     `json:"bool,omitempty"`
	Items  []*Value `json:"items,omitempty"`
}

var unaryOps = [...]string{"Exists", "Not_Exists", "Member_of", "Not_Member_of", "Member_of_Any", "Not_Member_of_Any",
	"Device_Member_of", "Not_Device_Member_of", "Device_Member_of_Any", "Not_Device_Member_of_Any"}

var wordOps = [...]string{"Contains", "Not_Contains", "Any_of", "Not_Any_of"}

var attrPrefixes = [...]string{"@User.", "@Device.", "@Resource.", "@Token."}

type condParser struct {
	s     string
	pos   int
	base  int // offset of s in the whole SDDL string
	depth int
}

//go:noinline
func (p *condParser) errf(at int, format string, args ...any) error {
	return &posError{Offset: p.base + at, Msg: fmt.Sprintf(format, args...)}
}

//go:noinline
func (p *condParser) ws() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\r' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

//go:noinline
func (p *condParser) peek(tok string) bool { return strings.HasPrefix(p.s[p.pos:], tok) }

// parseCondition parses "(expr)" starting at s[0]; it returns the node and the bytes used.
func parseCondition(s string, base int) (*Node, int, error) {
	p := &condParser{s: s, base: base}
	p.ws()
	if !p.peek("(") {
		return nil, 0, p.errf(p.pos, "expected '(' to open the conditional expression")
	}
	n, err := p.primary()
	if err != nil {
		return nil, 0, err
	}
	return n, p.pos, nil
}

// ParseExpression parses a standalone conditional expression (without the ACE around it).
func ParseExpression(s string) (*Node, error) {
	p := &condParser{s: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos != len(p.s) {
		return nil, p.errf(p.pos, "expected && or || or the end of the expression")
	}
	return n, nil
}

func (p *condParser) or() (*Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return nil, p.errf(p.pos, "expression nested too deeply")
	}
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		p.ws()
		if !p.peek("||") {
			return left, nil
		}
		at := p.pos
		p.pos += 2
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &Node{Kind: "logical", Op: "||", Args: []*Node{left, right}, Offset: p.base + at}
	}
}

func (p *condParser) and() (*Node, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for {
		p.ws()
		if !p.peek("&&") {
			return left, nil
		}
		at := p.pos
		p.pos += 2
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		left = &Node{Kind: "logical", Op: "&&", Args: []*Node{left, right}, Offset: p.base + at}
	}
}

func (p *condParser) not() (*Node, error) {
	p.ws()
	if p.peek("!") && !p.peek("!=") {
		at := p.pos
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > 200 {
			return nil, p.errf(at, "expression nested too deeply")
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: "not", Op: "!", Args: []*Node{x}, Offset: p.base + at}, nil
	}
	return p.primary()
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == ':' || c == '/' || c == '.' || c == '_' || c == '@' || c == '%'
}

//go:noinline
func (p *condParser) name() string {
	start := p.pos
	for p.pos < len(p.s) && isNameChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

//go:noinline
func matchWord(list []string, w string) string {
	for _, k := range list {
		if strings.EqualFold(k, w) {
			return k
		}
	}
	return ""
}

func (p *condParser) primary() (*Node, error) {
	p.ws()
	if p.pos >= len(p.s) {
		return nil, p.errf(p.pos, "expected an attribute, '(', '!' or an operator such as Member_of, but the expression ended")
	}
	at := p.pos
	if p.s[p.pos] == '(' {
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		p.ws()
		if !p.peek(")") {
			return nil, p.errf(p.pos, "expected ')' to close the '(' at offset %d", p.base+at)
		}
		p.pos++
		return n, nil
	}
	w := p.name()
	if w == "" {
		return nil, p.errf(at, "expected an attribute name, '(', '!' or an operator such as Member_of or Exists")
	}
	if op := matchWord(unaryOps[:], w); op != "" {
		p.ws()
		var arg *Node
		var err error
		if op == "Exists" || op == "Not_Exists" {
			arg, err = p.attribute()
		} else {
			arg, err = p.value(true)
		}
		if err != nil {
			return nil, err
		}
		return &Node{Kind: "unary", Op: op, Args: []*Node{arg}, Offset: p.base + at}, nil
	}
	p.pos = at
	attr, err := p.attribute()
	if err != nil {
		return nil, err
	}
	p.ws()
	opAt := p.pos
	var op string
	for _, sym := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.peek(sym) {
			op = sym
			p.pos += len(sym)
			break
		}
	}
	if op == "" {
		save := p.pos
		if o := matchWord(wordOps[:], p.name()); o != "" {
			op = o
		} else {
			p.pos = save
		}
	}
	if op == "" {
		return attr, nil
	}
	p.ws()
	v, err := p.value(false)
	if err != nil {
		return nil, err
	}
	return &Node{Kind: "compare", Op: op, Args: []*Node{attr, v}, Offset: p.base + opAt}, nil
}

func (p *condParser) attribute() (*Node, error) {
	at := p.pos
	w := p.name()
	if w == "" {
		return nil, p.errf(at, "expected an attribute name (such as @User.Title or @Resource.Project)")
	}
	if w[0] == '@' {
		for _, pre := range attrPrefixes {
			if len(w) > len(pre) && strings.EqualFold(w[:len(pre)], pre) {
				return &Node{Kind: "attribute", Attr: pre + w[len(pre):], Offset: p.base + at}, nil
			}
		}
		return nil, p.errf(at, "expected an attribute prefix @User., @Device., @Resource. or @Token. followed by a name")
	}
	if matchWord(unaryOps[:], w) != "" || matchWord(wordOps[:], w) != "" || strings.EqualFold(w, "SID") {
		return nil, p.errf(at, "expected an attribute name, found the keyword %q", w)
	}
	c := w[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return nil, p.errf(at, "expected an attribute name starting with a letter")
	}
	return &Node{Kind: "attribute", Attr: w, Offset: p.base + at}, nil
}

// value parses a literal, a composite {a, b} or (unless sidOnly) an @attribute. sidOnly is
// for Member_of and friends, whose operand is SID(...) or a composite of them.
func (p *condParser) value(sidOnly bool) (*Node, error) {
	p.ws()
	at := p.pos
	if !sidOnly && p.peek("@") {
		return p.attribute()
	}
	v, err := p.literal(sidOnly, 0)
	if err != nil {
		return nil, err
	}
	return &Node{Kind: "value", Value: v, Offset: p.base + at}, nil
}

func (p *condParser) literal(sidOnly bool, depth int) (*Value, error) {
	p.ws()
	at := p.pos
	if p.pos >= len(p.s) {
		return nil, p.errf(at, "expected a value, but the expression ended")
	}
	c := p.s[p.pos]
	switch {
	case c == '{':
		if depth > 0 {
			return nil, p.errf(at, "composite values cannot be nested")
		}
		p.pos++
		v := &Value{Type: "composite", Items: []*Value{}}
		p.ws()
		if p.peek("}") {
			p.pos++
			return v, nil
		}
		for {
			item, err := p.literal(sidOnly, depth+1)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, item)
			p.ws()
			if p.peek(",") {
				p.pos++
				continue
			}
			if p.peek("}") {
				p.pos++
				return v, nil
			}
			return nil, p.errf(p.pos, "expected ',' or '}' in the composite value")
		}
	case len(p.s)-p.pos >= 4 && strings.EqualFold(p.s[p.pos:p.pos+4], "SID("):
		p.pos += 4
		p.ws()
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] != ')' && p.s[p.pos] != ' ' {
			p.pos++
		}
		sid, err := ParseSIDString(p.s[start:p.pos])
		if err != nil {
			return nil, p.errf(start, "expected a SID alias or S-1-... inside SID(): %v", err)
		}
		p.ws()
		if !p.peek(")") {
			return nil, p.errf(p.pos, "expected ')' to close SID(")
		}
		p.pos++
		return &Value{Type: "sid", SID: sid.String()}, nil
	case sidOnly:
		return nil, p.errf(at, "expected SID(...) or a composite {SID(...), ...}")
	case c == '"':
		end := strings.IndexByte(p.s[p.pos+1:], '"')
		if end < 0 {
			return nil, p.errf(at, "unterminated string: expected a closing '\"'")
		}
		v := &Value{Type: "string", String: p.s[p.pos+1 : p.pos+1+end]}
		p.pos += end + 2
		return v, nil
	case c == '#':
		start := p.pos
		for p.pos < len(p.s) && (isHex(p.s[p.pos]) || p.s[p.pos] == '#') {
			p.pos++
		}
		// "#" stands for "0" and an odd count gains a leading zero (the conditional ACE page).
		h := strings.ToLower(strings.ReplaceAll(p.s[start+1:p.pos], "#", "0"))
		if len(h)%2 == 1 {
			h = "0" + h
		}
		return &Value{Type: "octets", Hex: h}, nil
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.integer()
	}
	return nil, p.errf(at, "expected a value: a number, a \"string\", SID(...), #octets, a {composite} or an @attribute")
}

func (p *condParser) integer() (*Value, error) {
	at := p.pos
	neg := false
	if p.s[p.pos] == '-' || p.s[p.pos] == '+' {
		neg = p.s[p.pos] == '-'
		p.pos++
	}
	base := 10
	digits := "0123456789"
	switch {
	case p.peek("0x") || p.peek("0X"):
		base, digits = 16, "0123456789abcdefABCDEF"
		p.pos += 2
	case p.peek("0") && p.pos+1 < len(p.s) && p.s[p.pos+1] >= '0' && p.s[p.pos+1] <= '9':
		base, digits = 8, "01234567"
		p.pos++
	}
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte(digits, p.s[p.pos]) >= 0 {
		p.pos++
	}
	if start == p.pos {
		return nil, p.errf(p.pos, "expected digits of a base-%d integer", base)
	}
	u, err := strconv.ParseUint(p.s[start:p.pos], base, 64)
	if err != nil || (!neg && u > 1<<63-1) || (neg && u > 1<<63) {
		return nil, p.errf(at, "integer does not fit in 64 bits")
	}
	v := int64(u)
	if neg {
		v = -v
	}
	return &Value{Type: "int", Int: v, Base: base}, nil
}

// FormatExpr renders a node in the canonical form used by the lab: every comparison and
// logical operation in its own parentheses, as ConvertSecurityDescriptorToStringSecurityDescriptor
// prints conditions.
func FormatExpr(n *Node) string {
	s := formatNode(n)
	if !strings.HasPrefix(s, "(") || !balancedOuter(s) {
		s = "(" + s + ")"
	}
	return s
}

// balancedOuter reports whether the first '(' of s closes at its last byte.
func balancedOuter(s string) bool {
	depth := 0
	inStr := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return true
}

func formatNode(n *Node) string {
	switch n.Kind {
	case "logical":
		return "(" + formatNode(n.Args[0]) + " " + n.Op + " " + formatNode(n.Args[1]) + ")"
	case "not":
		inner := formatNode(n.Args[0])
		if !strings.HasPrefix(inner, "(") || !balancedOuter(inner) {
			inner = "(" + inner + ")"
		}
		return "(!" + inner + ")"
	case "compare":
		return "(" + formatNode(n.Args[0]) + " " + n.Op + " " + formatNode(n.Args[1]) + ")"
	case "unary":
		return "(" + n.Op + " " + formatNode(n.Args[0]) + ")"
	case "attribute":
		return n.Attr
	case "value":
		return FormatValue(n.Value, true)
	}
	return ""
}

// FormatValue renders a literal. cond selects conditional-expression syntax (SID(...) and
// #octets) rather than resource-attribute syntax.
func FormatValue(v *Value, cond bool) string {
	switch v.Type {
	case "int":
		return formatInt(v.Int, v.Base)
	case "uint":
		if v.Base == 16 {
			return "0x" + strconv.FormatUint(v.Uint, 16)
		}
		return strconv.FormatUint(v.Uint, 10)
	case "string":
		return `"` + v.String + `"`
	case "sid":
		s := v.SID
		if sid, err := ParseSIDString(v.SID); err == nil {
			if a := AliasOf(sid); a != "" {
				s = a
			}
		}
		if cond {
			return "SID(" + s + ")"
		}
		return s
	case "octets":
		return "#" + v.Hex
	case "bool":
		if v.Bool {
			return "1"
		}
		return "0"
	case "composite":
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = FormatValue(it, cond)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ""
}

func formatInt(v int64, base int) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-v)
	}
	switch base {
	case 16:
		return sign + "0x" + strconv.FormatUint(u, 16)
	case 8:
		if u == 0 {
			return sign + "0"
		}
		return sign + "0" + strconv.FormatUint(u, 8)
	}
	return sign + strconv.FormatUint(u, 10)
}
