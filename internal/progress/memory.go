package progress

import (
	"context"
	"encoding/hex"
	"sync"
)

// Memory is a Store held in memory, for tests and for trying the server without a disk.
// One mutex serialises everything, which trivially gives the no-lost-update guarantee.
type Memory struct {
	base
	mu       sync.Mutex
	learners map[LearnerID]*memLearner
	bySecret map[string]LearnerID // hex of the secret hash
	closed   bool
}

type memLearner struct {
	Learner
	secretHash string
	topics     map[string]TopicState
	labs       map[[2]string]LabResult
	reviews    map[string]ReviewState
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(cfg Config) *Memory {
	return &Memory{base: newBase(cfg), learners: map[LearnerID]*memLearner{}, bySecret: map[string]LearnerID{}}
}

// learner returns the learner with m.mu held, or ErrNotFound.
func (m *Memory) learner(id LearnerID) (*memLearner, error) {
	if m.closed {
		return nil, errClosed
	}
	l, ok := m.learners[id]
	if !ok {
		return nil, ErrNotFound
	}
	return l, nil
}

func (m *Memory) CreateLearner(ctx context.Context) (Learner, Secret, error) {
	l, sec, h, err := m.newLearner()
	if err != nil {
		return Learner{}, Secret{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Learner{}, Secret{}, errClosed
	}
	if _, dup := m.learners[l.ID]; dup {
		return Learner{}, Secret{}, errCollision
	}
	key := hex.EncodeToString(h)
	if _, dup := m.bySecret[key]; dup {
		return Learner{}, Secret{}, errCollision
	}
	m.learners[l.ID] = &memLearner{Learner: l, secretHash: key, topics: map[string]TopicState{}, labs: map[[2]string]LabResult{},
		reviews: map[string]ReviewState{}}
	m.bySecret[key] = l.ID
	return l, sec, nil
}

func (m *Memory) LearnerBySecret(ctx context.Context, secret Secret) (Learner, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Learner{}, errClosed
	}
	id, ok := m.bySecret[hex.EncodeToString(secret.hash())]
	if !ok {
		return Learner{}, ErrNotFound
	}
	return m.learners[id].Learner, nil
}

func (m *Memory) RotateSecret(ctx context.Context, id LearnerID) (Secret, error) {
	sec, err := m.newSecret()
	if err != nil {
		return Secret{}, err
	}
	key := hex.EncodeToString(sec.hash())
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return Secret{}, err
	}
	if _, dup := m.bySecret[key]; dup {
		return Secret{}, errCollision
	}
	delete(m.bySecret, l.secretHash)
	l.secretHash = key
	l.SecretRotatedAt = bump(m.now(), l.SecretRotatedAt)
	m.bySecret[key] = id
	return sec, nil
}

func (m *Memory) UpdateTopic(ctx context.Context, id LearnerID, topicID string, u TopicUpdate) (TopicState, error) {
	if err := validateUpdate(topicID, u); err != nil {
		return TopicState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return TopicState{}, err
	}
	old, ok := l.topics[topicID]
	st := applyUpdate(old, ok, topicID, u, m.now())
	l.topics[topicID] = st
	return st, nil
}

func (m *Memory) Topic(ctx context.Context, id LearnerID, topicID string) (TopicState, error) {
	if err := ValidID("topic", topicID); err != nil {
		return TopicState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return TopicState{}, err
	}
	st, ok := l.topics[topicID]
	if !ok {
		return TopicState{}, ErrNotFound
	}
	return st, nil
}

func (m *Memory) Topics(ctx context.Context, id LearnerID) ([]TopicState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return nil, err
	}
	return l.topicList(), nil
}

// sortedValues returns a map's values in the order sortFn gives them.
func sortedValues[K comparable, V any](m map[K]V, sortFn func([]V)) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sortFn(out)
	return out
}

func (l *memLearner) topicList() []TopicState { return sortedValues(l.topics, sortTopics) }

func (l *memLearner) labList() []LabResult { return sortedValues(l.labs, sortLabs) }

func (m *Memory) RecordLabResult(ctx context.Context, id LearnerID, labSlug, exerciseID string, passed bool) (LabResult, error) {
	if err := validateLab(labSlug, exerciseID); err != nil {
		return LabResult{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return LabResult{}, err
	}
	key := [2]string{labSlug, exerciseID}
	old, ok := l.labs[key]
	r := applyLabResult(old, ok, labSlug, exerciseID, passed, m.now())
	l.labs[key] = r
	return r, nil
}

func (m *Memory) LabResults(ctx context.Context, id LearnerID) ([]LabResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return nil, err
	}
	return l.labList(), nil
}

func (l *memLearner) reviewList() []ReviewState { return sortedValues(l.reviews, sortReviews) }

func (m *Memory) RecordReview(ctx context.Context, id LearnerID, term string, grade ReviewGrade) (ReviewState, error) {
	if err := validateReview(term, grade); err != nil {
		return ReviewState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return ReviewState{}, err
	}
	old, ok := l.reviews[term]
	st := applyReview(old, ok, term, grade, m.now())
	l.reviews[term] = st
	return st, nil
}

func (m *Memory) Reviews(ctx context.Context, id LearnerID) ([]ReviewState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return nil, err
	}
	return l.reviewList(), nil
}

func (m *Memory) RecentActivity(ctx context.Context, id LearnerID, limit int) ([]Activity, error) {
	limit, err := clampLimit(limit)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return nil, err
	}
	return activityOf(l.topicList(), l.labList(), limit), nil
}

func (m *Memory) Export(ctx context.Context, id LearnerID) (*Export, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return nil, err
	}
	return buildExport(l.Learner, l.topicList(), l.labList(), l.reviewList(), m.now()), nil
}

func (m *Memory) Import(ctx context.Context, id LearnerID, doc []byte) (ImportReport, error) {
	e, err := ParseExport(doc, m.now())
	if err != nil {
		return ImportReport{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return ImportReport{}, err
	}
	plan, err := planImport(e,
		func(t string) (TopicState, bool) { s, ok := l.topics[t]; return s, ok },
		func(lab, ex string) (LabResult, bool) { r, ok := l.labs[[2]string{lab, ex}]; return r, ok },
		func(t string) (ReviewState, bool) { r, ok := l.reviews[t]; return r, ok },
		m.now())
	if err != nil {
		return ImportReport{}, err
	}
	for _, t := range plan.topics {
		l.topics[t.TopicID] = t
	}
	for _, r := range plan.labs {
		l.labs[[2]string{r.LabSlug, r.ExerciseID}] = r
	}
	for _, r := range plan.reviews {
		l.reviews[r.Term] = r
	}
	return plan.report, nil
}

func (m *Memory) DeleteLearner(ctx context.Context, id LearnerID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.learner(id)
	if err != nil {
		return err
	}
	delete(m.bySecret, l.secretHash)
	delete(m.learners, id)
	return nil
}

// Close makes every later call fail; the data is dropped.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.learners, m.bySecret = nil, nil
	return nil
}
