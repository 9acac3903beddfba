package progress_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"ntatlas/internal/progress"
	"ntatlas/internal/progress/pgtest"
)

// benchUpdates drives parallel status writes from many learners, as the web layer would
// under load; run with -cpu and -benchtime to vary it.
func benchUpdates(b *testing.B, s progress.Store) {
	ctx := context.Background()
	const learners = 200
	ids := make([]progress.LearnerID, learners)
	for i := range ids {
		l, _, err := s.CreateLearner(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = l.ID
	}
	var next atomic.Int64
	statuses := []progress.Status{progress.StatusLearning, progress.StatusDone}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			st := statuses[n%2]
			if _, err := s.UpdateTopic(ctx, ids[n%learners], fmt.Sprintf("t%d", n%50), progress.TopicUpdate{Status: &st}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkMemoryUpdateTopic(b *testing.B) {
	benchUpdates(b, progress.NewMemory(progress.Config{}))
}

func BenchmarkSQLiteUpdateTopic(b *testing.B) {
	s, err := progress.OpenSQLite(context.Background(), b.TempDir(), progress.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchUpdates(b, s)
}

func BenchmarkPostgresUpdateTopic(b *testing.B) {
	srv := pgtest.Start(b)
	s, err := progress.OpenPostgres(context.Background(), srv.NewDatabase(b), progress.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchUpdates(b, s)
}
