package progress

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresMaxConns is how many connections one Postgres store opens at most.
const PostgresMaxConns = 10

// migrationLockKey is the advisory lock that serialises migrations of servers starting at
// the same time against one database (an arbitrary constant: "ntatlas" in ASCII).
const migrationLockKey int64 = 0x6e7461746c6173

// Postgres is the Store for scaling out: any number of servers over one database behave as
// one, because every rule is enforced by the database (single-statement upserts for live
// writes, row locks for imports), never by in-process state.
type Postgres struct {
	base
	pool *connPool
}

var _ Store = (*Postgres)(nil)

// OpenPostgres connects to the database at url (postgres://...) and applies pending
// migrations under an advisory lock, so several servers may start at once.
func OpenPostgres(ctx context.Context, url string, cfg Config) (*Postgres, error) {
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("progress: postgres url: %w", err)
	}
	s := &Postgres{base: newBase(cfg), pool: newConnPool(pc, PostgresMaxConns)}
	if err := s.migrate(ctx); err != nil {
		s.pool.close()
		return nil, err
	}
	return s, nil
}

func (s *Postgres) migrate(ctx context.Context) error {
	all, err := migrations("postgres")
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		// Held to the end of the transaction; a second server waits here, then finds the
		// migrations applied. PostgreSQL DDL is transactional, so a failed migration leaves
		// nothing half-done.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return err
		}
		vs, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		applied := map[int]bool{}
		for _, v := range vs {
			applied[int(v)] = true
		}
		todo, err := pendingMigrations(all, applied)
		if err != nil {
			return err
		}
		for _, m := range todo {
			// No arguments: the simple protocol, which runs a multi-statement file.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("progress: migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.version, m.name, s.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// tx runs f in a transaction, retrying when PostgreSQL aborts it for a deadlock or a
// serialization failure, or when f reports a lost race (errRetry).
func (s *Postgres) tx(ctx context.Context, f func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = s.pool.with(ctx, func(c *pgx.Conn) error {
			return pgx.BeginFunc(ctx, c, f)
		})
		var pe *pgconn.PgError
		switch {
		case errors.Is(err, errRetry):
		case errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01"):
		default:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

var errRetry = errors.New("progress: concurrent change; retry")

func pgTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func fromPg(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func pgErr(err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound
	case errors.As(err, &pe) && pe.Code == "23503":
		// Foreign key: the learner was deleted while we wrote.
		return ErrNotFound
	}
	return err
}

func scanLearnerPg(r pgx.Row) (Learner, error) {
	var l Learner
	var created, rotated time.Time
	if err := r.Scan(&l.ID, &created, &rotated); err != nil {
		return Learner{}, pgErr(err)
	}
	l.CreatedAt, l.SecretRotatedAt = created.UTC(), rotated.UTC()
	return l, nil
}

const pgTopicCols = "topic_id, status, status_at, note, note_at, visited_at, updated_at, version"

func scanTopicPg(r pgx.Row) (TopicState, error) {
	var t TopicState
	var st, nt, vt *time.Time
	var ut time.Time
	var status string
	if err := r.Scan(&t.TopicID, &status, &st, &t.Note, &nt, &vt, &ut, &t.Version); err != nil {
		return TopicState{}, pgErr(err)
	}
	t.Status = Status(status)
	t.StatusAt, t.NoteAt, t.VisitedAt, t.UpdatedAt = fromPg(st), fromPg(nt), fromPg(vt), ut.UTC()
	return t, nil
}

const pgLabCols = "lab_slug, exercise_id, passed, at, first_passed_at"

func scanLabPg(r pgx.Row) (LabResult, error) {
	var l LabResult
	var at time.Time
	var first *time.Time
	if err := r.Scan(&l.LabSlug, &l.ExerciseID, &l.Passed, &at, &first); err != nil {
		return LabResult{}, pgErr(err)
	}
	l.At, l.FirstPassedAt = at.UTC(), fromPg(first)
	return l, nil
}

const pgReviewCols = "term, box, due, reviewed_at, reviews, lapses"

func scanReviewPg(r pgx.Row) (ReviewState, error) {
	var st ReviewState
	var box, reviews, lapses int32
	if err := r.Scan(&st.Term, &box, &st.Due, &st.ReviewedAt, &reviews, &lapses); err != nil {
		return ReviewState{}, pgErr(err)
	}
	st.Box, st.Reviews, st.Lapses = int(box), int(reviews), int(lapses)
	st.Due, st.ReviewedAt = st.Due.UTC(), st.ReviewedAt.UTC()
	return st, nil
}

func (s *Postgres) CreateLearner(ctx context.Context) (Learner, Secret, error) {
	l, sec, h, err := s.newLearner()
	if err != nil {
		return Learner{}, Secret{}, err
	}
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "INSERT INTO learners (id, secret_hash, created_at, secret_rotated_at) VALUES ($1, $2, $3, $4)",
			string(l.ID), h, l.CreatedAt, l.SecretRotatedAt)
		return err
	})
	if err != nil {
		return Learner{}, Secret{}, fmt.Errorf("progress: create learner: %w", err)
	}
	return l, sec, nil
}

