package progress

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The export document's identity. Version changes when a reader of the old version would
// misread the new one; importers refuse versions they do not know. Adding an optional
// field is not such a change: "reviews" came later and is still version 1, because a
// document without it means "no reviews" to this reader, and a reader from before it
// refuses the unknown field outright rather than misreading the document.
const (
	ExportFormat  = "ntatlas-progress"
	ExportVersion = 1
)

// NoteMergeSeparator joins two different notes of one topic on import (a Markdown rule).
const NoteMergeSeparator = "\n\n---\n\n"

// maxClockSkew is how far in the future an imported time may be: enough for devices whose
// clocks are off, not enough to make an imported status win every later merge.
const maxClockSkew = 24 * time.Hour

// minTime is the earliest time an import may carry: older is certainly garbage.
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Export is all the data of one learner (format "ntatlas-progress", version 1). The secret
// is not in it: an export file is not a credential.
type Export struct {
	Format     string        `json:"format"`
	Version    int           `json:"version"`
	ExportedAt time.Time     `json:"exported_at"`
	Learner    ExportLearner `json:"learner"`
	Topics     []ExportTopic `json:"topics"`
	Labs       []ExportLab   `json:"labs"`
	// Reviews is optional (absent in older exports, and when there are none): see ExportVersion.
	Reviews []ExportReview `json:"reviews,omitempty"`
}

