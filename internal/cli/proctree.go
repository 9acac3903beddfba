package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"ntatlas/internal/labs/proctree"
)

// LabProctree implements `ntatlas lab proctree [--json] [--format F] FILE`: it reads a process
// list saved on Windows (Get-CimInstance Win32_Process ... | ConvertTo-Json, or
// tasklist /v /fo csv), rebuilds the tree and prints what deviates from a normal machine.
// FILE "-" reads standard input. Exit status: 0 analysed, 2 unreadable input or bad usage.
func LabProctree(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab proctree", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print {\"tree\":[…],\"findings\":[…]} as JSON")
	format := fs.String("format", proctree.FormatAuto, "input format: auto, cim-json or tasklist-csv")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab proctree [--json] [--format auto|cim-json|tasklist-csv] FILE")
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
	data, err := readInput(name, stdin, proctree.MaxInputBytes)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, name, err)
	}
	rep, err := proctree.ImportAndAnalyze(*format, data)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, name, err)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, rep)
	}
	fmt.Fprintf(stdout, "%d processes (%s)\n\n", rep.Count, rep.Format)
	for _, n := range rep.Tree {
		printNode(stdout, n, 0)
	}
	fmt.Fprintln(stdout)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(stdout, "No deviations from a typical Windows 11 machine were found.")
	} else {
		fmt.Fprintf(stdout, "%d finding(s):\n", len(rep.Findings))
		for _, f := range rep.Findings {
			fmt.Fprintf(stdout, "- %s (PID %d) [%s, %s]: %s See topic %s.\n", f.Name, f.PID, f.Rule, f.Basis, f.Why, f.Topic)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(stdout, "Note: %s\n", n)
	}
	return 0
}

func printNode(w io.Writer, n *proctree.Node, depth int) {
	// Deep chains are printed flat past a point so a pathological list cannot produce
	// megabytes of indentation.
	indent := strings.Repeat("  ", min(depth, 40))
	extra := ""
	if n.Session != nil {
		extra += fmt.Sprintf(" session %d", *n.Session)
	}
	switch n.Parent {
	case proctree.ParentExited:
		extra += fmt.Sprintf(" [parent %d has exited]", *n.PPID)
	case proctree.ParentReused:
		extra += fmt.Sprintf(" [PID %d now belongs to a younger process]", *n.PPID)
	case proctree.ParentCycle:
		extra += " [parent link loops; cut here]"
	}
	fmt.Fprintf(w, "%s%s (%d)%s\n", indent, n.Name, n.PID, extra)
	for _, c := range n.Children {
		printNode(w, c, depth+1)
	}
}
