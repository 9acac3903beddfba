// Package progress stores what a learner has done: anonymous learners identified by a secret,
// per-topic status, notes and visits, lab results, and the export/import of all of it.
//
// One interface (Store), three implementations: in memory (tests), SQLite (the embedded
// default, a file in the data directory) and PostgreSQL (several servers over one database).
// All three pass the same conformance suite (package storetest), so the rules written here —
// PATCH semantics, monotonic timestamps, merge on import — hold for every backend.
//
// Times come from Config.Now, never from the wall clock directly, so tests are deterministic.
// Every stored time is UTC truncated to the microsecond, the resolution PostgreSQL keeps.
package progress

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits enforced by every backend (the web layer may enforce tighter ones).
const (
	// MaxNoteBytes is the largest note, in bytes of UTF-8.
	MaxNoteBytes = 64 << 10
	// MaxImportBytes is the largest import document.
	MaxImportBytes = 5 << 20
	// MaxIDBytes bounds topic ids, lab slugs and exercise ids.
	MaxIDBytes = 200
	// MaxImportItems bounds the topics and the lab results of one import document.
	MaxImportItems = 20000
	// MaxActivity is the most activity entries RecentActivity returns.
	MaxActivity = 500
)

// Errors returned by every Store. Test them with errors.Is.
var (
	// ErrNotFound: no such learner (or no state for that topic of that learner).
	ErrNotFound = errors.New("progress: not found")
	// ErrInvalid: the input breaks a rule; the concrete error is a *ValidationError.
	ErrInvalid = errors.New("progress: invalid input")
)

// ValidationError is input the caller can fix. Field names where the problem is, in the
// notation of the JSON document ("topics[3].status", "note", "(document)").
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("progress: invalid %s: %s", e.Field, e.Message)
}

// Is makes errors.Is(err, ErrInvalid) true for every ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// LearnerID identifies a learner. It is random (not a counter) so that ids leak nothing
// about how many learners exist, and it is never a credential: the Secret is.
type LearnerID string

// Learner is an anonymous learner.
type Learner struct {
	ID              LearnerID
	CreatedAt       time.Time
	SecretRotatedAt time.Time
}

// Status of a topic for a learner.
type Status string

// The four statuses. A topic without stored state is StatusNotStarted.
const (
	StatusNotStarted Status = "not-started"
	StatusLearning   Status = "learning"
	StatusDone       Status = "done"
	StatusSkipped    Status = "skipped"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusNotStarted, StatusLearning, StatusDone, StatusSkipped:
		return true
	}
	return false
}

// TopicState is what is stored for one (learner, topic). Status and note carry their own
// time so that an import can merge them independently.
type TopicState struct {
	TopicID   string
	Status    Status
	StatusAt  time.Time // when Status was last set; zero if never
	Note      string
	NoteAt    time.Time // when Note was last set; zero if never
	VisitedAt time.Time // last visit; zero if never
	UpdatedAt time.Time // last write of any field on this server
	Version   int64     // +1 on every write; lets callers detect concurrent changes
}

// TopicUpdate is a partial update (PATCH semantics): a nil field is left as it is, so a tab
// saving a note never reverts a status set by another tab, and vice versa.
type TopicUpdate struct {
	Status *Status
	Note   *string
	Visit  bool // record a visit now
}

// LabResult is the latest checked result of one exercise of one lab.
type LabResult struct {
	LabSlug       string
	ExerciseID    string
	Passed        bool      // result of the latest check
	At            time.Time // time of the latest check
	FirstPassedAt time.Time // first time it passed; zero if never
}

// ActivityKind says what happened in an Activity entry.
type ActivityKind string

// Kinds of activity.
const (
	ActivityStatus ActivityKind = "status" // a topic's status was set
	ActivityNote   ActivityKind = "note"   // a topic's note was written
	ActivityVisit  ActivityKind = "visit"  // a topic was visited
	ActivityLab    ActivityKind = "lab"    // a lab exercise was checked
)