func (s *Postgres) LearnerBySecret(ctx context.Context, secret Secret) (l Learner, err error) {
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		l, err = scanLearnerPg(c.QueryRow(ctx, "SELECT id, created_at, secret_rotated_at FROM learners WHERE secret_hash = $1", secret.hash()))
		return err
	})
	return l, err
}

func (s *Postgres) RotateSecret(ctx context.Context, id LearnerID) (Secret, error) {
	sec, err := s.newSecret()
	if err != nil {
		return Secret{}, err
	}
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		var dummy string
		return pgErr(c.QueryRow(ctx, `UPDATE learners SET secret_hash = $1,
			secret_rotated_at = greatest($2::timestamptz, secret_rotated_at + interval '1 microsecond')
			WHERE id = $3 RETURNING id`, sec.hash(), s.now(), string(id)).Scan(&dummy))
	})
	if err != nil {
		return Secret{}, err
	}
	return sec, nil
}

func (s *Postgres) UpdateTopic(ctx context.Context, id LearnerID, topicID string, u TopicUpdate) (st TopicState, err error) {
	if err := validateUpdate(topicID, u); err != nil {
		return TopicState{}, err
	}
	var status, note *string
	if u.Status != nil {
		v := string(*u.Status)
		status = &v
	}
	note = u.Note
	// One statement. INSERT ... ON CONFLICT DO UPDATE locks the row and, if another
	// transaction changed it meanwhile, works on the committed version: concurrent partial
	// updates (from any server) never lose a field. The rule is applyUpdate's; greatest()
	// ignores NULLs.
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		st, err = scanTopicPg(c.QueryRow(ctx, `
INSERT INTO topic_progress AS t (learner_id, topic_id, status, status_at, note, note_at, visited_at, updated_at, version)
SELECT $1::text, $2::text, coalesce($3::text, 'not-started'), CASE WHEN $3::text IS NULL THEN NULL ELSE $6::timestamptz END,
       coalesce($4::text, ''), CASE WHEN $4::text IS NULL THEN NULL ELSE $6::timestamptz END,
       CASE WHEN $5::boolean THEN $6::timestamptz END, $6::timestamptz, 1
WHERE EXISTS (SELECT 1 FROM learners WHERE id = $1::text)
ON CONFLICT (learner_id, topic_id) DO UPDATE SET
    status     = coalesce($3::text, t.status),
    status_at  = CASE WHEN $3::text IS NULL THEN t.status_at ELSE greatest($6::timestamptz, t.status_at + interval '1 microsecond') END,
    note       = coalesce($4::text, t.note),
    note_at    = CASE WHEN $4::text IS NULL THEN t.note_at ELSE greatest($6::timestamptz, t.note_at + interval '1 microsecond') END,
    visited_at = CASE WHEN $5::boolean THEN greatest($6::timestamptz, t.visited_at) ELSE t.visited_at END,
    updated_at = greatest($6::timestamptz, t.updated_at + interval '1 microsecond'),
    version    = t.version + 1
RETURNING `+pgTopicCols, string(id), topicID, status, note, u.Visit, s.now()))
		return err
	})
	return st, err
}

type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func pgExists(ctx context.Context, q pgQuerier, id LearnerID) error {
	var one int
	return pgErr(q.QueryRow(ctx, "SELECT 1 FROM learners WHERE id = $1", string(id)).Scan(&one))
}

func (s *Postgres) Topic(ctx context.Context, id LearnerID, topicID string) (st TopicState, err error) {
	if err := ValidID("topic", topicID); err != nil {
		return TopicState{}, err
	}
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		st, err = scanTopicPg(c.QueryRow(ctx, "SELECT "+pgTopicCols+" FROM topic_progress WHERE learner_id = $1 AND topic_id = $2", string(id), topicID))
		return err
	})
	return st, err
}

