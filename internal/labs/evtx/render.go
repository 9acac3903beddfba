package evtx

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xElem is an element after substitution: what the XML and JSON outputs are written from.
type xElem struct {
	name  string
	attrs []xAttr
	kids  []xItem
	empty bool
}

type xAttr struct {
	name  string
	parts []xItem
}

type xItem struct {
	kind nodeKind // kElement, kValue, kCDATA, kCharRef, kEntityRef, kPI
	el   *xElem
	val  value
	s    string
	pi   string // processing instruction data
	ref  uint16
}

// expander substitutes template values into template bodies. It counts items to bound the
// output of hostile nesting and collects the first error without stopping: a broken part of a
// record is reported while the rest is still shown.
type expander struct {
	c     *chunkCtx
	items int
	err   error
	// Trees live only while one record is rendered, so their memory is carved from blocks
	// that reset() recycles for the next record of the chunk: steady-state decoding allocates
	// almost nothing for them (which matters most under WebAssembly's simple GC).
	stack      []xItem
	itemBlocks [][]xItem
	itemBlock  int
	itemPos    int
	elems      [][]xElem
	elemBlock  int
	elemPos    int
	attrs      [][]xAttr
	attrBlock  int
	attrPos    int
	vals       [][]value
	valBlock   int
	valPos     int
}

const slabSize = 1024

// reset makes the expander ready for the next record, reusing its memory.
func (x *expander) reset() {
	x.items, x.err = 0, nil
	x.stack = x.stack[:0]
	x.itemBlock, x.itemPos, x.elemBlock, x.elemPos, x.attrBlock, x.attrPos = 0, 0, 0, 0, 0, 0
	x.valBlock, x.valPos = 0, 0
}

func (x *expander) allocValues(n int) []value {
	if n == 0 {
		return nil
	}
	if n > slabSize {
		return make([]value, n)
	}
	if x.valBlock < len(x.vals) && x.valPos+n > slabSize {
		x.valBlock++
		x.valPos = 0
	}
	if x.valBlock == len(x.vals) {
		x.vals = append(x.vals, make([]value, slabSize))
	}
	b := x.vals[x.valBlock][x.valPos : x.valPos+n : x.valPos+n]
	x.valPos += n
	return b
}

func (x *expander) allocItems(n int) []xItem {
	if n == 0 {
		return nil
	}
	if n > slabSize {
		return make([]xItem, n)
	}
	if x.itemBlock < len(x.itemBlocks) && x.itemPos+n > slabSize {
		x.itemBlock++
		x.itemPos = 0
	}
	if x.itemBlock == len(x.itemBlocks) {
		x.itemBlocks = append(x.itemBlocks, make([]xItem, slabSize))
	}
	b := x.itemBlocks[x.itemBlock][x.itemPos : x.itemPos+n : x.itemPos+n]
	x.itemPos += n
	return b
}

func (x *expander) newElem() *xElem {
	if x.elemBlock < len(x.elems) && x.elemPos == slabSize {
		x.elemBlock++
		x.elemPos = 0
	}
	if x.elemBlock == len(x.elems) {
		x.elems = append(x.elems, make([]xElem, slabSize))
	}
	e := &x.elems[x.elemBlock][x.elemPos]
	x.elemPos++
	*e = xElem{}
	return e
}

func (x *expander) allocAttrs(n int) []xAttr {
	if n == 0 {
		return nil
	}
	if n > slabSize {
		return make([]xAttr, 0, n)
	}
	if x.attrBlock < len(x.attrs) && x.attrPos+n > slabSize {
		x.attrBlock++
		x.attrPos = 0
	}
	if x.attrBlock == len(x.attrs) {
		x.attrs = append(x.attrs, make([]xAttr, slabSize))
	}
	b := x.attrs[x.attrBlock][x.attrPos : x.attrPos : x.attrPos+n]
	x.attrPos += n
	return b
}