// ExportLearner describes the learner the export came from (informative; import ignores it).
type ExportLearner struct {
	ID        LearnerID `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportTopic is one topic's state. Absent times mean "never".
type ExportTopic struct {
	Topic     string     `json:"topic"`
	Status    Status     `json:"status"`
	StatusAt  *time.Time `json:"status_at,omitempty"`
	Note      string     `json:"note,omitempty"`
	NoteAt    *time.Time `json:"note_at,omitempty"`
	VisitedAt *time.Time `json:"visited_at,omitempty"`
}

// ExportLab is one exercise's latest result.
type ExportLab struct {
	Lab           string     `json:"lab"`
	Exercise      string     `json:"exercise"`
	Passed        bool       `json:"passed"`
	At            time.Time  `json:"at"`
	FirstPassedAt *time.Time `json:"first_passed_at,omitempty"`
}

// ExportReview is one key term's spaced-review state: ReviewState with JSON names (the
// fields match one to one, so the two convert into each other).
type ExportReview struct {
	Term       string    `json:"term"`
	Box        int       `json:"box"`
	Due        time.Time `json:"due"`
	ReviewedAt time.Time `json:"reviewed_at"`
	Reviews    int       `json:"reviews"`
	Lapses     int       `json:"lapses"`
}

// maxReviews bounds an imported review count: the SQL columns are 32-bit integers.
const maxReviews = 1<<31 - 1

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// buildExport assembles the document from a learner's state (already sorted).
func buildExport(l Learner, topics []TopicState, labs []LabResult, reviews []ReviewState, now time.Time) *Export {
	e := &Export{
		Format: ExportFormat, Version: ExportVersion, ExportedAt: now,
		Learner: ExportLearner{ID: l.ID, CreatedAt: l.CreatedAt},
		Topics:  make([]ExportTopic, 0, len(topics)),
		Labs:    make([]ExportLab, 0, len(labs)),
	}
	for _, t := range topics {
		e.Topics = append(e.Topics, ExportTopic{
			Topic: t.TopicID, Status: t.Status, StatusAt: timePtr(t.StatusAt),
			Note: t.Note, NoteAt: timePtr(t.NoteAt), VisitedAt: timePtr(t.VisitedAt),
		})
	}
	for _, r := range labs {
		e.Labs = append(e.Labs, ExportLab{
			Lab: r.LabSlug, Exercise: r.ExerciseID, Passed: r.Passed, At: r.At,
			FirstPassedAt: timePtr(r.FirstPassedAt),
		})
	}
	for _, r := range reviews {
		e.Reviews = append(e.Reviews, ExportReview(r))
	}
	return e
}

// ParseExport decodes and validates an export document completely: every field is checked
// before the caller writes anything. now bounds how far in the future a time may be. The
// error is a *ValidationError naming the field ("topics[2].status_at").
func ParseExport(doc []byte, now time.Time) (*Export, error) {
	if len(doc) > MaxImportBytes {
		return nil, invalid("(document)", "import is %d bytes; the limit is %d (5 MiB)", len(doc), MaxImportBytes)
	}
	p := parser{now: now}
	top, err := p.object("(document)", doc, map[string]bool{
		"format": true, "version": true, "exported_at": false, "learner": false, "topics": false, "labs": false, "reviews": false,
	})
	if err != nil {
		return nil, err
	}
	e := &Export{Topics: []ExportTopic{}, Labs: []ExportLab{}}
	if err := p.value("format", top["format"], &e.Format); err != nil {
		return nil, err
	}
	if e.Format != ExportFormat {
		return nil, invalid("format", "%q is not %q", e.Format, ExportFormat)
	}
	if err := p.value("version", top["version"], &e.Version); err != nil {
		return nil, err
	}
	if e.Version != ExportVersion {
		return nil, invalid("version", "unsupported version %d (this server reads version %d)", e.Version, ExportVersion)
	}
	if raw, ok := top["exported_at"]; ok {
		t, err := p.anyTime("exported_at", raw)
		if err != nil {
			return nil, err
		}
		e.ExportedAt = t
	}
	if raw, ok := top["learner"]; ok {
		l, err := p.object("learner", raw, map[string]bool{"id": false, "created_at": false})
		if err != nil {
			return nil, err
		}
		if raw, ok := l["id"]; ok {
			if err := p.value("learner.id", raw, &e.Learner.ID); err != nil {
				return nil, err
			}
		}
		if raw, ok := l["created_at"]; ok {
			if e.Learner.CreatedAt, err = p.anyTime("learner.created_at", raw); err != nil {
				return nil, err
			}
		}
	}
	if raw, ok := top["topics"]; ok {
		if e.Topics, err = p.topics(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := top["labs"]; ok {
		if e.Labs, err = p.labs(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := top["reviews"]; ok {
		if e.Reviews, err = p.reviews(raw); err != nil {
			return nil, err
		}
	}
	return e, nil
}

type parser struct{ now time.Time }

// object decodes a JSON object, refusing unknown keys and requiring the keys marked true.
func (p parser) object(field string, raw []byte, keys map[string]bool) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := strictUnmarshal(raw, &m); err != nil || m == nil {
		return nil, jsonError(field, "object", err)
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names) // report the same unknown key every time
	for _, k := range names {
		if _, ok := keys[k]; !ok {
			return nil, invalid(join(field, k), "unknown field")
		}
	}
	req := make([]string, 0, len(keys))
	for k, must := range keys {
		if must {
			req = append(req, k)
		}
	}
	slices.Sort(req)
	for _, k := range req {
		if _, ok := m[k]; !ok {
			return nil, invalid(join(field, k), "missing")
		}
	}
	return m, nil
}

func join(parent, key string) string {
	if key == "" {
		key = `""`
	}
	if parent == "(document)" {
		return key
	}
	return parent + "." + key
}

func (p parser) value(field string, raw []byte, v any) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return invalid(field, "null is not allowed")
	}
	if err := strictUnmarshal(raw, v); err != nil {
		return jsonError(field, fmt.Sprintf("%T", v)[1:], err)
	}
	return nil
}

// anyTime decodes an RFC 3339 time that is informative only (no range).
func (p parser) anyTime(field string, raw []byte) (time.Time, error) {
	var s string
	if err := p.value(field, raw, &s); err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not an RFC 3339 time", s)
	}
	return normTime(t), nil
}

// time decodes an RFC 3339 time between 2000 and now+maxClockSkew: the times that take
// part in merges, where a far-future time would win every later merge.
func (p parser) time(field string, raw []byte) (time.Time, error) {
	t, err := p.anyTime(field, raw)
	if err != nil {
		return time.Time{}, err
	}
	s := t.Format(time.RFC3339Nano)
	if t.Before(minTime) {
		return time.Time{}, invalid(field, "%s is before 2000", s)
	}
	if t.After(p.now.Add(maxClockSkew)) {
		return time.Time{}, invalid(field, "%s is in the future", s)
	}
	return t, nil
}

func (p parser) optTime(field string, m map[string]json.RawMessage, key string) (*time.Time, error) {
	raw, ok := m[key]
	if !ok {
		return nil, nil
	}
	t, err := p.time(field+"."+key, raw)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (p parser) array(field string, raw []byte) ([]json.RawMessage, error) {
	var a []json.RawMessage // null reads as empty: encoders write nil slices that way
	if err := strictUnmarshal(raw, &a); err != nil {
		return nil, jsonError(field, "array", err)
	}
	if len(a) > MaxImportItems {
		return nil, invalid(field, "%d entries; the limit is %d", len(a), MaxImportItems)
	}
	return a, nil
}

func (p parser) topics(raw []byte) ([]ExportTopic, error) {
	items, err := p.array("topics", raw)
	if err != nil {
		return nil, err
	}
	out := make([]ExportTopic, 0, len(items))
	seen := make(map[string]int, len(items))
	for i, item := range items {
		f := fmt.Sprintf("topics[%d]", i)
		m, err := p.object(f, item, map[string]bool{
			"topic": true, "status": true, "status_at": false, "note": false, "note_at": false, "visited_at": false,
		})
		if err != nil {
			return nil, err
		}
		var t ExportTopic
		if err := p.value(f+".topic", m["topic"], &t.Topic); err != nil {
			return nil, err
		}
		if err := ValidID(f+".topic", t.Topic); err != nil {
			return nil, err
		}
		if j, dup := seen[t.Topic]; dup {
			return nil, invalid(f+".topic", "%q already appears in topics[%d]", t.Topic, j)
		}
		seen[t.Topic] = i
		if err := p.value(f+".status", m["status"], &t.Status); err != nil {
			return nil, err
		}
		if err := validStatus(f+".status", t.Status); err != nil {
			return nil, err
		}
		if raw, ok := m["note"]; ok {
			if err := p.value(f+".note", raw, &t.Note); err != nil {
				return nil, err
			}
			if err := ValidNote(f+".note", t.Note); err != nil {
				return nil, err
			}
		}
		if t.StatusAt, err = p.optTime(f, m, "status_at"); err != nil {
			return nil, err
		}
		if t.NoteAt, err = p.optTime(f, m, "note_at"); err != nil {
			return nil, err
		}
		if t.VisitedAt, err = p.optTime(f, m, "visited_at"); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (p parser) labs(raw []byte) ([]ExportLab, error) {
	items, err := p.array("labs", raw)
	if err != nil {
		return nil, err
	}
	out := make([]ExportLab, 0, len(items))
	seen := make(map[[2]string]int, len(items))
	for i, item := range items {
		f := fmt.Sprintf("labs[%d]", i)
		m, err := p.object(f, item, map[string]bool{
			"lab": true, "exercise": true, "passed": true, "at": true, "first_passed_at": false,
		})
		if err != nil {
			return nil, err
		}
		var l ExportLab
		if err := p.value(f+".lab", m["lab"], &l.Lab); err != nil {
			return nil, err
		}
		if err := ValidID(f+".lab", l.Lab); err != nil {
			return nil, err
		}
		if err := p.value(f+".exercise", m["exercise"], &l.Exercise); err != nil {
			return nil, err
		}
		if err := ValidID(f+".exercise", l.Exercise); err != nil {
			return nil, err
		}
		key := [2]string{l.Lab, l.Exercise}
		if j, dup := seen[key]; dup {
			return nil, invalid(f, "lab %q exercise %q already appears in labs[%d]", l.Lab, l.Exercise, j)
		}
		seen[key] = i
		if err := p.value(f+".passed", m["passed"], &l.Passed); err != nil {
			return nil, err
		}
		if l.At, err = p.time(f+".at", m["at"]); err != nil {
			return nil, err
		}
		if l.FirstPassedAt, err = p.optTime(f, m, "first_passed_at"); err != nil {
			return nil, err
		}
		if l.FirstPassedAt != nil && l.FirstPassedAt.After(l.At) {
			return nil, invalid(f+".first_passed_at", "is after at")
		}
		if l.Passed && l.FirstPassedAt == nil {
			// The latest check passed, so it passed at least then.
			l.FirstPassedAt = &l.At
		}
		out = append(out, l)
	}
	return out, nil
}

func (p parser) reviews(raw []byte) ([]ExportReview, error) {
	items, err := p.array("reviews", raw)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nil // as Export writes "no reviews", so a round trip is exact
	}
	out := make([]ExportReview, 0, len(items))
	seen := make(map[string]int, len(items))
	for i, item := range items {
		f := fmt.Sprintf("reviews[%d]", i)
		m, err := p.object(f, item, map[string]bool{
			"term": true, "box": true, "due": true, "reviewed_at": true, "reviews": true, "lapses": true,
		})
		if err != nil {
			return nil, err
		}
		var r ExportReview
		if err := p.value(f+".term", m["term"], &r.Term); err != nil {
			return nil, err
		}
		if err := ValidID(f+".term", r.Term); err != nil {
			return nil, err
		}
		if j, dup := seen[r.Term]; dup {
			return nil, invalid(f+".term", "%q already appears in reviews[%d]", r.Term, j)
		}
		seen[r.Term] = i
		if err := p.value(f+".box", m["box"], &r.Box); err != nil {
			return nil, err
		}
		if r.Box < 0 || r.Box > MaxBox {
			return nil, invalid(f+".box", "%d is outside 0..%d", r.Box, MaxBox)
		}
		if r.ReviewedAt, err = p.time(f+".reviewed_at", m["reviewed_at"]); err != nil {
			return nil, err
		}
		// due is not bounded by now: it is meant to be in the future. It only has to follow
		// the review it was scheduled by.
		if r.Due, err = p.anyTime(f+".due", m["due"]); err != nil {
			return nil, err
		}
		if !r.Due.After(r.ReviewedAt) {
			return nil, invalid(f+".due", "is not after reviewed_at")
		}
		if err := p.value(f+".reviews", m["reviews"], &r.Reviews); err != nil {
			return nil, err
		}
		if r.Reviews < 1 || r.Reviews > maxReviews {
			return nil, invalid(f+".reviews", "%d is outside 1..%d", r.Reviews, maxReviews)
		}
		if err := p.value(f+".lapses", m["lapses"], &r.Lapses); err != nil {
			return nil, err
		}
		if r.Lapses < 0 || r.Lapses > r.Reviews {
			return nil, invalid(f+".lapses", "%d is outside 0..reviews (%d)", r.Lapses, r.Reviews)
		}
		out = append(out, r)
	}
	return out, nil
}

func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("data after the JSON value")
	}
	return nil
}

func jsonError(field, want string, err error) error {
	var syn *json.SyntaxError
	switch {
	case err == nil:
		return invalid(field, "want a JSON %s, got null", want)
	case errors.As(err, &syn):
		return invalid(field, "JSON syntax error at offset %d: %v", syn.Offset, err)
	case strings.Contains(err.Error(), "cannot unmarshal"):
		return invalid(field, "want a JSON %s: %v", want, err)
	}
	return invalid(field, "%v", err)
}

// MergeTopic is the import rule for one topic: local is the stored state (exists false if
// none), in the imported one. It returns the merged state and whether it differs from local.
// Nothing is silently lost:
//   - status: the one set later (StatusAt) wins; on a tie the local one stays.
//   - note: equal texts stay; an empty imported note never erases text; an empty local note
//     takes the imported one; if one text contains the other, the longer stays (so importing
//     the same file twice, or a file that already holds a merge, changes nothing); otherwise
//     both are kept, older first, joined by NoteMergeSeparator, and notesMerged is true.
//     NoteAt becomes the later of the two.
//   - visited: the later visit.
//
// A merged note longer than MaxNoteBytes is an error (the caller names the field): cutting
// either note would lose text.
func MergeTopic(local TopicState, exists bool, in ExportTopic) (merged TopicState, changed, notesMerged bool, err error) {
	inSt := TopicState{
		TopicID: in.Topic, Status: in.Status, StatusAt: derefTime(in.StatusAt),
		Note: in.Note, NoteAt: derefTime(in.NoteAt), VisitedAt: derefTime(in.VisitedAt),
	}
	if !exists {
		return inSt, true, false, nil
	}
	m := local
	if inSt.StatusAt.After(local.StatusAt) {
		m.Status, m.StatusAt = inSt.Status, inSt.StatusAt
	}
	laterNoteAt := local.NoteAt
	if inSt.NoteAt.After(laterNoteAt) {
		laterNoteAt = inSt.NoteAt
	}
	switch {
	case inSt.Note == local.Note:
		m.NoteAt = laterNoteAt
	case inSt.Note == "" || strings.Contains(local.Note, inSt.Note):
		// Keep the local text; its time stays, the imported (older or emptier) text adds nothing.
	case local.Note == "" || strings.Contains(inSt.Note, local.Note):
		m.Note, m.NoteAt = inSt.Note, laterNoteAt
	default:
		first, second := local.Note, inSt.Note
		if inSt.NoteAt.Before(local.NoteAt) {
			first, second = inSt.Note, local.Note
		}
		m.Note = first + NoteMergeSeparator + second
		m.NoteAt = laterNoteAt
		notesMerged = true
		if len(m.Note) > MaxNoteBytes {
			return local, false, false, fmt.Errorf("merged note is %d bytes; the limit is %d (64 KiB): shorten the local or the imported note", len(m.Note), MaxNoteBytes)
		}
	}
	if inSt.VisitedAt.After(m.VisitedAt) {
		m.VisitedAt = inSt.VisitedAt
	}
	changed = m.Status != local.Status || !m.StatusAt.Equal(local.StatusAt) || m.Note != local.Note ||
		!m.NoteAt.Equal(local.NoteAt) || !m.VisitedAt.Equal(local.VisitedAt)
	return m, changed, notesMerged, nil
}

// MergeLab is the import rule for one exercise: the later check (At) gives the latest
// result (a tie keeps local), and FirstPassedAt is the earlier of the two.
func MergeLab(local LabResult, exists bool, in ExportLab) (merged LabResult, changed bool) {
	inR := LabResult{LabSlug: in.Lab, ExerciseID: in.Exercise, Passed: in.Passed, At: in.At, FirstPassedAt: derefTime(in.FirstPassedAt)}
	if !exists {
		return inR, true
	}
	m := local
	if inR.At.After(local.At) {
		m.Passed, m.At = inR.Passed, inR.At
	}
	if !inR.FirstPassedAt.IsZero() && (m.FirstPassedAt.IsZero() || inR.FirstPassedAt.Before(m.FirstPassedAt)) {
		m.FirstPassedAt = inR.FirstPassedAt
	}
	changed = m.Passed != local.Passed || !m.At.Equal(local.At) || !m.FirstPassedAt.Equal(local.FirstPassedAt)
	return m, changed
}

// MergeReview is the import rule for one term: the state of the later review (ReviewedAt)
// wins whole (box, due and counts belong together, so they are not mixed); a tie keeps local.
func MergeReview(local ReviewState, exists bool, in ExportReview) (merged ReviewState, changed bool) {
	inSt := ReviewState(in)
	if !exists {
		return inSt, true
	}
	if inSt.ReviewedAt.After(local.ReviewedAt) {
		return inSt, true
	}
	return local, false
}

// importPlan is a validated import merged against the current state, ready to write.
type importPlan struct {
	topics  []TopicState // rows to write, with the version they must end with
	newTop  []bool       // parallel to topics: the row did not exist
	labs    []LabResult
	newLab  []bool
	reviews []ReviewState
	newRev  []bool
	report  ImportReport
}

// planImport merges every imported item against the current state (lookups by key). It
// writes nothing, so an error leaves the store as it was.
func planImport(e *Export, topic func(string) (TopicState, bool), lab func(string, string) (LabResult, bool),
	review func(string) (ReviewState, bool), now time.Time) (*importPlan, error) {
	p := &importPlan{}
	for i, in := range e.Topics {
		local, ok := topic(in.Topic)
		m, changed, merged, err := MergeTopic(local, ok, in)
		if err != nil {
			return nil, invalid(fmt.Sprintf("topics[%d].note", i), "%v", err)
		}
		switch {
		case !ok:
			p.report.TopicsAdded++
		case changed:
			p.report.TopicsUpdated++
		default:
			p.report.TopicsUnchanged++
			continue
		}
		if merged {
			p.report.NotesMerged = append(p.report.NotesMerged, in.Topic)
		}
		m.UpdatedAt = bump(now, local.UpdatedAt)
		m.Version = local.Version + 1
		p.topics = append(p.topics, m)
		p.newTop = append(p.newTop, !ok)
	}
	for _, in := range e.Labs {
		local, ok := lab(in.Lab, in.Exercise)
		m, changed := MergeLab(local, ok, in)
		switch {
		case !ok:
			p.report.LabsAdded++
		case changed:
			p.report.LabsUpdated++
		default:
			p.report.LabsUnchanged++
			continue
		}
		p.labs = append(p.labs, m)
		p.newLab = append(p.newLab, !ok)
	}
	for _, in := range e.Reviews {
		local, ok := review(in.Term)
		m, changed := MergeReview(local, ok, in)
		switch {
		case !ok:
			p.report.ReviewsAdded++
		case changed:
			p.report.ReviewsUpdated++
		default:
			p.report.ReviewsUnchanged++
			continue
		}
		p.reviews = append(p.reviews, m)
		p.newRev = append(p.newRev, !ok)
	}
	slices.Sort(p.report.NotesMerged)
	return p, nil
}

func sortTopics(ts []TopicState) {
	slices.SortFunc(ts, func(a, b TopicState) int { return strings.Compare(a.TopicID, b.TopicID) })
}

func sortLabs(ls []LabResult) {
	slices.SortFunc(ls, func(a, b LabResult) int {
		return cmp.Or(strings.Compare(a.LabSlug, b.LabSlug), strings.Compare(a.ExerciseID, b.ExerciseID))
	})
}

func sortActivity(as []Activity) {
	slices.SortFunc(as, func(a, b Activity) int {
		return cmp.Or(b.At.Compare(a.At), strings.Compare(string(a.Kind), string(b.Kind)),
			strings.Compare(a.TopicID, b.TopicID), strings.Compare(a.LabSlug, b.LabSlug),
			strings.Compare(a.ExerciseID, b.ExerciseID))
	})
}
