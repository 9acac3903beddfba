package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

// LabSDDL implements `ntatlas lab sddl [--json] [--type file|directory|key|process|service|generic] 'SDDL'`.
// With no SDDL argument (or "-") the string is read from stdin. Exit status 0 on success,
// 2 on malformed input or usage; with --json errors are printed to stdout as
// {"error":{"offset":N,"message":"..."}}.
func LabSDDL(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab sddl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the analysis as JSON")
	typ := fs.String("type", "generic", "object type for naming rights: file, directory, key, process, service or generic")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab sddl [--json] [--type file|directory|key|process|service|generic] 'SDDL'")
		fs.PrintDefaults()
	}
	pos, err := secParseArgs(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 1 {
		fmt.Fprintln(stderr, "ntatlas lab sddl: expected one SDDL string (quote it in the shell)")
		fs.Usage()
		return 2
	}
	var text string
	if len(pos) == 0 || pos[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, sddl.MaxInput+1))
		if err != nil {
			fmt.Fprintf(stderr, "ntatlas lab sddl: reading stdin: %v\n", err)
			return 2
		}
		text = strings.TrimRight(string(b), "\r\n")
	} else {
		text = pos[0]
	}
	v, err := sddl.ParseView(text, *typ)
	if err != nil {
		return secFail(err, *asJSON, "lab sddl", text, stdout, stderr)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, v)
	}
	secPrintSDDL(stdout, v)
	return 0
}

// secParseArgs lets flags follow the positional arguments, as in
// `ntatlas lab sddl 'O:BA' --json`.
func secParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// secFail prints an input error and returns exit status 2. For errors with an offset
// into text, the text form shows a caret under the offending byte.
func secFail(err error, asJSON bool, cmd, text string, stdout, stderr io.Writer) int {
	var ie *labs.InputError
	if !errors.As(err, &ie) {
		ie = &labs.InputError{Offset: -1, Message: err.Error()}
	}
	if asJSON {
		writeJSON(stdout, stderr, map[string]any{"error": ie})
		return 2
	}
	fmt.Fprintf(stderr, "ntatlas %s: %v\n", cmd, ie)
	if text != "" && ie.Offset >= 0 && ie.Offset <= len(text) && !strings.Contains(text, "\n") && len(text) < 300 {
		fmt.Fprintf(stderr, "  %s\n  %s^\n", text, strings.Repeat(" ", ie.Offset))
	}
	return 2
}

func secPrintSDDL(w io.Writer, v sddl.View) {
	fmt.Fprintf(w, "Canonical SDDL: %s\n", v.SDDL)
	trustee := func(t *sddl.Trustee) string {
		if t == nil {
			return "(absent)"
		}
		return secTrusteeText(*t)
	}
	fmt.Fprintf(w, "Owner:   %s\n", trustee(v.Owner))
	fmt.Fprintf(w, "Group:   %s\n", trustee(v.Group))
	fmt.Fprintf(w, "Control: %s (%s)\n", v.ControlHex, strings.Join(v.ControlFlags, ", "))
	for _, acl := range []struct {
		name string
		v    sddl.ACLView
	}{{"DACL", v.DACL}, {"SACL", v.SACL}} {
		switch {
		case !acl.v.Present:
			fmt.Fprintf(w, "%s:    absent\n", acl.name)
			continue
		case acl.v.Null:
			fmt.Fprintf(w, "%s:    NULL (NO_ACCESS_CONTROL)", acl.name)
		default:
			fmt.Fprintf(w, "%s:    %d ACE(s)", acl.name, len(acl.v.ACEs))
		}
		if len(acl.v.Flags) > 0 {
			fmt.Fprintf(w, ", flags %s", strings.Join(acl.v.Flags, " "))
		}
		fmt.Fprintln(w)
		for _, a := range acl.v.ACEs {
			fmt.Fprintf(w, "  [%d] %-6s %-22s %s %s\n", a.Index, a.Type, a.Effect, a.Mask, secTrusteeText(a.Trustee))
			fmt.Fprintf(w, "       rights: %s\n", a.RightsSummary)
			if len(a.Flags) > 0 {
				fmt.Fprintf(w, "       flags:  %s (%s)\n", strings.Join(a.Flags, " "), a.Inheritance)
			}
			if a.ObjectType != "" || a.InheritedObjectType != "" {
				fmt.Fprintf(w, "       object: %s inherited-object: %s\n", a.ObjectType, a.InheritedObjectType)
			}
			if a.Condition != "" {
				fmt.Fprintf(w, "       condition: %s\n", a.Condition)
			}
			if a.ResourceAttribute != nil {
				fmt.Fprintf(w, "       attribute: %s\n", a.ResourceAttribute.String())
			}
			fmt.Fprintf(w, "       raw:    %s\n", a.Raw)
		}
	}
	if v.DACL.Present && !v.DACL.Null {
		if v.Canonical {
			fmt.Fprintln(w, "DACL order: canonical")
		} else {
			fmt.Fprintln(w, "DACL order: NOT canonical")
			for _, p := range v.OrderProblems {
				fmt.Fprintf(w, "  - %s\n", p.Message)
			}
			fmt.Fprintf(w, "  %s\n  (%s)\n", v.OrderExplanation, v.OrderDoc)
		}
	}
	for _, wn := range v.Warnings {
		fmt.Fprintf(w, "warning (offset %d): %s\n", wn.Offset, wn.Message)
	}
}

func secTrusteeText(t sddl.Trustee) string {
	s := t.SID
	if t.Alias != "" {
		s = t.Alias + " " + s
	}
	if t.Name != "" {
		s += " " + t.Name
	}
	if t.DomainRelative {
		s += " (domain-relative: placeholder domain)"
	}
	return s
}
