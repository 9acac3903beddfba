package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLiteFile is the database file inside the data directory.
const SQLiteFile = "progress.db"

// SQLite is the embedded Store: one file in the data directory, in WAL mode with
// synchronous=NORMAL. A commit is in the WAL file (the OS page cache) before the call
// returns, so an acknowledged write survives kill -9 of the process; it is fsynced at the
// next checkpoint, so a power loss can drop the last commits (not corrupt the database).
//
// Two connection pools: one writer connection whose transactions start with BEGIN IMMEDIATE
// (writers queue in Go instead of polling SQLite's busy handler, and no read-to-write lock
// upgrade can deadlock), and read-only connections that WAL lets run beside the writer.
type SQLite struct {
	base
	path string
	dsn  func(extra string) string
	wdb  *sql.DB
	rdb  *sql.DB
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) the store in dir and applies pending migrations.
func OpenSQLite(ctx context.Context, dir string, cfg Config) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("progress: data directory: %w", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, SQLiteFile))
	if err != nil {
		return nil, fmt.Errorf("progress: data directory: %w", err)
	}
	// busy_timeout still matters: another process (a second server, sqlite3 .backup) may
	// hold the write lock.
	dsn := func(extra string) string {
		return "file:" + (&url.URL{Path: abs}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" + extra
	}
	wdb, err := sql.Open("sqlite", dsn("&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("progress: open %s: %w", abs, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	s := &SQLite{base: newBase(cfg), path: abs, dsn: dsn, wdb: wdb}
	if err := s.migrate(ctx); err != nil {
		wdb.Close()
		return nil, err
	}
	// Readers are opened after the migration so that journal_mode=WAL is already set.
	rdb, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("progress: open %s: %w", abs, err)
	}
	rdb.SetMaxOpenConns(4)
	s.rdb = rdb
	return s, nil
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// JournalMode reports the journal mode in effect (it must be "wal").
func (s *SQLite) JournalMode(ctx context.Context) (string, error) {
	var mode string
	err := s.rdb.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	return mode, err
}

// Backup writes a consistent copy of the database to file (which must not exist) while the
// store stays online, using VACUUM INTO.
func (s *SQLite) Backup(ctx context.Context, file string) error {
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("progress: backup: %s already exists", file)
	}
	// A connection of its own: VACUUM INTO is refused on the query_only readers, and on the
	// writer connection it would hold up every write for the length of the copy. As a WAL
	// reader of one snapshot it blocks no writer.
	db, err := sql.Open("sqlite", s.dsn(""))
	if err != nil {
		return fmt.Errorf("progress: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", file); err != nil {
		return fmt.Errorf("progress: backup: %w", err)
	}
	return nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	all, err := migrations("sqlite")
	if err != nil {
		return err
	}
	tx, err := s.wdb.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time, across processes
	if err != nil {
		return fmt.Errorf("progress: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("progress: migrate: %w", err)
	}
	applied, err := scanVersions(tx.QueryContext(ctx, "SELECT version FROM schema_migrations"))
	if err != nil {
		return fmt.Errorf("progress: migrate: %w", err)
	}
	todo, err := pendingMigrations(all, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("progress: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, s.now().UnixMicro()); err != nil {
			return fmt.Errorf("progress: migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

func scanVersions(rows *sql.Rows, err error) (map[int]bool, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

type scanner interface{ Scan(dest ...any) error }

func scanLearnerSQLite(r scanner) (Learner, error) {
	var l Learner
	var created, rotated sql.NullInt64
	if err := r.Scan(&l.ID, &created, &rotated); err != nil {
		return Learner{}, notFound(err)
	}
	l.CreatedAt, l.SecretRotatedAt = fromMicros(created), fromMicros(rotated)
	return l, nil
}

const sqliteTopicCols = "topic_id, status, status_at, note, note_at, visited_at, updated_at, version"

func scanTopicSQLite(r scanner) (TopicState, error) {
	var t TopicState
	var st, nt, vt, ut sql.NullInt64
	if err := r.Scan(&t.TopicID, &t.Status, &st, &t.Note, &nt, &vt, &ut, &t.Version); err != nil {
		return TopicState{}, notFound(err)
	}
	t.StatusAt, t.NoteAt, t.VisitedAt, t.UpdatedAt = fromMicros(st), fromMicros(nt), fromMicros(vt), fromMicros(ut)
	return t, nil
}

const sqliteLabCols = "lab_slug, exercise_id, passed, at, first_passed_at"

func scanLabSQLite(r scanner) (LabResult, error) {
	var l LabResult
	var at, first sql.NullInt64
	if err := r.Scan(&l.LabSlug, &l.ExerciseID, &l.Passed, &at, &first); err != nil {
		return LabResult{}, notFound(err)
	}
	l.At, l.FirstPassedAt = fromMicros(at), fromMicros(first)
	return l, nil
}

const sqliteReviewCols = "term, box, due, reviewed_at, reviews, lapses"

func scanReviewSQLite(r scanner) (ReviewState, error) {
	var st ReviewState
	var due, at sql.NullInt64
	if err := r.Scan(&st.Term, &st.Box, &due, &at, &st.Reviews, &st.Lapses); err != nil {
		return ReviewState{}, notFound(err)
	}
	st.Due, st.ReviewedAt = fromMicros(due), fromMicros(at)
	return st, nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (s *SQLite) CreateLearner(ctx context.Context) (Learner, Secret, error) {
	l, sec, h, err := s.newLearner()
	if err != nil {
		return Learner{}, Secret{}, err
	}
	_, err = s.wdb.ExecContext(ctx, "INSERT INTO learners (id, secret_hash, created_at, secret_rotated_at) VALUES (?, ?, ?, ?)",
		string(l.ID), h, l.CreatedAt.UnixMicro(), l.SecretRotatedAt.UnixMicro())
	if err != nil {
		return Learner{}, Secret{}, fmt.Errorf("progress: create learner: %w", err)
	}
	return l, sec, nil
}

func (s *SQLite) LearnerBySecret(ctx context.Context, secret Secret) (Learner, error) {
	return scanLearnerSQLite(s.rdb.QueryRowContext(ctx,
		"SELECT id, created_at, secret_rotated_at FROM learners WHERE secret_hash = ?", secret.hash()))
}

func (s *SQLite) RotateSecret(ctx context.Context, id LearnerID) (Secret, error) {
	sec, err := s.newSecret()
	if err != nil {
		return Secret{}, err
	}
	var dummy string
	err = s.wdb.QueryRowContext(ctx, `UPDATE learners SET secret_hash = ?1,
		secret_rotated_at = max(?2, secret_rotated_at + 1) WHERE id = ?3 RETURNING id`,
		sec.hash(), s.now().UnixMicro(), string(id)).Scan(&dummy)
	if err != nil {
		return Secret{}, notFound(err)
	}
	return sec, nil
}

func (s *SQLite) UpdateTopic(ctx context.Context, id LearnerID, topicID string, u TopicUpdate) (TopicState, error) {
	if err := validateUpdate(topicID, u); err != nil {
		return TopicState{}, err
	}
	var status, note any
	if u.Status != nil {
		status = string(*u.Status)
	}
	if u.Note != nil {
		note = *u.Note
	}
	// One statement: the read-modify-write happens inside SQLite under its write lock, so
	// concurrent partial updates of one topic cannot lose each other's fields. The rule is
	// applyUpdate's.
	return scanTopicSQLite(s.wdb.QueryRowContext(ctx, `
INSERT INTO topic_progress (learner_id, topic_id, status, status_at, note, note_at, visited_at, updated_at, version)
SELECT ?1, ?2, coalesce(?3, 'not-started'), CASE WHEN ?3 IS NULL THEN NULL ELSE ?6 END,
       coalesce(?4, ''), CASE WHEN ?4 IS NULL THEN NULL ELSE ?6 END, CASE WHEN ?5 THEN ?6 END, ?6, 1
WHERE EXISTS (SELECT 1 FROM learners WHERE id = ?1)
ON CONFLICT (learner_id, topic_id) DO UPDATE SET
    status     = coalesce(?3, status),
    status_at  = CASE WHEN ?3 IS NULL THEN status_at ELSE max(?6, coalesce(status_at + 1, 0)) END,
    note       = coalesce(?4, note),
    note_at    = CASE WHEN ?4 IS NULL THEN note_at ELSE max(?6, coalesce(note_at + 1, 0)) END,
    visited_at = CASE WHEN ?5 THEN max(?6, coalesce(visited_at, 0)) ELSE visited_at END,
    updated_at = max(?6, updated_at + 1),
    version    = version + 1
RETURNING `+sqliteTopicCols,
		string(id), topicID, status, note, u.Visit, s.now().UnixMicro()))
}

func (s *SQLite) exists(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id LearnerID) error {
	var one int
	return notFound(q.QueryRowContext(ctx, "SELECT 1 FROM learners WHERE id = ?", string(id)).Scan(&one))
}

func (s *SQLite) Topic(ctx context.Context, id LearnerID, topicID string) (TopicState, error) {
	if err := ValidID("topic", topicID); err != nil {
		return TopicState{}, err
	}
	return scanTopicSQLite(s.rdb.QueryRowContext(ctx,
		"SELECT "+sqliteTopicCols+" FROM topic_progress WHERE learner_id = ? AND topic_id = ?", string(id), topicID))
}

func (s *SQLite) Topics(ctx context.Context, id LearnerID) ([]TopicState, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.topics(ctx, tx, id)
}

func (s *SQLite) topics(ctx context.Context, tx *sql.Tx, id LearnerID) ([]TopicState, error) {
	if err := s.exists(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+sqliteTopicCols+" FROM topic_progress WHERE learner_id = ? ORDER BY topic_id", string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TopicState{}
	for rows.Next() {
		t, err := scanTopicSQLite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *SQLite) RecordLabResult(ctx context.Context, id LearnerID, labSlug, exerciseID string, passed bool) (LabResult, error) {
	if err := validateLab(labSlug, exerciseID); err != nil {
		return LabResult{}, err
	}
	// The rule is applyLabResult's; SET expressions see the row's old values.
	return scanLabSQLite(s.wdb.QueryRowContext(ctx, `
INSERT INTO lab_results (learner_id, lab_slug, exercise_id, passed, at, first_passed_at)
SELECT ?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 THEN ?5 END
WHERE EXISTS (SELECT 1 FROM learners WHERE id = ?1)
ON CONFLICT (learner_id, lab_slug, exercise_id) DO UPDATE SET
    passed          = excluded.passed,
    at              = max(excluded.at, at + 1),
    first_passed_at = coalesce(first_passed_at, CASE WHEN excluded.passed THEN max(excluded.at, at + 1) END)
RETURNING `+sqliteLabCols,
		string(id), labSlug, exerciseID, passed, s.now().UnixMicro()))
}

func (s *SQLite) LabResults(ctx context.Context, id LearnerID) ([]LabResult, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.labs(ctx, tx, id)
}

func (s *SQLite) labs(ctx context.Context, tx *sql.Tx, id LearnerID) ([]LabResult, error) {
	if err := s.exists(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+sqliteLabCols+" FROM lab_results WHERE learner_id = ? ORDER BY lab_slug, exercise_id", string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LabResult{}
	for rows.Next() {
		l, err := scanLabSQLite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *SQLite) RecordReview(ctx context.Context, id LearnerID, term string, grade ReviewGrade) (ReviewState, error) {
	if err := validateReview(term, grade); err != nil {
		return ReviewState{}, err
	}
	now := s.now()
	fresh := applyReview(ReviewState{}, false, term, grade, now)
	// One statement, like UpdateTopic: the read-modify-write runs under SQLite's write lock,
	// so concurrent reviews of a term all count. The rule is applyReview's; SET expressions
	// see the row's old values, so the new box is spelled out where due needs it.
	box := fmt.Sprintf("(CASE WHEN ?6 = 0 THEN 0 ELSE min(box + ?6, %d) END)", MaxBox)
	return scanReviewSQLite(s.wdb.QueryRowContext(ctx, `
INSERT INTO term_reviews (learner_id, term, box, due, reviewed_at, reviews, lapses)
SELECT ?1, ?2, ?3, ?4, ?5, 1, 0
WHERE EXISTS (SELECT 1 FROM learners WHERE id = ?1)
ON CONFLICT (learner_id, term) DO UPDATE SET
    box         = `+box+`,
    due         = max(?5, reviewed_at + 1) + `+reviewIntervalSQL(box, false)+`,
    reviewed_at = max(?5, reviewed_at + 1),
    reviews     = reviews + 1,
    lapses      = lapses + (?6 = 0 AND box > 0)
RETURNING `+sqliteReviewCols,
		string(id), term, fresh.Box, fresh.Due.UnixMicro(), fresh.ReviewedAt.UnixMicro(), reviewStep(grade)))
}

func (s *SQLite) Reviews(ctx context.Context, id LearnerID) ([]ReviewState, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.reviews(ctx, tx, id)
}

func (s *SQLite) reviews(ctx context.Context, tx *sql.Tx, id LearnerID) ([]ReviewState, error) {
	if err := s.exists(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+sqliteReviewCols+" FROM term_reviews WHERE learner_id = ? ORDER BY term", string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ReviewState{}
	for rows.Next() {
		r, err := scanReviewSQLite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLite) RecentActivity(ctx context.Context, id LearnerID, limit int) ([]Activity, error) {
	limit, err := clampLimit(limit)
	if err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.exists(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `
SELECT kind, at, topic_id, status, lab_slug, exercise_id, passed FROM (
    SELECT 'status' AS kind, status_at AS at, topic_id, status, '' AS lab_slug, '' AS exercise_id, 0 AS passed
      FROM topic_progress WHERE learner_id = ?1 AND status_at IS NOT NULL
    UNION ALL
    SELECT 'note', note_at, topic_id, '', '', '', 0 FROM topic_progress WHERE learner_id = ?1 AND note_at IS NOT NULL
    UNION ALL
    SELECT 'visit', visited_at, topic_id, '', '', '', 0 FROM topic_progress WHERE learner_id = ?1 AND visited_at IS NOT NULL
    UNION ALL
    SELECT 'lab', at, '', '', lab_slug, exercise_id, passed FROM lab_results WHERE learner_id = ?1
) ORDER BY at DESC, kind, topic_id, lab_slug, exercise_id LIMIT ?2`, string(id), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		var a Activity
		var at sql.NullInt64
		if err := rows.Scan(&a.Kind, &at, &a.TopicID, &a.Status, &a.LabSlug, &a.ExerciseID, &a.Passed); err != nil {
			return nil, err
		}
		a.At = fromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *SQLite) Export(ctx context.Context, id LearnerID) (*Export, error) {
	// One read transaction: a WAL snapshot, so the document is consistent.
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := scanLearnerSQLite(tx.QueryRowContext(ctx, "SELECT id, created_at, secret_rotated_at FROM learners WHERE id = ?", string(id)))
	if err != nil {
		return nil, err
	}
	topics, err := s.topics(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	labs, err := s.labs(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	reviews, err := s.reviews(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return buildExport(l, topics, labs, reviews, s.now()), nil
}

func (s *SQLite) Import(ctx context.Context, id LearnerID, doc []byte) (ImportReport, error) {
	now := s.now()
	e, err := ParseExport(doc, now)
	if err != nil {
		return ImportReport{}, err
	}
	// BEGIN IMMEDIATE: the state read for the merge cannot change before the writes.
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return ImportReport{}, err
	}
	defer tx.Rollback()
	topics, err := s.topics(ctx, tx, id)
	if err != nil {
		return ImportReport{}, err
	}
	labs, err := s.labs(ctx, tx, id)
	if err != nil {
		return ImportReport{}, err
	}
	reviews, err := s.reviews(ctx, tx, id)
	if err != nil {
		return ImportReport{}, err
	}
	plan, err := planImport(e, topicLookup(topics), labLookup(labs), reviewLookup(reviews), now)
	if err != nil {
		return ImportReport{}, err
	}
	for _, t := range plan.topics {
		_, err := tx.ExecContext(ctx, `
INSERT INTO topic_progress (learner_id, topic_id, status, status_at, note, note_at, visited_at, updated_at, version)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (learner_id, topic_id) DO UPDATE SET status = ?3, status_at = ?4, note = ?5, note_at = ?6,
    visited_at = ?7, updated_at = ?8, version = ?9`,
			string(id), t.TopicID, string(t.Status), micros(t.StatusAt), t.Note, micros(t.NoteAt),
			micros(t.VisitedAt), t.UpdatedAt.UnixMicro(), t.Version)
		if err != nil {
			return ImportReport{}, fmt.Errorf("progress: import topic %s: %w", t.TopicID, err)
		}
	}
	for _, l := range plan.labs {
		_, err := tx.ExecContext(ctx, `
INSERT INTO lab_results (learner_id, lab_slug, exercise_id, passed, at, first_passed_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (learner_id, lab_slug, exercise_id) DO UPDATE SET passed = ?4, at = ?5, first_passed_at = ?6`,
			string(id), l.LabSlug, l.ExerciseID, l.Passed, l.At.UnixMicro(), micros(l.FirstPassedAt))
		if err != nil {
			return ImportReport{}, fmt.Errorf("progress: import lab %s/%s: %w", l.LabSlug, l.ExerciseID, err)
		}
	}
	for _, r := range plan.reviews {
		_, err := tx.ExecContext(ctx, `
INSERT INTO term_reviews (learner_id, term, box, due, reviewed_at, reviews, lapses)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (learner_id, term) DO UPDATE SET box = ?3, due = ?4, reviewed_at = ?5, reviews = ?6, lapses = ?7`,
			string(id), r.Term, r.Box, r.Due.UnixMicro(), r.ReviewedAt.UnixMicro(), r.Reviews, r.Lapses)
		if err != nil {
			return ImportReport{}, fmt.Errorf("progress: import review %s: %w", r.Term, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return ImportReport{}, err
	}
	return plan.report, nil
}

func topicLookup(ts []TopicState) func(string) (TopicState, bool) {
	m := make(map[string]TopicState, len(ts))
	for _, t := range ts {
		m[t.TopicID] = t
	}
	return func(k string) (TopicState, bool) { t, ok := m[k]; return t, ok }
}

func labLookup(ls []LabResult) func(string, string) (LabResult, bool) {
	m := make(map[[2]string]LabResult, len(ls))
	for _, l := range ls {
		m[[2]string{l.LabSlug, l.ExerciseID}] = l
	}
	return func(lab, ex string) (LabResult, bool) { l, ok := m[[2]string{lab, ex}]; return l, ok }
}

func reviewLookup(rs []ReviewState) func(string) (ReviewState, bool) {
	m := make(map[string]ReviewState, len(rs))
	for _, r := range rs {
		m[r.Term] = r
	}
	return func(k string) (ReviewState, bool) { r, ok := m[k]; return r, ok }
}

func (s *SQLite) DeleteLearner(ctx context.Context, id LearnerID) error {
	res, err := s.wdb.ExecContext(ctx, "DELETE FROM learners WHERE id = ?", string(id))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Close closes the database. The WAL is checkpointed by SQLite when the last connection
// closes.
func (s *SQLite) Close() error {
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}
