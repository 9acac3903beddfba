package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSecretForm(t *testing.T) {
	var s Secret
	for i := range s {
		s[i] = byte(i * 37)
	}
	text := s.String()
	// 160 bits = 32 base32 characters, shown as 8 groups of 4.
	if len(text) != 39 || strings.Count(text, "-") != 7 {
		t.Fatalf("String() = %q, want 8 groups of 4", text)
	}
	if strings.ContainsAny(text, "ILOU") {
		t.Fatalf("String() = %q uses a letter Crockford's alphabet leaves out", text)
	}
	for _, typed := range []string{
		text,
		strings.ToLower(text),
		strings.ReplaceAll(text, "-", ""),
		" " + strings.ReplaceAll(text, "-", " ") + " ",
		// Misread characters: O for 0, I and L for 1.
		strings.NewReplacer("0", "O", "1", "l").Replace(text),
	} {
		got, err := ParseSecret(typed)
		if err != nil || got != s {
			t.Fatalf("ParseSecret(%q) = %v, %v; want the secret back", typed, got, err)
		}
	}
	for _, bad := range []string{"", "ABCD", text + "0", strings.Replace(text, text[:1], "U", 1), "ÄÄÄÄ-" + text[5:]} {
		if _, err := ParseSecret(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSecret(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestSecretHashIsSHA256OfRawBytes(t *testing.T) {
	// Only the hash is stored; it must not depend on the display form.
	var s Secret
	h := s.hash()
	// SHA-256 of 20 zero bytes.
	const want = "de47c9b27eb8d300dbb5f2c353e632c393262cf06340c4fa7f1b40c4cbd36f90"
	if got := strings.ToLower(hexString(h)); got != want {
		t.Fatalf("hash = %s, want %s", got, want)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestMigrationsWellFormed(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].version != 1 {
			t.Fatalf("%s: migrations %v", d, ms)
		}
	}
	sq, _ := migrations("sqlite")
	pg, _ := migrations("postgres")
	if len(sq) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d: the dialects must move together", len(sq), len(pg))
	}
	if _, err := pendingMigrations(sq, map[int]bool{1: true, 7: true}); err == nil {
		t.Fatal("a database with an unknown newer migration was accepted")
	}
	todo, err := pendingMigrations(sq, map[int]bool{})
	if err != nil || len(todo) != len(sq) {
		t.Fatalf("fresh database: %d pending, %v", len(todo), err)
	}
}

func TestBump(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		now, prev, want time.Time
	}{
		{t0, time.Time{}, t0},                              // first write
		{t0.Add(time.Second), t0, t0.Add(time.Second)},     // clock ahead: the clock
		{t0, t0, t0.Add(time.Microsecond)},                 // same instant: just after
		{t0.Add(-time.Hour), t0, t0.Add(time.Microsecond)}, // clock behind: just after
	}
	for _, c := range cases {
		if got := bump(c.now, c.prev); !got.Equal(c.want) {
			t.Errorf("bump(%v, %v) = %v, want %v", c.now, c.prev, got, c.want)
		}
	}
}

func fuzzNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// FuzzParseExport: any input either fails with a ValidationError naming a field, or parses
// to a document that survives a marshal/parse round trip unchanged.
func FuzzParseExport(f *testing.F) {
	for _, seed := range []string{
		`{"format":"ntatlas-progress","version":1,"topics":[],"labs":[]}`,
		`{"format":"ntatlas-progress","version":1,"exported_at":"2026-03-01T10:00:00Z","learner":{"id":"ab","created_at":"2026-01-01T00:00:00Z"},
		  "topics":[{"topic":"processes/threads","status":"done","status_at":"2026-02-01T00:00:00.123456Z","note":"# hi\n","note_at":"2026-02-01T00:00:00Z","visited_at":"2026-02-02T00:00:00+02:00"}],
		  "labs":[{"lab":"sddl","exercise":"e1","passed":true,"at":"2026-02-03T00:00:00Z"}]}`,
		`{"format":"ntatlas-progress","version":2}`,
		`{"format":"ntatlas-progress","version":1,"topics":[{"topic":"a","status":"done"},{"topic":"a","status":"done"}]}`,
		`{"format":"ntatlas-progress","version":1,"topics":[{"topic":"a","status":"done","note":"\u0000"}]}`,
		`{"format":"ntatlas-progress","version":1.5}`,
		`{"format":"ntatlas-progress","version":1,"labs":[{"lab":"x","exercise":"y","passed":false,"at":"2999-01-01T00:00:00Z"}]}`,
		// Reviews (optional, still version 1): a valid one, an empty list, and bad entries.
		`{"format":"ntatlas-progress","version":1,"reviews":[{"term":"afd","box":3,"due":"2026-03-08T10:00:00Z","reviewed_at":"2026-03-01T10:00:00.5Z","reviews":4,"lapses":1}]}`,
		`{"format":"ntatlas-progress","version":1,"reviews":[]}`,
		`{"format":"ntatlas-progress","version":1,"reviews":null}`,
		`{"format":"ntatlas-progress","version":1,"reviews":[{"term":"afd","box":7,"due":"2026-03-08T10:00:00Z","reviewed_at":"2026-03-01T10:00:00Z","reviews":1,"lapses":0}]}`,
		`{"format":"ntatlas-progress","version":1,"reviews":[{"term":"afd","box":0,"due":"2026-03-01T10:00:00Z","reviewed_at":"2026-03-01T10:00:00Z","reviews":1,"lapses":2}]}`,
		`{"format":"ntatlas-progress","version":1,"reviews":[{"term":"a","box":0,"due":"9999-12-31T23:59:59Z","reviewed_at":"2026-03-01T10:00:00Z","reviews":2147483647,"lapses":0},{"term":"a"}]}`,
		`[1,2,3]`, `null`, `"x"`, `{"format":"ntatlas-progress","version":1} trailing`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		e, err := ParseExport(doc, fuzzNow())
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field == "" {
				t.Fatalf("error %v is not a ValidationError with a field", err)
			}
			return
		}
		raw, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("marshal of a parsed document: %v", err)
		}
		e2, err := ParseExport(raw, fuzzNow())
		if err != nil {
			t.Fatalf("re-parse of %s: %v", raw, err)
		}
		raw2, _ := json.Marshal(e2)
		if string(raw) != string(raw2) {
			t.Fatalf("round trip changed the document:\n%s\n%s", raw, raw2)
		}
	})
}

