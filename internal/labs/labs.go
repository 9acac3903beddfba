// Package labs holds what every lab engine shares: the request/response contract that lets the
// same engine run natively, behind the JSON API and in WebAssembly with identical results.
//
// Engines live in subpackages (internal/labs/<engine>). They are pure: they import no I/O, no
// network, no clock and no unseeded randomness, so one input always gives one output.
//
// The engines also make up most of the browser's WebAssembly bundle, which has a size budget
// (bench/README.md). That is why some small helpers carry //go:noinline (inlined at many call
// sites they cost more than the call; each was kept only where the bundle shrank) and why a few
// standard packages are replaced by narrower code here (ipaddr for net/netip, civil.go for
// time's calendar): each replacement is tested against the package it stands in for.
package labs

import (
	"encoding/json"
	"fmt"
)

// Handler runs one named operation of an engine on a JSON request. The result is marshalled
// with encoding/json by the caller (CLI, API or WebAssembly bridge).
type Handler func(op string, req []byte) (any, error)

// InputError is bad input that the learner can fix: it names where the problem is.
// Offset is a byte offset into the input text (-1 when unknown); Field names a JSON field or
// input line ("filters[2].weight", "line 14").
type InputError struct {
	Offset  int    `json:"offset"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e *InputError) Error() string {
	switch {
	case e.Field != "" && e.Offset >= 0:
		return fmt.Sprintf("%s (offset %d): %s", e.Field, e.Offset, e.Message)
	case e.Field != "":
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	case e.Offset >= 0:
		return fmt.Sprintf("offset %d: %s", e.Offset, e.Message)
	}
	return e.Message
}

// ErrUnknownOp is returned by a Handler for an operation it does not have.
type ErrUnknownOp struct{ Engine, Op string }

func (e *ErrUnknownOp) Error() string {
	return fmt.Sprintf("engine %q has no operation %q", e.Engine, e.Op)
}

// Decode unmarshals a request strictly (unknown fields are errors) and turns JSON syntax and
// type errors into InputErrors that carry the byte offset.
func Decode(req []byte, v any) error {
	dec := json.NewDecoder(bytesReader(req))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		switch e := err.(type) {
		case *json.SyntaxError:
			return &InputError{Offset: int(e.Offset), Message: e.Error()}
		case *json.UnmarshalTypeError:
			return &InputError{Offset: int(e.Offset), Field: e.Field, Message: e.Error()}
		}
		return &InputError{Offset: -1, Message: err.Error()}
	}
	return nil
}
