package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ntatlas/internal/progress/pgtest"
)

// buildBinary builds this command once per test run: the durability and multi-instance
// tests need real processes (to kill -9 one, and to run two on different ports).
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	buildOnce.Do(func() {
		dir, err := tempDirForBuild()
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ntatlas")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

var listening = regexp.MustCompile(`msg="NT Atlas is listening" addr=(\S+)`)

// startServer runs `ntatlas serve` and returns its base URL once it listens.
func startServer(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	var logs strings.Builder
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logs.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a
	case <-time.After(60 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("server did not start; its log:\n%s", logs.String())
	}
	return nil, ""
}

func request(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A write acknowledged to the browser survives kill -9 of the server (SQLite in WAL mode
// commits before the response is written).
func TestServeKill9KeepsAcknowledgedWrites(t *testing.T) {
	data := t.TempDir()
	cmd, base := startServer(t, "-data", data)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if st, body := request(t, c, "PUT", base+"/api/v1/me/progress/networking/winsock-afd", `{"status":"done","note":"written just before the crash"}`); st != 200 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	for i := 0; i < 20; i++ {
		if st, body := request(t, c, "POST", base+"/api/v1/me/labs/dns/ex"+string(rune('a'+i)), `{"passed":true}`); st != 200 {
			t.Fatalf("lab result %d: %d %s", i, st, body)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	cmd.Wait()

	_, base2 := startServer(t, "-data", data)
	// The cookie jar is keyed by host; the new server listens on another port of the same host.
	st, body := request(t, c, "GET", base2+"/api/v1/me/progress", "")
	if st != 200 || !strings.Contains(body, `"status": "done"`) || !strings.Contains(body, "written just before the crash") {
		t.Fatalf("after kill -9 and restart: %d %s", st, body)
	}
	var p struct {
		Labs []struct{ Exercise string }
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || len(p.Labs) != 20 {
		t.Fatalf("after kill -9: %d of 20 acknowledged lab results survived (%v)", len(p.Labs), err)
	}
}

// Two servers on different ports over one PostgreSQL behave as one service: a learner
// writes through one and reads and writes through the other.
func TestServeTwoInstancesOverPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.NewDatabase(t)
	_, a := startServer(t, "-db", url, "-data", t.TempDir())
	_, b := startServer(t, "-db", url, "-data", t.TempDir())
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if st, body := request(t, c, "PUT", a+"/api/v1/me/progress/networking/tcpip", `{"status":"done"}`); st != 200 {
		t.Fatalf("PUT via A: %d %s", st, body)
	}
	if st, body := request(t, c, "PUT", b+"/api/v1/me/progress/networking/tcpip", `{"note":"via B"}`); st != 200 {
		t.Fatalf("PUT via B: %d %s", st, body)
	}
	for _, base := range []string{a, b} {
		st, body := request(t, c, "GET", base+"/api/v1/me/progress", "")
		if st != 200 || !strings.Contains(body, `"status": "done"`) || !strings.Contains(body, `"note": "via B"`) {
			t.Fatalf("read via %s: %d %s", base, st, body)
		}
	}
	// A sync key made on one instance works on the other.
	st, body := request(t, c, "POST", a+"/api/v1/me/sync-key", "")
	if st != 200 {
		t.Fatalf("sync key: %d %s", st, body)
	}
	key := regexp.MustCompile(`"syncKey": "([^"]+)"`).FindStringSubmatch(body)[1]
	jar2, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar2, Timeout: 10 * time.Second}
	if st, body := request(t, c2, "POST", b+"/api/v1/me/sync", `{"syncKey":"`+key+`"}`); st != 200 {
		t.Fatalf("use key via B: %d %s", st, body)
	}
	if st, body := request(t, c2, "GET", b+"/api/v1/me/progress", ""); st != 200 || !strings.Contains(body, "via B") {
		t.Fatalf("second device via B: %d %s", st, body)
	}
}

func tempDirForBuild() (string, error) { return os.MkdirTemp("", "ntatlas-bin-") }
