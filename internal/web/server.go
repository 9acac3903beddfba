// Package web serves NT Atlas: pages rendered ahead of time from the content model, the JSON
// API, and static assets, behind one set of security headers.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ntatlas/internal/content"
	"ntatlas/internal/progress"
)

// Config is everything the server needs; it is passed down, never global.
type Config struct {
	Content fs.FS        // the content tree
	Dev     bool         // show content errors in pages and reload browsers on change
	Logger  *slog.Logger // nil: discard
	// Progress stores learner progress; nil keeps it in memory (tests, throwaway servers).
	Progress progress.Store
	// SecureCookies marks the learner cookie Secure even on plain HTTP, for servers behind a
	// proxy that terminates TLS. Under direct TLS it is always Secure.
	SecureCookies bool
	// Offline renders pages for a static copy (ntatlas export): no progress, no search form,
	// nothing that needs this server.
	Offline bool
	// Now is the clock for what is due (spaced review); nil means time.Now. Tests share one
	// fake clock between the server and the progress store.
	Now func() time.Time
}

// Server is the NT Atlas web application.
type Server struct {
	cfg    Config
	log    *slog.Logger
	tmpl   templates
	static *staticAssets
	cur    atomic.Pointer[state]

	mu      sync.Mutex
	loadErr error // the last reload's problems, while the previous good content is served
	version uint64
	waiters map[chan struct{}]struct{}

	labLimit *limiter
	store    progress.Store
	limits   progressLimits
}

// New loads and validates the content and renders every page. It fails when the content is
// invalid: a server never starts on broken content.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, waiters: map[chan struct{}]struct{}{}, labLimit: newLimiter(20, 40),
		store: cfg.Progress, limits: newProgressLimits()}
	if s.store == nil {
		s.store = progress.NewMemory(progress.Config{Now: cfg.Now})
	}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.tmpl, err = parseTemplates(s.static); err != nil {
		return nil, err
	}
	site, err := content.Load(cfg.Content)
	if err != nil {
		return nil, err
	}
	st, err := s.build(site)
	if err != nil {
		return nil, err
	}
	s.cur.Store(st)
	return s, nil
}

// Site returns the content currently served.
func (s *Server) Site() *content.Site { return s.cur.Load().site }

// Reload re-reads the content. On failure the previous content keeps being served and the
// error is remembered (shown on pages in dev mode); it is also returned.
func (s *Server) Reload() error {
	site, err := content.Load(s.cfg.Content)
	var st *state
	if err == nil {
		st, err = s.build(site)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loadErr = err
	if err == nil {
		s.cur.Store(st)
	}
	s.version++
	for ch := range s.waiters {
		close(ch)
		delete(s.waiters, ch)
	}
	return err
}

// LoadError returns the problems of the last reload, or nil.
func (s *Server) LoadError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadErr
}

// Handler returns the application's HTTP handler with all middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /explore", s.servePage)
	mux.HandleFunc("GET /explore/{slug...}", s.serveTopic)
	mux.HandleFunc("GET /paths", s.servePage)
	mux.HandleFunc("GET /paths/{id}", s.servePage)
	mux.HandleFunc("GET /glossary", s.servePage)
	mux.HandleFunc("GET /tools", s.servePage)
	mux.HandleFunc("GET /tools/{slug}", s.servePage)
	mux.HandleFunc("GET /search", s.handle(s.serveSearch))
	mux.HandleFunc("GET /static/{name...}", s.serveStatic)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})
	if s.cfg.Dev {
		mux.HandleFunc("GET /_dev/events", s.serveDevEvents)
	}
	s.apiRoutes(mux)
	s.meRoutes(mux)
	mux.HandleFunc("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return errMethod
		}
		return notFound(r.URL.Path)
	}))

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = limitBody(h, func(r *http.Request) int64 {
		if r.URL.Path == "/api/v1/me/import" || r.URL.Path == "/me/import" {
			return MaxImportBytes + 64<<10 // the document plus multipart framing
		}
		return 1 << 20
	})
	h = s.securityHeaders(h)
	h = s.recoverer(h)
	return h
}

// ListenAndServe serves until ctx is cancelled, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(addr string)) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler, limit func(*http.Request) int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := limit(r)
		if r.ContentLength > n {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Error kinds that handlers return; one adapter turns them into pages or JSON.
type httpError struct {
	Status  int
	Code    string
	Message string
	Path    string // for not found: what was asked for, to suggest alternatives
}

func (e *httpError) Error() string { return e.Message }

var errMethod = &httpError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "This address only answers GET."}

func notFound(path string) error {
	return &httpError{Status: http.StatusNotFound, Code: "not_found", Message: "There is no page at this address.", Path: path}
}

func badRequest(msg string) error {
	return &httpError{Status: http.StatusBadRequest, Code: "invalid", Message: msg}
}

func (s *Server) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		id := requestID()
		s.log.Error("request failed", "id", id, "method", r.Method, "path", r.URL.Path, "err", err)
		he = &httpError{Status: 500, Code: "internal", Message: "Something went wrong on our side (request " + id + ")."}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, he.Status, map[string]any{"error": map[string]string{"code": he.Code, "message": he.Message}})
		return
	}
	st := s.cur.Load()
	v := errorView{layoutView: layoutView{Title: http.StatusText(he.Status), Assets: s.static.urls, Dev: s.cfg.Dev},
		Status: he.Status, Heading: http.StatusText(he.Status), Message: he.Message}
	if he.Status == http.StatusNotFound && he.Path != "" {
		q := strings.NewReplacer("/", " ", "-", " ", "_", " ").Replace(strings.TrimPrefix(strings.TrimPrefix(he.Path, "/explore/"), "/"))
		v.Query = strings.TrimSpace(q)
		if len(v.Query) > 100 {
			v.Query = v.Query[:100]
		}
		v.Suggestions = st.search.Search(v.Query, 5)
		v.Heading = "We could not find that page"
	}
	body, rerr := s.tmpl.render("error", v)
	if rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, he.Message, he.Status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(he.Status)
	w.Write(s.devBanner(body))
}

func requestID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
