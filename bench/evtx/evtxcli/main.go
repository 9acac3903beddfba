// Command evtxcli runs the evtx CLI functions outside the ntatlas binary, so that the benchmark
// script can time them before (and independently of) their wiring into cmd/ntatlas.
//
//	go run ./bench/evtx/evtxcli info|dump [flags] FILE
package main

import (
	"fmt"
	"os"

	"ntatlas/internal/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: evtxcli info|dump [flags] FILE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "info":
		os.Exit(cli.EvtxInfo(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	case "dump":
		os.Exit(cli.EvtxDump(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	fmt.Fprintln(os.Stderr, "usage: evtxcli info|dump [flags] FILE")
	os.Exit(2)
}
