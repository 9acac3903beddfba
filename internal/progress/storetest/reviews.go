package storetest

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"ntatlas/internal/progress"
)

// reviewTests are the spaced-review cases of the suite (Run includes them).
var reviewTests = []struct {
	name string
	f    func(*env)
}{
	{"ReviewSchedule", testReviewSchedule},
	{"ReviewClockBack", testReviewClockBack},
	{"ReviewValidation", testReviewValidation},
	{"ReviewIsolation", testReviewIsolation},
	{"ReviewConcurrent", testReviewConcurrent},
	{"ReviewDelete", testReviewDelete},
	{"ReviewExportRoundTrip", testReviewExportRoundTrip},
	{"ReviewMergeRules", testReviewMergeRules},
	{"ReviewImportValidation", testReviewImportValidation},
}

func (e *env) review(id progress.LearnerID, term string, g progress.ReviewGrade) progress.ReviewState {
	e.t.Helper()
	r, err := e.s.RecordReview(e.ctx, id, term, g)
	if err != nil {
		e.t.Fatalf("RecordReview(%s, %s): %v", term, g, err)
	}
	return r
}

func (e *env) reviews(id progress.LearnerID) []progress.ReviewState {
	e.t.Helper()
	rs, err := e.s.Reviews(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Reviews: %v", err)
	}
	return rs
}

// rs is the state the scheduling rule gives: due is at plus the box's interval.
func rs(term string, box int, at time.Time, reviews, lapses int) progress.ReviewState {
	return progress.ReviewState{Term: term, Box: box, Due: at.Add(progress.ReviewIntervals[box]),
		ReviewedAt: at, Reviews: reviews, Lapses: lapses}
}

