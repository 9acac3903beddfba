package evtx

import (
	"encoding/binary"
	"fmt"
	"unicode"
)

// Binary XML tokens. 0x40 on element, value, attribute, CDATA, character and entity reference
// tokens is a "more data follows" flag and does not change their meaning.
const (
	tokEOF        = 0x00
	tokOpenStart  = 0x01
	tokCloseStart = 0x02
	tokCloseEmpty = 0x03
	tokEnd        = 0x04
	tokValue      = 0x05
	tokAttr       = 0x06
	tokCDATA      = 0x07
	tokCharRef    = 0x08
	tokEntityRef  = 0x09
	tokPITarget   = 0x0a
	tokPIData     = 0x0b
	tokTemplate   = 0x0c
	tokSubst      = 0x0d
	tokOptSubst   = 0x0e
	tokFragment   = 0x0f
	tokMore       = 0x40
)

// maxDepth bounds element and template nesting. Real events nest a handful of levels; the limit
// only stops hostile input from exhausting the stack.
const maxDepth = 64

// maxItems bounds the expanded size of one record: template instances inside nested Binary XML
// can otherwise multiply a 64 KiB chunk into gigabytes of output. chunkBudget bounds the work
// for a whole chunk (items produced plus bytes of nested Binary XML parsed), so that a chunk
// of thousands of tiny hostile records cannot each use the per-record limit. Real chunks use a
// few tens of thousands.
const (
	maxItems    = 1 << 18
	chunkBudget = 1 << 22
)

type nodeKind uint8

const (
	kElement nodeKind = iota + 1
	kValue
	kSubst
	kCDATA
	kCharRef
	kEntityRef
	kPI
	kTemplate
)

// node is one parsed Binary XML construct of a template or a record, before substitution.
type node struct {
	kind     nodeKind
	optional bool
	empty    bool // element closed by CloseEmptyElement
	vtype    byte // substitution: declared type
	id       uint16
	name     string
	text     string
	val      value
	attrs    []attrNode
	kids     []node
	inst     *instance
}

type attrNode struct {
	name  string
	parts []node
}

type instance struct {
	tmpl   *template
	values []value
}

// template is a template definition found in a chunk, parsed once and shared by every record
// of the chunk that references it.
type template struct {
	off   uint32
	guid  [16]byte
	size  uint32
	nodes []node
	err   error
}

// BinXMLError is a Binary XML decoding failure at a byte offset within the chunk.
type BinXMLError struct {
	Offset int
	Msg    string
}

func (e *BinXMLError) Error() string {
	return fmt.Sprintf("binxml at chunk offset %d: %s", e.Offset, e.Msg)
}

// chunkCtx holds one chunk's bytes and its string and template caches. Caches are per chunk
// because names and templates are referenced by chunk-relative offsets.
type chunkCtx struct {
	budget    int // work left for this chunk; see chunkBudget
	data      []byte
	names     map[uint32]string
	templates map[uint32]*template
}

func newChunkCtx(data []byte) *chunkCtx {
	return &chunkCtx{budget: chunkBudget, data: data, names: make(map[uint32]string, 64), templates: make(map[uint32]*template, 16)}
}

type decoder struct {
	c     *chunkCtx
	pos   int
	end   int
	depth int
	// Records and templates carry a 2-byte dependency identifier in each element start; Binary
	// XML nested in a substitution value (type 0x21) does not. readElement falls back to the
	// other layout when the preferred one gives an impossible element size.
	depID bool
	// wire is the [MS-EVEN6] wire form of Binary XML (EvtRpc results): names are written in
	// place (hash, length, characters) instead of being chunk offsets.
	wire bool
	// x, when set, lends recyclable memory for substitution values: only for record-level
	// decoding, whose nodes die with the record (template bodies are cached and must not use it).
	x *expander
}

//go:noinline
func (d *decoder) errf(format string, a ...any) error {
	return &BinXMLError{Offset: d.pos, Msg: fmt.Sprintf(format, a...)}
}

func (d *decoder) need(n int) error {
	if n < 0 || d.pos+n > d.end {
		return d.errf("need %d bytes, %d left", n, d.end-d.pos)
	}
	return nil
}

func (d *decoder) u8() byte { v := d.c.data[d.pos]; d.pos++; return v }

