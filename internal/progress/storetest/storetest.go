// Package storetest is the conformance suite every progress.Store must pass. Backends call
// Run from their tests; the suite owns the clock, so results are deterministic and the
// expected values are exact.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ntatlas/internal/progress"
)

// Opener opens an empty store that uses cfg (the suite's clock). It registers closing and
// removal with t.Cleanup.
type Opener func(t *testing.T, cfg progress.Config) progress.Store

// Clock is a settable clock for tests, safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	zone *time.Location
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zone != nil {
		return c.now.In(c.zone)
	}
	return c.now
}

// SetZone makes Now return times in loc (stores must normalise to UTC).
func (c *Clock) SetZone(loc *time.Location) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.zone = loc
}

// Advance moves the clock by d (which may be negative: clocks step back).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// T0 is where every suite clock starts.
var T0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	s      progress.Store
	clk    *Clock
	ctx    context.Context
	opener Opener
}

func newEnv(t *testing.T, open Opener) *env {
	clk := NewClock(T0)
	return &env{t: t, s: open(t, progress.Config{Now: clk.Now}), clk: clk, ctx: context.Background(), opener: open}
}

// open opens one more empty store, for a test that needs a Config of its own.
func (e *env) open(cfg progress.Config) progress.Store { return e.opener(e.t, cfg) }

func (e *env) learner() (progress.Learner, progress.Secret) {
	e.t.Helper()
	l, sec, err := e.s.CreateLearner(e.ctx)
	if err != nil {
		e.t.Fatalf("CreateLearner: %v", err)
	}
	return l, sec
}

func (e *env) update(id progress.LearnerID, topic string, u progress.TopicUpdate) progress.TopicState {
	e.t.Helper()
	st, err := e.s.UpdateTopic(e.ctx, id, topic, u)
	if err != nil {
		e.t.Fatalf("UpdateTopic(%s, %+v): %v", topic, u, err)
	}
	return st
}

func (e *env) lab(id progress.LearnerID, lab, ex string, passed bool) progress.LabResult {
	e.t.Helper()
	r, err := e.s.RecordLabResult(e.ctx, id, lab, ex, passed)
	if err != nil {
		e.t.Fatalf("RecordLabResult(%s, %s): %v", lab, ex, err)
	}
	return r
}

func (e *env) export(id progress.LearnerID) *progress.Export {
	e.t.Helper()
	x, err := e.s.Export(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Export: %v", err)
	}
	return x
}

func (e *env) importDoc(id progress.LearnerID, doc []byte) progress.ImportReport {
	e.t.Helper()
	r, err := e.s.Import(e.ctx, id, doc)
	if err != nil {
		e.t.Fatalf("Import: %v", err)
	}
	return r
}

// state is everything of a learner except the export time, to compare before and after.
func (e *env) state(id progress.LearnerID) *progress.Export {
	e.t.Helper()
	x := e.export(id)
	x.ExportedAt = time.Time{}
	return x
}

func st(s progress.Status) *progress.Status { return &s }
func str(s string) *string                  { return &s }

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *progress.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, progress.ErrInvalid) {
		t.Fatalf("%s: got error %v, want a ValidationError for %s", what, err, field)
	}
	if ve.Field != field {
		t.Fatalf("%s: error names field %q, want %q (%v)", what, ve.Field, field, err)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// Run runs the whole suite against the stores open makes.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(*env)
	}{
		{"Learners", testLearners},
		{"TopicPatch", testTopicPatch},
		{"MonotonicTime", testMonotonicTime},
		{"TimesNormalised", testTimesNormalised},
		{"Limits", testLimits},
		{"Labs", testLabs},
		{"RecentActivity", testRecentActivity},
		{"ExportRoundTrip", testExportRoundTrip},
		{"MergeRules", testMergeRules},
		{"MergedNoteTooLong", testMergedNoteTooLong},
		{"ImportValidation", testImportValidation},
		{"Delete", testDelete},
		{"Isolation", testIsolation},
		{"ConcurrentSameTopic", testConcurrentSameTopic},
		{"ConcurrentManyWriters", testConcurrentManyWriters},
		{"ConcurrentImportAndUpdates", testConcurrentImportAndUpdates},
	}
	tests = append(tests, reviewTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(newEnv(t, open)) })
	}
}

func testLearners(e *env) {
	t := e.t
	a, secA := e.learner()
	b, secB := e.learner()
	if a.ID == b.ID || secA == secB {
		t.Fatalf("two learners share an id or a secret: %v %v", a.ID, b.ID)
	}
	if len(a.ID) != 32 {
		t.Errorf("learner id %q: want 32 hex characters", a.ID)
	}
	diff(t, "new learner", a, progress.Learner{ID: a.ID, CreatedAt: T0, SecretRotatedAt: T0})
	got, err := e.s.LearnerBySecret(e.ctx, secA)
	if err != nil {
		t.Fatalf("LearnerBySecret: %v", err)
	}
	diff(t, "LearnerBySecret(A)", got, a)
	// The displayed form, typed back in lower case without hyphens, is the same secret.
	typed, err := progress.ParseSecret(strings.ToLower(strings.ReplaceAll(secB.String(), "-", "")))
	if err != nil {
		t.Fatalf("ParseSecret: %v", err)
	}
	if got, err := e.s.LearnerBySecret(e.ctx, typed); err != nil || got.ID != b.ID {
		t.Fatalf("LearnerBySecret(typed B) = %v, %v; want %v", got.ID, err, b.ID)
	}
	var wrong progress.Secret
	copy(wrong[:], secA[:])
	wrong[0] ^= 1
	_, err = e.s.LearnerBySecret(e.ctx, wrong)
	wantErr(t, "LearnerBySecret(wrong)", err, progress.ErrNotFound)

	e.clk.Advance(time.Hour)
	newA, err := e.s.RotateSecret(e.ctx, a.ID)
	if err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	if newA == secA {
		t.Fatal("RotateSecret returned the old secret")
	}
	_, err = e.s.LearnerBySecret(e.ctx, secA)
	wantErr(t, "old secret after rotation", err, progress.ErrNotFound)
	got, err = e.s.LearnerBySecret(e.ctx, newA)
	if err != nil {
		t.Fatalf("LearnerBySecret(new): %v", err)
	}
	diff(t, "rotated learner", got, progress.Learner{ID: a.ID, CreatedAt: T0, SecretRotatedAt: T0.Add(time.Hour)})
	if got, err := e.s.LearnerBySecret(e.ctx, secB); err != nil || got.ID != b.ID {
		t.Fatalf("B's secret after A's rotation: %v, %v", got.ID, err)
	}
	_, err = e.s.RotateSecret(e.ctx, "00000000000000000000000000000000")
	wantErr(t, "RotateSecret(unknown)", err, progress.ErrNotFound)
}

