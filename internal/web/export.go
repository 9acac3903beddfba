package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// ExportReport says what Export wrote.
type ExportReport struct {
	Pages  int // HTML pages, path variants included
	Assets int // files under static/
	Bytes  int64
}

// inPathLink matches a link to a topic inside a guided path. On a static server a query string
// selects nothing, so each path variant becomes its own file under a "_path" directory, a name
// no slug can take (slugs have no underscore).
var inPathLink = regexp.MustCompile(`(href|value)="(/explore/[a-z0-9/-]+)\?path=([a-z0-9-]+)"`)

// staticPathOf is the file a page key is written to: "/" is index.html, "/explore/x" is
// explore/x/index.html, and "/explore/x?path=p" is explore/x/_path/p/index.html.
func staticPathOf(key string) string {
	if key == "/" {
		return "index.html"
	}
	if i := strings.Index(key, "?path="); i >= 0 {
		return strings.TrimPrefix(key[:i], "/") + "/_path/" + key[i+len("?path="):] + "/index.html"
	}
	return strings.TrimPrefix(key, "/") + "/index.html"
}

// Export writes the site as static files into dir, which must be empty or not exist yet: every
// precomputed page and every static asset, ready for any static file server at the root of a
// host. Make the server with Config.Offline so that pages leave out what needs this server.
func (s *Server) Export(dir string) (ExportReport, error) {
	var rep ExportReport
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return rep, fmt.Errorf("%s is not empty: export into a new or empty directory", dir)
	} else if err != nil && !os.IsNotExist(err) {
		return rep, err
	}
	write := func(rel string, b []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		rep.Bytes += int64(len(b))
		return os.WriteFile(p, b, 0o644)
	}
	st := s.cur.Load()
	keys := make([]string, 0, len(st.pages))
	for k := range st.pages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		body := inPathLink.ReplaceAll(st.pages[k].body, []byte(`$1="$2/_path/$3/"`))
		if err := write(staticPathOf(k), body); err != nil {
			return rep, err
		}
		rep.Pages++
	}
	names := make([]string, 0, len(s.static.byName))
	for n := range s.static.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := write("static/"+n, s.static.byName[n].body); err != nil {
			return rep, err
		}
		rep.Assets++
	}
	return rep, nil
}
