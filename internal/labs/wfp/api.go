package wfp

import (
	"bytes"

	"ntatlas/internal/labs"
)

// Handle is the engine's entry point for the CLI, the HTTP API and the WebAssembly bundle.
//
//	run           request: a scenario                      result: Result
//	puzzles       request: empty or {}                     result: []Puzzle
//	check-puzzle  request: {"id": "...", "answer": {...}}  result: CheckResult
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "run":
		s, err := DecodeScenario(req)
		if err != nil {
			return nil, err
		}
		return Run(s), nil
	case "puzzles":
		if t := bytes.TrimSpace(req); len(t) > 0 {
			var empty struct{}
			if err := labs.Decode(t, &empty); err != nil {
				return nil, err
			}
		}
		return Puzzles(), nil
	case "check-puzzle":
		return CheckPuzzle(req)
	}
	return nil, &labs.ErrUnknownOp{Engine: "wfp", Op: op}
}
