package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"ntatlas/internal/content"
)

// Check validates the content and prints every problem as file:line: message.
// Exit status 1 when there are problems.
func Check(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("content", "", "content directory (default: the embedded content)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas check [-content DIR]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fl.Usage()
		return 2
	}
	fsys, err := contentFS(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas check: %v\n", err)
		return 2
	}
	start := time.Now()
	site, err := content.Load(fsys)
	elapsed := time.Since(start)
	if err != nil {
		var ps content.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				if *dir != "" {
					p.File = filepath.Join(*dir, p.File)
				} else {
					p.File = filepath.Join("_content", p.File)
				}
				fmt.Fprintln(stdout, p.String())
			}
			fmt.Fprintf(stderr, "%d problem(s)\n", len(ps))
			return 1
		}
		fmt.Fprintf(stderr, "ntatlas check: %v\n", err)
		return 1
	}
	c := site.Coverage
	fmt.Fprintf(stdout, "ok: %d branches, %d topics (%d beginner, %d intermediate, %d expert), %d paths, %d key terms, %d schematics, %d official references, %d labs (%s)\n",
		c.Branches, c.Topics, c.BeginnerCount, c.InterCount, c.ExpertCount, c.Paths, c.Terms, c.Schematics, c.OfficialDocs, c.Labs, elapsed.Round(time.Millisecond))
	return 0
}
