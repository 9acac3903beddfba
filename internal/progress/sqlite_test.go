package progress_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ntatlas/internal/progress"
	"ntatlas/internal/progress/storetest"
)

func openSQLite(t *testing.T, dir string, cfg progress.Config) *progress.SQLite {
	t.Helper()
	s, err := progress.OpenSQLite(context.Background(), dir, cfg)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg progress.Config) progress.Store {
		return openSQLite(t, t.TempDir(), cfg)
	})
}

// TestSQLiteOpen: the file lands in the data directory, WAL is on, reopening keeps the data
// and does not re-run migrations, and a database from a newer program is refused.
func TestSQLiteOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s := openSQLite(t, dir, progress.Config{})
	if s.Path() != filepath.Join(dir, progress.SQLiteFile) {
		t.Errorf("Path = %s", s.Path())
	}
	if mode, err := s.JournalMode(ctx); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	l, sec, err := s.CreateLearner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTopic(ctx, l.ID, "x", progress.TopicUpdate{Status: ptr(progress.StatusDone)}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(ctx, backup); err == nil {
		t.Error("Backup over an existing file succeeded")
	}
	s.Close()

	s2 := openSQLite(t, dir, progress.Config{})
	if got, err := s2.LearnerBySecret(ctx, sec); err != nil || got.ID != l.ID {
		t.Fatalf("after reopen: %v, %v", got.ID, err)
	}
	s2.Close()

	// The backup is a working database of its own.
	bdir := t.TempDir()
	if err := os.Rename(backup, filepath.Join(bdir, progress.SQLiteFile)); err != nil {
		t.Fatal(err)
	}
	s3 := openSQLite(t, bdir, progress.Config{})
	if st, err := s3.Topic(ctx, l.ID, "x"); err != nil || st.Status != progress.StatusDone {
		t.Fatalf("topic in the backup: %+v, %v", st, err)
	}
	s3.Close()

	// A schema version this program does not know.
	db := filepath.Join(bdir, progress.SQLiteFile)
	progress.InsertFutureMigration(t, db)
	if _, err := progress.OpenSQLite(ctx, bdir, progress.Config{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a database with schema version 99: %v; want a 'newer' error", err)
	}
}

func ptr[T any](v T) *T { return &v }

// Durability: a child process writes through the store and prints each write after the
// call returns; the parent SIGKILLs it mid-stream, reopens the database and checks that
// every acknowledged write is there. WAL with synchronous=NORMAL guarantees this for a
// process crash (the commit is in the OS page cache); only a power loss could drop it.
const crashEnv = "NTATLAS_PROGRESS_CRASH_DIR"

func TestSQLiteDurabilityKill9(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteDurabilityKill9$", "-test.v=false")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	var learner progress.LearnerID
	var secret string
	acked := map[string]int64{} // topic -> highest acknowledged version
	labs := map[string]bool{}
	const want = 400
	n := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "learner":
			learner, secret = progress.LearnerID(f[1]), f[2]
		case len(f) == 3 && f[0] == "topic":
			v, _ := strconv.ParseInt(f[2], 10, 64)
			acked[f[1]] = max(acked[f[1]], v)
			n++
		case len(f) == 2 && f[0] == "lab":
			labs[f[1]] = true
			n++
		default:
			continue
		}
		if n >= want {
			break
		}
	}
	if n < want {
		t.Fatalf("child stopped after %d acknowledged writes: %v", n, sc.Err())
	}
	// Kill while it is still writing: no chance to close or checkpoint.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, progress.SQLiteFile+"-wal")); err != nil {
		t.Logf("no WAL file after the kill (%v): writes were checkpointed", err)
	}

	s := openSQLite(t, dir, progress.Config{})
	ctx := context.Background()
	sec, err := progress.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := s.LearnerBySecret(ctx, sec); err != nil || l.ID != learner {
		t.Fatalf("acknowledged learner after kill -9: %v, %v", l.ID, err)
	}
	for topic, v := range acked {
		st, err := s.Topic(ctx, learner, topic)
		if err != nil || st.Version < v {
			t.Fatalf("topic %s after kill -9: %+v, %v; acknowledged version %d", topic, st, err, v)
		}
		if st.Note != fmt.Sprintf("%s v%d", topic, st.Version) {
			t.Fatalf("topic %s: note %q does not match version %d", topic, st.Note, st.Version)
		}
	}
	got, err := s.LabResults(ctx, learner)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range got {
		have[r.ExerciseID] = true
	}
	for ex := range labs {
		if !have[ex] {
			t.Fatalf("acknowledged lab result %s lost after kill -9", ex)
		}
	}
	t.Logf("%d acknowledged writes over %d topics and %d lab results survived kill -9", n, len(acked), len(labs))
}

// crashChild writes forever from several goroutines (as several tabs would) and prints one
// line per acknowledged write; the parent kills it.
func crashChild(dir string) {
	ctx := context.Background()
	s, err := progress.OpenSQLite(ctx, dir, progress.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	l, sec, err := s.CreateLearner(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	ack := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", args...)
		w.Flush()
	}
	ack("learner %s %s", l.ID, sec)
	deadline := time.Now().Add(60 * time.Second) // never outlive a forgotten parent
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				topic := fmt.Sprintf("g%d-t%d", g, i%7)
				if g == 3 {
					ex := fmt.Sprintf("e%d", i)
					if _, err := s.RecordLabResult(ctx, l.ID, "lab", ex, i%2 == 0); err != nil {
						fmt.Fprintln(os.Stderr, "child:", err)
						os.Exit(3)
					}
					ack("lab %s", ex)
					continue
				}
				// The note names the version it is written at, so the parent can tell a
				// torn or mixed row from a whole one. Version is read back from the store.
				cur, err := s.Topic(ctx, l.ID, topic)
				if err != nil && !errors.Is(err, progress.ErrNotFound) {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(3)
				}
				note := fmt.Sprintf("%s v%d", topic, cur.Version+1)
				st, err := s.UpdateTopic(ctx, l.ID, topic, progress.TopicUpdate{Status: ptr(progress.StatusLearning), Note: &note})
				if err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(3)
				}
				ack("topic %s %d", topic, st.Version)
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