// Activity is one entry of a learner's recent activity. It is derived from the stored
// state (the latest event of each kind per topic or exercise), not from a separate log, so
// it needs no extra writes and cannot disagree with the state.
type Activity struct {
	Kind       ActivityKind
	At         time.Time
	TopicID    string // status, note, visit
	Status     Status // status
	LabSlug    string // lab
	ExerciseID string // lab
	Passed     bool   // lab
}

// ImportReport says what an import changed.
type ImportReport struct {
	TopicsAdded     int `json:"topics_added"`
	TopicsUpdated   int `json:"topics_updated"`
	TopicsUnchanged int `json:"topics_unchanged"`
	// NotesMerged lists the topics whose local and imported notes both had different text:
	// both were kept, joined by NoteMergeSeparator.
	NotesMerged   []string `json:"notes_merged,omitempty"`
	LabsAdded     int      `json:"labs_added"`
	LabsUpdated   int      `json:"labs_updated"`
	LabsUnchanged int      `json:"labs_unchanged"`
	// Reviews: see MergeReview.
	ReviewsAdded     int `json:"reviews_added"`
	ReviewsUpdated   int `json:"reviews_updated"`
	ReviewsUnchanged int `json:"reviews_unchanged"`
}

// Store is learner state. Every method that takes a LearnerID touches only that learner's
// data; an unknown learner is ErrNotFound. Implementations are safe for concurrent use.
type Store interface {
	// CreateLearner makes an anonymous learner and its secret. Only a hash of the secret is
	// stored: the caller must hand the secret to the learner now or lose it.
	CreateLearner(ctx context.Context) (Learner, Secret, error)
	// LearnerBySecret finds the learner a secret belongs to.
	LearnerBySecret(ctx context.Context, secret Secret) (Learner, error)
	// RotateSecret replaces the learner's secret; the old one stops working at once.
	RotateSecret(ctx context.Context, id LearnerID) (Secret, error)

	// UpdateTopic applies a partial update to one topic and returns the new state.
	UpdateTopic(ctx context.Context, id LearnerID, topicID string, u TopicUpdate) (TopicState, error)
	// Topic returns one topic's state; ErrNotFound if nothing was ever stored for it.
	Topic(ctx context.Context, id LearnerID, topicID string) (TopicState, error)
	// Topics returns every stored topic state of the learner, sorted by topic id (bytewise).
	Topics(ctx context.Context, id LearnerID) ([]TopicState, error)

	// RecordLabResult stores the result of checking one exercise now.
	RecordLabResult(ctx context.Context, id LearnerID, labSlug, exerciseID string, passed bool) (LabResult, error)
	// LabResults returns the learner's lab results sorted by lab slug, then exercise id.
	LabResults(ctx context.Context, id LearnerID) ([]LabResult, error)

	// RecordReview applies one review of a term now (applyReview with the store's clock) and
	// returns the new state. Concurrent reviews of one term are all counted.
	RecordReview(ctx context.Context, id LearnerID, term string, grade ReviewGrade) (ReviewState, error)
	// Reviews returns every review state of the learner, sorted by term (bytewise).
	Reviews(ctx context.Context, id LearnerID) ([]ReviewState, error)

	// RecentActivity returns up to limit entries (1..MaxActivity), newest first; ties are
	// ordered by kind, topic id, lab slug, exercise id.
	RecentActivity(ctx context.Context, id LearnerID, limit int) ([]Activity, error)

	// Export returns all the learner's data as a versioned document.
	Export(ctx context.Context, id LearnerID) (*Export, error)
	// Import merges an export document (JSON) into the learner's data; see MergeTopic,
	// MergeLab and MergeReview for the rules. The whole document is validated before anything is written,
	// and it is applied in one transaction: on any error nothing changes.
	Import(ctx context.Context, id LearnerID, doc []byte) (ImportReport, error)

	// DeleteLearner removes the learner and all its data.
	DeleteLearner(ctx context.Context, id LearnerID) error

	Close() error
}

// Config is what every backend takes.
type Config struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of learner ids and secrets; nil means crypto/rand.Reader.
	Rand io.Reader
}

