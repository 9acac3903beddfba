package irp

import (
	"bytes"
	"encoding/json"
	"strings"

	"ntatlas/internal/labs"
)

// RunRequest is the body of the "run" op.
type RunRequest struct {
	Stack   json.RawMessage `json:"stack"`
	Request json.RawMessage `json:"request"`
}

// CheckRequest is the body of the "check" op.
type CheckRequest struct {
	Stack     json.RawMessage `json:"stack"`
	Request   json.RawMessage `json:"request"`
	Predicted []string        `json:"predicted"`
}

// CheckResult compares a predicted completion order with the simulated one.
type CheckResult struct {
	Correct       bool     `json:"correct"`
	Expected      []string `json:"expected"`
	Predicted     []string `json:"predicted"`
	FirstMismatch int      `json:"firstMismatch"` // index of the first difference, -1 when correct
	Explanation   string   `json:"explanation"`
}

// DecodeScenario reads a scenario file: {"stack": ..., "request": ..., "predicted": [...]}.
func DecodeScenario(b []byte) (layers []Layer, req Request, predicted []string, err error) {
	var sc Scenario
	if err = labs.Decode(b, &sc); err != nil {
		return
	}
	return decodeParts(sc.Stack, sc.Request, sc.Predicted)
}

func decodeParts(stack, request json.RawMessage, predicted []string) ([]Layer, Request, []string, error) {
	layers, err := decodeStack(stack)
	if err != nil {
		return nil, Request{}, nil, err
	}
	req, err := decodeRequest(request)
	if err != nil {
		return nil, Request{}, nil, err
	}
	if len(predicted) > 64 {
		return nil, Request{}, nil, bad("predicted", "at most 64 names")
	}
	return layers, req, predicted, nil
}

// Check runs the scenario and compares the completion order with the prediction
// (names compare case-insensitively).
func Check(layers []Layer, req Request, predicted []string) (CheckResult, Transcript) {
	t := Run(layers, req)
	res := CheckResult{Expected: t.CompletionOrder, Predicted: predicted, FirstMismatch: -1}
	if res.Predicted == nil {
		res.Predicted = []string{}
	}
	n := max(len(predicted), len(t.CompletionOrder))
	for i := range n {
		if i >= len(predicted) || i >= len(t.CompletionOrder) || !strings.EqualFold(strings.TrimSpace(predicted[i]), t.CompletionOrder[i]) {
			res.FirstMismatch = i
			break
		}
	}
	res.Correct = res.FirstMismatch == -1
	switch {
	case len(t.CompletionOrder) == 0:
		res.Explanation = "No completion routine or post-operation callback runs in this journey (nothing forwarded with IoCopyCurrentIrpStackLocationToNext plus IoSetCompletionRoutine, or fast I/O was used)."
	default:
		res.Explanation = "Completion runs bottom-up: the I/O manager walks the stack locations from the completing driver towards the top and calls each routine stored there; drivers that forwarded with IoSkipCurrentIrpStackLocation have none, and Filter Manager calls post-operation callbacks from the lowest altitude up. Order: " + strings.Join(t.CompletionOrder, " → ") + "."
	}
	return res, t
}

// Handle is the engine's entry point for the CLI, the HTTP API and WebAssembly.
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "presets":
		if len(bytes.TrimSpace(req)) > 0 {
			var v struct{}
			if err := labs.Decode(req, &v); err != nil {
				return nil, err
			}
		}
		stacks, requests := Presets()
		return map[string]any{"stacks": stacks, "requests": requests, "rules": Rules()}, nil
	case "run":
		var r RunRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		layers, rq, _, err := decodeParts(r.Stack, r.Request, nil)
		if err != nil {
			return nil, err
		}
		return Run(layers, rq), nil
	case "check":
		var r CheckRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		if r.Predicted == nil {
			return nil, bad("predicted", "required: the layer and minifilter names in the order you expect their completion routines to run")
		}
		layers, rq, pred, err := decodeParts(r.Stack, r.Request, r.Predicted)
		if err != nil {
			return nil, err
		}
		res, _ := Check(layers, rq, pred)
		return res, nil
	}
	return nil, &labs.ErrUnknownOp{Engine: "irp", Op: op}
}
