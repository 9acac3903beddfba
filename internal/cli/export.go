package cli

import (
	"flag"
	"fmt"
	"io"
	"time"

	"ntatlas/internal/web"
)

// Export writes a static offline copy of NT Atlas: every page and asset, for any static file
// server (or a USB stick and `python3 -m http.server`). The labs run in the browser, so they
// work in the copy; search, progress and the API need `ntatlas serve`.
func Export(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "directory to write (must be new or empty)")
	dir := fl.String("content", "", "export content from this directory instead of the embedded copy")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas export -out DIR [-content DIR]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 || *out == "" {
		fl.Usage()
		return 2
	}
	fsys, err := contentFS(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas export: %v\n", err)
		return 2
	}
	start := time.Now()
	srv, err := web.New(web.Config{Content: fsys, Offline: true})
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas export: content is invalid; fix these first:\n%v\n", err)
		return 1
	}
	rep, err := srv.Export(*out)
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d pages and %d assets (%.1f MB) to %s in %s\n", rep.Pages, rep.Assets,
		float64(rep.Bytes)/(1<<20), *out, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "serve it from its root with any static file server, e.g. python3 -m http.server -d %s\n", *out)
	return 0
}
