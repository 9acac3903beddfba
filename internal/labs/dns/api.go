package dns

import (
	"ntatlas/internal/labs"
)

// ImportRequest is the input of "import-cache": the text the learner pasted and its format
// ("json", "displaydns" or empty to detect).
type ImportRequest struct {
	Format string `json:"format,omitempty"`
	Text   string `json:"text"`
}

// Handle runs one operation of the DNS engine:
//
//	resolve       Scenario        → Outcome (timelines, wire messages, final cache)
//	import-cache  ImportRequest   → ImportResult
//	exercises     {}              → []Exercise
//	check         CheckRequest    → CheckResult
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "resolve":
		var sc Scenario
		if err := labs.Decode(req, &sc); err != nil {
			return nil, err
		}
		return Resolve(&sc)
	case "import-cache":
		var ir ImportRequest
		if err := labs.Decode(req, &ir); err != nil {
			return nil, err
		}
		return ImportCache(ir.Format, []byte(ir.Text))
	case "exercises":
		return Exercises(), nil
	case "check":
		var cr CheckRequest
		if err := labs.Decode(req, &cr); err != nil {
			return nil, err
		}
		return Check(cr)
	}
	return nil, &labs.ErrUnknownOp{Engine: "dns", Op: op}
}
