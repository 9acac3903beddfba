-- Times are Unix microseconds (UTC), NULL meaning "never". Text compares bytewise (BINARY),
-- which is the order Go's strings.Compare gives and the one every backend must return.
CREATE TABLE learners (
    id                TEXT    NOT NULL PRIMARY KEY,
    secret_hash       BLOB    NOT NULL UNIQUE,      -- SHA-256 of the 160-bit secret
    created_at        INTEGER NOT NULL,
    secret_rotated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE topic_progress (
    learner_id TEXT    NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    topic_id   TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('not-started', 'learning', 'done', 'skipped')),
    status_at  INTEGER,
    note       TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(note AS BLOB)) <= 65536),
    note_at    INTEGER,
    visited_at INTEGER,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (learner_id, topic_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE lab_results (
    learner_id      TEXT    NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lab_slug        TEXT    NOT NULL,
    exercise_id     TEXT    NOT NULL,
    passed          INTEGER NOT NULL CHECK (passed IN (0, 1)),
    at              INTEGER NOT NULL,
    first_passed_at INTEGER,
    PRIMARY KEY (learner_id, lab_slug, exercise_id)
) STRICT, WITHOUT ROWID;