// collect expands nodes onto the shared stack and returns them as a slab slice of exact size.
func (x *expander) collect(nodes []node, vals []value, depth int) []xItem {
	start := len(x.stack)
	x.expand(nodes, vals, depth)
	out := x.allocItems(len(x.stack) - start)
	copy(out, x.stack[start:])
	clear(x.stack[start:])
	x.stack = x.stack[:start]
	return out
}

// errTooLarge is a sentinel, never modified.
var errTooLarge = errors.New("record expands beyond the size limit (per record or per chunk)")

//go:noinline
func (x *expander) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

// expand appends the expansion of nodes to x.stack. Elements are built (which uses the stack
// above its current top and restores it) before they are pushed.
func (x *expander) expand(nodes []node, vals []value, depth int) {
	if depth > maxDepth {
		x.fail(&BinXMLError{Offset: -1, Msg: "substitutions nested too deeply"})
		return
	}
	for i := range nodes {
		n := &nodes[i]
		x.items++
		x.c.budget--
		if x.items > maxItems || x.c.budget < 0 {
			x.fail(errTooLarge)
			return
		}
		switch n.kind {
		case kElement:
			if nullOptional(n, vals) {
				// [MS-EVEN6] 4.8: an element whose content is an optional substitution with a
				// NULL value is not present in the rendered XML (EVT_VARIANT_TYPE: NULL
				// "implies that the element that contains the content does not exist").
				continue
			}
			if items, base, ok := arrayContent(n, vals); ok {
				// An array filling an element's content repeats the element once per item,
				// as Windows renders e.g. the Data strings of classic events.
				for _, it := range items {
					one := []value{{t: base, b: it}}
					k := *n
					k.kids = []node{{kind: kSubst, id: 0, vtype: base, optional: n.kids[0].optional}}
					el := x.element(&k, one, depth)
					// Attributes still refer to the outer values.
					el.attrs = x.element(&node{kind: kElement, name: n.name, attrs: n.attrs}, vals, depth).attrs
					x.stack = append(x.stack, xItem{kind: kElement, el: el})
					x.items++
				}
				continue
			}
			el := x.element(n, vals, depth)
			x.stack = append(x.stack, xItem{kind: kElement, el: el})
		case kTemplate:
			if n.inst.tmpl.err != nil {
				x.fail(n.inst.tmpl.err)
			}
			x.expand(n.inst.tmpl.nodes, n.inst.values, depth+1)
		case kSubst:
			if int(n.id) >= len(vals) {
				// A substitution without a value renders as nothing, like a NULL value.
				continue
			}
			v := vals[n.id]
			if v.isNull() {
				continue
			}
			if v.t == TypeBinXML {
				x.c.budget -= len(v.b)
				if x.c.budget < 0 {
					x.fail(errTooLarge)
					return
				}
				d := decoder{c: x.c, pos: v.off, end: v.off + len(v.b), depth: depth + 1, x: x}
				sub, err := d.fragment()
				if err != nil {
					x.fail(err)
				}
				x.expand(sub, nil, depth+1)
				continue
			}
			x.stack = append(x.stack, xItem{kind: kValue, val: v})
		case kValue:
			x.stack = append(x.stack, xItem{kind: kValue, val: n.val})
		case kCDATA:
			x.stack = append(x.stack, xItem{kind: kCDATA, s: n.text})
		case kCharRef:
			x.stack = append(x.stack, xItem{kind: kCharRef, ref: n.id})
		case kEntityRef:
			x.stack = append(x.stack, xItem{kind: kEntityRef, s: n.name})
		case kPI:
			x.stack = append(x.stack, xItem{kind: kPI, s: n.name, pi: n.text})
		}
	}
}

