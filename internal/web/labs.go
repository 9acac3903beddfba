package web

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/registry"
)

// The lab API runs the same engines as the WebAssembly bundle, for tools and tests. Pages never
// send what a learner pasted here: they run the engines in the browser.

// limiter hands each client address its own token bucket, forgetting idle ones.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*client
	sweep   time.Time
}

type client struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{every: rate.Limit(perSecond), burst: burst, clients: map[string]*client{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.sweep = now
	}
	c := l.clients[key]
	if c == nil {
		c = &client{l: rate.NewLimiter(l.every, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.l.AllowN(now, 1)
}

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// MaxLabRequest bounds one engine request over the API.
const MaxLabRequest = 1 << 20

func (s *Server) serveLabAPI(w http.ResponseWriter, r *http.Request) error {
	if !s.labLimit.allow(clientKey(r), time.Now()) {
		w.Header().Set("Retry-After", "1")
		return &httpError{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "too many lab requests; slow down"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxLabRequest+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "request body too large"}
		}
		return badRequest("cannot read the request body")
	}
	if len(body) > MaxLabRequest {
		return &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "lab requests are limited to 1 MiB"}
	}
	env, err := registry.Run(r.PathValue("engine"), r.PathValue("op"), body)
	status := http.StatusOK
	switch {
	case errors.Is(err, registry.ErrNoEngine), errors.As(err, new(*labs.ErrUnknownOp)):
		status = http.StatusNotFound
	case err != nil:
		status = http.StatusBadRequest
	}
	writeJSON(w, status, env)
	return nil
}