func (s *Postgres) Topics(ctx context.Context, id LearnerID) (ts []TopicState, err error) {
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		ts, err = pgTopics(ctx, tx, id, false)
		return err
	})
	return ts, err
}

// readTx is a REPEATABLE READ transaction: one snapshot for several queries.
func (s *Postgres) readTx(ctx context.Context, f func(pgx.Tx) error) error {
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		return pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, f)
	})
}

func pgTopics(ctx context.Context, q pgQuerier, id LearnerID, lock bool) ([]TopicState, error) {
	if err := pgExists(ctx, q, id); err != nil {
		return nil, err
	}
	sql := "SELECT " + pgTopicCols + " FROM topic_progress WHERE learner_id = $1 ORDER BY topic_id"
	if lock {
		sql += " FOR UPDATE"
	}
	rows, err := q.Query(ctx, sql, string(id))
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TopicState, error) { return scanTopicPg(r) })
	if out == nil && err == nil {
		out = []TopicState{}
	}
	return out, err
}

func pgLabs(ctx context.Context, q pgQuerier, id LearnerID, lock bool) ([]LabResult, error) {
	if err := pgExists(ctx, q, id); err != nil {
		return nil, err
	}
	sql := "SELECT " + pgLabCols + " FROM lab_results WHERE learner_id = $1 ORDER BY lab_slug, exercise_id"
	if lock {
		sql += " FOR UPDATE"
	}
	rows, err := q.Query(ctx, sql, string(id))
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LabResult, error) { return scanLabPg(r) })
	if out == nil && err == nil {
		out = []LabResult{}
	}
	return out, err
}

func (s *Postgres) RecordLabResult(ctx context.Context, id LearnerID, labSlug, exerciseID string, passed bool) (r LabResult, err error) {
	if err := validateLab(labSlug, exerciseID); err != nil {
		return LabResult{}, err
	}
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		r, err = scanLabPg(c.QueryRow(ctx, `
INSERT INTO lab_results AS r (learner_id, lab_slug, exercise_id, passed, at, first_passed_at)
SELECT $1::text, $2::text, $3::text, $4::boolean, $5::timestamptz, CASE WHEN $4::boolean THEN $5::timestamptz END
WHERE EXISTS (SELECT 1 FROM learners WHERE id = $1::text)
ON CONFLICT (learner_id, lab_slug, exercise_id) DO UPDATE SET
    passed          = excluded.passed,
    at              = greatest(excluded.at, r.at + interval '1 microsecond'),
    first_passed_at = coalesce(r.first_passed_at,
                               CASE WHEN excluded.passed THEN greatest(excluded.at, r.at + interval '1 microsecond') END)
RETURNING `+pgLabCols, string(id), labSlug, exerciseID, passed, s.now()))
		return err
	})
	return r, err
}

func (s *Postgres) RecordReview(ctx context.Context, id LearnerID, term string, grade ReviewGrade) (st ReviewState, err error) {
	if err := validateReview(term, grade); err != nil {
		return ReviewState{}, err
	}
	now := s.now()
	fresh := applyReview(ReviewState{}, false, term, grade, now)
	// One statement, like UpdateTopic: ON CONFLICT DO UPDATE locks the row and works on the
	// latest committed version, so concurrent reviews (from any server) all count. The rule
	// is applyReview's; SET expressions see the old row, so the new box is spelled out where
	// due needs it.
	box := fmt.Sprintf("(CASE WHEN $6::integer = 0 THEN 0 ELSE least(r.box + $6::integer, %d) END)", MaxBox)
	at := "greatest($5::timestamptz, r.reviewed_at + interval '1 microsecond')"
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		st, err = scanReviewPg(c.QueryRow(ctx, `
INSERT INTO term_reviews AS r (learner_id, term, box, due, reviewed_at, reviews, lapses)
SELECT $1::text, $2::text, $3::integer, $4::timestamptz, $5::timestamptz, 1, 0
WHERE EXISTS (SELECT 1 FROM learners WHERE id = $1::text)
ON CONFLICT (learner_id, term) DO UPDATE SET
    box         = `+box+`,
    due         = `+at+` + `+reviewIntervalSQL(box, true)+`,
    reviewed_at = `+at+`,
    reviews     = r.reviews + 1,
    lapses      = r.lapses + CASE WHEN $6::integer = 0 AND r.box > 0 THEN 1 ELSE 0 END
RETURNING `+pgReviewCols, string(id), term, fresh.Box, fresh.Due, fresh.ReviewedAt, reviewStep(grade)))
		return err
	})
	return st, err
}