func testTopicPatch(e *env) {
	t := e.t
	a, _ := e.learner()
	const topic = "processes/threads"
	t1 := T0
	got := e.update(a.ID, topic, progress.TopicUpdate{Status: st(progress.StatusDone)})
	diff(t, "after status", got, progress.TopicState{TopicID: topic, Status: progress.StatusDone, StatusAt: t1, UpdatedAt: t1, Version: 1})

	e.clk.Advance(time.Minute)
	t2 := e.clk.Now()
	got = e.update(a.ID, topic, progress.TopicUpdate{Note: str("# Threads\nschedulable units")})
	diff(t, "after note (status untouched)", got, progress.TopicState{TopicID: topic, Status: progress.StatusDone, StatusAt: t1,
		Note: "# Threads\nschedulable units", NoteAt: t2, UpdatedAt: t2, Version: 2})

	e.clk.Advance(time.Minute)
	t3 := e.clk.Now()
	got = e.update(a.ID, topic, progress.TopicUpdate{Visit: true})
	want := progress.TopicState{TopicID: topic, Status: progress.StatusDone, StatusAt: t1,
		Note: "# Threads\nschedulable units", NoteAt: t2, VisitedAt: t3, UpdatedAt: t3, Version: 3}
	diff(t, "after visit", got, want)

	e.clk.Advance(time.Minute)
	t4 := e.clk.Now()
	got = e.update(a.ID, topic, progress.TopicUpdate{Status: st(progress.StatusLearning), Note: str("")})
	want = progress.TopicState{TopicID: topic, Status: progress.StatusLearning, StatusAt: t4,
		NoteAt: t4, VisitedAt: t3, UpdatedAt: t4, Version: 4}
	diff(t, "after status+empty note", got, want)

	one, err := e.s.Topic(e.ctx, a.ID, topic)
	if err != nil {
		t.Fatalf("Topic: %v", err)
	}
	diff(t, "Topic", one, want)
	_, err = e.s.Topic(e.ctx, a.ID, "memory/paging")
	wantErr(t, "Topic(never written)", err, progress.ErrNotFound)

	// A visit to a new topic creates it as not started.
	got = e.update(a.ID, "b", progress.TopicUpdate{Visit: true})
	diff(t, "visit-only new topic", got, progress.TopicState{TopicID: "b", Status: progress.StatusNotStarted, VisitedAt: t4, UpdatedAt: t4, Version: 1})
	e.update(a.ID, "a", progress.TopicUpdate{Status: st(progress.StatusSkipped)})
	all, err := e.s.Topics(e.ctx, a.ID)
	if err != nil {
		t.Fatalf("Topics: %v", err)
	}
	var ids []string
	for _, s := range all {
		ids = append(ids, s.TopicID)
	}
	diff(t, "Topics order (bytewise)", ids, []string{"a", "b", topic})
	diff(t, "Topics entry", all[2], want)

	ghost := progress.LearnerID("ffffffffffffffffffffffffffffffff")
	_, err = e.s.UpdateTopic(e.ctx, ghost, topic, progress.TopicUpdate{Status: st(progress.StatusDone)})
	wantErr(t, "UpdateTopic(unknown learner)", err, progress.ErrNotFound)
	_, err = e.s.Topics(e.ctx, ghost)
	wantErr(t, "Topics(unknown learner)", err, progress.ErrNotFound)
	_, err = e.s.Topic(e.ctx, ghost, topic)
	wantErr(t, "Topic(unknown learner)", err, progress.ErrNotFound)
}

