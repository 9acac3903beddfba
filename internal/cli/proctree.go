package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ntatlas/internal/labs"
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
	data, err := ptReadInput(name, stdin, proctree.MaxInputBytes)
	if err != nil {
		return ptFail(stdout, stderr, *asJSON, "lab proctree", name, err)
	}
	rep, err := proctree.ImportAndAnalyze(*format, data)
	if err != nil {
		return ptFail(stdout, stderr, *asJSON, "lab proctree", name, err)
	}
	if *asJSON {
		return ptWriteJSON(stdout, stderr, rep)
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

// ptReadInput reads a named file or standard input ("-"), refusing more than limit bytes.
func ptReadInput(name string, stdin io.Reader, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &labs.InputError{Offset: int(limit), Message: fmt.Sprintf("input is larger than %d bytes", limit)}
	}
	return data, nil
}

// ptFail reports unreadable input: a line on stderr and, with --json, the error object
// ({"error": {"offset", "field", "message"}}) on stdout, as the other lab commands do.
// It returns exit status 2.
func ptFail(stdout, stderr io.Writer, asJSON bool, cmd, name string, err error) int {
	fmt.Fprintf(stderr, "ntatlas %s: %s: %v\n", cmd, name, err)
	if asJSON {
		var ie *labs.InputError
		var obj any = map[string]any{"error": map[string]any{"offset": -1, "message": err.Error()}}
		if errors.As(err, &ie) {
			obj = map[string]any{"error": ie}
		}
		_ = ptWriteJSON(stdout, stderr, obj)
	}
	return 2
}

func ptWriteJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "ntatlas: writing JSON: %v\n", err)
		return 2
	}
	return 0
}