func (s *Postgres) Reviews(ctx context.Context, id LearnerID) (rs []ReviewState, err error) {
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		rs, err = pgReviews(ctx, tx, id, false)
		return err
	})
	return rs, err
}

func pgReviews(ctx context.Context, q pgQuerier, id LearnerID, lock bool) ([]ReviewState, error) {
	if err := pgExists(ctx, q, id); err != nil {
		return nil, err
	}
	sql := "SELECT " + pgReviewCols + " FROM term_reviews WHERE learner_id = $1 ORDER BY term"
	if lock {
		sql += " FOR UPDATE"
	}
	rows, err := q.Query(ctx, sql, string(id))
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReviewState, error) { return scanReviewPg(r) })
	if out == nil && err == nil {
		out = []ReviewState{}
	}
	return out, err
}

func (s *Postgres) LabResults(ctx context.Context, id LearnerID) (ls []LabResult, err error) {
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		ls, err = pgLabs(ctx, tx, id, false)
		return err
	})
	return ls, err
}

func (s *Postgres) RecentActivity(ctx context.Context, id LearnerID, limit int) (out []Activity, err error) {
	limit, err = clampLimit(limit)
	if err != nil {
		return nil, err
	}
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		if err := pgExists(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
SELECT kind, at, topic_id, status, lab_slug, exercise_id, passed FROM (
    SELECT 'status' AS kind, status_at AS at, topic_id, status, '' AS lab_slug, '' AS exercise_id, false AS passed
      FROM topic_progress WHERE learner_id = $1 AND status_at IS NOT NULL
    UNION ALL
    SELECT 'note', note_at, topic_id, '', '', '', false FROM topic_progress WHERE learner_id = $1 AND note_at IS NOT NULL
    UNION ALL
    SELECT 'visit', visited_at, topic_id, '', '', '', false FROM topic_progress WHERE learner_id = $1 AND visited_at IS NOT NULL
    UNION ALL
    SELECT 'lab', at, '', '', lab_slug, exercise_id, passed FROM lab_results WHERE learner_id = $1
) a ORDER BY at DESC, kind COLLATE "C", topic_id COLLATE "C", lab_slug COLLATE "C", exercise_id COLLATE "C" LIMIT $2`, string(id), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Activity, error) {
			var a Activity
			var kind, status string
			err := r.Scan(&kind, &a.At, &a.TopicID, &status, &a.LabSlug, &a.ExerciseID, &a.Passed)
			a.Kind, a.Status, a.At = ActivityKind(kind), Status(status), a.At.UTC()
			return a, err
		})
		return err
	})
	if out == nil && err == nil {
		out = []Activity{}
	}
	return out, err
}

func (s *Postgres) Export(ctx context.Context, id LearnerID) (e *Export, err error) {
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		l, err := scanLearnerPg(tx.QueryRow(ctx, "SELECT id, created_at, secret_rotated_at FROM learners WHERE id = $1", string(id)))
		if err != nil {
			return err
		}
		topics, err := pgTopics(ctx, tx, id, false)
		if err != nil {
			return err
		}
		labs, err := pgLabs(ctx, tx, id, false)
		if err != nil {
			return err
		}
		reviews, err := pgReviews(ctx, tx, id, false)
		if err != nil {
			return err
		}
		e = buildExport(l, topics, labs, reviews, s.now())
		return nil
	})
	return e, err
}

func (s *Postgres) Import(ctx context.Context, id LearnerID, doc []byte) (ImportReport, error) {
	now := s.now()
	e, err := ParseExport(doc, now)
	if err != nil {
		return ImportReport{}, err
	}
	var report ImportReport
	err = s.tx(ctx, func(tx pgx.Tx) error {
		// FOR NO KEY UPDATE serialises imports and deletes of this learner without blocking
		// the key-share lock that a concurrent topic insert's foreign key check takes (a
		// FOR UPDATE here could deadlock with it).
		var one int
		if err := pgErr(tx.QueryRow(ctx, "SELECT 1 FROM learners WHERE id = $1 FOR NO KEY UPDATE", string(id)).Scan(&one)); err != nil {
			return err
		}
		// Lock the existing rows: the state merged below cannot change before it is written.
		topics, err := pgTopics(ctx, tx, id, true)
		if err != nil {
			return err
		}
		labs, err := pgLabs(ctx, tx, id, true)
		if err != nil {
			return err
		}
		reviews, err := pgReviews(ctx, tx, id, true)
		if err != nil {
			return err
		}
		plan, err := planImport(e, topicLookup(topics), labLookup(labs), reviewLookup(reviews), now)
		if err != nil {
			return err
		}
		for i, t := range plan.topics {
			var sql string
			if plan.newTop[i] {
				// A row that did not exist when we read may have been inserted since by a
				// live write; then start over with it locked.
				sql = `INSERT INTO topic_progress (learner_id, topic_id, status, status_at, note, note_at, visited_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (learner_id, topic_id) DO NOTHING`
			} else {
				sql = `UPDATE topic_progress SET status = $3, status_at = $4, note = $5, note_at = $6, visited_at = $7,
    updated_at = $8, version = $9 WHERE learner_id = $1 AND topic_id = $2`
			}
			tag, err := tx.Exec(ctx, sql, string(id), t.TopicID, string(t.Status), pgTime(t.StatusAt), t.Note,
				pgTime(t.NoteAt), pgTime(t.VisitedAt), t.UpdatedAt, t.Version)
			if err != nil {
				return fmt.Errorf("progress: import topic %s: %w", t.TopicID, err)
			}
			if tag.RowsAffected() != 1 {
				return errRetry
			}
		}
		for i, l := range plan.labs {
			var sql string
			if plan.newLab[i] {
				sql = `INSERT INTO lab_results (learner_id, lab_slug, exercise_id, passed, at, first_passed_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (learner_id, lab_slug, exercise_id) DO NOTHING`
			} else {
				sql = `UPDATE lab_results SET passed = $4, at = $5, first_passed_at = $6
WHERE learner_id = $1 AND lab_slug = $2 AND exercise_id = $3`
			}
			tag, err := tx.Exec(ctx, sql, string(id), l.LabSlug, l.ExerciseID, l.Passed, l.At, pgTime(l.FirstPassedAt))
			if err != nil {
				return fmt.Errorf("progress: import lab %s/%s: %w", l.LabSlug, l.ExerciseID, err)
			}
			if tag.RowsAffected() != 1 {
				return errRetry
			}
		}
		for i, r := range plan.reviews {
			var sql string
			if plan.newRev[i] {
				sql = `INSERT INTO term_reviews (learner_id, term, box, due, reviewed_at, reviews, lapses)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (learner_id, term) DO NOTHING`
			} else {
				sql = `UPDATE term_reviews SET box = $3, due = $4, reviewed_at = $5, reviews = $6, lapses = $7
WHERE learner_id = $1 AND term = $2`
			}
			tag, err := tx.Exec(ctx, sql, string(id), r.Term, r.Box, r.Due, r.ReviewedAt, r.Reviews, r.Lapses)
			if err != nil {
				return fmt.Errorf("progress: import review %s: %w", r.Term, err)
			}
			if tag.RowsAffected() != 1 {
				return errRetry
			}
		}
		report = plan.report
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return report, nil
}

func (s *Postgres) DeleteLearner(ctx context.Context, id LearnerID) error {
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, "DELETE FROM learners WHERE id = $1", string(id))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Close closes every connection.
func (s *Postgres) Close() error {
	s.pool.close()
	return nil
}

// connPool is a small connection pool over pgx.Conn (a pgx.Conn is not safe for concurrent
// use). It exists because pgxpool needs a module (puddle) this build does not carry.
type connPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per open-or-opening connection allowed
	mu    sync.Mutex
	idle  []*pgx.Conn
	done  bool
}

func newConnPool(cfg *pgx.ConnConfig, max int) *connPool {
	return &connPool{cfg: cfg, slots: make(chan struct{}, max)}
}

// with runs f on a connection. A connection that f leaves broken (closed, or an error that
// is not a server-reported one) is discarded, not reused.
func (p *connPool) with(ctx context.Context, f func(*pgx.Conn) error) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return errClosed
	}
	var c *pgx.Conn
	if n := len(p.idle); n > 0 {
		c, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
	if c == nil {
		var err error
		if c, err = pgx.ConnectConfig(ctx, p.cfg); err != nil {
			return fmt.Errorf("progress: connect: %w", err)
		}
	}
	err := f(c)
	var pe *pgconn.PgError
	healthy := !c.IsClosed() && c.PgConn().TxStatus() == 'I' &&
		(err == nil || errors.As(err, &pe) || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, ErrNotFound) ||
			errors.Is(err, ErrInvalid) || errors.Is(err, errRetry))
	p.mu.Lock()
	if healthy && !p.done {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.Close(closeCtx)
		cancel()
	}
	return err
}

func (p *connPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.done = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.Close(ctx)
		cancel()
	}
}
