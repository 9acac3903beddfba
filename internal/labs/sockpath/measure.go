package sockpath

import (
	"fmt"
	"math"
	"sort"
)

// Measurement is what cmd/ntatlas-loopback prints.
type Measurement struct {
	Tool              string       `json:"tool"`
	Version           int          `json:"version"`
	GOOS              string       `json:"goos"`
	GOARCH            string       `json:"goarch"`
	GoVersion         string       `json:"goVersion"`
	NumCPU            int          `json:"numCPU"`
	DurationMsPerSize int64        `json:"durationMsPerSize"`
	Results           []SizeResult `json:"results"`
}

// SizeResult is the measurement for one message size.
type SizeResult struct {
	MessageSize int64   `json:"messageSize"`
	Calls       int64   `json:"calls"`
	Bytes       int64   `json:"bytes"`
	Seconds     float64 `json:"seconds"`
	CallsPerSec float64 `json:"callsPerSec"`
	MiBPerSec   float64 `json:"mibPerSec"`
}

// ToolName and ToolVersion identify the measurement format.
const (
	ToolName    = "ntatlas-loopback"
	ToolVersion = 1
)

// Comparison is the result of "import-measurement".
type Comparison struct {
	Measurement Measurement     `json:"measurement"`
	ModelAPI    string          `json:"modelApi"`
	ModelNote   Item            `json:"modelNote"`
	Rows        []ComparisonRow `json:"rows"`
	// Spread is max/min of the implied nanoseconds per cost unit across sizes: 1.0 means the
	// model's relative costs match the measurement perfectly.
	Spread  float64  `json:"spread"`
	Verdict string   `json:"verdict"`
	Notes   []string `json:"notes"`
}

// ComparisonRow lines up one size.
type ComparisonRow struct {
	MessageSize        int64   `json:"messageSize"`
	CallsPerSec        float64 `json:"callsPerSec"`
	MiBPerSec          float64 `json:"mibPerSec"`
	ModelCostPerOp     float64 `json:"modelCostPerOp"`
	ModelRelCallRate   float64 `json:"modelRelCallRate"`    // model calls/s relative to the smallest size
	MeasuredRelRate    float64 `json:"measuredRelCallRate"` // measured calls/s relative to the smallest size
	NanosPerCostUnit   float64 `json:"nanosPerCostUnit"`
	ModelBoundaryShare float64 `json:"modelBoundaryShare"` // share of the op cost that the API choice controls
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 0.01*math.Max(math.Abs(a), math.Abs(b))+1e-6
}

func validMeasurement(m *Measurement) error {
	if m.Tool != ToolName {
		return inErr("tool", "expected %q, got %q", ToolName, m.Tool)
	}
	if m.Version != ToolVersion {
		return inErr("version", "unsupported version %d (this lab reads version %d)", m.Version, ToolVersion)
	}
	if m.GOOS == "" || len(m.GOOS) > 32 {
		return inErr("goos", "missing or too long")
	}
	if len(m.Results) == 0 || len(m.Results) > 32 {
		return inErr("results", "expected 1..32 message sizes")
	}
	seen := map[int64]bool{}
	for i, r := range m.Results {
		f := fmt.Sprintf("results[%d]", i)
		if r.MessageSize < 1 || r.MessageSize > 16<<20 {
			return inErr(f+".messageSize", "must be 1..16 MiB")
		}
		if seen[r.MessageSize] {
			return inErr(f+".messageSize", "size %d appears twice", r.MessageSize)
		}
		seen[r.MessageSize] = true
		if r.Calls < 1 || r.Calls > 1<<50 {
			return inErr(f+".calls", "must be at least 1")
		}
		if r.Bytes != r.Calls*r.MessageSize {
			return inErr(f+".bytes", "bytes (%d) must equal calls × messageSize (%d)", r.Bytes, r.Calls*r.MessageSize)
		}
		if !(r.Seconds > 0 && r.Seconds <= 600) {
			return inErr(f+".seconds", "must be in (0, 600]")
		}
		if !near(r.CallsPerSec, float64(r.Calls)/r.Seconds) {
			return inErr(f+".callsPerSec", "%.1f does not match calls/seconds = %.1f", r.CallsPerSec, float64(r.Calls)/r.Seconds)
		}
		if !near(r.MiBPerSec, float64(r.Bytes)/r.Seconds/(1<<20)) {
			return inErr(f+".mibPerSec", "%.3f does not match bytes/seconds/2^20 = %.3f", r.MiBPerSec, float64(r.Bytes)/r.Seconds/(1<<20))
		}
	}
	return nil
}

// Compare validates a measurement and lines it up with the model for the API Go's runtime uses.
func Compare(m Measurement, weights *Weights) (*Comparison, error) {
	if err := validMeasurement(&m); err != nil {
		return nil, err
	}
	sort.Slice(m.Results, func(i, j int) bool { return m.Results[i].MessageSize < m.Results[j].MessageSize })
	c := &Comparison{Measurement: m, ModelAPI: "wsasend-iocp",
		ModelNote: Item{Metric: "info", What: "Go's net package on Windows issues overlapped WSASend on sockets bound to an I/O completion port and skips the port on inline success when it can; the model is run that way", Evidence: Observed, Source: "Go source: internal/poll/fd_windows.go"},
		Notes:     []string{"The model predicts relative costs only; the implied nanoseconds per cost unit should stay roughly constant across sizes if the model's shape is right."}}
	if m.GOOS != "windows" {
		c.Notes = append(c.Notes, fmt.Sprintf("Measured on %s, not Windows: the comparison shows the shape of per-call overhead versus copy cost, not Windows' own numbers.", m.GOOS))
	}
	base := 0.0
	baseRate := 0.0
	minNs, maxNs := math.Inf(1), 0.0
	for i, r := range m.Results {
		w := Workload{Bytes: r.MessageSize, MessageSize: r.MessageSize, API: "wsasend-iocp", Options: Options{SkipCompletionPortOnSuccess: true}, Weights: weights}
		run, err := Simulate(w)
		if err != nil {
			return nil, err
		}
		k := run.CostPerOp.Total
		if i == 0 {
			base, baseRate = k, r.CallsPerSec
		}
		ns := 1e9 / (r.CallsPerSec * k)
		minNs, maxNs = math.Min(minNs, ns), math.Max(maxNs, ns)
		c.Rows = append(c.Rows, ComparisonRow{MessageSize: r.MessageSize, CallsPerSec: r.CallsPerSec, MiBPerSec: r.MiBPerSec,
			ModelCostPerOp: round(k), ModelRelCallRate: round(base / k), MeasuredRelRate: round(r.CallsPerSec / baseRate),
			NanosPerCostUnit: round(ns), ModelBoundaryShare: round(run.CostPerOp.Boundary / k)})
	}
	c.Spread = round(maxNs / minNs)
	switch {
	case c.Spread <= 1.5:
		c.Verdict = "the model's relative costs track the measurement closely"
	case c.Spread <= 3:
		c.Verdict = "the model gets the trend but not the proportions: adjust the copy or per-call weights"
	default:
		c.Verdict = "the measurement and the model disagree strongly: per-call overhead or copy cost dominates more than the weights say"
	}
	return c, nil
}

//go:noinline
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
