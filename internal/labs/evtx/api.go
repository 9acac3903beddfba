package evtx

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"

	"ntatlas/internal/labs"
)

// Engine is this lab engine's name in the API (/api/v1/labs/evtx/<op>).
const Engine = "evtx"

// FileRequest carries a whole .evtx file, base64-encoded (standard alphabet, padded).
type FileRequest struct {
	File string `json:"file"`
}

// ChunkRequest asks for the records of one chunk.
type ChunkRequest struct {
	File   string `json:"file"`
	Index  int    `json:"index"`
	Format string `json:"format,omitempty"` // "xml", "json" or "both" (default)
	Filter string `json:"filter,omitempty"` // same syntax as the CLI's --filter
}

// FacetsRequest asks for provider / level / event id counts over a range of chunk indexes
// (inclusive; both zero-valued means the whole file).
type FacetsRequest struct {
	File   string `json:"file"`
	From   int    `json:"from,omitempty"`
	To     int    `json:"to,omitempty"`
	Filter string `json:"filter,omitempty"`
}

// SearchRequest asks for records whose XML contains a text (case-insensitive).
type SearchRequest struct {
	File   string `json:"file"`
	Text   string `json:"text"`
	Filter string `json:"filter,omitempty"`
	Limit  int    `json:"limit,omitempty"` // default 100, at most 1000
}

// SearchResult lists matches in file order; Truncated is set when Limit stopped the search.
type SearchResult struct {
	Matches   []Record `json:"matches"`
	Truncated bool     `json:"truncated"`
}

// Handle runs one operation:
//
//	info   {file}                         → Info (header, totals, chunk table, errors)
//	chunk  {file, index, format, filter}  → Chunk (records with xml and/or json, errors)
//	facets {file, from, to, filter}       → Facets
//	search {file, text, filter, limit}    → SearchResult (records without xml/json bodies)
//
// The WebAssembly side can also call OpenBytes and the Reader methods with the file's bytes
// directly, without the base64 round trip.
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "info":
		var r FileRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		rd, err := openB64(r.File)
		if err != nil {
			return nil, err
		}
		return rd.Info(0)
	case "chunk":
		var r ChunkRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		opts := Options{XML: true, JSON: true}
		switch r.Format {
		case "", "both":
		case "xml":
			opts.JSON = false
		case "json":
			opts.XML = false
		default:
			return nil, &labs.InputError{Offset: -1, Field: "format", Message: `want "xml", "json" or "both"`}
		}
		f, err := filterField(r.Filter)
		if err != nil {
			return nil, err
		}
		opts.Filter = f
		rd, err := openB64(r.File)
		if err != nil {
			return nil, err
		}
		c, err := rd.ReadChunk(r.Index, opts)
		if err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "index", Message: err.Error()}
		}
		if c.Records == nil {
			c.Records = []Record{}
		}
		return c, nil
	case "facets":
		var r FacetsRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		if r.From < 0 || r.To < r.From {
			return nil, &labs.InputError{Offset: -1, Field: "to", Message: "want 0 <= from <= to"}
		}
		f, err := filterField(r.Filter)
		if err != nil {
			return nil, err
		}
		rd, err := openB64(r.File)
		if err != nil {
			return nil, err
		}
		all := r.From == 0 && r.To == 0
		return rd.Facets(f, func(index int) bool { return all || (index >= r.From && index <= r.To) }, 0)
	case "search":
		var r SearchRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		if strings.TrimSpace(r.Text) == "" {
			return nil, &labs.InputError{Offset: -1, Field: "text", Message: "empty search text"}
		}
		if r.Limit == 0 {
			r.Limit = 100
		}
		if r.Limit < 0 || r.Limit > 1000 {
			return nil, &labs.InputError{Offset: -1, Field: "limit", Message: "want 1..1000"}
		}
		f, err := filterField(r.Filter)
		if err != nil {
			return nil, err
		}
		rd, err := openB64(r.File)
		if err != nil {
			return nil, err
		}
		return rd.Search(r.Text, f, r.Limit, 0)
	}
	return nil, &labs.ErrUnknownOp{Engine: Engine, Op: op}
}

func filterField(s string) (*Filter, error) {
	f, err := ParseFilter(s)
	if err != nil {
		off := -1
		if fe, ok := err.(*FilterError); ok {
			off = fe.Offset
		}
		return nil, &labs.InputError{Offset: off, Field: "filter", Message: err.Error()}
	}
	return f, nil
}

func openB64(s string) (*Reader, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		off := -1
		if ce, ok := err.(base64.CorruptInputError); ok {
			off = int(ce)
		}
		return nil, &labs.InputError{Offset: off, Field: "file", Message: "not valid base64: " + err.Error()}
	}
	rd, err := OpenBytes(b)
	if err != nil {
		return nil, &labs.InputError{Offset: 0, Field: "file", Message: err.Error()}
	}
	return rd, nil
}

// OpenBytes is NewReader over a byte slice, for callers that hold the whole file.
func OpenBytes(b []byte) (*Reader, error) {
	return NewReader(bytes.NewReader(b), int64(len(b)))
}

// Facets counts provider, level and event id over the chunks whose index keep accepts (nil
// keeps all) and the records the filter keeps. Recovered records are left out.
func (rd *Reader) Facets(f *Filter, keep func(index int) bool, workers int) (Facets, error) {
	var fc FacetCounter
	sub := &Reader{r: rd.r, size: rd.size, Header: rd.Header, HeaderOK: rd.HeaderOK}
	for _, s := range rd.slots {
		if keep == nil || keep(s.index) {
			sub.slots = append(sub.slots, s)
		}
	}
	err := sub.Walk(Options{Filter: f}, workers, func(c *Chunk) error {
		for i := range c.Records {
			if !c.Records[i].Recovered {
				fc.Add(&c.Records[i])
			}
		}
		return nil
	})
	return fc.Result(), err
}

// RenderWireBinXML renders a template-free Binary XML fragment in the wire form of [MS-EVEN6]
// (names written in place, no dependency identifiers) as indented XML, the form the protocol
// specification's examples use.
func RenderWireBinXML(b []byte) (string, error) {
	c := newChunkCtx(b)
	d := decoder{c: c, pos: 0, end: len(b), wire: true}
	nodes, err := d.fragment()
	x := expander{c: c}
	items := x.collect(nodes, nil, 0)
	if err == nil {
		err = x.err
	}
	return string(appendXML(nil, items, 0)), err
}

var errSearchFull = errors.New("search limit reached")

// Search returns up to limit records whose rendered XML contains text, ignoring case, in file
// order. The XML and JSON bodies are left out of the matches to keep results small.
func (rd *Reader) Search(text string, f *Filter, limit, workers int) (*SearchResult, error) {
	res := &SearchResult{Matches: []Record{}}
	needle := strings.ToLower(text)
	err := rd.Walk(Options{XML: true, Filter: f}, workers, func(c *Chunk) error {
		for _, r := range c.Records {
			if !strings.Contains(strings.ToLower(r.XML), needle) {
				continue
			}
			if len(res.Matches) == limit {
				res.Truncated = true
				return errSearchFull
			}
			r.XML = ""
			res.Matches = append(res.Matches, r)
		}
		return nil
	})
	if err != nil && err != errSearchFull {
		return nil, err
	}
	return res, nil
}