// base holds what all backends share: the clock and the randomness.
type base struct {
	clock func() time.Time
	rand  io.Reader
}

func newBase(cfg Config) base {
	b := base{clock: cfg.Now, rand: cfg.Rand}
	if b.clock == nil {
		b.clock = time.Now
	}
	if b.rand == nil {
		b.rand = rand.Reader
	}
	return b
}

func (b base) now() time.Time { return normTime(b.clock()) }

// normTime is the form every stored time takes: UTC, microseconds, no monotonic reading.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// bump returns a time for a write that happens now to a field last written at prev: the
// clock, or just after prev if the clock is behind (another server's clock, or a step
// back). A later write thus always carries a later time, which the merge rules rely on.
func bump(now, prev time.Time) time.Time {
	if !prev.IsZero() && !now.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return now
}

func (b base) newLearner() (Learner, Secret, []byte, error) {
	var raw [16]byte
	if _, err := io.ReadFull(b.rand, raw[:]); err != nil {
		return Learner{}, Secret{}, nil, fmt.Errorf("progress: learner id: %w", err)
	}
	sec, err := b.newSecret()
	if err != nil {
		return Learner{}, Secret{}, nil, err
	}
	now := b.now()
	l := Learner{ID: LearnerID(hex.EncodeToString(raw[:])), CreatedAt: now, SecretRotatedAt: now}
	return l, sec, sec.hash(), nil
}

func (b base) newSecret() (Secret, error) {
	var s Secret
	if _, err := io.ReadFull(b.rand, s[:]); err != nil {
		return Secret{}, fmt.Errorf("progress: secret: %w", err)
	}
	return s, nil
}

// Secret is a learner's credential (cookie value and sync key). 160 random bits: far beyond
// guessing even without throttling, and short enough to type as 32 characters. Because it
// has full entropy a plain SHA-256 is a sufficient stored form (no slow KDF is needed, and
// lookup by hash leaks no timing about which secrets exist).
type Secret [20]byte

// Crockford's base32: no I, L, O, U, so what a learner reads is what they can type.
var secretEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// String is the display form: 8 groups of 4 characters joined by hyphens.
func (s Secret) String() string {
	enc := secretEncoding.EncodeToString(s[:])
	var b strings.Builder
	for i := 0; i < len(enc); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(enc[i : i+4])
	}
	return b.String()
}

// ParseSecret reads a secret as a learner may type it: any case, with or without hyphens
// and spaces, with O for 0 and I or L for 1.
func ParseSecret(text string) (Secret, error) {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	norm := b.String()
	if len(norm) != 32 {
		return Secret{}, invalid("secret", "want 32 characters (without hyphens), got %d", utf8.RuneCountInString(norm))
	}
	raw, err := secretEncoding.DecodeString(norm)
	if err != nil {
		return Secret{}, invalid("secret", "not a sync key: %v", err)
	}
	var s Secret
	copy(s[:], raw)
	return s, nil
}

func (s Secret) hash() []byte {
	h := sha256.Sum256(s[:])
	return h[:]
}

// ValidID checks a topic id, lab slug or exercise id: 1..MaxIDBytes bytes of [A-Za-z0-9._/-],
// starting with a letter or digit. Topic ids are the stable ids of the content, so their
// exact form is the content package's business; this only keeps junk out of the database.
func ValidID(field, id string) error {
	if id == "" {
		return invalid(field, "empty")
	}
	if len(id) > MaxIDBytes {
		return invalid(field, "%d bytes; the limit is %d", len(id), MaxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return invalid(field, "%q must start with a letter or digit", id)
		}
		if !alnum && c != '.' && c != '_' && c != '/' && c != '-' {
			return invalid(field, "%q: byte %d (%q) is not one of A-Z a-z 0-9 . _ / -", id, i, c)
		}
	}
	return nil
}

