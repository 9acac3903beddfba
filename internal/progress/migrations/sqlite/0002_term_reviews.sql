-- Spaced review of key terms (Leitner boxes). Times are Unix microseconds (UTC) like 0001;
-- a row exists only once a term has been reviewed, so every time here is NOT NULL.
CREATE TABLE term_reviews (
    learner_id  TEXT    NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    term        TEXT    NOT NULL,
    box         INTEGER NOT NULL CHECK (box BETWEEN 0 AND 6),   -- 0..MaxBox
    due         INTEGER NOT NULL,
    reviewed_at INTEGER NOT NULL,
    reviews     INTEGER NOT NULL CHECK (reviews >= 1),
    lapses      INTEGER NOT NULL CHECK (lapses BETWEEN 0 AND reviews),
    PRIMARY KEY (learner_id, term)
) STRICT, WITHOUT ROWID;
