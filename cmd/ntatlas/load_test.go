package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"ntatlas"
	"ntatlas/internal/content"
	"ntatlas/internal/progress/pgtest"
)

// TestLoadProgress is issue #8's load bench, not a unit test: it runs only with
// NTATLAS_LOAD=1 (bench/progress.sh). 200 concurrent learners write statuses for 60 s against
// a real `ntatlas serve` over SQLite and over PostgreSQL; every request must succeed. The
// figures (throughput, p50/p99) are logged for bench/README.md, never asserted.
func TestLoadProgress(t *testing.T) {
	if os.Getenv("NTATLAS_LOAD") != "1" {
		t.Skip("load bench: set NTATLAS_LOAD=1 (see bench/progress.sh)")
	}
	learners := envInt("NTATLAS_LOAD_LEARNERS", 200)
	dur := time.Duration(envInt("NTATLAS_LOAD_SECONDS", 60)) * time.Second
	site, err := content.Load(ntatlas.Content())
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, tp := range site.Topics {
		slugs = append(slugs, tp.Slug)
	}
	t.Run("SQLite", func(t *testing.T) {
		_, base := startServer(t, "-data", t.TempDir())
		drive(t, base, slugs, learners, dur)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		srv := pgtest.Start(t)
		_, base := startServer(t, "-db", srv.NewDatabase(t), "-data", t.TempDir())
		drive(t, base, slugs, learners, dur)
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// drive runs the learners. Each is one browser (its own cookie) that sets a status on a
// random topic, waits a think time of 50-100 ms (a fast clicker, and within the per-learner
// write limit of 20/s), and repeats until the time is up.
func drive(t *testing.T, base string, slugs []string, learners int, dur time.Duration) {
	tr := &http.Transport{MaxIdleConns: learners, MaxIdleConnsPerHost: learners}
	defer tr.CloseIdleConnections()
	statuses := []string{"learning", "done", "skipped", "not-started"}
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   []string
		wg     sync.WaitGroup
		stopAt = time.Now().Add(dur)
	)
	start := time.Now()
	for i := range learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			var mine []time.Duration
			for time.Now().Before(stopAt) {
				body := fmt.Sprintf(`{"status":%q}`, statuses[rng.IntN(len(statuses))])
				req, _ := http.NewRequest("PUT", base+"/api/v1/me/progress/"+slugs[rng.IntN(len(slugs))], bytes.NewBufferString(body))
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				res, err := c.Do(req)
				d := time.Since(t0)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err.Error())
					mu.Unlock()
				} else {
					mine = append(mine, d)
				}
				time.Sleep(50*time.Millisecond + time.Duration(rng.IntN(50))*time.Millisecond)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	t.Logf("%d learners, %v: %d writes ok, %d errors, %.0f writes/s, p50 %v, p99 %v, max %v",
		learners, elapsed.Round(time.Second), len(lat), len(errs), float64(len(lat))/elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	if len(errs) > 0 {
		t.Errorf("%d requests failed; first: %s", len(errs), errs[0])
	}
}