func (d *decoder) u16() uint16 {
	v := binary.LittleEndian.Uint16(d.c.data[d.pos:])
	d.pos += 2
	return v
}

func (d *decoder) u32() uint32 {
	v := binary.LittleEndian.Uint32(d.c.data[d.pos:])
	d.pos += 4
	return v
}

// fragment reads tokens up to end of stream or the end of the range: fragment headers,
// elements, template instances and processing instructions at document level.
func (d *decoder) fragment() ([]node, error) {
	var nodes []node
	for d.pos < d.end {
		switch tok := d.c.data[d.pos]; tok {
		case tokEOF:
			d.pos++
			return nodes, nil
		case tokFragment:
			if err := d.need(4); err != nil {
				return nodes, err
			}
			d.pos += 4
		case tokOpenStart, tokOpenStart | tokMore:
			n, err := d.element()
			if err != nil {
				return nodes, err
			}
			nodes = append(nodes, n)
		case tokTemplate:
			n, err := d.templateInstance()
			if err != nil {
				return nodes, err
			}
			nodes = append(nodes, n)
		case tokPITarget:
			n, err := d.pi()
			if err != nil {
				return nodes, err
			}
			nodes = append(nodes, n)
		default:
			return nodes, d.errf("unexpected token 0x%02x at document level", tok)
		}
	}
	return nodes, nil
}

// name reads a name reference: a chunk offset, followed by the name itself when the offset
// points just past the reference (the first use of the name in the chunk).
func (d *decoder) name() (string, error) {
	if d.wire {
		if err := d.need(4); err != nil {
			return "", err
		}
		n := int(binary.LittleEndian.Uint16(d.c.data[d.pos+2:]))
		if err := d.need(4 + 2*n + 2); err != nil {
			return "", err
		}
		s := utf16String(d.c.data[d.pos+4 : d.pos+4+2*n])
		if !isXMLName(s) {
			return "", d.errf("%q is not an XML name", truncate(s, 24))
		}
		d.pos += 4 + 2*n + 2
		return s, nil
	}
	if err := d.need(4); err != nil {
		return "", err
	}
	off := d.u32()
	if int(off) == d.pos {
		s, size, err := d.c.nameAt(off)
		if err != nil {
			return "", err
		}
		if d.pos+size > d.end {
			return "", d.errf("inline name runs past the end of its data")
		}
		d.pos += size
		return s, nil
	}
	s, _, err := d.c.nameAt(off)
	return s, err
}

// nameAt reads the name structure at a chunk offset: next-name offset (4), hash (2), character
// count (2), UTF-16 characters, terminating NUL (2).
func (c *chunkCtx) nameAt(off uint32) (string, int, error) {
	data := c.data
	if int64(off)+8 > int64(len(data)) {
		return "", 0, &BinXMLError{Offset: int(off), Msg: "name offset outside the chunk"}
	}
	n := int(binary.LittleEndian.Uint16(data[off+6:]))
	size := 8 + 2*n + 2
	if int(off)+size > len(data) {
		return "", 0, &BinXMLError{Offset: int(off), Msg: fmt.Sprintf("name of %d characters runs past the chunk", n)}
	}
	if s, ok := c.names[off]; ok {
		return s, size, nil
	}
	s := utf16String(data[int(off)+8 : int(off)+8+2*n])
	if !isXMLName(s) {
		// A reference into the wrong place (stale slack-space records, broken string tables)
		// lands on bytes that are no name; refuse them rather than print garbage markup.
		return "", 0, &BinXMLError{Offset: int(off), Msg: fmt.Sprintf("name at offset %d is not an XML name (%q)", off, truncate(s, 24))}
	}
	c.names[off] = s
	return s, size, nil
}

