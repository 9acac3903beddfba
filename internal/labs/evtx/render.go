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
	s2   string
	ref  uint16
}

// expander substitutes template values into template bodies. It counts items to bound the
// output of hostile nesting and collects the first error without stopping: a broken part of a
// record is reported while the rest is still shown.
type expander struct {
	c     *chunkCtx
	items int
	err   error
}

var errTooLarge = errors.New("record expands beyond the size limit (per record or per chunk)")

func (x *expander) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

func (x *expander) expand(nodes []node, vals []value, depth int, out []xItem) []xItem {
	if depth > maxDepth {
		x.fail(&BinXMLError{Offset: -1, Msg: "substitutions nested too deeply"})
		return out
	}
	for i := range nodes {
		n := &nodes[i]
		x.items++
		x.c.budget--
		if x.items > maxItems || x.c.budget < 0 {
			x.fail(errTooLarge)
			return out
		}
		switch n.kind {
		case kElement:
			if nullOptional(n, vals) {
				// [MS-EVEN6] 4.8: an element whose content is an optional substitution with a
				// NULL value is not present in the rendered XML.
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
					out = append(out, xItem{kind: kElement, el: el})
					x.items++
				}
				continue
			}
			out = append(out, xItem{kind: kElement, el: x.element(n, vals, depth)})
		case kTemplate:
			if n.inst.tmpl.err != nil {
				x.fail(n.inst.tmpl.err)
			}
			out = x.expand(n.inst.tmpl.nodes, n.inst.values, depth+1, out)
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
					return out
				}
				d := decoder{c: x.c, pos: v.off, end: v.off + len(v.b), depth: depth + 1}
				sub, err := d.fragment()
				if err != nil {
					x.fail(err)
				}
				out = x.expand(sub, nil, depth+1, out)
				continue
			}
			out = append(out, xItem{kind: kValue, val: v})
		case kValue:
			out = append(out, xItem{kind: kValue, val: n.val})
		case kCDATA:
			out = append(out, xItem{kind: kCDATA, s: n.text})
		case kCharRef:
			out = append(out, xItem{kind: kCharRef, ref: n.id})
		case kEntityRef:
			out = append(out, xItem{kind: kEntityRef, s: n.name})
		case kPI:
			out = append(out, xItem{kind: kPI, s: n.name, s2: n.text})
		}
	}
	return out
}

func (x *expander) element(n *node, vals []value, depth int) *xElem {
	e := &xElem{name: n.name, empty: n.empty}
	for _, a := range n.attrs {
		parts := x.expand(a.parts, vals, depth+1, nil)
		if len(parts) == 0 && len(a.parts) > 0 && allSubst(a.parts) {
			// An attribute whose only content is a NULL substitution is left out, as Windows
			// does with e.g. Correlation ActivityID when no activity is set.
			continue
		}
		e.attrs = append(e.attrs, xAttr{name: a.name, parts: parts})
	}
	if len(n.kids) > 0 {
		e.kids = x.expand(n.kids, vals, depth+1, make([]xItem, 0, len(n.kids)))
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
		return appendEscaped(dst, it.val.text())
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
		if it.s2 != "" {
			dst = append(append(dst, ' '), it.s2...)
		}
		return append(dst, "?>"...)
	}
	return dst
}

// appendEscaped escapes the five XML special characters, and writes control characters that
// XML 1.0 cannot carry literally as character references.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
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
		default:
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				continue
			}
			rep = "&#x" + strconv.FormatUint(uint64(c), 16) + ";"
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, rep...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// ---- JSON ----

// appendJSONItems writes top-level elements as one object: {"Event": {...}}.
func appendJSONItems(dst []byte, items []xItem) []byte {
	var kids []*xElem
	for i := range items {
		if items[i].kind == kElement {
			kids = append(kids, items[i].el)
		}
	}
	dst = append(dst, '{')
	dst = appendJSONMembers(dst, kids, false)
	return append(dst, '}')
}

type member struct {
	key  string
	vals [][]byte
}

// appendJSONMembers writes child elements as object members in document order; repeated names
// become one array. A Data element with a Name attribute becomes a member named by that
// attribute, which is how EventData is usually consumed.
func appendJSONMembers(dst []byte, kids []*xElem, comma bool) []byte {
	var ms []member
	var index map[string]int
	if len(kids) > 8 {
		index = make(map[string]int, len(kids))
	}
	for _, k := range kids {
		key, skip := k.name, -1
		if k.name == "Data" {
			for j, a := range k.attrs {
				if a.name == "Name" {
					key, skip = partsText(a.parts), j
					break
				}
			}
		}
		v := appendJSONElem(nil, k, skip)
		pos := -1
		if index != nil {
			if p, ok := index[key]; ok {
				pos = p
			}
		} else {
			for j := range ms {
				if ms[j].key == key {
					pos = j
					break
				}
			}
		}
		if pos >= 0 {
			ms[pos].vals = append(ms[pos].vals, v)
			continue
		}
		if index != nil {
			index[key] = len(ms)
		}
		ms = append(ms, member{key: key, vals: [][]byte{v}})
	}
	for _, m := range ms {
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = appendJSONString(dst, m.key)
		dst = append(dst, ':')
		if len(m.vals) == 1 {
			dst = append(dst, m.vals[0]...)
			continue
		}
		dst = append(dst, '[')
		for j, v := range m.vals {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, v...)
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
	var kids []*xElem
	var text []xItem
	for i := range e.kids {
		switch e.kids[i].kind {
		case kElement:
			kids = append(kids, e.kids[i].el)
		case kPI: // processing instructions carry no data for the JSON view
		default:
			text = append(text, e.kids[i])
		}
	}
	if nattrs == 0 && len(kids) == 0 {
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
	dst = appendJSONMembers(dst, kids, comma)
	if len(text) > 0 {
		if comma || len(kids) > 0 {
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
	if len(body) > 2 { // splice the members of {"Event":...} after "#record"
		b = append(b, ',')
		b = append(b, body[1:]...)
	} else {
		b = append(b, '}')
	}
	return string(b)
}
