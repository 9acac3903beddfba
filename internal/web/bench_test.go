package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ntatlas"
	"ntatlas/internal/web"
)

// BenchmarkTopicPage and BenchmarkStaticSameBytes serve the seed page and the same bytes
// through http.ServeContent, side by side, in one process: the ratio is what bench/README.md reports.
func BenchmarkTopicPage(b *testing.B) {
	s, err := web.New(web.Config{Content: ntatlas.Content()})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	req := httptest.NewRequest("GET", "/explore/networking/winsock-afd?path=networking-path", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkStaticSameBytes(b *testing.B) {
	s, err := web.New(web.Config{Content: ntatlas.Content()})
	if err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/explore/networking/winsock-afd?path=networking-path", nil))
	body := w.Body.Bytes()
	mod := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "page.html", mod, bytes.NewReader(body))
	})
	req := httptest.NewRequest("GET", "/page.html", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}

// BenchmarkStartup is the time from nothing to a server with every page rendered.
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := web.New(web.Config{Content: ntatlas.Content()}); err != nil {
			b.Fatal(err)
		}
	}
}
