package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"ntatlas/internal/labs/irp"
)

// maxScenarioBytes bounds a scenario file; real ones are a few kilobytes.
const maxScenarioBytes = 1 << 20

// LabIRP implements `ntatlas lab irp [--json] SCENARIO.json`: it simulates the I/O request
// journey described by the scenario ({"stack": preset id or layers, "request": {...},
// "predicted": [...]}) and prints every step. With "predicted", it also checks the predicted
// order of completion routines. Exit status: 0 ok, 1 wrong prediction, 2 bad input or usage.
func LabIRP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab irp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print {\"transcript\":…,\"check\":…} as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab irp [--json] SCENARIO.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	name := fs.Arg(0)
	data, err := readInput(name, stdin, maxScenarioBytes)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, name, err)
	}
	layers, req, predicted, err := irp.DecodeScenario(data)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, name, err)
	}
	var check *irp.CheckResult
	var t irp.Transcript
	if predicted != nil {
		c, tr := irp.Check(layers, req, predicted)
		check, t = &c, tr
	} else {
		t = irp.Run(layers, req)
	}
	status := 0
	if check != nil && !check.Correct {
		status = 1
	}
	if *asJSON {
		out := struct {
			Transcript irp.Transcript   `json:"transcript"`
			Check      *irp.CheckResult `json:"check,omitempty"`
		}{t, check}
		if writeJSON(stdout, stderr, out) != 0 {
			return 2
		}
		return status
	}
	for _, s := range t.Steps {
		fmt.Fprintf(stdout, "%2d. [%s, %s] %s: %s (%s: %s)\n", s.N, s.IRQL, s.Context, s.Actor, s.Text, s.Basis, s.Rule)
	}
	fmt.Fprintf(stdout, "\nCompletion order: %v\n", t.CompletionOrder)
	fmt.Fprintf(stdout, "Result: %s (%s), %d bytes; %s; delivered by %s.\n", t.Result.Status, t.Result.Win32Error, t.Result.Information, t.Result.Returned, t.Result.Delivery)
	for _, w := range t.Warnings {
		fmt.Fprintf(stdout, "Warning: %s\n", w)
	}
	if check != nil {
		if check.Correct {
			fmt.Fprintln(stdout, "Prediction: correct.")
		} else {
			fmt.Fprintf(stdout, "Prediction: wrong from position %d. Expected %v, got %v.\n%s\n", check.FirstMismatch+1, check.Expected, check.Predicted, check.Explanation)
		}
	}
	return status
}
