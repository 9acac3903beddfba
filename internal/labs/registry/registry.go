// Package registry names every lab engine. The CLI, the JSON API and the WebAssembly bundle all
// dispatch through it, so one engine gives one answer wherever it runs.
package registry

import (
	"encoding/json"
	"errors"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/access"
	"ntatlas/internal/labs/dns"
	"ntatlas/internal/labs/evtx"
	"ntatlas/internal/labs/irp"
	"ntatlas/internal/labs/proctree"
	"ntatlas/internal/labs/sddl"
	"ntatlas/internal/labs/sockpath"
	"ntatlas/internal/labs/wfp"
)

// Engines returns the engines by name. A new map each call: nothing is shared or mutable.
func Engines() map[string]labs.Handler {
	return map[string]labs.Handler{
		"sddl":     sddl.Handle,
		"access":   access.Handle,
		"evtx":     evtx.Handle,
		"wfp":      wfp.Handle,
		"dns":      dns.Handle,
		"sockpath": sockpath.Handle,
		"proctree": proctree.Handle,
		"irp":      irp.Handle,
	}
}

// Envelope is the one response shape of every engine call, in every transport.
type Envelope struct {
	Result any              `json:"result,omitempty"`
	Error  *labs.InputError `json:"error,omitempty"`
}

// Run calls an engine and wraps the outcome. The error return is only for callers that must
// choose a status code: bad input (the learner's to fix) is reported inside the envelope.
func Run(engine, op string, req []byte) (Envelope, error) {
	h := Engines()[engine]
	if h == nil {
		return Envelope{Error: &labs.InputError{Offset: -1, Field: "engine", Message: "no lab engine named " + engine}}, ErrNoEngine
	}
	return wrap(h(op, req))
}

func wrap(res any, err error) (Envelope, error) {
	if err != nil {
		var ie *labs.InputError
		if errors.As(err, &ie) {
			return Envelope{Error: ie}, err
		}
		var uo *labs.ErrUnknownOp
		if errors.As(err, &uo) {
			return Envelope{Error: &labs.InputError{Offset: -1, Field: "op", Message: uo.Error()}}, err
		}
		return Envelope{Error: &labs.InputError{Offset: -1, Message: err.Error()}}, err
	}
	return Envelope{Result: res}, nil
}

// ErrNoEngine is returned by Run for an unknown engine name.
var ErrNoEngine = errors.New("no such lab engine")

// RunJSON is Run with the envelope marshalled: what the WebAssembly bridge returns to pages.
func RunJSON(engine, op string, req []byte) []byte {
	env, _ := Run(engine, op, req)
	return marshal(env)
}

func marshal(env Envelope) []byte {
	b, err := json.Marshal(env)
	if err != nil {
		b, _ = json.Marshal(Envelope{Error: &labs.InputError{Offset: -1, Message: "result not representable as JSON: " + err.Error()}})
	}
	return b
}

// RunBytesJSON is RunBytes with the envelope marshalled, for the WebAssembly bridge.
func RunBytesJSON(engine, op string, data, options []byte) []byte {
	env, _ := RunBytes(engine, op, data, options)
	return marshal(env)
}
