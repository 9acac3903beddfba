package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"ntatlas/internal/labs/sockpath"
)

// LabSockpath runs the socket-path lab:
//
//	ntatlas lab sockpath [--json] WORKLOAD.json
//	ntatlas lab sockpath --measurement [--json] MEASUREMENT.json
//
// The second form reads the JSON printed by ntatlas-loopback and compares it with the model.
// A file argument of "-" reads standard input.
func LabSockpath(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab sockpath", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	measurement := fs.Bool("measurement", false, "the file is ntatlas-loopback output to compare with the model")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab sockpath [--json] WORKLOAD.json")
		fmt.Fprintln(stderr, "       ntatlas lab sockpath --measurement [--json] MEASUREMENT.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	data, err := readInput(fs.Arg(0), stdin, maxLabInput)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, "", err)
	}
	if *measurement {
		out, err := sockpath.Handle("import-measurement", data)
		if err != nil {
			return failInput(stdout, stderr, *asJSON, "", err)
		}
		if *asJSON {
			return writeJSON(stdout, stderr, out)
		}
		c := out.(*sockpath.Comparison)
		m := c.Measurement
		fmt.Fprintf(stdout, "loopback measurement on %s/%s (%s), model API %s\n", m.GOOS, m.GOARCH, m.GoVersion, c.ModelAPI)
		fmt.Fprintf(stdout, "  %10s %14s %10s %10s %12s %12s %10s\n", "size", "calls/s", "MiB/s", "model", "model rel", "measured rel", "ns/unit")
		for _, r := range c.Rows {
			fmt.Fprintf(stdout, "  %10d %14.0f %10.1f %10.3f %12.3f %12.3f %10.1f\n", r.MessageSize, r.CallsPerSec, r.MiBPerSec,
				r.ModelCostPerOp, r.ModelRelCallRate, r.MeasuredRelRate, r.NanosPerCostUnit)
		}
		fmt.Fprintf(stdout, "spread %.2f: %s\n", c.Spread, c.Verdict)
		for _, n := range c.Notes {
			fmt.Fprintln(stdout, "note:", n)
		}
		return 0
	}
	out, err := sockpath.Handle("run", data)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, "", err)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, out)
	}
	r := out.(*sockpath.Run)
	w := r.Workload
	fmt.Fprintf(stdout, "%s: %d bytes in %d operations of %d bytes\n", w.API, w.Bytes, r.Ops, w.MessageSize)
	for _, s := range r.Stages {
		mark := " "
		if !s.Active {
			mark = "·"
		}
		fmt.Fprintf(stdout, "%s %-9s %s\n", mark, s.Mode, s.Name)
		for _, it := range s.Items {
			n := ""
			if it.Metric != "info" {
				n = fmt.Sprintf("%g %s/op ", it.PerOp, it.Metric)
			}
			fmt.Fprintf(stdout, "      %s%s [%s]\n", n, it.What, it.Evidence)
		}
	}
	for _, it := range r.Setup {
		fmt.Fprintf(stdout, "  setup: %g %s: %s [%s]\n", it.PerOp, it.Metric, it.What, it.Evidence)
	}
	p, t := r.PerOp, r.Total
	fmt.Fprintf(stdout, "per op:  T=%g C=%g L=%g IRP=%g Q=%g W=%g RIO=%g\n", p.Transitions, p.Copies, p.PageLocks, p.IRPs, p.Completions, p.Wakeups, p.RIOEntries)
	fmt.Fprintf(stdout, "total:   T=%g C=%g (%g bytes) L=%g IRP=%g Q=%g W=%g\n", t.Transitions, t.Copies, t.CopyBytes, t.PageLocks, t.IRPs, t.Completions, t.Wakeups)
	fmt.Fprintf(stdout, "cost (model units): %.3f per op, %.1f total, %.3f per MiB (boundary share %.0f%%)\n",
		r.CostPerOp.Total, r.CostTotal.Total, r.CostPerMiB, 100*r.CostPerOp.Boundary/r.CostPerOp.Total)
	var ev []string
	for _, e := range r.Evidence {
		ev = append(ev, e.Metric+"="+e.Evidence)
	}
	fmt.Fprintln(stdout, "evidence:", strings.Join(ev, " "))
	for _, wmsg := range r.Warnings {
		fmt.Fprintln(stdout, "warning:", wmsg)
	}
	return 0
}
