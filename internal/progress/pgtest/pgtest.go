// Package pgtest gives tests a real PostgreSQL: the server named by NTATLAS_TEST_POSTGRES_URL,
// or else a throwaway cluster made with initdb/pg_ctl in a temporary directory, listening on
// 127.0.0.1 and a Unix socket in that directory only, stopped and removed when the test ends.
//
// When PostgreSQL is not available the test is skipped with a loud message — unless CI=true,
// where it fails: in CI the PostgreSQL suite is required.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at an existing server. Its role must be
// allowed to create databases: every NewDatabase makes (and drops) one.
const EnvURL = "NTATLAS_TEST_POSTGRES_URL"

// Server is a PostgreSQL server for tests.
type Server struct {
	admin *url.URL // superuser (or CREATEDB) connection to an existing database
}

// Start returns a server for t, starting a throwaway cluster if EnvURL is not set. The
// cluster lives until t and its subtests finish.
func Start(t testing.TB) *Server {
	t.Helper()
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("pgtest: %s: %v", EnvURL, err)
		}
		s := &Server{admin: u}
		if err := s.ping(); err != nil {
			t.Fatalf("pgtest: %s is set but the server does not answer: %v", EnvURL, err)
		}
		return s
	}
	initdb, pgctl, err := findBinaries()
	if err != nil {
		unavailable(t, err.Error())
	}
	var runAs *user.User
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		if runAs, err = postgresUser(); err != nil {
			unavailable(t, err.Error())
		}
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startCluster(t, initdb, pgctl, runAs)
		if err == nil {
			return s
		}
		lastErr = err
	}
	unavailable(t, fmt.Sprintf("could not start a throwaway cluster: %v", lastErr))
	return nil
}

// unavailable skips (or, under CI=true, fails) the test.
func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := fmt.Sprintf("\n\n*** PostgreSQL tests SKIPPED: %s ***\n*** install PostgreSQL (initdb, pg_ctl) or set %s=postgres://... ***\n", why, EnvURL)
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true requires PostgreSQL:" + msg)
	}
	t.Skip(msg)
}

func findBinaries() (initdb, pgctl string, err error) {
	dirs := []string{}
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, "/usr/local/bin")
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest version first: "/usr/lib/postgresql/16/bin" before ".../9.6/bin".
	slices.SortFunc(versions, func(a, b string) int {
		va, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(a)), 64)
		vb, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(b)), 64)
		return int(vb*100) - int(va*100)
	})
	dirs = append(dirs, versions...)
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExec(i) && isExec(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("initdb and pg_ctl not found in PATH, /usr/local/bin or /usr/lib/postgresql/*/bin")
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// postgresUser returns the user to run the cluster as when we are root, creating a system
// user "postgres" if there is none.
func postgresUser() (*user.User, error) {
	u, err := user.Lookup("postgres")
	if err == nil {
		return u, nil
	}
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/bin/sh", "postgres").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("running as root, no user postgres, and useradd failed: %v: %s", err, out)
	}
	return user.Lookup("postgres")
}

// command runs name as runAs (when set) — initdb and postgres refuse to run as root.
func command(runAs *user.User, name string, args ...string) *exec.Cmd {
	if runAs == nil {
		return exec.Command(name, args...)
	}
	if rp, err := exec.LookPath("runuser"); err == nil {
		return exec.Command(rp, append([]string{"-u", runAs.Username, "--", name}, args...)...)
	}
	quoted := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return exec.Command("su", runAs.Username, "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
}

func startCluster(t testing.TB, initdb, pgctl string, runAs *user.User) (*Server, error) {
	// Not t.TempDir: its parents are root-only (0700), which the postgres user cannot enter.
	dir, err := os.MkdirTemp("", "ntatlas-pg-")
	if err != nil {
		return nil, err
	}
	if runAs != nil {
		uid, _ := strconv.Atoi(runAs.Uid)
		gid, _ := strconv.Atoi(runAs.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	out, err := command(runAs, initdb, "-D", data, "-U", "ntatlas", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// Durability settings off: the cluster is thrown away, and the tests are about
	// concurrency and SQL, not PostgreSQL's own crash safety.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	logFile := filepath.Join(dir, "server.log")
	out, err = command(runAs, pgctl, "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts, "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(logFile)
		command(runAs, pgctl, "-D", data, "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := command(runAs, pgctl, "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			t.Errorf("pgtest: pg_ctl stop: %v: %s", err, out)
		}
		os.RemoveAll(dir)
	})
	s := &Server{admin: &url.URL{Scheme: "postgres", User: url.User("ntatlas"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path: "/postgres", RawQuery: "sslmode=disable"}}
	if err := s.ping(); err != nil {
		return nil, err
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.admin.String())
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Ping(ctx)
}

// NewDatabase creates an empty database for t and returns its URL; it is dropped (with any
// connections still open to it) when t ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "ntatlas_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	u := *s.admin
	u.Path = "/" + name
	return u.String()
}

func (s *Server) exec(ctx context.Context, sql string) error {
	c, err := pgx.Connect(ctx, s.admin.String())
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}
