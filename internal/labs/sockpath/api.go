package sockpath

import "ntatlas/internal/labs"

// Handle runs one operation of the socket-path engine:
//
//	run                 Workload      → Run (stages, counts per op and total, cost, evidence)
//	exercises           {}            → []Exercise
//	check               CheckRequest  → CheckResult
//	import-measurement  Measurement   → Comparison (ntatlas-loopback output against the model)
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "run":
		var w Workload
		if err := labs.Decode(req, &w); err != nil {
			return nil, err
		}
		return Simulate(w)
	case "exercises":
		return Exercises(), nil
	case "check":
		var cr CheckRequest
		if err := labs.Decode(req, &cr); err != nil {
			return nil, err
		}
		return Check(cr)
	case "import-measurement":
		var m Measurement
		if err := labs.Decode(req, &m); err != nil {
			return nil, err
		}
		return Compare(m, nil)
	}
	return nil, &labs.ErrUnknownOp{Engine: "sockpath", Op: op}
}