// isXMLName checks the XML 1.0 Name production, simplified to Unicode letters and digits.
func isXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == ':' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r) || r == 0xb7):
		default:
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (d *decoder) element() (node, error) {
	start := d.pos
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return node{}, d.errf("elements nested deeper than %d", maxDepth)
	}
	tok := d.u8()
	if err := d.need(8); err != nil {
		return node{}, err
	}
	// Element data size counts the bytes after the size field up to the end of the element; it
	// tells which layout (with or without dependency identifier) this element uses.
	withDep := int(binary.LittleEndian.Uint32(d.c.data[d.pos+2:]))
	without := int(binary.LittleEndian.Uint32(d.c.data[d.pos:]))
	fitsWith := d.pos+6+withDep <= d.end && d.pos+10 <= d.end
	fitsWithout := d.pos+4+without <= d.end
	useDep := d.depID
	if useDep && !fitsWith && fitsWithout {
		useDep = false
	} else if !useDep && !fitsWithout && fitsWith {
		useDep = true
	}
	if useDep {
		d.pos += 6
	} else {
		d.pos += 4
	}
	nm, err := d.name()
	if err != nil {
		return node{}, err
	}
	n := node{kind: kElement, name: nm}
	if tok&tokMore != 0 {
		if err := d.need(4); err != nil {
			return n, err
		}
		d.pos += 4 // attribute list size: the attribute tokens themselves delimit the list
		for d.pos < d.end && d.c.data[d.pos]&^tokMore == tokAttr {
			d.pos++
			an, err := d.name()
			if err != nil {
				return n, err
			}
			a := attrNode{name: an}
			for d.pos < d.end && isContentToken(d.c.data[d.pos]) {
				p, err := d.content()
				if err != nil {
					return n, err
				}
				a.parts = append(a.parts, p)
			}
			n.attrs = append(n.attrs, a)
		}
	}
	if err := d.need(1); err != nil {
		return n, err
	}
	switch t := d.u8(); t {
	case tokCloseEmpty:
		n.empty = true
		return n, nil
	case tokCloseStart:
	default:
		d.pos--
		return n, d.errf("element <%s> (from offset %d): expected close start element, got token 0x%02x", nm, start, t)
	}
	for {
		if err := d.need(1); err != nil {
			return n, d.errf("element <%s> (from offset %d) has no end element", nm, start)
		}
		switch t := d.c.data[d.pos]; t {
		case tokEnd:
			d.pos++
			return n, nil
		case tokOpenStart, tokOpenStart | tokMore:
			k, err := d.element()
			if err != nil {
				return n, err
			}
			n.kids = append(n.kids, k)
		case tokTemplate:
			k, err := d.templateInstance()
			if err != nil {
				return n, err
			}
			n.kids = append(n.kids, k)
		case tokPITarget:
			k, err := d.pi()
			if err != nil {
				return n, err
			}
			n.kids = append(n.kids, k)
		case tokEOF:
			return n, d.errf("end of stream inside element <%s> (from offset %d)", nm, start)
		default:
			if !isContentToken(t) {
				return n, d.errf("unexpected token 0x%02x inside element <%s>", t, nm)
			}
			k, err := d.content()
			if err != nil {
				return n, err
			}
			n.kids = append(n.kids, k)
		}
	}
}

func isContentToken(t byte) bool {
	switch t &^ tokMore {
	case tokValue, tokCDATA, tokCharRef, tokEntityRef:
		return true
	}
	return t == tokSubst || t == tokOptSubst
}

// content reads one value, CDATA, character reference, entity reference or substitution.
func (d *decoder) content() (node, error) {
	tok := d.u8()
	switch tok &^ tokMore {
	case tokValue:
		if err := d.need(3); err != nil {
			return node{}, err
		}
		t := d.u8()
		if t != TypeString {
			d.pos--
			return node{}, d.errf("value token of type %s; only String is defined", TypeName(t))
		}
		off := d.pos + 2
		b, err := d.utf16Counted()
		if err != nil {
			return node{}, err
		}
		return node{kind: kValue, val: value{t: TypeString, b: b, off: off}}, nil
	case tokCDATA:
		b, err := d.utf16Counted()
		if err != nil {
			return node{}, err
		}
		return node{kind: kCDATA, text: utf16String(b)}, nil
	case tokCharRef:
		if err := d.need(2); err != nil {
			return node{}, err
		}
		return node{kind: kCharRef, id: d.u16()}, nil
	case tokEntityRef:
		nm, err := d.name()
		if err != nil {
			return node{}, err
		}
		return node{kind: kEntityRef, name: nm}, nil
	}
	// tokSubst, tokOptSubst
	if err := d.need(3); err != nil {
		return node{}, err
	}
	id := d.u16()
	t := d.u8()
	return node{kind: kSubst, id: id, vtype: t, optional: tok == tokOptSubst}, nil
}

