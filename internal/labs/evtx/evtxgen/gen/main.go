// Command gen writes the synthetic Security log of package evtxgen to the file named by its
// argument: go run ./internal/labs/evtx/evtxgen/gen internal/web/static/labs/samples/synthetic-security.evtx
package main

import (
	"fmt"
	"os"

	"ntatlas/internal/labs/evtx/evtxgen"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTPUT.evtx")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], evtxgen.SyntheticSecurity(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
