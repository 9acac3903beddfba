package content

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// str is a YAML scalar that remembers its line, so cross-reference errors can point at it.
type str struct {
	V    string
	Line int
}

func (s *str) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{"line " + strconv.Itoa(n.Line) + ": expected a plain value"}}
	}
	s.V, s.Line = n.Value, n.Line
	return nil
}

// date is a YYYY-MM-DD value.
type date struct {
	T    time.Time
	Line int
}

func (d *date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse("2006-01-02", n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{"line " + strconv.Itoa(n.Line) + ": expected a date YYYY-MM-DD, got " + strconv.Quote(n.Value)}}
	}
	d.T, d.Line = t, n.Line
	return nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

// decodeYAML decodes strictly (unknown fields are errors) and reports every error with a line
// number shifted by lineOffset (the line the YAML starts at in its file, minus one).
func decodeYAML(r *report, file string, data []byte, lineOffset int, v any) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		if errors.Is(err, io.EOF) {
			r.add(file, lineOffset+1, "empty YAML document")
			return false
		}
		return true
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			reportYAMLMsg(r, file, lineOffset, e)
		}
		return false
	}
	reportYAMLMsg(r, file, lineOffset, err.Error())
	return false
}

func reportYAMLMsg(r *report, file string, lineOffset int, msg string) {
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.add(file, n+lineOffset, "%s", m[2])
		return
	}
	r.add(file, lineOffset+1, "%s", msg)
}
