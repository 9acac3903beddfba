package proctree

import (
	"bytes"
	"fmt"

	"ntatlas/internal/labs"
)

// Report is the analysis of one process list.
type Report struct {
	Format   string    `json:"format,omitempty"`
	Count    int       `json:"count"`
	Tree     []*Node   `json:"tree"`
	Findings []Finding `json:"findings"`
	Notes    []string  `json:"notes,omitempty"`
}

// SampleResult is the teaching sample with every well-known process explained.
type SampleResult struct {
	Report
	Profiles []Profile `json:"profiles"`
}

// ImportRequest is the body of the "import" op.
type ImportRequest struct {
	Format string `json:"format"`
	Text   string `json:"text"`
}

// CheckRequest is the body of the "check" op.
type CheckRequest struct {
	Exercise string   `json:"exercise"`
	PIDs     []uint32 `json:"pids"`
}

// Analyze builds the tree of a parsed list and applies the rules.
func Analyze(procs []Process) Report {
	b := buildTree(procs)
	r := Report{Count: len(procs), Tree: b.roots, Findings: analyze(b)}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if len(procs) > 0 && !procs[0].HasPPID {
		r.Notes = append(r.Notes, "This list has no parent PIDs (tasklist does not report them), so it is shown flat; the parent rules are skipped. Use Get-CimInstance Win32_Process for the full tree.")
	}
	paths := false
	for _, p := range procs {
		if p.Path != "" {
			paths = true
			break
		}
	}
	if !paths {
		r.Notes = append(r.Notes, "No executable paths are present, so the path rules are skipped.")
	} else {
		r.Notes = append(r.Notes, "Processes without an ExecutablePath (protected processes read without administrator rights) are not path-checked.")
	}
	return r
}

// ImportAndAnalyze parses text in the given format and analyses it.
func ImportAndAnalyze(format string, data []byte) (Report, error) {
	procs, f, err := Import(format, data)
	if err != nil {
		return Report{}, err
	}
	r := Analyze(procs)
	r.Format = f
	return r, nil
}

// Sample returns the analysed Windows 11 sample tree.
func Sample() SampleResult {
	r := Analyze(sampleProcesses())
	r.Notes = nil
	return SampleResult{Report: r, Profiles: Profiles()}
}

// Handle is the engine's entry point for the CLI, the HTTP API and WebAssembly.
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "sample":
		if err := decodeEmpty(req); err != nil {
			return nil, err
		}
		return Sample(), nil
	case "profiles":
		if err := decodeEmpty(req); err != nil {
			return nil, err
		}
		return map[string]any{"profiles": Profiles()}, nil
	case "import":
		var r ImportRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		if r.Format == "" {
			return nil, &labs.InputError{Offset: -1, Field: "format", Message: fmt.Sprintf("required: %q, %q or %q", FormatCIM, FormatTasklist, FormatAuto)}
		}
		if r.Text == "" {
			return nil, &labs.InputError{Offset: -1, Field: "text", Message: "required: the process list as text"}
		}
		rep, err := ImportAndAnalyze(r.Format, []byte(r.Text))
		if err != nil {
			if ie, ok := err.(*labs.InputError); ok && ie.Field != "format" {
				ie.Field = "text: " + ie.Field
			}
			return nil, err
		}
		return rep, nil
	case "exercises":
		if err := decodeEmpty(req); err != nil {
			return nil, err
		}
		return map[string]any{"exercises": Exercises()}, nil
	case "check":
		var r CheckRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		if r.Exercise == "" {
			return nil, &labs.InputError{Offset: -1, Field: "exercise", Message: "required"}
		}
		return Check(r.Exercise, r.PIDs)
	}
	return nil, &labs.ErrUnknownOp{Engine: "proctree", Op: op}
}

// decodeEmpty accepts an empty body or an empty JSON object.
func decodeEmpty(req []byte) error {
	if len(bytes.TrimSpace(req)) == 0 {
		return nil
	}
	var v struct{}
	return labs.Decode(req, &v)
}