// FuzzParseSecret: parsing never panics, and whatever parses prints back to a form that
// parses to the same secret.
func FuzzParseSecret(f *testing.F) {
	for _, seed := range []string{"0000-0000-0000-0000-0000-0000-0000-0000", "oooo-iiii-llll-1111-zzzz-yyyy-xxxx-wwww", "", "-", "ÿÿÿÿ", strings.Repeat("Z", 32)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSecret(text)
		if err != nil {
			return
		}
		back, err := ParseSecret(s.String())
		if err != nil || back != s {
			t.Fatalf("ParseSecret(%q) -> %q -> %v, %v", text, s.String(), back, err)
		}
	})
}

// FuzzMergeTopic: merging never loses text (each non-empty note is contained in the result,
// unless the merge is refused as too long), keeps the later status and visit, and merging
// the same import twice changes nothing the second time.
func FuzzMergeTopic(f *testing.F) {
	f.Add("alpha", int64(10), "beta", int64(20), "done", int64(5), "learning", int64(6))
	f.Add("abc def", int64(10), "abc", int64(20), "done", int64(5), "done", int64(5))
	f.Add("", int64(0), "x", int64(1), "skipped", int64(9), "done", int64(1))
	f.Add("same", int64(3), "same", int64(3), "learning", int64(3), "skipped", int64(3))
	f.Fuzz(func(t *testing.T, localNote string, localNoteAt int64, inNote string, inNoteAt int64,
		localStatus string, localStatusAt int64, inStatus string, inStatusAt int64) {
		base := fuzzNow()
		at := func(n int64) time.Time { return base.Add(time.Duration(n%1_000_000) * time.Second) }
		local := TopicState{TopicID: "t", Status: Status(localStatus), StatusAt: at(localStatusAt),
			Note: localNote, NoteAt: at(localNoteAt), VisitedAt: at(localNoteAt + 1), Version: 3}
		in := ExportTopic{Topic: "t", Status: Status(inStatus), StatusAt: tp(at(inStatusAt)),
			Note: inNote, NoteAt: tp(at(inNoteAt)), VisitedAt: tp(at(inNoteAt + 2))}
		m, _, _, err := MergeTopic(local, true, in)
		if err != nil {
			if len(localNote)+len(inNote)+len(NoteMergeSeparator) <= MaxNoteBytes {
				t.Fatalf("merge refused though it fits: %v", err)
			}
			return
		}
		if !strings.Contains(m.Note, localNote) || !strings.Contains(m.Note, inNote) {
			t.Fatalf("merge lost text: local %q + in %q = %q", localNote, inNote, m.Note)
		}
		later := local.StatusAt
		if in.StatusAt.After(later) {
			later = *in.StatusAt
		}
		if !m.StatusAt.Equal(later) {
			t.Fatalf("StatusAt %v, want the later %v", m.StatusAt, later)
		}
		if m.VisitedAt.Before(local.VisitedAt) || m.VisitedAt.Before(*in.VisitedAt) {
			t.Fatalf("VisitedAt %v went back", m.VisitedAt)
		}
		m2, changed, _, err := MergeTopic(m, true, in)
		if err != nil || changed || m2 != m {
			t.Fatalf("second merge changed %+v to %+v (%v)", m, m2, err)
		}
	})
}

