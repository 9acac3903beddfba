package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"ntatlas/internal/labs/dns"
)

// LabDNS runs the DNS client lab:
//
//	ntatlas lab dns [--json] SCENARIO.json
//	ntatlas lab dns --import-cache [--format json|displaydns] [--json] FILE
//
// FILE may be "-" for standard input.
func LabDNS(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab dns", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	importCache := fs.Bool("import-cache", false, "FILE is Get-DnsClientCache | ConvertTo-Json output or ipconfig /displaydns text")
	format := fs.String("format", "", "with --import-cache: json or displaydns (default: detect)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab dns [--json] SCENARIO.json")
		fmt.Fprintln(stderr, "       ntatlas lab dns --import-cache [--format json|displaydns] [--json] FILE")
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
	if *importCache {
		res, err := dns.ImportCache(*format, data)
		if err != nil {
			return failInput(stdout, stderr, *asJSON, "", err)
		}
		if *asJSON {
			return writeJSON(stdout, stderr, res)
		}
		fmt.Fprintf(stdout, "%d cache entries (%s), %d names\n", res.Count, res.Format, res.Summary.Names)
		for _, e := range res.Entries {
			fmt.Fprintf(stdout, "  %-40s %-6s %-9s ttl=%-6d %s\n", e.Name, e.Type, e.Status, e.TTL, e.Data)
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		return 0
	}
	out, err := dns.Handle("resolve", data)
	if err != nil {
		return failInput(stdout, stderr, *asJSON, "", err)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, out)
	}
	o := out.(*dns.Outcome)
	for _, r := range o.Results {
		fmt.Fprintf(stdout, "t=%dms  %s %s → %s via %s after %d ms\n", r.Query.At, r.Query.Name, r.Query.Type, r.Outcome, r.Source, r.ElapsedMs)
		for _, s := range r.Steps {
			where := s.Name
			if s.Server != "" {
				where += " @" + s.Server
			}
			fmt.Fprintf(stdout, "  +%6dms  %-14s %-10s %s  [%s]\n", s.Dt, s.Kind, s.Evidence, s.Text, strings.TrimSpace(where))
		}
		for _, a := range r.Answers {
			fmt.Fprintf(stdout, "  answer: %s %s %s (ttl %d)\n", a.Name, a.Type, a.Data, a.TTL)
		}
	}
	fmt.Fprintf(stdout, "cache at t=%dms:\n", o.CacheAt)
	for _, c := range o.Cache {
		fmt.Fprintf(stdout, "  %-40s %-6s %-9s ttl=%-6d %s (%s)\n", c.Name, c.Type, c.Status, c.TTL, c.Data, c.Origin)
	}
	return 0
}