// testMonotonicTime: a write never carries an earlier time than the previous write of the
// same field, even when the clock steps back (another server, NTP), so "newer wins" in a
// merge always means "written later".
func testMonotonicTime(e *env) {
	t := e.t
	a, _ := e.learner()
	first := e.update(a.ID, "x", progress.TopicUpdate{Status: st(progress.StatusLearning), Note: str("n"), Visit: true})
	// Same instant: strictly later by the resolution, 1µs.
	second := e.update(a.ID, "x", progress.TopicUpdate{Status: st(progress.StatusDone)})
	if want := first.StatusAt.Add(time.Microsecond); !second.StatusAt.Equal(want) || !second.UpdatedAt.Equal(want) {
		t.Fatalf("same-instant write: StatusAt %v UpdatedAt %v, want %v", second.StatusAt, second.UpdatedAt, want)
	}
	e.clk.Advance(-time.Hour)
	back := e.update(a.ID, "x", progress.TopicUpdate{Note: str("m"), Visit: true})
	diff(t, "write with the clock an hour back", back, progress.TopicState{TopicID: "x", Status: progress.StatusDone,
		StatusAt: T0.Add(time.Microsecond), Note: "m", NoteAt: T0.Add(time.Microsecond), VisitedAt: T0,
		UpdatedAt: T0.Add(2 * time.Microsecond), Version: 3})

	e.clk.Advance(time.Hour)
	r1 := e.lab(a.ID, "lab", "e", true)
	e.clk.Advance(-time.Minute)
	r2 := e.lab(a.ID, "lab", "e", false)
	diff(t, "lab result with the clock back", r2, progress.LabResult{LabSlug: "lab", ExerciseID: "e", Passed: false,
		At: r1.At.Add(time.Microsecond), FirstPassedAt: r1.At})

	before, err := e.s.LearnerBySecret(e.ctx, mustRotate(e, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(-time.Hour)
	after, err := e.s.LearnerBySecret(e.ctx, mustRotate(e, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !after.SecretRotatedAt.After(before.SecretRotatedAt) {
		t.Fatalf("rotation with the clock back: %v not after %v", after.SecretRotatedAt, before.SecretRotatedAt)
	}
}

func mustRotate(e *env, id progress.LearnerID) progress.Secret {
	e.t.Helper()
	s, err := e.s.RotateSecret(e.ctx, id)
	if err != nil {
		e.t.Fatalf("RotateSecret: %v", err)
	}
	return s
}

// testTimesNormalised: times from a clock in another zone with nanoseconds come back as UTC
// microseconds from every backend.
func testTimesNormalised(e *env) {
	t := e.t
	e.clk.Advance(123456789 * time.Nanosecond)
	e.clk.SetZone(time.FixedZone("UTC+5", 5*3600))
	a, _ := e.learner()
	got := e.update(a.ID, "x", progress.TopicUpdate{Status: st(progress.StatusDone)})
	want := T0.Add(123456 * time.Microsecond)
	if !got.StatusAt.Equal(want) || got.StatusAt.Location() != time.UTC || got.StatusAt.Nanosecond()%1000 != 0 {
		t.Fatalf("StatusAt = %v (%v), want %v in UTC", got.StatusAt, got.StatusAt.Location(), want)
	}
	back, err := e.s.Topic(e.ctx, a.ID, "x")
	if err != nil {
		t.Fatal(err)
	}
	for name, tm := range map[string]time.Time{"StatusAt": back.StatusAt, "UpdatedAt": back.UpdatedAt} {
		if !tm.Equal(want) || tm.Location() != time.UTC {
			t.Errorf("stored %s = %v (%v), want %v UTC", name, tm, tm.Location(), want)
		}
	}
	l, err := e.s.Export(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Learner.CreatedAt.Location() != time.UTC || !l.Learner.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want %v UTC", l.Learner.CreatedAt, want)
	}
}

func testLimits(e *env) {
	t := e.t
	a, _ := e.learner()
	ok := []struct {
		name, topic, note string
	}{
		{"note of exactly 64 KiB", "t1", strings.Repeat("a", progress.MaxNoteBytes)},
		{"64 KiB of 2-byte runes", "t2", strings.Repeat("é", progress.MaxNoteBytes/2)},
		{"topic id of 200 bytes", strings.Repeat("a", progress.MaxIDBytes), "x"},
		{"nested topic id", "diagnostics/event-log/evtx", "x"},
	}
	for _, c := range ok {
		got := e.update(a.ID, c.topic, progress.TopicUpdate{Note: str(c.note)})
		if got.Note != c.note {
			t.Errorf("%s: note not stored intact (%d bytes back)", c.name, len(got.Note))
		}
	}
	before := e.state(a.ID)
	bad := []struct {
		name, topic string
		u           progress.TopicUpdate
		field       string
	}{
		{"note over 64 KiB", "t1", progress.TopicUpdate{Note: str(strings.Repeat("a", progress.MaxNoteBytes+1))}, "note"},
		{"note not UTF-8", "t1", progress.TopicUpdate{Note: str("ok \xff\xfe")}, "note"},
		{"note with NUL", "t1", progress.TopicUpdate{Note: str("a\x00b")}, "note"},
		{"unknown status", "t1", progress.TopicUpdate{Status: st("finished")}, "status"},
		{"empty update", "t1", progress.TopicUpdate{}, "update"},
		{"empty topic id", "", progress.TopicUpdate{Visit: true}, "topic"},
		{"topic id with space", "a b", progress.TopicUpdate{Visit: true}, "topic"},
		{"topic id starting with a dot", "../etc", progress.TopicUpdate{Visit: true}, "topic"},
		{"topic id of 201 bytes", strings.Repeat("a", progress.MaxIDBytes+1), progress.TopicUpdate{Visit: true}, "topic"},
	}
	for _, c := range bad {
		_, err := e.s.UpdateTopic(e.ctx, a.ID, c.topic, c.u)
		wantField(t, c.name, err, c.field)
	}
	_, err := e.s.RecordLabResult(e.ctx, a.ID, "bad lab", "e1", true)
	wantField(t, "lab slug with space", err, "lab")
	_, err = e.s.RecordLabResult(e.ctx, a.ID, "lab", "", true)
	wantField(t, "empty exercise", err, "exercise")
	for _, n := range []int{0, -1, progress.MaxActivity + 1} {
		_, err := e.s.RecentActivity(e.ctx, a.ID, n)
		wantField(t, fmt.Sprintf("RecentActivity limit %d", n), err, "limit")
	}
	diff(t, "state after rejected writes", e.state(a.ID), before)
}

func testLabs(e *env) {
	t := e.t
	a, _ := e.learner()
	got := e.lab(a.ID, "security-acl", "ex1", false)
	diff(t, "first failed check", got, progress.LabResult{LabSlug: "security-acl", ExerciseID: "ex1", At: T0})
	e.clk.Advance(time.Minute)
	t1 := e.clk.Now()
	got = e.lab(a.ID, "security-acl", "ex1", true)
	diff(t, "then passed", got, progress.LabResult{LabSlug: "security-acl", ExerciseID: "ex1", Passed: true, At: t1, FirstPassedAt: t1})
	e.clk.Advance(time.Minute)
	t2 := e.clk.Now()
	got = e.lab(a.ID, "security-acl", "ex1", false)
	ex1 := progress.LabResult{LabSlug: "security-acl", ExerciseID: "ex1", Passed: false, At: t2, FirstPassedAt: t1}
	diff(t, "then failed again: first pass kept", got, ex1)
	e.lab(a.ID, "sddl", "parse-1", true)
	e.lab(a.ID, "security-acl", "ex0", true)
	all, err := e.s.LabResults(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "LabResults", all, []progress.LabResult{
		{LabSlug: "sddl", ExerciseID: "parse-1", Passed: true, At: t2, FirstPassedAt: t2}, // bytewise: "sd" < "se"
		{LabSlug: "security-acl", ExerciseID: "ex0", Passed: true, At: t2, FirstPassedAt: t2},
		ex1,
	})
	_, err = e.s.RecordLabResult(e.ctx, "ffffffffffffffffffffffffffffffff", "sddl", "x", true)
	wantErr(t, "RecordLabResult(unknown learner)", err, progress.ErrNotFound)
	_, err = e.s.LabResults(e.ctx, "ffffffffffffffffffffffffffffffff")
	wantErr(t, "LabResults(unknown learner)", err, progress.ErrNotFound)
}

func testRecentActivity(e *env) {
	t := e.t
	a, _ := e.learner()
	empty, err := e.s.RecentActivity(e.ctx, a.ID, 10)
	if err != nil || len(empty) != 0 {
		t.Fatalf("RecentActivity of a new learner = %v, %v; want none", empty, err)
	}
	at := func(m int) time.Time { return T0.Add(time.Duration(m) * time.Minute) }
	e.update(a.ID, "b", progress.TopicUpdate{Status: st(progress.StatusLearning), Visit: true}) // T0: status b, visit b
	e.clk.Advance(time.Minute)
	e.update(a.ID, "a", progress.TopicUpdate{Note: str("n")}) // 1: note a
	e.clk.Advance(time.Minute)
	e.lab(a.ID, "sddl", "e1", true) // 2
	e.clk.Advance(time.Minute)
	e.update(a.ID, "b", progress.TopicUpdate{Status: st(progress.StatusDone)}) // 3: replaces the status event of b
	e.clk.Advance(time.Minute)
	e.update(a.ID, "a", progress.TopicUpdate{Visit: true}) // 4
	e.lab(a.ID, "access", "e2", false)                     // 4, same instant: "lab" sorts before "visit"
	all := []progress.Activity{
		{Kind: progress.ActivityLab, At: at(4), LabSlug: "access", ExerciseID: "e2"},
		{Kind: progress.ActivityVisit, At: at(4), TopicID: "a"},
		{Kind: progress.ActivityStatus, At: at(3), TopicID: "b", Status: progress.StatusDone},
		{Kind: progress.ActivityLab, At: at(2), LabSlug: "sddl", ExerciseID: "e1", Passed: true},
		{Kind: progress.ActivityNote, At: at(1), TopicID: "a"},
		{Kind: progress.ActivityVisit, At: at(0), TopicID: "b"},
	}
	got, err := e.s.RecentActivity(e.ctx, a.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "RecentActivity", got, all)
	got, err = e.s.RecentActivity(e.ctx, a.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "RecentActivity limit 2", got, all[:2])
	_, err = e.s.RecentActivity(e.ctx, "ffffffffffffffffffffffffffffffff", 5)
	wantErr(t, "RecentActivity(unknown learner)", err, progress.ErrNotFound)
}

func tp(t time.Time) *time.Time { return &t }

func testExportRoundTrip(e *env) {
	t := e.t
	a, _ := e.learner()
	e.update(a.ID, "processes", progress.TopicUpdate{Status: st(progress.StatusDone), Visit: true})
	e.clk.Advance(time.Minute)
	e.update(a.ID, "memory/paging", progress.TopicUpdate{Note: str("PTEs *and* PDEs\n\n- one\n- two")})
	e.lab(a.ID, "sddl", "e1", true)
	e.clk.Advance(time.Minute)
	e.lab(a.ID, "sddl", "e1", false)
	t1, t2 := T0.Add(time.Minute), T0.Add(2*time.Minute)
	want := &progress.Export{
		Format: progress.ExportFormat, Version: progress.ExportVersion, ExportedAt: t2,
		Learner: progress.ExportLearner{ID: a.ID, CreatedAt: T0},
		Topics: []progress.ExportTopic{
			{Topic: "memory/paging", Status: progress.StatusNotStarted, Note: "PTEs *and* PDEs\n\n- one\n- two", NoteAt: tp(t1)},
			{Topic: "processes", Status: progress.StatusDone, StatusAt: tp(T0), VisitedAt: tp(T0)},
		},
		Labs: []progress.ExportLab{{Lab: "sddl", Exercise: "e1", Passed: false, At: t2, FirstPassedAt: tp(t1)}},
	}
	got := e.export(a.ID)
	diff(t, "Export", got, want)
	doc, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.learner()
	rep := e.importDoc(b.ID, doc)
	diff(t, "import report into an empty learner", rep, progress.ImportReport{TopicsAdded: 2, LabsAdded: 1})
	gotB := e.state(b.ID)
	wantB := *want
	wantB.ExportedAt, wantB.Learner = time.Time{}, progress.ExportLearner{ID: b.ID, CreatedAt: t2}
	diff(t, "imported learner's state", gotB, &wantB)
	// Importing the same file again changes nothing.
	rep = e.importDoc(b.ID, doc)
	diff(t, "second import report", rep, progress.ImportReport{TopicsUnchanged: 2, LabsUnchanged: 1})
	diff(t, "state after second import", e.state(b.ID), &wantB)
	one, err := e.s.Topic(e.ctx, b.ID, "processes")
	if err != nil || one.Version != 1 {
		t.Fatalf("version after an unchanged re-import = %d, %v; want 1", one.Version, err)
	}
	// An empty learner exports empty lists, not null.
	c, _ := e.learner()
	raw, err := json.Marshal(e.export(c.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"topics":[]`) || !strings.Contains(string(raw), `"labs":[]`) {
		t.Errorf("empty export %s: want empty lists", raw)
	}
	_, err = e.s.Export(e.ctx, "ffffffffffffffffffffffffffffffff")
	wantErr(t, "Export(unknown learner)", err, progress.ErrNotFound)
	_, err = e.s.Import(e.ctx, "ffffffffffffffffffffffffffffffff", doc)
	wantErr(t, "Import(unknown learner)", err, progress.ErrNotFound)
}

func marshal(t *testing.T, x *progress.Export) []byte {
	t.Helper()
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testMergeRules(e *env) {
	t := e.t
	a, _ := e.learner()
	at := func(m int) time.Time { return T0.Add(time.Duration(m) * time.Minute) }
	set := func(m int, topic string, u progress.TopicUpdate) {
		e.clk.Advance(at(m).Sub(e.clk.Now()))
		e.update(a.ID, topic, u)
	}
	set(0, "note-both", progress.TopicUpdate{Note: str("alpha")})
	set(0, "status-tie", progress.TopicUpdate{Status: st(progress.StatusDone)})
	set(5, "status-local-newer", progress.TopicUpdate{Status: st(progress.StatusDone)})
	set(5, "status-import-newer", progress.TopicUpdate{Status: st(progress.StatusLearning), Visit: true})
	set(10, "note-import-older", progress.TopicUpdate{Note: str("new thoughts")})
	set(10, "note-local-contains", progress.TopicUpdate{Note: str("abc def")})
	set(10, "note-import-contains", progress.TopicUpdate{Note: str("abc")})
	set(10, "note-import-empty", progress.TopicUpdate{Note: str("keep me")})
	set(10, "note-local-empty", progress.TopicUpdate{Status: st(progress.StatusLearning)})
	e.clk.Advance(at(10).Sub(e.clk.Now()))
	e.lab(a.ID, "sddl", "older-import", true)
	e.lab(a.ID, "sddl", "newer-import", true)
	e.clk.Advance(at(60).Sub(e.clk.Now()))

	in := &progress.Export{Format: progress.ExportFormat, Version: progress.ExportVersion, Topics: []progress.ExportTopic{
		{Topic: "new-topic", Status: progress.StatusDone, StatusAt: tp(at(1)), Note: "fresh", NoteAt: tp(at(1))},
		{Topic: "note-both", Status: progress.StatusNotStarted, Note: "beta", NoteAt: tp(at(1))},
		{Topic: "note-import-contains", Status: progress.StatusNotStarted, Note: "abc plus", NoteAt: tp(at(2))},
		{Topic: "note-import-empty", Status: progress.StatusNotStarted, Note: "", NoteAt: tp(at(30))},
		{Topic: "note-import-older", Status: progress.StatusNotStarted, Note: "old thoughts", NoteAt: tp(at(1))},
		{Topic: "note-local-contains", Status: progress.StatusNotStarted, Note: "abc", NoteAt: tp(at(20))},
		{Topic: "note-local-empty", Status: progress.StatusNotStarted, Note: "imported", NoteAt: tp(at(2))},
		{Topic: "status-import-newer", Status: progress.StatusDone, StatusAt: tp(at(6)), VisitedAt: tp(at(4))},
		{Topic: "status-local-newer", Status: progress.StatusSkipped, StatusAt: tp(at(4)), VisitedAt: tp(at(9))},
		{Topic: "status-tie", Status: progress.StatusSkipped, StatusAt: tp(at(0))},
	}, Labs: []progress.ExportLab{
		{Lab: "sddl", Exercise: "brand-new", Passed: false, At: at(3)},
		{Lab: "sddl", Exercise: "newer-import", Passed: false, At: at(20), FirstPassedAt: tp(at(2))},
		{Lab: "sddl", Exercise: "older-import", Passed: false, At: at(5), FirstPassedAt: tp(at(1))},
	}}
	rep := e.importDoc(a.ID, marshal(t, in))
	diff(t, "merge report", rep, progress.ImportReport{
		TopicsAdded: 1, TopicsUpdated: 6, TopicsUnchanged: 3,
		NotesMerged: []string{"note-both", "note-import-older"},
		LabsAdded:   1, LabsUpdated: 2,
	})
	sep := progress.NoteMergeSeparator
	want := []progress.ExportTopic{
		{Topic: "new-topic", Status: progress.StatusDone, StatusAt: tp(at(1)), Note: "fresh", NoteAt: tp(at(1))},
		// Different texts: both kept, older first.
		{Topic: "note-both", Status: progress.StatusNotStarted, Note: "alpha" + sep + "beta", NoteAt: tp(at(1))},
		// The imported text contains the local one: it is the newer version of it.
		{Topic: "note-import-contains", Status: progress.StatusNotStarted, Note: "abc plus", NoteAt: tp(at(10))},
		// An empty imported note never erases text.
		{Topic: "note-import-empty", Status: progress.StatusNotStarted, Note: "keep me", NoteAt: tp(at(10))},
		{Topic: "note-import-older", Status: progress.StatusNotStarted, Note: "old thoughts" + sep + "new thoughts", NoteAt: tp(at(10))},
		// The local text already contains the imported one (an earlier merge): unchanged.
		{Topic: "note-local-contains", Status: progress.StatusNotStarted, Note: "abc def", NoteAt: tp(at(10))},
		{Topic: "note-local-empty", Status: progress.StatusLearning, StatusAt: tp(at(10)), Note: "imported", NoteAt: tp(at(2))},
		// Newer imported status wins; the later visit is kept.
		{Topic: "status-import-newer", Status: progress.StatusDone, StatusAt: tp(at(6)), VisitedAt: tp(at(5))},
		// Older imported status loses, but its later visit is taken.
		{Topic: "status-local-newer", Status: progress.StatusDone, StatusAt: tp(at(5)), VisitedAt: tp(at(9))},
		// A tie keeps the local status.
		{Topic: "status-tie", Status: progress.StatusDone, StatusAt: tp(at(0))},
	}
	got := e.state(a.ID)
	diff(t, "merged topics", got.Topics, want)
	diff(t, "merged labs", got.Labs, []progress.ExportLab{
		{Lab: "sddl", Exercise: "brand-new", Passed: false, At: at(3)},
		// Imported check is later: its result wins; the earlier first pass wins.
		{Lab: "sddl", Exercise: "newer-import", Passed: false, At: at(20), FirstPassedAt: tp(at(2))},
		// Imported check is older: the local result stays; the earlier first pass wins.
		{Lab: "sddl", Exercise: "older-import", Passed: true, At: at(10), FirstPassedAt: tp(at(1))},
	})
	// Merging is idempotent: the same file again, or the merged state itself, changes nothing.
	rep = e.importDoc(a.ID, marshal(t, in))
	diff(t, "re-import report", rep, progress.ImportReport{TopicsUnchanged: 10, LabsUnchanged: 3})
	rep = e.importDoc(a.ID, marshal(t, e.export(a.ID)))
	diff(t, "self-import report", rep, progress.ImportReport{TopicsUnchanged: 10, LabsUnchanged: 3})
	diff(t, "state after re-imports", e.state(a.ID).Topics, want)
	// A merged topic was written once more: its version went up by one, not more.
	one, err := e.s.Topic(e.ctx, a.ID, "note-both")
	if err != nil || one.Version != 2 {
		t.Fatalf("note-both version = %d, %v; want 2", one.Version, err)
	}
}

func testMergedNoteTooLong(e *env) {
	t := e.t
	a, _ := e.learner()
	e.update(a.ID, "aaa", progress.TopicUpdate{Status: st(progress.StatusDone)})
	e.update(a.ID, "big", progress.TopicUpdate{Note: str(strings.Repeat("a", 40<<10))})
	e.clk.Advance(time.Hour)
	before := e.state(a.ID)
	in := &progress.Export{Format: progress.ExportFormat, Version: progress.ExportVersion, Topics: []progress.ExportTopic{
		{Topic: "aaa", Status: progress.StatusSkipped, StatusAt: tp(T0.Add(time.Minute))},
		{Topic: "added", Status: progress.StatusDone},
		{Topic: "big", Status: progress.StatusNotStarted, Note: strings.Repeat("b", 40<<10), NoteAt: tp(T0.Add(time.Minute))},
	}}
	_, err := e.s.Import(e.ctx, a.ID, marshal(t, in))
	wantField(t, "merge over 64 KiB", err, "topics[2].note")
	diff(t, "state after failed merge (topics before the bad one not written)", e.state(a.ID), before)
}

func testImportValidation(e *env) {
	t := e.t
	a, _ := e.learner()
	e.update(a.ID, "kept", progress.TopicUpdate{Status: st(progress.StatusDone), Note: str("mine")})
	e.clk.Advance(time.Hour)
	before := e.state(a.ID)
	// Every document starts with a valid topic that would change the state: it must not be
	// written when a later field is bad.
	good := `{"topic":"kept","status":"skipped","status_at":"2026-03-01T10:30:00Z","note":"theirs"}`
	doc := func(topics, labs string) string {
		return `{"format":"ntatlas-progress","version":1,"topics":[` + good + topics + `],"labs":[` + labs + `]}`
	}
	future := T0.Add(time.Hour + 25*time.Hour).Format(time.RFC3339)
	cases := []struct {
		name, doc, field string
	}{
		{"not JSON", `{"format":`, "(document)"},
		{"array", `[]`, "(document)"},
		{"null", `null`, "(document)"},
		{"trailing data", doc("", "") + ` {}`, "(document)"},
		{"missing format", `{"version":1}`, "format"},
		{"wrong format", `{"format":"other","version":1}`, "format"},
		{"format not a string", `{"format":7,"version":1}`, "format"},
		{"newer version", `{"format":"ntatlas-progress","version":2}`, "version"},
		{"unknown top-level field", `{"format":"ntatlas-progress","version":1,"secret":"x"}`, "secret"},
		{"topics not an array", `{"format":"ntatlas-progress","version":1,"topics":{}}`, "topics"},
		{"unknown status", doc(`,{"topic":"t","status":"finished"}`, ""), "topics[1].status"},
		{"null status", doc(`,{"topic":"t","status":null}`, ""), "topics[1].status"},
		{"missing status", doc(`,{"topic":"t"}`, ""), "topics[1].status"},
		{"unknown topic field", doc(`,{"topic":"t","status":"done","colour":"red"}`, ""), "topics[1].colour"},
		{"bad topic id", doc(`,{"topic":"a b","status":"done"}`, ""), "topics[1].topic"},
		{"duplicate topic", doc(`,{"topic":"kept","status":"done"}`, ""), "topics[1].topic"},
		{"note over 64 KiB", doc(`,{"topic":"t","status":"done","note":"`+strings.Repeat("x", progress.MaxNoteBytes+1)+`"}`, ""), "topics[1].note"},
		{"note with NUL", doc(`,{"topic":"t","status":"done","note":"a\u0000b"}`, ""), "topics[1].note"},
		{"time not RFC 3339", doc(`,{"topic":"t","status":"done","status_at":"yesterday"}`, ""), "topics[1].status_at"},
		{"time in the future", doc(`,{"topic":"t","status":"done","note_at":"`+future+`"}`, ""), "topics[1].note_at"},
		{"time before 2000", doc(`,{"topic":"t","status":"done","visited_at":"1999-12-31T23:59:59Z"}`, ""), "topics[1].visited_at"},
		{"topic not an object", doc(`,"t"`, ""), "topics[1]"},
		{"lab passed not a bool", doc("", `{"lab":"sddl","exercise":"e","passed":"yes","at":"2026-03-01T10:00:00Z"}`), "labs[0].passed"},
		{"lab without at", doc("", `{"lab":"sddl","exercise":"e","passed":true}`), "labs[0].at"},
		{"lab bad exercise", doc("", `{"lab":"sddl","exercise":"","passed":true,"at":"2026-03-01T10:00:00Z"}`), "labs[0].exercise"},
		{"lab first pass after at", doc("", `{"lab":"sddl","exercise":"e","passed":true,"at":"2026-03-01T10:00:00Z","first_passed_at":"2026-03-01T10:00:01Z"}`), "labs[0].first_passed_at"},
		{"duplicate lab exercise", doc("", `{"lab":"sddl","exercise":"e","passed":true,"at":"2026-03-01T10:00:00Z"},{"lab":"sddl","exercise":"e","passed":false,"at":"2026-03-01T10:00:00Z"}`), "labs[1]"},
		{"over 5 MiB", doc("", "") + strings.Repeat(" ", progress.MaxImportBytes), "(document)"},
	}
	for _, c := range cases {
		_, err := e.s.Import(e.ctx, a.ID, []byte(c.doc))
		wantField(t, c.name, err, c.field)
	}
	diff(t, "state after rejected imports", e.state(a.ID), before)
	// The control: the same document without the bad part is accepted and merges.
	rep := e.importDoc(a.ID, []byte(doc("", "")))
	diff(t, "control import", rep, progress.ImportReport{TopicsUpdated: 1, NotesMerged: []string{"kept"}})
}

func testDelete(e *env) {
	t := e.t
	a, secA := e.learner()
	b, secB := e.learner()
	for _, id := range []progress.LearnerID{a.ID, b.ID} {
		e.update(id, "x", progress.TopicUpdate{Status: st(progress.StatusDone), Note: str("n")})
		e.lab(id, "sddl", "e", true)
	}
	bBefore := e.state(b.ID)
	if err := e.s.DeleteLearner(e.ctx, a.ID); err != nil {
		t.Fatalf("DeleteLearner: %v", err)
	}
	_, err := e.s.LearnerBySecret(e.ctx, secA)
	wantErr(t, "secret of a deleted learner", err, progress.ErrNotFound)
	_, err = e.s.Topics(e.ctx, a.ID)
	wantErr(t, "Topics after delete", err, progress.ErrNotFound)
	_, err = e.s.Topic(e.ctx, a.ID, "x")
	wantErr(t, "Topic after delete", err, progress.ErrNotFound)
	_, err = e.s.LabResults(e.ctx, a.ID)
	wantErr(t, "LabResults after delete", err, progress.ErrNotFound)
	_, err = e.s.Export(e.ctx, a.ID)
	wantErr(t, "Export after delete", err, progress.ErrNotFound)
	_, err = e.s.UpdateTopic(e.ctx, a.ID, "x", progress.TopicUpdate{Visit: true})
	wantErr(t, "UpdateTopic after delete", err, progress.ErrNotFound)
	_, err = e.s.RecordLabResult(e.ctx, a.ID, "sddl", "e", true)
	wantErr(t, "RecordLabResult after delete", err, progress.ErrNotFound)
	err = e.s.DeleteLearner(e.ctx, a.ID)
	wantErr(t, "second delete", err, progress.ErrNotFound)
	diff(t, "other learner after delete", e.state(b.ID), bBefore)
	if got, err := e.s.LearnerBySecret(e.ctx, secB); err != nil || got.ID != b.ID {
		t.Fatalf("B's secret after A's deletion: %v, %v", got.ID, err)
	}
}

func testIsolation(e *env) {
	t := e.t
	a, secA := e.learner()
	b, _ := e.learner()
	e.update(a.ID, "shared", progress.TopicUpdate{Status: st(progress.StatusDone), Note: str("A's private note")})
	e.lab(a.ID, "sddl", "e", true)
	aBefore := e.state(a.ID)
	// B writes the same keys, imports, rotates, and is deleted: A sees none of it.
	gotB := e.update(b.ID, "shared", progress.TopicUpdate{Status: st(progress.StatusSkipped), Visit: true})
	if gotB.Version != 1 || gotB.Note != "" {
		t.Fatalf("B's first write to a topic A has: %+v (sees A's row)", gotB)
	}
	e.lab(b.ID, "sddl", "e", false)
	e.importDoc(b.ID, marshal(t, &progress.Export{Format: progress.ExportFormat, Version: 1, Topics: []progress.ExportTopic{
		{Topic: "shared", Status: progress.StatusLearning, StatusAt: tp(T0.Add(time.Minute)), Note: "B's note", NoteAt: tp(T0)},
		{Topic: "only-b", Status: progress.StatusDone},
	}}))
	mustRotate(e, b.ID)
	diff(t, "A after B's writes", e.state(a.ID), aBefore)
	xb := e.export(b.ID)
	if raw := string(marshal(t, xb)); strings.Contains(raw, "A's private note") || strings.Contains(raw, string(a.ID)) {
		t.Fatalf("B's export leaks A's data: %s", raw)
	}
	if got, err := e.s.LearnerBySecret(e.ctx, secA); err != nil || got.ID != a.ID {
		t.Fatalf("A's secret after B's rotation: %v, %v", got.ID, err)
	}
	acts, err := e.s.RecentActivity(e.ctx, a.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range acts {
		if act.TopicID == "only-b" || (act.Kind == progress.ActivityLab && !act.Passed) {
			t.Fatalf("A's activity shows B's event %+v", act)
		}
	}
	if err := e.s.DeleteLearner(e.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	diff(t, "A after B's deletion", e.state(a.ID), aBefore)
}

// testConcurrentSameTopic: writers race on one topic, each owning one field. No write may
// be lost: every write gets a distinct version 1..N, and each field ends with its owner's
// last value.
func testConcurrentSameTopic(e *env) {
	t := e.t
	a, _ := e.learner()
	const perWriter = 20
	const visitors = 3
	statuses := []progress.Status{progress.StatusLearning, progress.StatusDone, progress.StatusSkipped}
	var mu sync.Mutex
	var versions []int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	run := func(u func(i int) progress.TopicUpdate) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				s, err := e.s.UpdateTopic(e.ctx, a.ID, "race", u(i))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				versions = append(versions, s.Version)
				mu.Unlock()
			}
		}()
	}
	run(func(i int) progress.TopicUpdate { return progress.TopicUpdate{Status: st(statuses[i%3])} })
	run(func(i int) progress.TopicUpdate { return progress.TopicUpdate{Note: str(fmt.Sprintf("note %d", i))} })
	for range visitors {
		run(func(int) progress.TopicUpdate { return progress.TopicUpdate{Visit: true} })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent UpdateTopic: %v", err)
	}
	total := perWriter * (2 + visitors)
	slices.Sort(versions)
	for i, v := range versions {
		if v != int64(i+1) {
			t.Fatalf("versions returned to concurrent writers: %v; want each of 1..%d once", versions, total)
		}
	}
	got, err := e.s.Topic(e.ctx, a.ID, "race")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != int64(total) || got.Status != statuses[(perWriter-1)%3] || got.Note != fmt.Sprintf("note %d", perWriter-1) {
		t.Fatalf("after the race: version %d status %s note %q; want %d %s %q", got.Version, got.Status, got.Note,
			total, statuses[(perWriter-1)%3], fmt.Sprintf("note %d", perWriter-1))
	}
}

// testConcurrentManyWriters: many learners, topics and lab results written at once; every
// one is there afterwards.
func testConcurrentManyWriters(e *env) {
	t := e.t
	const learners, topics = 6, 15
	ids := make([]progress.LearnerID, learners)
	secrets := make([]progress.Secret, learners)
	var wg sync.WaitGroup
	errs := make(chan error, learners*2)
	for i := range learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, sec, err := e.s.CreateLearner(e.ctx)
			if err != nil {
				errs <- err
				return
			}
			ids[i], secrets[i] = l.ID, sec
			for j := range topics {
				if _, err := e.s.UpdateTopic(e.ctx, l.ID, fmt.Sprintf("t%02d", j), progress.TopicUpdate{Status: st(progress.StatusDone), Note: str(fmt.Sprintf("%d/%d", i, j))}); err != nil {
					errs <- err
					return
				}
				if _, err := e.s.RecordLabResult(e.ctx, l.ID, "lab", fmt.Sprintf("e%02d", j), j%2 == 0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent writer: %v", err)
	}
	for i, id := range ids {
		if l, err := e.s.LearnerBySecret(e.ctx, secrets[i]); err != nil || l.ID != id {
			t.Fatalf("learner %d by secret: %v, %v", i, l.ID, err)
		}
		x := e.export(id)
		if len(x.Topics) != topics || len(x.Labs) != topics {
			t.Fatalf("learner %d: %d topics and %d labs, want %d each", i, len(x.Topics), len(x.Labs), topics)
		}
		for j, tp := range x.Topics {
			if tp.Note != fmt.Sprintf("%d/%d", i, j) || tp.Status != progress.StatusDone {
				t.Fatalf("learner %d topic %s: %+v", i, tp.Topic, tp)
			}
		}
	}
}

// testConcurrentImportAndUpdates: an import and live writes to the same learner (some to
// the same topics) interleave; both sides' writes survive.
func testConcurrentImportAndUpdates(e *env) {
	t := e.t
	a, _ := e.learner()
	const n = 15
	in := &progress.Export{Format: progress.ExportFormat, Version: 1}
	for i := range n {
		in.Topics = append(in.Topics, progress.ExportTopic{Topic: fmt.Sprintf("imp%02d", i), Status: progress.StatusDone,
			StatusAt: tp(T0.Add(-time.Hour)), Note: fmt.Sprintf("imported %d", i), NoteAt: tp(T0.Add(-time.Hour))})
	}
	doc := marshal(t, in)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 3 {
			if _, err := e.s.Import(e.ctx, a.ID, doc); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := range n {
			// The same topics the import writes, and topics of its own.
			for _, topic := range []string{fmt.Sprintf("imp%02d", i), fmt.Sprintf("live%02d", i)} {
				if _, err := e.s.UpdateTopic(e.ctx, a.ID, topic, progress.TopicUpdate{Visit: true}); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent import/update: %v", err)
	}
	all, err := e.s.Topics(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2*n {
		t.Fatalf("%d topics after the race, want %d", len(all), 2*n)
	}
	for _, s := range all {
		if s.VisitedAt.IsZero() {
			t.Errorf("topic %s lost its live visit: %+v", s.TopicID, s)
		}
		if strings.HasPrefix(s.TopicID, "imp") && (s.Status != progress.StatusDone || !strings.HasPrefix(s.Note, "imported ")) {
			t.Errorf("topic %s lost its imported state: %+v", s.TopicID, s)
		}
	}
}