// ValidNote checks a note: at most MaxNoteBytes of valid UTF-8 without NUL (PostgreSQL text
// cannot hold NUL, and the rule must be the same for every backend).
func ValidNote(field, note string) error {
	if len(note) > MaxNoteBytes {
		return invalid(field, "note is %d bytes; the limit is %d (64 KiB)", len(note), MaxNoteBytes)
	}
	if !utf8.ValidString(note) {
		return invalid(field, "note is not valid UTF-8")
	}
	if i := strings.IndexByte(note, 0); i >= 0 {
		return invalid(field, "note contains a NUL byte at offset %d", i)
	}
	return nil
}

func validStatus(field string, s Status) error {
	if !s.Valid() {
		return invalid(field, "unknown status %q (want not-started, learning, done or skipped)", string(s))
	}
	return nil
}

func validateUpdate(topicID string, u TopicUpdate) error {
	if err := ValidID("topic", topicID); err != nil {
		return err
	}
	if u.Status == nil && u.Note == nil && !u.Visit {
		return invalid("update", "nothing to change")
	}
	if u.Status != nil {
		if err := validStatus("status", *u.Status); err != nil {
			return err
		}
	}
	if u.Note != nil {
		if err := ValidNote("note", *u.Note); err != nil {
			return err
		}
	}
	return nil
}

func validateLab(labSlug, exerciseID string) error {
	if err := ValidID("lab", labSlug); err != nil {
		return err
	}
	return ValidID("exercise", exerciseID)
}

func clampLimit(limit int) (int, error) {
	if limit < 1 || limit > MaxActivity {
		return 0, invalid("limit", "%d is outside 1..%d", limit, MaxActivity)
	}
	return limit, nil
}

// applyUpdate is the write rule of UpdateTopic, the reference the SQL statements implement
// (the memory backend uses it directly; the conformance suite checks they agree).
func applyUpdate(old TopicState, exists bool, topicID string, u TopicUpdate, now time.Time) TopicState {
	st := old
	if !exists {
		st = TopicState{TopicID: topicID, Status: StatusNotStarted}
	}
	if u.Status != nil {
		st.Status = *u.Status
		st.StatusAt = bump(now, old.StatusAt)
	}
	if u.Note != nil {
		st.Note = *u.Note
		st.NoteAt = bump(now, old.NoteAt)
	}
	if u.Visit && now.After(st.VisitedAt) {
		st.VisitedAt = now
	}
	st.UpdatedAt = bump(now, old.UpdatedAt)
	st.Version = old.Version + 1
	return st
}

// applyLabResult is the write rule of RecordLabResult.
func applyLabResult(old LabResult, exists bool, labSlug, exerciseID string, passed bool, now time.Time) LabResult {
	r := LabResult{LabSlug: labSlug, ExerciseID: exerciseID, Passed: passed, At: now}
	if exists {
		r.At = bump(now, old.At)
		r.FirstPassedAt = old.FirstPassedAt
	}
	if passed && r.FirstPassedAt.IsZero() {
		r.FirstPassedAt = r.At
	}
	return r
}

// activityOf derives the activity entries of a learner's state, sorted and cut to limit.
func activityOf(topics []TopicState, labs []LabResult, limit int) []Activity {
	var out []Activity
	for _, t := range topics {
		if !t.StatusAt.IsZero() {
			out = append(out, Activity{Kind: ActivityStatus, At: t.StatusAt, TopicID: t.TopicID, Status: t.Status})
		}
		if !t.NoteAt.IsZero() {
			out = append(out, Activity{Kind: ActivityNote, At: t.NoteAt, TopicID: t.TopicID})
		}
		if !t.VisitedAt.IsZero() {
			out = append(out, Activity{Kind: ActivityVisit, At: t.VisitedAt, TopicID: t.TopicID})
		}
	}
	for _, l := range labs {
		out = append(out, Activity{Kind: ActivityLab, At: l.At, LabSlug: l.LabSlug, ExerciseID: l.ExerciseID, Passed: l.Passed})
	}
	sortActivity(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

var (
	errClosed = errors.New("progress: store is closed")
	// errCollision: a fresh random id or secret already exists. With 128 and 160 random bits
	// this means the randomness source is broken, so it is an error, not a retry.
	errCollision = errors.New("progress: random id or secret collided; is the randomness source broken?")
)
