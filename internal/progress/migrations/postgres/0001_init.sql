-- Identifiers use COLLATE "C" so that ORDER BY is bytewise, the order Go's strings.Compare
-- gives and the one every backend must return (a locale collation would differ by server).
CREATE TABLE learners (
    id                text COLLATE "C" NOT NULL PRIMARY KEY,
    secret_hash       bytea       NOT NULL UNIQUE,  -- SHA-256 of the 160-bit secret
    created_at        timestamptz NOT NULL,
    secret_rotated_at timestamptz NOT NULL
);

CREATE TABLE topic_progress (
    learner_id text COLLATE "C" NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    topic_id   text COLLATE "C" NOT NULL,
    status     text        NOT NULL CHECK (status IN ('not-started', 'learning', 'done', 'skipped')),
    status_at  timestamptz,
    note       text        NOT NULL DEFAULT '' CHECK (octet_length(note) <= 65536),
    note_at    timestamptz,
    visited_at timestamptz,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (learner_id, topic_id)
);

CREATE TABLE lab_results (
    learner_id      text COLLATE "C" NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lab_slug        text COLLATE "C" NOT NULL,
    exercise_id     text COLLATE "C" NOT NULL,
    passed          boolean     NOT NULL,
    at              timestamptz NOT NULL,
    first_passed_at timestamptz,
    PRIMARY KEY (learner_id, lab_slug, exercise_id)
);
