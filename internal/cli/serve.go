package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"ntatlas/internal/web"
)

// Serve runs the web server until interrupted.
func Serve(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", ":8080", "listen address HOST:PORT")
	dataDir := fl.String("data", "./ntatlas-data", "directory of the embedded database (created on demand)")
	dir := fl.String("content", "", "serve content from this directory instead of the embedded copy")
	dev := fl.Bool("dev", false, "author mode: reload content on change, show content errors in pages, live-reload browsers")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas serve [-addr HOST:PORT] [-data DIR] [-content DIR] [-dev]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fl.Usage()
		return 2
	}
	_ = dataDir // learner progress (the only user of the data directory) opens it on first use
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fsys, err := contentFS(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas serve: %v\n", err)
		return 2
	}
	if *dev && *dir == "" {
		fmt.Fprintln(stderr, "ntatlas serve: -dev watches a content directory; add -content _content")
		return 2
	}
	start := time.Now()
	srv, err := web.New(web.Config{Content: fsys, Dev: *dev, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas serve: content is invalid; fix these and start again:\n%v\n", err)
		return 1
	}
	site := srv.Site()
	log.Info("content loaded", "topics", len(site.Topics), "paths", len(site.Paths), "took", time.Since(start).Round(time.Millisecond))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *dev {
		go watch(ctx, *dir, srv, log)
	}
	err = srv.ListenAndServe(ctx, *addr, func(a string) {
		log.Info("NT Atlas is listening", "addr", a, "url", "http://"+displayAddr(a)+"/")
	})
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas serve: %v\n", err)
		return 1
	}
	return 0
}

func displayAddr(a string) string {
	if len(a) > 0 && a[0] == ':' {
		return "localhost" + a
	}
	if len(a) > 5 && a[:5] == "[::]:" {
		return "localhost:" + a[5:]
	}
	return a
}

// watch reloads the content when a file under dir changes. Bursts of events (an editor saving)
// are folded into one reload.
func watch(ctx context.Context, dir string, srv *web.Server, log *slog.Logger) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Error("cannot watch content", "err", err)
		return
	}
	defer w.Close()
	addTree := func(root string) {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				w.Add(p)
			}
			return nil
		})
	}
	addTree(dir)
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(ev.Name)
				}
			}
			timer = time.After(150 * time.Millisecond)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			log.Warn("watch", "err", err)
		case <-timer:
			timer = nil
			if err := srv.Reload(); err != nil {
				log.Warn("content has problems; still serving the last good version", "problems", err.Error())
			} else {
				log.Info("content reloaded")
			}
		}
	}
}