func (x *expander) element(n *node, vals []value, depth int) *xElem {
	e := x.newElem()
	e.name, e.empty = n.name, n.empty
	e.attrs = x.allocAttrs(len(n.attrs))
	for _, a := range n.attrs {
		parts := x.collect(a.parts, vals, depth+1)
		if len(parts) == 0 && len(a.parts) > 0 && allSubst(a.parts) {
			// An attribute whose only content is a NULL substitution is left out, as Windows
			// does with e.g. Correlation ActivityID when no activity is set.
			continue
		}
		e.attrs = append(e.attrs, xAttr{name: a.name, parts: parts})
	}
	if len(n.kids) > 0 {
		e.kids = x.collect(n.kids, vals, depth+1)
	}
	return e
}

func arrayContent(n *node, vals []value) ([][]byte, byte, bool) {
	if len(n.kids) != 1 || n.kids[0].kind != kSubst || int(n.kids[0].id) >= len(vals) {
		return nil, 0, false
	}
	v := vals[n.kids[0].id]
	if v.t&TypeArray == 0 || v.isNull() {
		return nil, 0, false
	}
	items, ok := arrayItems(v.t, v.b)
	if !ok || len(items) == 0 {
		return nil, 0, false
	}
	return items, v.t &^ TypeArray, true
}

func nullOptional(n *node, vals []value) bool {
	if len(n.kids) == 0 {
		return false
	}
	for _, k := range n.kids {
		if k.kind != kSubst || !k.optional {
			return false
		}
		if int(k.id) < len(vals) && vals[k.id].t != TypeNull {
			return false
		}
	}
	return true
}

func allSubst(ns []node) bool {
	for _, n := range ns {
		if n.kind != kSubst {
			return false
		}
	}
	return true
}

// ---- XML ----

// appendXML writes elements indented by two spaces per level, attributes in double quotes.
func appendXML(dst []byte, items []xItem, level int) []byte {
	for i := range items {
		it := &items[i]
		dst = appendIndent(dst, level)
		if it.kind == kElement {
			dst = appendXMLElem(dst, it.el, level)
		} else {
			dst = appendXMLText(dst, it)
		}
		dst = append(dst, '\n')
	}
	return dst
}

