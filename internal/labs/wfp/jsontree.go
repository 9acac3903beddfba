package wfp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"ntatlas/internal/labs"
)

// Limits that keep a hostile scenario from costing much time or memory.
const (
	MaxInputBytes    = 1 << 20
	maxDepth         = 32
	MaxFilters       = 2000
	MaxSublayers     = 256
	MaxCallouts      = 256
	MaxConditions    = 64
	maxStringLen     = 4096
	maxNodesPerInput = 100000
)

// node is a parsed JSON value that remembers where it started, so that every decoding error
// can name both the field path and the byte offset.
type node struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	off   int
	keys  []string
	vals  []*node
	items []*node
	str   string
	num   json.Number
	b     bool
}

type treeParser struct {
	dec   *json.Decoder
	src   []byte
	nodes int
}

// parseTree parses one JSON value (and nothing after it). Duplicate keys are errors because
// encoding/json would silently keep the last one and the learner would not see why.
func parseTree(src []byte) (*node, error) {
	if len(src) > MaxInputBytes {
		return nil, &labs.InputError{Offset: MaxInputBytes, Message: "scenario larger than 1 MiB"}
	}
	p := &treeParser{dec: json.NewDecoder(bytes.NewReader(src)), src: src}
	p.dec.UseNumber()
	n, err := p.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &labs.InputError{Offset: p.start(), Message: "unexpected data after the JSON value"}
	}
	return n, nil
}

// start is the offset of the next token: InputOffset points just after the previous token,
// before whitespace and separators.
//
//go:noinline
func (p *treeParser) start() int {
	i := int(p.dec.InputOffset())
	for i < len(p.src) {
		switch p.src[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
			continue
		}
		break
	}
	return i
}

func (p *treeParser) syntaxErr(err error, path string) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &labs.InputError{Offset: int(se.Offset), Field: path, Message: se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &labs.InputError{Offset: len(p.src), Field: path, Message: "unexpected end of JSON input"}
	}
	return &labs.InputError{Offset: p.start(), Field: path, Message: err.Error()}
}

func (p *treeParser) value(depth int, path string) (*node, error) {
	if depth > maxDepth {
		return nil, &labs.InputError{Offset: p.start(), Field: path, Message: "JSON nested too deeply"}
	}
	p.nodes++
	if p.nodes > maxNodesPerInput {
		return nil, &labs.InputError{Offset: p.start(), Field: path, Message: "too many JSON values"}
	}
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxErr(err, path)
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = 'o'
			seen := map[string]bool{}
			for p.dec.More() {
				koff := p.start()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxErr(err, path)
				}
				k, _ := kt.(string)
				if seen[k] {
					return nil, &labs.InputError{Offset: koff, Field: joinPath(path, k), Message: "duplicate key"}
				}
				seen[k] = true
				v, err := p.value(depth+1, joinPath(path, k))
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
		case '[':
			n.kind = 'a'
			for p.dec.More() {
				v, err := p.value(depth+1, path+"["+strconv.Itoa(len(n.items))+"]")
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
		default:
			return nil, &labs.InputError{Offset: off, Field: path, Message: "unexpected " + t.String()}
		}
		if _, err := p.dec.Token(); err != nil { // closing delimiter
			return nil, p.syntaxErr(err, path)
		}
	case string:
		n.kind, n.str = 's', t
	case json.Number:
		n.kind, n.num = 'n', t
	case bool:
		n.kind, n.b = 'b', t
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

//go:noinline
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(k byte) string {
	switch k {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

//go:noinline
func typeErr(n *node, path, want string) error {
	return &labs.InputError{Offset: n.off, Field: path, Message: "must be " + want + ", not " + kindName(n.kind)}
}

//go:noinline
func fieldErr(n *node, path, msg string) error {
	return &labs.InputError{Offset: n.off, Field: path, Message: msg}
}

// object checks that n is an object with only the allowed keys and returns a lookup.
func object(n *node, path string, allowed ...string) (map[string]*node, error) {
	if n.kind != 'o' {
		return nil, typeErr(n, path, "an object")
	}
	m := make(map[string]*node, len(n.keys))
	for i, k := range n.keys {
		ok := false
		for _, a := range allowed {
			if a == k {
				ok = true
				break
			}
		}
		if !ok {
			return nil, &labs.InputError{Offset: n.vals[i].off, Field: joinPath(path, k), Message: "unknown field"}
		}
		m[k] = n.vals[i]
	}
	return m, nil
}

func asString(n *node, path string) (string, error) {
	if n.kind != 's' {
		return "", typeErr(n, path, "a string")
	}
	if len(n.str) > maxStringLen {
		return "", fieldErr(n, path, "string longer than 4096 bytes")
	}
	return n.str, nil
}

//go:noinline
func asBool(n *node, path string) (bool, error) {
	if n.kind != 'b' {
		return false, typeErr(n, path, "true or false")
	}
	return n.b, nil
}

// asUint parses a non-negative integer without going through float64, so weights up to
// 2^64-1 survive exactly.
func asUint(n *node, path string, max uint64) (uint64, error) {
	if n.kind != 'n' {
		return 0, typeErr(n, path, "a number")
	}
	v, err := strconv.ParseUint(n.num.String(), 10, 64)
	if err != nil {
		return 0, fieldErr(n, path, "must be a whole number from 0 to "+strconv.FormatUint(max, 10)+", not "+n.num.String())
	}
	if v > max {
		return 0, fieldErr(n, path, "must be at most "+strconv.FormatUint(max, 10)+", not "+n.num.String())
	}
	return v, nil
}

func asArray(n *node, path string, max int) ([]*node, error) {
	if n.kind != 'a' {
		return nil, typeErr(n, path, "an array")
	}
	if len(n.items) > max {
		return nil, fieldErr(n, path, "more than "+strconv.Itoa(max)+" entries")
	}
	return n.items, nil
}
