package registry

import (
	"encoding/json"
	"errors"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/evtx"
)

// BytesHandler runs an operation on a file's bytes plus JSON options, for engines whose input
// is a file: the browser hands the bytes over directly instead of base64 inside JSON, which in
// WebAssembly costs more than the parse itself.
type BytesHandler func(op string, data, opts []byte) (any, error)

func bytesEngines() map[string]BytesHandler {
	return map[string]BytesHandler{"evtx": evtxBytes}
}

// evtxBytes mirrors evtx.Handle with the file given as bytes.
func evtxBytes(op string, data, opts []byte) (any, error) {
	var o struct {
		Index  int    `json:"index"`
		Format string `json:"format"`
		Filter string `json:"filter"`
		From   int    `json:"from"`
		To     int    `json:"to"`
	}
	if len(opts) > 0 {
		if err := labs.Decode(opts, &o); err != nil {
			return nil, err
		}
	}
	rd, err := evtx.OpenBytes(data)
	if err != nil {
		return nil, &labs.InputError{Offset: 0, Field: "file", Message: err.Error()}
	}
	var f *evtx.Filter
	if o.Filter != "" {
		if f, err = evtx.ParseFilter(o.Filter); err != nil {
			off := -1
			var fe *evtx.FilterError
			if errors.As(err, &fe) {
				off = fe.Offset
			}
			return nil, &labs.InputError{Offset: off, Field: "filter", Message: err.Error()}
		}
	}
	switch op {
	case "info":
		return rd.Info(0)
	case "chunk":
		opts := evtx.Options{XML: true, JSON: true, Filter: f}
		switch o.Format {
		case "", "both":
		case "xml":
			opts.JSON = false
		case "json":
			opts.XML = false
		default:
			return nil, &labs.InputError{Offset: -1, Field: "format", Message: `want "xml", "json" or "both"`}
		}
		c, err := rd.ReadChunk(o.Index, opts)
		if err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "index", Message: err.Error()}
		}
		if c.Records == nil {
			c.Records = []evtx.Record{}
		}
		return c, nil
	case "facets":
		if o.From < 0 || o.To < o.From {
			return nil, &labs.InputError{Offset: -1, Field: "to", Message: "want 0 <= from <= to"}
		}
		all := o.From == 0 && o.To == 0
		return rd.Facets(f, func(i int) bool { return all || (i >= o.From && i <= o.To) }, 0)
	}
	return nil, &labs.ErrUnknownOp{Engine: "evtx", Op: op}
}

// RunBytes runs a file operation through the engine's bytes handler when it has one, else by
// putting the bytes (base64) into the request's "file" field.
func RunBytes(engine, op string, data, opts []byte) (Envelope, error) {
	if h := bytesEngines()[engine]; h != nil {
		res, err := h(op, data, opts)
		return wrap(res, err)
	}
	req := map[string]any{}
	if len(opts) > 0 {
		if err := json.Unmarshal(opts, &req); err != nil {
			e := &labs.InputError{Offset: -1, Field: "options", Message: err.Error()}
			return Envelope{Error: e}, e
		}
	}
	req["file"] = data // encoding/json writes []byte as base64
	body, _ := json.Marshal(req)
	return Run(engine, op, body)
}
