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

	"ntatlas/internal/progress"
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
	db := fl.String("db", os.Getenv("NTATLAS_DB"), "store learner progress in PostgreSQL (postgres://...) instead of SQLite in -data; default $NTATLAS_DB")
	secure := fl.Bool("secure-cookies", false, "mark the learner cookie Secure on plain HTTP (behind a proxy that terminates TLS)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas serve [-addr HOST:PORT] [-data DIR | -db postgres://...] [-content DIR] [-dev] [-secure-cookies]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fl.Usage()
		return 2
	}
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
	store, where, err := openStore(*db, *dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas serve: %v\n", err)
		return 1
	}
	defer store.Close()
	log.Info("learner progress", "store", where)
	srv, err := web.New(web.Config{Content: fsys, Dev: *dev, Logger: log, Progress: store, SecureCookies: *secure})
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

// openStore opens PostgreSQL when a URL is given, else SQLite in the data directory. Both
// apply their migrations before returning.
func openStore(dbURL, dataDir string) (progress.Store, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if dbURL != "" {
		st, err := progress.OpenPostgres(ctx, dbURL, progress.Config{})
		if err != nil {
			return nil, "", fmt.Errorf("open PostgreSQL: %w", err)
		}
		return st, "postgresql", nil
	}
	st, err := progress.OpenSQLite(ctx, dataDir, progress.Config{})
	if err != nil {
		return nil, "", fmt.Errorf("open the data directory %s: %w", dataDir, err)
	}
	abs, _ := filepath.Abs(dataDir)
	return st, "sqlite in " + abs, nil
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