// testReviewSchedule walks the Leitner rule: the first grade picks the box, good and easy
// climb one and two boxes up to MaxBox, again drops to box 0 and is a lapse only when the
// term had been recalled (box > 0).
func testReviewSchedule(e *env) {
	t := e.t
	a, _ := e.learner()
	if got := e.reviews(a.ID); len(got) != 0 {
		t.Fatalf("Reviews of a new learner: %+v", got)
	}
	diff(t, "first again", e.review(a.ID, "first-again", progress.GradeAgain), rs("first-again", 0, T0, 1, 0))
	diff(t, "first good", e.review(a.ID, "first-good", progress.GradeGood), rs("first-good", 1, T0, 1, 0))
	diff(t, "first easy", e.review(a.ID, "first-easy", progress.GradeEasy), rs("first-easy", 2, T0, 1, 0))

	at := T0
	step := func(g progress.ReviewGrade, want progress.ReviewState) {
		t.Helper()
		e.clk.Advance(time.Hour)
		at = at.Add(time.Hour)
		want.ReviewedAt, want.Due = at, at.Add(progress.ReviewIntervals[want.Box])
		diff(t, fmt.Sprintf("climb: %s", g), e.review(a.ID, "climb", g), want)
	}
	// A reviewed term that was never recalled: again keeps box 0 and is no lapse.
	step(progress.GradeAgain, progress.ReviewState{Term: "climb", Box: 0, Reviews: 1})
	step(progress.GradeAgain, progress.ReviewState{Term: "climb", Box: 0, Reviews: 2})
	step(progress.GradeGood, progress.ReviewState{Term: "climb", Box: 1, Reviews: 3})
	step(progress.GradeEasy, progress.ReviewState{Term: "climb", Box: 3, Reviews: 4})
	step(progress.GradeGood, progress.ReviewState{Term: "climb", Box: 4, Reviews: 5})
	step(progress.GradeGood, progress.ReviewState{Term: "climb", Box: 5, Reviews: 6})
	// Capped at MaxBox by both grades (5+2 and 6+2 are 6).
	step(progress.GradeEasy, progress.ReviewState{Term: "climb", Box: progress.MaxBox, Reviews: 7})
	step(progress.GradeEasy, progress.ReviewState{Term: "climb", Box: progress.MaxBox, Reviews: 8})
	step(progress.GradeGood, progress.ReviewState{Term: "climb", Box: progress.MaxBox, Reviews: 9})
	// Forgotten after being recalled: back to box 0, one lapse; forgotten again from box 0: none.
	step(progress.GradeAgain, progress.ReviewState{Term: "climb", Box: 0, Reviews: 10, Lapses: 1})
	step(progress.GradeAgain, progress.ReviewState{Term: "climb", Box: 0, Reviews: 11, Lapses: 1})
	step(progress.GradeEasy, progress.ReviewState{Term: "climb", Box: 2, Reviews: 12, Lapses: 1})
	step(progress.GradeAgain, progress.ReviewState{Term: "climb", Box: 0, Reviews: 13, Lapses: 2})
	if progress.MaxBox != 6 {
		t.Fatalf("MaxBox = %d: the climb above (which visits every box) assumes 6", progress.MaxBox)
	}

	// Sorted bytewise: upper case before lower case, and "a-z" before "a/x" ('-' < '/').
	for _, term := range []string{"b", "a/x", "B", "a", "a-z"} {
		e.review(a.ID, term, progress.GradeGood)
	}
	var terms []string
	for _, r := range e.reviews(a.ID) {
		terms = append(terms, r.Term)
	}
	diff(t, "Reviews order", terms, []string{"B", "a", "a-z", "a/x", "b", "climb", "first-again", "first-easy", "first-good"})
	got := e.reviews(a.ID)
	diff(t, "stored climb", got[slices.IndexFunc(got, func(r progress.ReviewState) bool { return r.Term == "climb" })],
		rs("climb", 0, at, 13, 2))

	// The store's clock in another zone, with nanoseconds: stored as UTC microseconds.
	e.clk.SetZone(time.FixedZone("UTC+5", 5*3600))
	e.clk.Advance(1234567 * time.Nanosecond)
	norm := e.clk.Now().UTC().Truncate(time.Microsecond)
	r := e.review(a.ID, "zone", progress.GradeGood)
	diff(t, "review in another zone", r, rs("zone", 1, norm, 1, 0))
	if r.ReviewedAt.Location() != time.UTC || r.Due.Location() != time.UTC {
		t.Fatalf("review times not in UTC: %v %v", r.ReviewedAt, r.Due)
	}
}

// testReviewClockBack: a clock that steps back still gives each review a later time than
// the last one, and due follows from it.
func testReviewClockBack(e *env) {
	t := e.t
	a, _ := e.learner()
	e.review(a.ID, "t", progress.GradeGood)
	e.clk.Advance(-time.Hour)
	diff(t, "review with the clock behind", e.review(a.ID, "t", progress.GradeGood), rs("t", 2, T0.Add(time.Microsecond), 2, 0))
	diff(t, "review at the same instant", e.review(a.ID, "t", progress.GradeAgain), rs("t", 0, T0.Add(2*time.Microsecond), 3, 1))
	// A different term has its own time: the clock's.
	diff(t, "other term", e.review(a.ID, "u", progress.GradeAgain), rs("u", 0, T0.Add(-time.Hour), 1, 0))
}

