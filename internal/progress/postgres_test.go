package progress_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"ntatlas/internal/progress"
	"ntatlas/internal/progress/pgtest"
	"ntatlas/internal/progress/storetest"
)

func openPostgres(t *testing.T, url string, cfg progress.Config) *progress.Postgres {
	t.Helper()
	s, err := progress.OpenPostgres(context.Background(), url, cfg)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgres runs everything that needs PostgreSQL against one throwaway cluster (or
// NTATLAS_TEST_POSTGRES_URL), one fresh database per subtest.
func TestPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, cfg progress.Config) progress.Store {
			return openPostgres(t, srv.NewDatabase(t), cfg)
		})
	})
	t.Run("ConcurrentStartup", func(t *testing.T) { testConcurrentStartup(t, srv.NewDatabase(t)) })
	t.Run("MultiInstance", func(t *testing.T) { testMultiInstance(t, srv.NewDatabase(t)) })
	t.Run("UpgradeFrom0001", func(t *testing.T) { testPostgresUpgradeFrom0001(t, srv.NewDatabase(t)) })
}

// testConcurrentStartup: several servers starting at once against an empty database all
// come up (the advisory lock serialises the migrations) and share one schema.
func testConcurrentStartup(t *testing.T, url string) {
	const n = 4
	stores := make([]*progress.Postgres, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = progress.OpenPostgres(context.Background(), url, progress.Config{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	ctx := context.Background()
	l, sec, err := stores[0].CreateLearner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stores {
		if got, err := s.LearnerBySecret(ctx, sec); err != nil || got.ID != l.ID {
			t.Fatalf("instance %d does not see the learner: %v, %v", i, got.ID, err)
		}
	}
}

// testMultiInstance: two stores over one database, as two servers on different ports,
// written through concurrently, behave as one store: every write through either is seen by
// both, versions are shared, no update is lost, a rotation or deletion through one is
// effective in the other.
func testMultiInstance(t *testing.T, url string) {
	ctx := context.Background()
	clk := storetest.NewClock(storetest.T0)
	a := openPostgres(t, url, progress.Config{Now: clk.Now})
	b := openPostgres(t, url, progress.Config{Now: clk.Now})
	stores := []progress.Store{a, b}

	l, sec, err := a.CreateLearner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.LearnerBySecret(ctx, sec); err != nil || got != l {
		t.Fatalf("B sees %+v, %v; want %+v", got, err, l)
	}

	// Both instances race on one topic (status through A, note through B, visits through
	// both) and on topics of their own.
	const per = 25
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	var mu sync.Mutex
	versions := map[int64]bool{}
	write := func(s progress.Store, topic string, u func(i int) progress.TopicUpdate) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				st, err := s.UpdateTopic(ctx, l.ID, topic, u(i))
				if err != nil {
					errc <- err
					return
				}
				if topic == "shared" {
					mu.Lock()
					if versions[st.Version] {
						errc <- fmt.Errorf("version %d returned twice", st.Version)
					}
					versions[st.Version] = true
					mu.Unlock()
				}
			}
		}()
	}
	status := func(i int) progress.TopicUpdate {
		s := []progress.Status{progress.StatusLearning, progress.StatusDone}[i%2]
		return progress.TopicUpdate{Status: &s}
	}
	note := func(i int) progress.TopicUpdate {
		n := fmt.Sprintf("note %d", i)
		return progress.TopicUpdate{Note: &n}
	}
	visit := func(int) progress.TopicUpdate { return progress.TopicUpdate{Visit: true} }
	write(a, "shared", status)
	write(b, "shared", note)
	write(a, "shared", visit)
	write(b, "shared", visit)
	for i, s := range stores {
		write(s, fmt.Sprintf("own-%d", i), status)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range per {
				if _, err := s.RecordLabResult(ctx, l.ID, fmt.Sprintf("lab%d", i), fmt.Sprintf("e%02d", j), true); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("concurrent write: %v", err)
	}
	for i, s := range stores {
		got, err := s.Topic(ctx, l.ID, "shared")
		if err != nil {
			t.Fatal(err)
		}
		wantStatus := status(per - 1).Status // the status writer's last write
		if got.Version != 4*per || got.Status != *wantStatus || got.Note != fmt.Sprintf("note %d", per-1) {
			t.Fatalf("instance %d sees shared = %+v; want version %d, %s, note %d", i, got, 4*per, *wantStatus, per-1)
		}
		all, err := s.Topics(ctx, l.ID)
		if err != nil || len(all) != 3 {
			t.Fatalf("instance %d sees %d topics (%v), want 3", i, len(all), err)
		}
		labs, err := s.LabResults(ctx, l.ID)
		if err != nil || len(labs) != 2*per {
			t.Fatalf("instance %d sees %d lab results (%v), want %d", i, len(labs), err, 2*per)
		}
	}
	if len(versions) != 4*per {
		t.Fatalf("%d distinct versions for %d writes", len(versions), 4*per)
	}

	// An import through B merges with what A wrote.
	x, err := a.Export(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.Import(ctx, l.ID, mustJSON(t, x))
	if err != nil || rep.TopicsUnchanged != 3 || rep.LabsUnchanged != 2*per {
		t.Fatalf("re-import of A's export through B: %+v, %v", rep, err)
	}

	// Rotation through B invalidates the old secret in A at once; deletion likewise.
	newSec, err := b.RotateSecret(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.LearnerBySecret(ctx, sec); err == nil {
		t.Fatal("A still accepts the secret rotated away through B")
	}
	if got, err := a.LearnerBySecret(ctx, newSec); err != nil || got.ID != l.ID {
		t.Fatalf("A with the new secret: %v, %v", got.ID, err)
	}
	if err := a.DeleteLearner(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Topics(ctx, l.ID); err == nil {
		t.Fatal("B still sees a learner deleted through A")
	}
}
