package progress

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReviewGrade is how well a learner recalled a key term when reviewing it.
type ReviewGrade string

// The three grades of a review.
const (
	GradeAgain ReviewGrade = "again" // not recalled: back to the first box
	GradeGood  ReviewGrade = "good"  // recalled: one box up
	GradeEasy  ReviewGrade = "easy"  // recalled at once: two boxes up
)

// Valid reports whether g is one of the three grades.
func (g ReviewGrade) Valid() bool { return g == GradeAgain || g == GradeGood || g == GradeEasy }

// ReviewIntervals is the Leitner schedule: a term in box b is due ReviewIntervals[b] after its
// last review. Box 0 is "soon, in this session"; each later box roughly doubles, so a term
// recalled every time comes back after a day, three days, a week, about two weeks, a month and
// three months.
var ReviewIntervals = [...]time.Duration{
	10 * time.Minute,
	24 * time.Hour,
	3 * 24 * time.Hour,
	7 * 24 * time.Hour,
	16 * 24 * time.Hour,
	35 * 24 * time.Hour,
	90 * 24 * time.Hour,
}

// MaxBox is the last Leitner box.
const MaxBox = len(ReviewIntervals) - 1

// ReviewState is the spaced-review state of one key term for one learner.
type ReviewState struct {
	Term       string    // the term's glossary anchor, e.g. "afd" or "resolver-cache"
	Box        int       // 0..MaxBox
	Due        time.Time // when the term should be reviewed next
	ReviewedAt time.Time // the last review
	Reviews    int       // reviews so far
	Lapses     int       // times graded again after having been recalled before
}

// applyReview is the scheduling rule every backend implements (the memory backend calls it;
// the conformance suite checks the others agree).
func applyReview(old ReviewState, exists bool, term string, g ReviewGrade, now time.Time) ReviewState {
	st := old
	if !exists {
		st = ReviewState{Term: term}
	}
	switch g {
	case GradeAgain:
		if exists && old.Box > 0 {
			st.Lapses++
		}
		st.Box = 0
	case GradeGood:
		st.Box = min(st.Box+1, MaxBox)
	case GradeEasy:
		st.Box = min(st.Box+2, MaxBox)
	}
	st.ReviewedAt = bump(now, old.ReviewedAt)
	st.Due = st.ReviewedAt.Add(ReviewIntervals[st.Box])
	st.Reviews++
	return st
}

func validateReview(term string, g ReviewGrade) error {
	if err := ValidID("term", term); err != nil {
		return err
	}
	if !g.Valid() {
		return invalid("grade", "unknown grade %q (want again, good or easy)", string(g))
	}
	return nil
}

// reviewStep is the box change of a grade as the SQL backends express it: 0 sends the term
// back to box 0, n > 0 moves it n boxes up (capped at MaxBox). It must say what applyReview
// says; the conformance suite checks the backends against applyReview.
func reviewStep(g ReviewGrade) int {
	switch g {
	case GradeGood:
		return 1
	case GradeEasy:
		return 2
	}
	return 0
}

// reviewIntervalSQL is an SQL CASE giving ReviewIntervals[box] for the integer expression
// box: in microseconds (SQLite stores Unix microseconds), or as a PostgreSQL interval of
// microseconds (never days: adding '1 day' to a timestamptz depends on the session's time
// zone, microseconds do not). Built from the table so the SQL cannot drift from it.
func reviewIntervalSQL(box string, pg bool) string {
	var b strings.Builder
	b.WriteString("(CASE " + box)
	for i, d := range ReviewIntervals {
		if pg {
			fmt.Fprintf(&b, " WHEN %d THEN interval '%d microseconds'", i, d.Microseconds())
		} else {
			fmt.Fprintf(&b, " WHEN %d THEN %d", i, d.Microseconds())
		}
	}
	b.WriteString(" END)")
	return b.String()
}

func sortReviews(rs []ReviewState) {
	slices.SortFunc(rs, func(a, b ReviewState) int { return strings.Compare(a.Term, b.Term) })
}