func testReviewValidation(e *env) {
	t := e.t
	a, _ := e.learner()
	e.review(a.ID, "kept", progress.GradeGood)
	before := e.reviews(a.ID)
	for _, c := range []struct {
		name, term string
		grade      progress.ReviewGrade
		field      string
	}{
		{"empty term", "", progress.GradeGood, "term"},
		{"term with a space", "a b", progress.GradeGood, "term"},
		{"term starting with a dot", ".x", progress.GradeGood, "term"},
		{"term too long", strings.Repeat("t", progress.MaxIDBytes+1), progress.GradeGood, "term"},
		{"unknown grade", "kept", "hard", "grade"},
		{"empty grade", "kept", "", "grade"},
		{"grade in upper case", "kept", "GOOD", "grade"},
	} {
		_, err := e.s.RecordReview(e.ctx, a.ID, c.term, c.grade)
		wantField(t, c.name, err, c.field)
	}
	// Validation comes first: a bad term of an unknown learner is ErrInvalid.
	_, err := e.s.RecordReview(e.ctx, "ffffffffffffffffffffffffffffffff", "", progress.GradeGood)
	wantField(t, "bad term, unknown learner", err, "term")
	diff(t, "reviews after rejected calls", e.reviews(a.ID), before)
	_, err = e.s.RecordReview(e.ctx, "ffffffffffffffffffffffffffffffff", "afd", progress.GradeGood)
	wantErr(t, "RecordReview(unknown learner)", err, progress.ErrNotFound)
	_, err = e.s.Reviews(e.ctx, "ffffffffffffffffffffffffffffffff")
	wantErr(t, "Reviews(unknown learner)", err, progress.ErrNotFound)
}

func testReviewIsolation(e *env) {
	t := e.t
	a, _ := e.learner()
	b, _ := e.learner()
	e.review(a.ID, "shared", progress.GradeEasy)
	e.review(a.ID, "shared", progress.GradeEasy)
	aBefore := e.state(a.ID)
	// B's first review of the same term starts from scratch, not from A's box.
	diff(t, "B's first review", e.review(b.ID, "shared", progress.GradeAgain), rs("shared", 0, T0, 1, 0))
	e.review(b.ID, "only-b", progress.GradeGood)
	diff(t, "A after B's reviews", e.state(a.ID), aBefore)
	diff(t, "B's reviews", e.reviews(b.ID), []progress.ReviewState{rs("only-b", 1, T0, 1, 0), rs("shared", 0, T0, 1, 0)})
	if err := e.s.DeleteLearner(e.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	diff(t, "A after B's deletion", e.state(a.ID), aBefore)
}

// testReviewConcurrent: reviews of one term race (the clock stands still, so every review
// after the first is bumped); none is lost: the counts 1..N each come back once, and each
// review got its own time.
func testReviewConcurrent(e *env) {
	t := e.t
	a, _ := e.learner()
	const writers, each = 8, 5
	var mu sync.Mutex
	var counts []int
	var times []time.Time
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// One writer forgets now and then, so lapses and boxes move too.
				g := progress.GradeGood
				if w == 0 && i%2 == 1 {
					g = progress.GradeAgain
				}
				r, err := e.s.RecordReview(e.ctx, a.ID, "race", g)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				counts = append(counts, r.Reviews)
				times = append(times, r.ReviewedAt)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent RecordReview: %v", err)
	}
	const total = writers * each
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("review counts returned to concurrent writers: %v; want each of 1..%d once", counts, total)
		}
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	for i, at := range times {
		if want := T0.Add(time.Duration(i) * time.Microsecond); !at.Equal(want) {
			t.Fatalf("review %d at %v, want %v (each review one microsecond after the last)", i, at, want)
		}
	}
	got := e.reviews(a.ID)
	if len(got) != 1 || got[0].Reviews != total || !got[0].ReviewedAt.Equal(times[total-1]) ||
		!got[0].Due.Equal(got[0].ReviewedAt.Add(progress.ReviewIntervals[got[0].Box])) || got[0].Lapses > 2 {
		t.Fatalf("after the race: %+v; want %d reviews, the last at %v", got, total, times[total-1])
	}
}

// replayRand yields the same bytes after every Reset, so a deleted learner's id can be
// created again.
type replayRand struct {
	mu  sync.Mutex
	pos int
}

func (r *replayRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range p {
		p[i] = byte(r.pos*7 + 3)
		r.pos++
	}
	return len(p), nil
}

func (r *replayRand) Reset() { r.mu.Lock(); r.pos = 0; r.mu.Unlock() }