func appendIndent(dst []byte, level int) []byte {
	for i := 0; i < level; i++ {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

func appendXMLElem(dst []byte, e *xElem, level int) []byte {
	dst = append(dst, '<')
	dst = append(dst, e.name...)
	for _, a := range e.attrs {
		dst = append(dst, ' ')
		dst = append(dst, a.name...)
		dst = append(dst, '=', '"')
		for j := range a.parts {
			dst = appendXMLText(dst, &a.parts[j])
		}
		dst = append(dst, '"')
	}
	if len(e.kids) == 0 || emptyText(e.kids) {
		// Empty after substitution or written empty: the short form, as libevtx prints it.
		return append(dst, '/', '>')
	}
	dst = append(dst, '>')
	nested := false
	for i := range e.kids {
		if e.kids[i].kind == kElement {
			nested = true
			break
		}
	}
	if nested {
		dst = append(dst, '\n')
		dst = appendXML(dst, e.kids, level+1)
		dst = appendIndent(dst, level)
	} else {
		for i := range e.kids {
			dst = appendXMLText(dst, &e.kids[i])
		}
	}
	dst = append(dst, '<', '/')
	dst = append(dst, e.name...)
	return append(dst, '>')
}

// emptyText reports content made only of values that render as nothing (empty strings).
func emptyText(items []xItem) bool {
	for i := range items {
		it := &items[i]
		if it.kind != kValue || (it.val.t != TypeString && it.val.t != TypeAnsiString) || it.val.text() != "" {
			return false
		}
	}
	return true
}

func appendXMLText(dst []byte, it *xItem) []byte {
	switch it.kind {
	case kValue:
		return it.val.appendText(dst)
	case kCDATA:
		// "]]>" cannot appear inside a CDATA section: split it across two sections.
		dst = append(dst, "<![CDATA["...)
		dst = append(dst, strings.ReplaceAll(it.s, "]]>", "]]]]><![CDATA[>")...)
		return append(dst, "]]>"...)
	case kCharRef:
		dst = append(dst, "&#"...)
		dst = strconv.AppendUint(dst, uint64(it.ref), 10)
		return append(dst, ';')
	case kEntityRef:
		return append(append(append(dst, '&'), it.s...), ';')
	case kPI:
		dst = append(append(dst, "<?"...), it.s...)
		if it.pi != "" {
			dst = append(append(dst, ' '), it.pi...)
		}
		return append(dst, "?>"...)
	}
	return dst
}

// appendEscaped escapes the five XML special characters. Characters XML 1.0 does not allow at
// all (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF), which event data
// does sometimes hold, become U+FFFD so the output stays well-formed; the JSON output keeps them.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		skip := 1
		switch c {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&quot;"
		case '\'':
			rep = "&apos;"
		case 0xef:
			if i+2 < len(s) && s[i+1] == 0xbf && (s[i+2] == 0xbe || s[i+2] == 0xbf) {
				rep, skip = "\ufffd", 3
			} else {
				continue
			}
		default:
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				continue
			}
			rep = "\ufffd"
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, rep...)
		i += skip - 1
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendEscapedUTF16 is appendEscaped over a UTF-16LE string value, without building the
// intermediate Go string (the hot path: most values are strings).
func appendEscapedUTF16(dst []byte, b []byte) []byte {
	n := len(b) / 2
	for n > 0 && b[2*n-2] == 0 && b[2*n-1] == 0 {
		n--
	}
	for i := 0; i < n; i++ {
		lo, hi := b[2*i], b[2*i+1]
		if hi != 0 || lo >= 0x80 || lo < 0x20 || lo == '<' || lo == '>' || lo == '&' || lo == '"' || lo == '\'' {
			// Anything beyond plain ASCII text takes the general path for the rest.
			return appendEscaped(dst, utf16String(b[2*i:2*n]))
		}
		dst = append(dst, lo)
	}
	return dst
}

// ---- JSON ----

// appendJSONItems writes top-level elements as one object: {"Event": {...}}.
func appendJSONItems(dst []byte, items []xItem) []byte {
	dst = append(dst, '{')
	dst = appendJSONMembers(dst, items, false)
	return append(dst, '}')
}

// jsonKey is the member name of a child element and the attribute it consumed (-1 for none): a
// Data element with a Name attribute is named by that attribute, which is how EventData is
// usually consumed.
func jsonKey(e *xElem) (string, int) {
	if e.name == "Data" {
		for j, a := range e.attrs {
			if a.name == "Name" {
				return partsText(a.parts), j
			}
		}
	}
	return e.name, -1
}

// appendJSONMembers writes the element items as object members in document order; repeated
// names become one array (at the place of the first). Values are written in place, without
// intermediate buffers.
func appendJSONMembers(dst []byte, items []xItem, comma bool) []byte {
	n := 0
	for i := range items {
		if items[i].kind == kElement {
			n++
		}
	}
	if n == 0 {
		return dst
	}
	type kid struct {
		el   *xElem
		key  string
		skip int
		done bool
	}
	kids := make([]kid, 0, n)
	for i := range items {
		if items[i].kind == kElement {
			k, skip := jsonKey(items[i].el)
			kids = append(kids, kid{el: items[i].el, key: k, skip: skip})
		}
	}
	// Large sibling lists index their keys; small ones compare directly.
	var same map[string][]int
	if len(kids) > 16 {
		same = make(map[string][]int, len(kids))
		for i, k := range kids {
			same[k.key] = append(same[k.key], i)
		}
	}
	for i := range kids {
		if kids[i].done {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = appendJSONString(dst, kids[i].key)
		dst = append(dst, ':')
		var group []int
		if same != nil {
			group = same[kids[i].key]
		} else {
			for j := i + 1; j < len(kids); j++ {
				if kids[j].key == kids[i].key {
					if group == nil {
						group = []int{i}
					}
					group = append(group, j)
				}
			}
		}
		if len(group) <= 1 {
			dst = appendJSONElem(dst, kids[i].el, kids[i].skip)
			continue
		}
		dst = append(dst, '[')
		for gi, j := range group {
			if gi > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONElem(dst, kids[j].el, kids[j].skip)
			kids[j].done = true
		}
		dst = append(dst, ']')
	}
	return dst
}

// appendJSONElem writes one element's value. Without attributes and child elements it is its
// text (typed when it is one typed value, null when empty); otherwise an object with
// "#attributes", the child elements, and "#text" for any text.
func appendJSONElem(dst []byte, e *xElem, skipAttr int) []byte {
	nattrs := len(e.attrs)
	if skipAttr >= 0 {
		nattrs--
	}
	nkids, npi := 0, 0
	for i := range e.kids {
		switch e.kids[i].kind {
		case kElement:
			nkids++
		case kPI: // processing instructions carry no data for the JSON view
			npi++
		}
	}
	text := e.kids
	if nkids > 0 || npi > 0 {
		text = nil
		if len(e.kids)-nkids-npi > 0 {
			for i := range e.kids {
				if k := e.kids[i].kind; k != kElement && k != kPI {
					text = append(text, e.kids[i])
				}
			}
		}
	}
	if nattrs == 0 && nkids == 0 {
		return appendJSONText(dst, text)
	}
	dst = append(dst, '{')
	comma := false
	if nattrs > 0 {
		dst = append(dst, `"#attributes":{`...)
		first := true
		for j, a := range e.attrs {
			if j == skipAttr {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSONString(dst, a.name)
			dst = append(dst, ':')
			dst = appendJSONText(dst, a.parts)
		}
		dst = append(dst, '}')
		comma = true
	}
	dst = appendJSONMembers(dst, e.kids, comma)
	if len(text) > 0 {
		if comma || nkids > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"#text":`...)
		dst = appendJSONText(dst, text)
	}
	return append(dst, '}')
}

func appendJSONText(dst []byte, parts []xItem) []byte {
	switch {
	case len(parts) == 0:
		return append(dst, "null"...)
	case len(parts) == 1 && parts[0].kind == kValue:
		return parts[0].val.appendJSON(dst)
	}
	return appendJSONString(dst, partsText(parts))
}

// partsText is the character data of items: values as text, references resolved.
func partsText(parts []xItem) string {
	if len(parts) == 1 && parts[0].kind == kValue {
		return parts[0].val.text()
	}
	var sb strings.Builder
	for i := range parts {
		p := &parts[i]
		switch p.kind {
		case kValue:
			sb.WriteString(p.val.text())
		case kCDATA:
			sb.WriteString(p.s)
		case kCharRef:
			r := rune(p.ref)
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		case kEntityRef:
			switch p.s {
			case "lt":
				sb.WriteByte('<')
			case "gt":
				sb.WriteByte('>')
			case "amp":
				sb.WriteByte('&')
			case "quot":
				sb.WriteByte('"')
			case "apos":
				sb.WriteByte('\'')
			default:
				sb.WriteString("&" + p.s + ";")
			}
		case kElement:
			sb.WriteString(partsText(p.el.kids))
		}
	}
	return sb.String()
}

// RecordJSONLine is the JSON document of one record as the CLI writes it: a "#record" member
// with where the record was found, then the event itself ({"Event": {...}} members).
func RecordJSONLine(r *Record) string {
	b := make([]byte, 0, len(r.JSON)+160)
	b = append(b, `{"#record":{"chunk":`...)
	b = strconv.AppendInt(b, int64(r.Chunk), 10)
	b = append(b, `,"recordId":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, r.Offset, 10)
	b = append(b, `,"written":`...)
	b = appendJSONString(b, r.Written)
	if r.Err != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, r.Err)
	}
	b = append(b, '}')
	body := r.JSON
	if len(body) > 2 && body[0] == '{' { // splice the members of {"Event":...} after "#record"
		b = append(b, ',')
		b = append(b, body[1:]...)
	} else {
		b = append(b, '}')
	}
	return string(b)
}
