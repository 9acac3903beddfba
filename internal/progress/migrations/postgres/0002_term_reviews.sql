-- Spaced review of key terms (Leitner boxes). A row exists only once a term has been
-- reviewed, so every time here is NOT NULL. term is COLLATE "C" like the ids of 0001.
CREATE TABLE term_reviews (
    learner_id  text COLLATE "C" NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    term        text COLLATE "C" NOT NULL,
    box         integer     NOT NULL CHECK (box BETWEEN 0 AND 6),   -- 0..MaxBox
    due         timestamptz NOT NULL,
    reviewed_at timestamptz NOT NULL,
    reviews     integer     NOT NULL CHECK (reviews >= 1),
    lapses      integer     NOT NULL CHECK (lapses BETWEEN 0 AND reviews),
    PRIMARY KEY (learner_id, term)
);
