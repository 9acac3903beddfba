package progress_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ntatlas/internal/progress"
)

// An 0001-era database: what a server from before the reviews (migration 0002) left behind,
// built from the 0001 file as released, with one learner and one topic in it.
const upgradeLearner = progress.LearnerID("0123456789abcdef0123456789abcdef")

var upgradeCreated = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func readMigration(t *testing.T, dialect, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("migrations", dialect, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkUpgraded: the old data is intact and the new table works for the old learner.
func checkUpgraded(t *testing.T, s progress.Store) {
	t.Helper()
	ctx := context.Background()
	ts, err := s.Topics(ctx, upgradeLearner)
	if err != nil || len(ts) != 1 || ts[0].TopicID != "processes" || ts[0].Status != progress.StatusDone {
		t.Fatalf("topics after the upgrade: %+v, %v", ts, err)
	}
	if rs, err := s.Reviews(ctx, upgradeLearner); err != nil || len(rs) != 0 {
		t.Fatalf("reviews right after the upgrade: %+v, %v", rs, err)
	}
	r, err := s.RecordReview(ctx, upgradeLearner, "afd", progress.GradeGood)
	if err != nil || r.Box != 1 || r.Reviews != 1 {
		t.Fatalf("first review after the upgrade: %+v, %v", r, err)
	}
	x, err := s.Export(ctx, upgradeLearner)
	if err != nil || len(x.Reviews) != 1 || !x.Learner.CreatedAt.Equal(upgradeCreated) {
		t.Fatalf("export after the upgrade: %+v, %v", x, err)
	}
}

// TestSQLiteUpgradeFrom0001: opening a database that has only migration 0001 applies 0002
// and keeps the data; opening it again applies nothing and keeps the reviews.
func TestSQLiteUpgradeFrom0001(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, progress.SQLiteFile)+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	created := upgradeCreated.UnixMicro()
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
		readMigration(t, "sqlite", "0001_init.sql"),
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO learners VALUES (?, x'00', ?, ?)`, string(upgradeLearner), created, created); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO topic_progress (learner_id, topic_id, status, status_at, updated_at, version)
		VALUES (?, 'processes', 'done', ?, ?, 1)`, string(upgradeLearner), created, created); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := openSQLite(t, dir, progress.Config{})
	checkUpgraded(t, s)
	s.Close()
	s2 := openSQLite(t, dir, progress.Config{})
	if rs, err := s2.Reviews(context.Background(), upgradeLearner); err != nil || len(rs) != 1 {
		t.Fatalf("reviews after reopening: %+v, %v", rs, err)
	}
	s2.Close()

	db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, progress.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, maxV int
	if err := db.QueryRow("SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &maxV); err != nil || n != 2 || maxV != 2 {
		t.Fatalf("schema_migrations after the upgrade: %d rows, max %d, %v; want 2 and 2", n, maxV, err)
	}
}

// testPostgresUpgradeFrom0001 is TestSQLiteUpgradeFrom0001 for PostgreSQL.
func testPostgresUpgradeFrom0001(t *testing.T, url string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
		readMigration(t, "postgres", "0001_init.sql"),
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now())`,
	} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Exec(ctx, `INSERT INTO learners VALUES ($1, '\x00'::bytea, $2, $2)`, string(upgradeLearner), upgradeCreated); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `INSERT INTO topic_progress (learner_id, topic_id, status, status_at, updated_at, version)
		VALUES ($1, 'processes', 'done', $2, $2, 1)`, string(upgradeLearner), upgradeCreated); err != nil {
		t.Fatal(err)
	}

	s := openPostgres(t, url, progress.Config{})
	checkUpgraded(t, s)
	s.Close()
	s2 := openPostgres(t, url, progress.Config{})
	if rs, err := s2.Reviews(ctx, upgradeLearner); err != nil || len(rs) != 1 {
		t.Fatalf("reviews after reopening: %+v, %v", rs, err)
	}
	s2.Close()
	var n, maxV int32
	if err := c.QueryRow(ctx, "SELECT count(*)::int, max(version) FROM schema_migrations").Scan(&n, &maxV); err != nil || n != 2 || maxV != 2 {
		t.Fatalf("schema_migrations after the upgrade: %d rows, max %d, %v; want 2 and 2", n, maxV, err)
	}
	c.Close(ctx)
}