var _ io.Reader = (*replayRand)(nil)

// testReviewDelete: deleting a learner deletes its reviews. A learner created again with
// the same id (same randomness) must not inherit them, which it would if rows were left.
func testReviewDelete(e *env) {
	t := e.t
	rnd := &replayRand{}
	s := e.open(progress.Config{Now: e.clk.Now, Rand: rnd})
	a, _, err := s.CreateLearner(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.CreateLearner(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []progress.LearnerID{a.ID, other.ID} {
		if _, err := s.RecordReview(e.ctx, id, "afd", progress.GradeGood); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteLearner(e.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Reviews(e.ctx, a.ID)
	wantErr(t, "Reviews after delete", err, progress.ErrNotFound)
	_, err = s.RecordReview(e.ctx, a.ID, "afd", progress.GradeGood)
	wantErr(t, "RecordReview after delete", err, progress.ErrNotFound)
	rnd.Reset()
	again, _, err := s.CreateLearner(e.ctx)
	if err != nil || again.ID != a.ID {
		t.Fatalf("re-created learner %v, %v; want id %v", again.ID, err, a.ID)
	}
	if got, err := s.Reviews(e.ctx, again.ID); err != nil || len(got) != 0 {
		t.Fatalf("a re-created learner inherits reviews %+v, %v", got, err)
	}
	if got, err := s.Reviews(e.ctx, other.ID); err != nil || len(got) != 1 {
		t.Fatalf("the other learner's reviews after a deletion: %+v, %v", got, err)
	}
}

func testReviewExportRoundTrip(e *env) {
	t := e.t
	a, _ := e.learner()
	e.update(a.ID, "processes", progress.TopicUpdate{Status: st(progress.StatusDone)})
	e.review(a.ID, "resolver-cache", progress.GradeEasy)
	e.clk.Advance(time.Minute)
	e.review(a.ID, "afd", progress.GradeGood)
	e.review(a.ID, "resolver-cache", progress.GradeAgain)
	t1 := T0.Add(time.Minute)
	wantRev := []progress.ExportReview{
		{Term: "afd", Box: 1, Due: t1.Add(24 * time.Hour), ReviewedAt: t1, Reviews: 1},
		{Term: "resolver-cache", Box: 0, Due: t1.Add(10 * time.Minute), ReviewedAt: t1, Reviews: 2, Lapses: 1},
	}
	x := e.export(a.ID)
	diff(t, "exported reviews", x.Reviews, wantRev)
	doc := marshal(t, x)
	if !strings.Contains(string(doc), `"reviews":[{"term":"afd","box":1,"due":"2026-03-02T10:01:00Z","reviewed_at":"2026-03-01T10:01:00Z","reviews":1,"lapses":0}`) {
		t.Fatalf("export JSON of reviews: %s", doc)
	}
	b, _ := e.learner()
	diff(t, "import into an empty learner", e.importDoc(b.ID, doc),
		progress.ImportReport{TopicsAdded: 1, ReviewsAdded: 2})
	diff(t, "imported reviews", e.export(b.ID).Reviews, wantRev)
	diff(t, "second import", e.importDoc(b.ID, doc), progress.ImportReport{TopicsUnchanged: 1, ReviewsUnchanged: 2})
	// Reviewing an imported term goes on from the imported state.
	e.clk.Advance(time.Minute)
	diff(t, "review after import", e.review(b.ID, "afd", progress.GradeGood), rs("afd", 2, T0.Add(2*time.Minute), 2, 0))

	// A learner without reviews exports no "reviews" field at all, as older servers did...
	c, _ := e.learner()
	if raw := string(marshal(t, e.export(c.ID))); strings.Contains(raw, "reviews") {
		t.Fatalf("export without reviews: %s", raw)
	}
	// ...and documents without it (older exports) import and leave the reviews alone.
	old := `{"format":"ntatlas-progress","version":1,"topics":[{"topic":"processes","status":"learning"}],"labs":[]}`
	diff(t, "import of an older export", e.importDoc(b.ID, []byte(old)), progress.ImportReport{TopicsUnchanged: 1})
	if got := e.reviews(b.ID); len(got) != 2 {
		t.Fatalf("reviews after importing a document without any: %+v", got)
	}
	diff(t, "empty reviews list", e.importDoc(c.ID, []byte(`{"format":"ntatlas-progress","version":1,"reviews":[]}`)), progress.ImportReport{})
}

func testReviewMergeRules(e *env) {
	t := e.t
	a, _ := e.learner()
	at := func(m int) time.Time { return T0.Add(time.Duration(m) * time.Minute) }
	set := func(m int, term string, g progress.ReviewGrade) {
		e.clk.Advance(at(m).Sub(e.clk.Now()))
		e.review(a.ID, term, g)
	}
	set(5, "import-newer", progress.GradeEasy)
	set(10, "local-newer", progress.GradeGood)
	set(10, "tie", progress.GradeGood)
	e.clk.Advance(at(60).Sub(e.clk.Now()))
	er := func(term string, box int, m, reviews, lapses int) progress.ExportReview {
		return progress.ExportReview{Term: term, Box: box, Due: at(m).Add(progress.ReviewIntervals[box]), ReviewedAt: at(m),
			Reviews: reviews, Lapses: lapses}
	}
	in := &progress.Export{Format: progress.ExportFormat, Version: 1, Reviews: []progress.ExportReview{
		er("import-newer", 0, 20, 7, 3),
		er("local-newer", 5, 4, 9, 1),
		er("new", 3, 2, 4, 0),
		er("tie", 6, 10, 30, 0),
	}}
	rep := e.importDoc(a.ID, marshal(t, in))
	diff(t, "review merge report", rep, progress.ImportReport{ReviewsAdded: 1, ReviewsUpdated: 1, ReviewsUnchanged: 2})
	want := []progress.ExportReview{
		// The later review wins whole, even though it holds a lower box.
		er("import-newer", 0, 20, 7, 3),
		// The local review is later: kept, although the imported one has more reviews.
		er("local-newer", 1, 10, 1, 0),
		er("new", 3, 2, 4, 0),
		// A tie keeps the local state.
		er("tie", 1, 10, 1, 0),
	}
	diff(t, "merged reviews", e.export(a.ID).Reviews, want)
	rep = e.importDoc(a.ID, marshal(t, e.export(a.ID)))
	diff(t, "self-import report", rep, progress.ImportReport{ReviewsUnchanged: 4})
	diff(t, "reviews after self-import", e.export(a.ID).Reviews, want)
}

func testReviewImportValidation(e *env) {
	t := e.t
	a, _ := e.learner()
	e.update(a.ID, "kept", progress.TopicUpdate{Status: st(progress.StatusDone)})
	e.review(a.ID, "kept", progress.GradeGood)
	e.clk.Advance(time.Hour)
	before := e.state(a.ID)
	// Each document opens with a topic and a review that would change the state: neither may
	// be written when a later entry is bad.
	goodTopic := `{"topic":"kept","status":"skipped","status_at":"2026-03-01T10:30:00Z"}`
	goodReview := `{"term":"kept","box":4,"due":"2026-03-20T10:30:00Z","reviewed_at":"2026-03-01T10:30:00Z","reviews":5,"lapses":1}`
	doc := func(reviews string) string {
		return `{"format":"ntatlas-progress","version":1,"topics":[` + goodTopic + `],"reviews":[` + goodReview + reviews + `]}`
	}
	entry := func(fields map[string]any) string {
		m := map[string]any{"term": "t", "box": 1, "due": "2026-03-02T10:00:00Z", "reviewed_at": "2026-03-01T10:00:00Z", "reviews": 1, "lapses": 0}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return "," + string(b)
	}
	future := T0.Add(time.Hour + 25*time.Hour).Format(time.RFC3339)
	cases := []struct{ name, doc, field string }{
		{"reviews not an array", `{"format":"ntatlas-progress","version":1,"reviews":{}}`, "reviews"},
		{"review not an object", doc(`,"t"`), "reviews[1]"},
		{"unknown field", doc(entry(map[string]any{"ease": 2.5})), "reviews[1].ease"},
		{"missing term", doc(entry(map[string]any{"term": nil})), "reviews[1].term"},
		{"empty term", doc(entry(map[string]any{"term": ""})), "reviews[1].term"},
		{"bad term", doc(entry(map[string]any{"term": "a b"})), "reviews[1].term"},
		{"duplicate term", doc(entry(map[string]any{"term": "kept"})), "reviews[1].term"},
		{"box above MaxBox", doc(entry(map[string]any{"box": progress.MaxBox + 1})), "reviews[1].box"},
		{"negative box", doc(entry(map[string]any{"box": -1})), "reviews[1].box"},
		{"box not an integer", doc(entry(map[string]any{"box": 1.5})), "reviews[1].box"},
		{"box as a string", doc(entry(map[string]any{"box": "1"})), "reviews[1].box"},
		{"missing box", doc(entry(map[string]any{"box": nil})), "reviews[1].box"},
		{"zero reviews", doc(entry(map[string]any{"reviews": 0})), "reviews[1].reviews"},
		{"reviews beyond 32 bits", doc(entry(map[string]any{"reviews": int64(1) << 31, "lapses": 0})), "reviews[1].reviews"},
		{"negative lapses", doc(entry(map[string]any{"lapses": -1})), "reviews[1].lapses"},
		{"more lapses than reviews", doc(entry(map[string]any{"reviews": 2, "lapses": 3})), "reviews[1].lapses"},
		{"null lapses", doc(entry(map[string]any{"lapses": json.RawMessage("null")})), "reviews[1].lapses"},
		{"reviewed_at in the future", doc(entry(map[string]any{"reviewed_at": future, "due": "2030-01-01T00:00:00Z"})), "reviews[1].reviewed_at"},
		{"reviewed_at before 2000", doc(entry(map[string]any{"reviewed_at": "1999-12-31T23:59:59Z"})), "reviews[1].reviewed_at"},
		{"reviewed_at not RFC 3339", doc(entry(map[string]any{"reviewed_at": "yesterday"})), "reviews[1].reviewed_at"},
		{"missing reviewed_at", doc(entry(map[string]any{"reviewed_at": nil})), "reviews[1].reviewed_at"},
		{"due equal to reviewed_at", doc(entry(map[string]any{"due": "2026-03-01T10:00:00Z"})), "reviews[1].due"},
		{"due before reviewed_at", doc(entry(map[string]any{"due": "2026-03-01T09:00:00Z"})), "reviews[1].due"},
		{"due not RFC 3339", doc(entry(map[string]any{"due": "tomorrow"})), "reviews[1].due"},
		{"missing due", doc(entry(map[string]any{"due": nil})), "reviews[1].due"},
	}
	for _, c := range cases {
		_, err := e.s.Import(e.ctx, a.ID, []byte(c.doc))
		wantField(t, c.name, err, c.field)
	}
	diff(t, "state after rejected imports", e.state(a.ID), before)
	// The control: the documents are valid without the bad entry, and one more good entry
	// with a far due (due is not bounded by now, only by reviewed_at) is accepted.
	rep := e.importDoc(a.ID, []byte(doc(entry(map[string]any{"due": "2027-06-01T00:00:00Z", "reviews": 3, "lapses": 3}))))
	diff(t, "control import", rep, progress.ImportReport{TopicsUpdated: 1, ReviewsAdded: 1, ReviewsUpdated: 1})
}