func (d *decoder) utf16Counted() ([]byte, error) {
	if err := d.need(2); err != nil {
		return nil, err
	}
	n := int(d.u16()) * 2
	if err := d.need(n); err != nil {
		return nil, err
	}
	b := d.c.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) pi() (node, error) {
	d.pos++
	nm, err := d.name()
	if err != nil {
		return node{}, err
	}
	n := node{kind: kPI, name: nm}
	if d.pos < d.end && d.c.data[d.pos] == tokPIData {
		d.pos++
		b, err := d.utf16Counted()
		if err != nil {
			return n, err
		}
		n.text = utf16String(b)
	}
	return n, nil
}

// templateInstance reads a template instance: the reference to (or inline definition of) a
// template, then the substitution value descriptors and values.
func (d *decoder) templateInstance() (node, error) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return node{}, d.errf("templates nested deeper than %d", maxDepth)
	}
	if d.wire {
		return node{}, d.errf("template instances in wire-form Binary XML are not supported")
	}
	d.pos++
	if err := d.need(9); err != nil {
		return node{}, err
	}
	d.pos += 5 // unknown byte, template identifier (first 4 bytes of the GUID)
	defOff := d.u32()
	t := d.c.template(defOff, d.depth)
	if int(defOff) == d.pos {
		if t.err != nil && t.size == 0 {
			return node{}, t.err
		}
		skip := 24 + int(t.size)
		if err := d.need(skip); err != nil {
			return node{}, err
		}
		d.pos += skip
	}
	if err := d.need(4); err != nil {
		return node{}, err
	}
	count := int(d.u32())
	if count > (d.end-d.pos)/4 {
		d.pos -= 4
		return node{}, d.errf("%d substitution values do not fit in the remaining %d bytes", count, d.end-d.pos-4)
	}
	var values []value
	if d.x != nil {
		values = d.x.allocValues(count)
	} else {
		values = make([]value, count)
	}
	desc := d.pos
	d.pos += 4 * count
	for i := range values {
		size := int(binary.LittleEndian.Uint16(d.c.data[desc+4*i:]))
		typ := d.c.data[desc+4*i+2]
		if err := d.need(size); err != nil {
			return node{}, &BinXMLError{Offset: d.pos, Msg: fmt.Sprintf("substitution value %d (%s, %d bytes) runs past the record", i, TypeName(typ), size)}
		}
		values[i] = value{t: typ, b: d.c.data[d.pos : d.pos+size], off: d.pos}
		d.pos += size
	}
	return node{kind: kTemplate, inst: &instance{tmpl: t, values: values}}, nil
}

// template returns the template defined at a chunk offset, parsing it on first use. A template
// whose body refers back to itself is reported as a loop instead of recursing.
func (c *chunkCtx) template(off uint32, depth int) *template {
	if t, ok := c.templates[off]; ok {
		if t.nodes == nil && t.err == nil {
			return &template{off: off, size: t.size, err: &BinXMLError{Offset: int(off), Msg: "template refers to itself"}}
		}
		return t
	}
	t := &template{off: off}
	data := c.data
	if int64(off)+24 > int64(len(data)) || off < chunkHeaderSize {
		t.err = &BinXMLError{Offset: int(off), Msg: "template definition offset outside the chunk's record area"}
		return t
	}
	copy(t.guid[:], data[off+4:off+20])
	t.size = binary.LittleEndian.Uint32(data[off+20:])
	if int64(off)+24+int64(t.size) > int64(len(data)) {
		t.err = &BinXMLError{Offset: int(off), Msg: fmt.Sprintf("template definition of %d bytes runs past the chunk", t.size)}
		t.size = 0
		return t
	}
	c.templates[off] = t
	d := decoder{c: c, pos: int(off) + 24, end: int(off) + 24 + int(t.size), depth: depth, depID: true}
	nodes, err := d.fragment()
	if err == nil && len(nodes) == 0 {
		err = &BinXMLError{Offset: int(off), Msg: "template definition holds no element"}
	}
	t.nodes, t.err = nodes, err
	if t.nodes == nil {
		t.nodes = []node{}
	}
	return t
}
