package web

import (
	"bytes"
	"encoding/json"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// servePage answers every precomputed page whose key is its URL path.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	st := s.cur.Load()
	p := st.pages[strings.TrimSuffix(r.URL.Path, "/")]
	if r.URL.Path == "/" {
		p = st.pages["/"]
	}
	if p == nil {
		s.writeError(w, r, notFound(r.URL.Path))
		return
	}
	s.writePage(w, r, p, "no-cache")
}

// serveTopic serves a topic, inside a guided path when ?path= names one that contains it.
// Any other query, or a path that does not contain the topic, is ignored.
func (s *Server) serveTopic(w http.ResponseWriter, r *http.Request) {
	st := s.cur.Load()
	slug := strings.Trim(r.PathValue("slug"), "/")
	t, moved := st.site.Lookup(slug)
	if t == nil {
		s.writeError(w, r, notFound(r.URL.Path))
		return
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // a malformed query string is ignored, not an error
	pathID := q.Get("path")
	if moved {
		target := t.URL()
		if pathID != "" {
			target += "?path=" + url.QueryEscape(pathID)
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	p := st.pages[pageKey(t.URL(), pathID)]
	if p == nil {
		p = st.pages[t.URL()]
	}
	s.writePage(w, r, p, "no-cache")
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	p := s.static.byName[name]
	if p == nil {
		s.writeError(w, r, notFound(r.URL.Path))
		return
	}
	// Only fingerprinted names may be cached for good; a plain name (a worker script, a download)
	// must be revalidated, or browsers would keep an old copy after a release.
	cache := "no-cache"
	if s.static.immutable[name] && !s.cfg.Dev {
		cache = "public, max-age=31536000, immutable"
	}
	s.writePage(w, r, p, cache)
}

// writePage sends precomputed bytes, compressed when the client accepts it, and answers
// conditional requests from the precomputed ETag.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, p *page, cache string) {
	h := w.Header()
	h.Set("Content-Type", p.ctype)
	h.Set("Cache-Control", cache)
	h.Set("Vary", "Accept-Encoding")
	etag := p.etag
	body := p.body
	if s.cfg.Dev && strings.HasPrefix(p.ctype, "text/html") {
		body = s.devBanner(body)
		etag = ""
	}
	if etag != "" {
		h.Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if etag != "" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		if gz := p.gzipped(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(p.status)
		return
	}
	w.WriteHeader(p.status)
	w.Write(body)
}

// devBanner shows the last reload's problems at the top of every page in dev mode.
func (s *Server) devBanner(body []byte) []byte {
	if !s.cfg.Dev {
		return body
	}
	err := s.LoadError()
	if err == nil {
		return body
	}
	banner := `<div class="dev-error" role="alert"><strong>Content error: still serving the last good version.</strong><pre>` +
		html.EscapeString(err.Error()) + `</pre></div>`
	return bytes.Replace(body, []byte(`<div id="dev-banner-slot"></div>`), []byte(banner), 1)
}

// serveDevEvents tells the browser when content changed, so it can reload (server-sent events).
func (s *Server) serveDevEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	for {
		ch := make(chan struct{})
		s.mu.Lock()
		s.waiters[ch] = struct{}{}
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
			s.mu.Lock()
			delete(s.waiters, ch)
			s.mu.Unlock()
			return
		case <-ch:
			w.Write([]byte("event: reload\ndata: changed\n\n"))
			fl.Flush()
		case <-time.After(25 * time.Second):
			s.mu.Lock()
			delete(s.waiters, ch)
			s.mu.Unlock()
			w.Write([]byte(": keep-alive\n\n"))
			fl.Flush()
		}
	}
}

// MaxSearchResults bounds one search response.
const MaxSearchResults = 30

func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request) error {
	st := s.cur.Load()
	q, _ := url.ParseQuery(r.URL.RawQuery)
	query := strings.TrimSpace(q.Get("q"))
	v := searchView{layoutView: layoutView{Title: "Search", Canonical: "/search", Nav: "explore", Assets: s.static.urls, Dev: s.cfg.Dev}, Query: query}
	if len(query) > 200 {
		v.TooLong = true
	}
	if query != "" {
		v.Title = "Search: " + query
		v.Results = st.search.Search(query, MaxSearchResults)
	}
	body, err := s.tmpl.render("search", v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(s.devBanner(body))
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
