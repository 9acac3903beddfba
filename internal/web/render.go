package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"
	"time"

	"ntatlas/internal/search"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is a response computed ahead of time.
type page struct {
	body   []byte
	etag   string
	ctype  string
	status int

	gzOnce sync.Once
	gz     []byte
}

// newPage fingerprints a response. Compression waits for the first request that accepts it:
// compressing every page and the WebAssembly bundle up front would double the startup time.
func newPage(body []byte, ctype string) *page {
	sum := sha256.Sum256(body)
	return &page{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: ctype, status: 200}
}

// gzipped returns the compressed body, or nil when compression does not pay.
func (p *page) gzipped() []byte {
	p.gzOnce.Do(func() {
		if len(p.body) < 512 {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		zw.Write(p.body)
		zw.Close()
		if buf.Len() < len(p.body) {
			p.gz = buf.Bytes()
		}
	})
	return p.gz
}

var funcs = template.FuncMap{
	"levelClass": func(l any) string { return "level-" + fmt.Sprint(l) },
	"date":       func(t time.Time) string { return t.Format("2 January 2006") },
	"isodate":    func(t time.Time) string { return t.Format("2006-01-02") },
	"isotime":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"datetime":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"add":        func(a, b int) int { return a + b },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"statusLabel": func(s string) string {
		switch s {
		case "learning":
			return "learning"
		case "done":
			return "done"
		case "skipped":
			return "skipped"
		}
		return "not started"
	},
	"join":   strings.Join,
	"anchor": search.Anchor,
	"pct": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a * 100 / b
	},
	"lower":  strings.ToLower,
	"inline": inlineCode,
	"blockIcon": func(kind string) string {
		switch kind {
		case "file":
			return "File"
		case "process":
			return "Process"
		case "service":
			return "Service"
		case "component":
			return "Component"
		case "registry":
			return "Registry"
		}
		return kind
	},
}

// templates holds one parsed set per page kind, each with the shared layout.
type templates map[string]*template.Template

func parseTemplates(sa *staticAssets) (templates, error) {
	fm := template.FuncMap{
		// asset gives a static file's fingerprinted URL ("" when there is no such file).
		"asset": func(name string) string { return sa.hashed[name] },
	}
	for k, v := range funcs {
		fm[k] = v
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ts := templates{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		partials, _ := fs.Glob(templateFS, "templates/_*.html")
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, n)
		t, err := template.New("layout.html").Funcs(fm).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		ts[base] = t
	}
	return ts, nil
}

func (ts templates) render(name string, data any) ([]byte, error) {
	t := ts[name]
	if t == nil {
		return nil, fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// staticAssets are served under /static/ with a content hash in the name, so they can be
// cached forever and still change with each release.
type staticAssets struct {
	byName    map[string]*page  // "style.3f2a9c1b.css" -> page
	hashed    map[string]string // "style.css" -> "/static/style.3f2a9c1b.css"
	immutable map[string]bool   // the fingerprinted names
	urls      assets
}

func loadStatic() (*staticAssets, error) {
	sa := &staticAssets{byName: map[string]*page{}, immutable: map[string]bool{}}
	hashed := map[string]string{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "static/")
		pg := newPage(data, contentType(rel))
		h := strings.Trim(pg.etag, `"`)[:10]
		dot := strings.LastIndexByte(rel, '.')
		name := rel[:dot] + "." + h + rel[dot:]
		sa.byName[name] = pg
		sa.immutable[name] = true
		sa.byName[rel] = pg // unhashed name too, for modules that import each other
		hashed[rel] = "/static/" + name
		return nil
	})
	if err != nil {
		return nil, err
	}
	sa.hashed = hashed
	sa.urls = assets{CSS: hashed["style.css"], JS: hashed["app.js"], ThemeJS: hashed["theme.js"], DevJS: hashed["dev.js"]}
	return sa, nil
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"), strings.HasSuffix(name, ".mjs"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(name, ".wasm"):
		return "application/wasm"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".exe"):
		return "application/vnd.microsoft.portable-executable"
	case strings.HasSuffix(name, ".ico"):
		return "image/x-icon"
	}
	return "application/octet-stream"
}

// inlineCode escapes plain author text and turns `backticked` spans into <code>, the one bit
// of Markdown that front-matter fields (roles, zone texts, definitions) use.
func inlineCode(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // unbalanced: show the text as written
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}
