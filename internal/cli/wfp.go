package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/wfp"
)

// LabWFP runs the WFP filter arbitration lab on one scenario file:
//
//	ntatlas lab wfp [--json] [--phase boot|running] SCENARIO.json
//
// SCENARIO.json may be "-" for standard input. --phase overrides the scenario's phase (the lab's
// phase slider). Without --json the result is a readable trace; with --json it is the engine's
// JSON result, and errors are a JSON object {"error": {"offset", "field", "message"}} on stdout.
// Exit status: 0 for any verdict, 2 for bad usage or an invalid scenario (the error names the field).
func LabWFP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab wfp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	phase := fs.String("phase", "", "override the scenario's phase: boot or running")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab wfp [--json] [--phase boot|running] SCENARIO.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *phase != "" && *phase != "boot" && *phase != "running" {
		return wfpFail(*asJSON, stdout, stderr, "", fmt.Errorf("--phase must be boot or running, not %q", *phase))
	}
	name := fs.Arg(0)
	data, err := wfpReadInput(name, stdin)
	if err != nil {
		return wfpFail(*asJSON, stdout, stderr, "", err)
	}
	s, err := wfp.DecodeScenario(data)
	if err != nil {
		return wfpFail(*asJSON, stdout, stderr, name, err)
	}
	switch *phase {
	case "boot":
		s.Phase = wfp.PhaseBoot
	case "running":
		s.Phase = wfp.PhaseRunning
	}
	res := wfp.Run(s)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, wfp.FormatText(res))
	return 0
}

// wfpReadInput reads the scenario file, or standard input for "-", refusing anything larger
// than the engine accepts.
func wfpReadInput(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, wfp.MaxInputBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > wfp.MaxInputBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, wfp.MaxInputBytes)
	}
	return data, nil
}

// wfpFail reports an error and returns exit status 2: a JSON error object on stdout with --json
// (the *labs.InputError itself when there is one), and always a line on stderr.
func wfpFail(asJSON bool, stdout, stderr io.Writer, name string, err error) int {
	prefix := "error: "
	if name != "" {
		prefix += name + ": "
	}
	fmt.Fprintln(stderr, prefix+err.Error())
	if asJSON {
		var ie *labs.InputError
		var obj any = map[string]any{"error": map[string]any{"offset": -1, "message": err.Error()}}
		if errors.As(err, &ie) {
			obj = map[string]any{"error": ie}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(obj)
	}
	return 2
}
