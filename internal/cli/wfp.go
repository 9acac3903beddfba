package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

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
		return failInput(stdout, stderr, *asJSON, "", fmt.Errorf("--phase must be boot or running, not %q", *phase))
	}
	name := fs.Arg(0)
	data, err := readInput(name, stdin, wfp.MaxInputBytes)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, "", err)
	}
	s, err := wfp.DecodeScenario(data)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, name, err)
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