func tp(t time.Time) *time.Time { return &t }

// TestApplyReview is the scheduling rule case by case (the conformance suite checks that
// every backend agrees with it through the Store API).
func TestApplyReview(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	later := t0.Add(time.Hour)
	in := func(box, reviews, lapses int) ReviewState {
		return ReviewState{Term: "afd", Box: box, Due: t0.Add(ReviewIntervals[box]), ReviewedAt: t0, Reviews: reviews, Lapses: lapses}
	}
	want := func(box int, at time.Time, reviews, lapses int) ReviewState {
		return ReviewState{Term: "afd", Box: box, Due: at.Add(ReviewIntervals[box]), ReviewedAt: at, Reviews: reviews, Lapses: lapses}
	}
	cases := []struct {
		name   string
		old    ReviewState
		exists bool
		g      ReviewGrade
		now    time.Time
		want   ReviewState
	}{
		{"first again: box 0, no lapse", ReviewState{}, false, GradeAgain, t0, want(0, t0, 1, 0)},
		{"first good: box 1", ReviewState{}, false, GradeGood, t0, want(1, t0, 1, 0)},
		{"first easy: box 2", ReviewState{}, false, GradeEasy, t0, want(2, t0, 1, 0)},
		{"good climbs one box", in(2, 3, 0), true, GradeGood, later, want(3, later, 4, 0)},
		{"easy climbs two boxes", in(2, 3, 0), true, GradeEasy, later, want(4, later, 4, 0)},
		{"good to the last box", in(MaxBox-1, 6, 1), true, GradeGood, later, want(MaxBox, later, 7, 1)},
		{"easy capped at MaxBox", in(MaxBox-1, 6, 1), true, GradeEasy, later, want(MaxBox, later, 7, 1)},
		{"good at MaxBox stays", in(MaxBox, 9, 2), true, GradeGood, later, want(MaxBox, later, 10, 2)},
		{"again after recall: lapse", in(3, 5, 1), true, GradeAgain, later, want(0, later, 6, 2)},
		{"again from MaxBox: lapse", in(MaxBox, 5, 0), true, GradeAgain, later, want(0, later, 6, 1)},
		{"again in box 0: no lapse", in(0, 5, 1), true, GradeAgain, later, want(0, later, 6, 1)},
		{"same instant: bumped", in(1, 1, 0), true, GradeGood, t0, want(2, t0.Add(time.Microsecond), 2, 0)},
		{"clock behind: bumped", in(1, 1, 0), true, GradeAgain, t0.Add(-24 * time.Hour), want(0, t0.Add(time.Microsecond), 2, 1)},
	}
	for _, c := range cases {
		got := applyReview(c.old, c.exists, "afd", c.g, c.now)
		if got != c.want {
			t.Errorf("%s: applyReview = %+v, want %+v", c.name, got, c.want)
		}
	}
	// The schedule itself: each box's interval is longer than the one before.
	for b := 1; b <= MaxBox; b++ {
		if ReviewIntervals[b] <= ReviewIntervals[b-1] {
			t.Errorf("ReviewIntervals[%d] = %v is not longer than box %d's %v", b, ReviewIntervals[b], b-1, ReviewIntervals[b-1])
		}
	}
}

