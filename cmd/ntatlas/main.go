// Command ntatlas is NT Atlas: the web server, the content checker and the lab engines' CLI.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"ntatlas/internal/cli"
)

type command func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var usage = `NT Atlas: an interactive map of Windows internals.

usage: ntatlas <command> [flags]

commands:
  serve    run the web server (ntatlas serve -h for flags)
  check    validate the content; problems print as file:line: message
  export   write a static offline copy (ntatlas export -out DIR)
  lab      run a lab engine from the command line (ntatlas lab -h)
  evtx     read Windows event logs: evtx info FILE, evtx dump FILE
  version  print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	commands := map[string]command{
		"serve":  cli.Serve,
		"check":  cli.Check,
		"export": cli.Export,
		"lab": sub("lab", map[string]command{
			"wfp":      cli.LabWFP,
			"dns":      cli.LabDNS,
			"sockpath": cli.LabSockpath,
			"sddl":     cli.LabSDDL,
			"access":   cli.LabAccess,
			"proctree": cli.LabProctree,
			"irp":      cli.LabIRP,
		}),
		"evtx": sub("evtx", map[string]command{
			"info": cli.EvtxInfo,
			"dump": cli.EvtxDump,
		}),
		"version": func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			fmt.Fprintln(stdout, "ntatlas", version)
			return 0
		},
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ntatlas: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

// sub dispatches a command group such as "ntatlas lab sddl ...".
func sub(group string, cmds map[string]command) command {
	return func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		slices.Sort(names)
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintf(stderr, "usage: ntatlas %s <name> [flags]\n\n", group)
			for _, n := range names {
				fmt.Fprintf(stderr, "  %s\n", n)
			}
			if len(args) == 0 {
				return 2
			}
			return 0
		}
		c, ok := cmds[args[0]]
		if !ok {
			fmt.Fprintf(stderr, "ntatlas %s: unknown %s %q (have: %v)\n", group, group, args[0], names)
			return 2
		}
		return c(args[1:], stdin, stdout, stderr)
	}
}

// version is set at build time with -ldflags "-X main.version=..."; "dev" otherwise.
var version = "dev"