// TestReviewSQLMatchesRule: the SQL side of the rule is generated from, or must agree
// with, the Go constants.
func TestReviewSQLMatchesRule(t *testing.T) {
	for g, step := range map[ReviewGrade]int{GradeAgain: 0, GradeGood: 1, GradeEasy: 2} {
		// The SQL backends move a term from box b to 0 (step 0) or min(b+step, MaxBox).
		for b := 0; b <= MaxBox; b++ {
			wantBox := 0
			if step > 0 {
				wantBox = min(b+step, MaxBox)
			}
			got := applyReview(ReviewState{Term: "t", Box: b, Reviews: 1}, true, "t", g, time.Unix(1e9, 0))
			if reviewStep(g) != step || got.Box != wantBox {
				t.Errorf("grade %s from box %d: step %d, applyReview box %d; want step %d, box %d", g, b, reviewStep(g), got.Box, step, wantBox)
			}
		}
	}
	for _, pg := range []bool{false, true} {
		sql := reviewIntervalSQL("b", pg)
		for b, d := range ReviewIntervals {
			want := fmt.Sprintf("WHEN %d THEN %d", b, d.Microseconds())
			if pg {
				want = fmt.Sprintf("WHEN %d THEN interval '%d microseconds'", b, d.Microseconds())
			}
			if !strings.Contains(sql, want) {
				t.Errorf("reviewIntervalSQL(pg=%v) = %s; lacks %q", pg, sql, want)
			}
		}
	}
	// The migrations' CHECK on box is a literal: it must say MaxBox.
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("CHECK (box BETWEEN 0 AND %d)", MaxBox); !strings.Contains(ms[1].sql, want) {
			t.Errorf("%s migration %s lacks %q", d, ms[1].name, want)
		}
	}
}

func TestMergeReview(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	local := ReviewState{Term: "afd", Box: 3, Due: t0.Add(ReviewIntervals[3]), ReviewedAt: t0, Reviews: 5, Lapses: 1}
	in := func(at time.Time) ExportReview {
		return ExportReview{Term: "afd", Box: 1, Due: at.Add(ReviewIntervals[1]), ReviewedAt: at, Reviews: 2, Lapses: 0}
	}
	inState := func(at time.Time) ReviewState {
		return ReviewState{Term: "afd", Box: 1, Due: at.Add(ReviewIntervals[1]), ReviewedAt: at, Reviews: 2, Lapses: 0}
	}
	for _, c := range []struct {
		name        string
		exists      bool
		at          time.Time
		want        ReviewState
		wantChanged bool
	}{
		{"new term", false, t0.Add(-time.Hour), inState(t0.Add(-time.Hour)), true},
		{"imported later: wins whole", true, t0.Add(time.Microsecond), inState(t0.Add(time.Microsecond)), true},
		{"imported earlier: local stays", true, t0.Add(-time.Microsecond), local, false},
		{"tie: local stays", true, t0, local, false},
	} {
		got, changed := MergeReview(local, c.exists, in(c.at))
		if got != c.want || changed != c.wantChanged {
			t.Errorf("%s: MergeReview = %+v, %v; want %+v, %v", c.name, got, changed, c.want, c.wantChanged)
		}
	}
}
