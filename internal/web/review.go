package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"ntatlas/internal/content"
	"ntatlas/internal/progress"
	"ntatlas/internal/search"
)

// Spaced review of key terms: the terms of the topics a learner is learning or has done come
// back on a Leitner schedule (progress.ReviewIntervals) until they stick. Nothing is locked and
// nothing is graded for anyone but the learner.

// MaxNewPerSession bounds how many never-reviewed terms one review session offers, so a learner
// who marks a whole branch done is not met by a hundred cards at once.
const MaxNewPerSession = 10

// termKey is a term's stable key in the store: its glossary anchor without the "term-" prefix.
func termKey(term string) string { return strings.TrimPrefix(search.Anchor(term), "term-") }

type apiReviewCard struct {
	Key        string        `json:"key"`
	Term       string        `json:"term"`
	Definition string        `json:"definition"`
	Topics     []apiTopicRef `json:"topics"`
	Box        int           `json:"box"`
	Due        *time.Time    `json:"due,omitempty"`
	New        bool          `json:"new"`
}

type apiReview struct {
	Learner bool            `json:"learner"`
	Due     int             `json:"due"`     // reviewed before and due now
	New     int             `json:"new"`     // from topics in progress, never reviewed (capped per session)
	Tracked int             `json:"tracked"` // terms with a review state
	Learned int             `json:"learned"` // terms in box 3 or later (recalled three times running)
	NextDue *time.Time      `json:"nextDue,omitempty"`
	Cards   []apiReviewCard `json:"cards"` // due first (oldest due first), then new in curriculum order
}

func refsOf(ts []*content.Topic) []apiTopicRef {
	out := make([]apiTopicRef, 0, len(ts))
	for _, t := range ts {
		out = append(out, ref(t))
	}
	return out
}

// reviewQueue computes the learner's review session at now.
func (s *Server) reviewQueue(r *http.Request, site *content.Site, now time.Time) (apiReview, error) {
	id, ok, err := s.currentLearner(r)
	if err != nil || !ok {
		return apiReview{Cards: []apiReviewCard{}}, err
	}
	return s.reviewQueueFor(r.Context(), site, id, now)
}

func (s *Server) reviewQueueFor(ctx context.Context, site *content.Site, id progress.LearnerID, now time.Time) (apiReview, error) {
	out := apiReview{Learner: true, Cards: []apiReviewCard{}}
	byKey := map[string]*content.GlossaryEntry{}
	for _, g := range site.Glossary {
		byKey[termKey(g.Term)] = g
	}
	states, err := s.store.Reviews(ctx, id)
	if err != nil {
		return out, err
	}
	seen := map[string]bool{}
	var due []apiReviewCard
	for _, st := range states {
		g := byKey[st.Term]
		if g == nil {
			continue // a term the content no longer has; kept in the store and the export
		}
		seen[st.Term] = true
		out.Tracked++
		if st.Box >= 3 {
			out.Learned++
		}
		d := st.Due
		if !d.After(now) {
			due = append(due, apiReviewCard{Key: st.Term, Term: g.Term, Definition: g.Definition, Topics: refsOf(g.Topics), Box: st.Box, Due: &d})
		} else if out.NextDue == nil || d.Before(*out.NextDue) {
			out.NextDue = &d
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].Due.Before(*due[j].Due) })
	topics, err := s.store.Topics(ctx, id)
	if err != nil {
		return out, err
	}
	started := map[string]bool{}
	for _, ts := range topics {
		if ts.Status == progress.StatusLearning || ts.Status == progress.StatusDone {
			started[ts.TopicID] = true
		}
	}
	var fresh []apiReviewCard
	for _, t := range site.Topics {
		if !started[t.ID] {
			continue
		}
		for _, tm := range t.Terms {
			k := termKey(tm.Term)
			g := byKey[k]
			if g == nil || seen[k] {
				continue
			}
			seen[k] = true
			if len(fresh) < MaxNewPerSession {
				fresh = append(fresh, apiReviewCard{Key: k, Term: g.Term, Definition: g.Definition, Topics: refsOf(g.Topics), New: true})
			}
		}
	}
	out.Due, out.New = len(due), len(fresh)
	out.Cards = append(append(out.Cards, due...), fresh...)
	return out, nil
}

func (s *Server) apiGetReview(w http.ResponseWriter, r *http.Request) error {
	q, err := s.reviewQueue(r, s.Site(), s.cfg.Now())
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, q)
	return nil
}

// recordReview checks the term against the glossary, then stores the grade.
func (s *Server) recordReview(w http.ResponseWriter, r *http.Request, key, grade string) (progress.ReviewState, error) {
	found := false
	for _, g := range s.Site().Glossary {
		if termKey(g.Term) == key {
			found = true
			break
		}
	}
	if !found {
		return progress.ReviewState{}, &httpError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("no key term %q in the glossary", key)}
	}
	if !progress.ReviewGrade(grade).Valid() {
		return progress.ReviewState{}, badRequest(fmt.Sprintf("grade: unknown grade %q (want again, good or easy)", grade))
	}
	id, err := s.ensureLearner(w, r)
	if err != nil {
		return progress.ReviewState{}, err
	}
	if err := s.allowWrite(w, id); err != nil {
		return progress.ReviewState{}, err
	}
	st, err := s.store.RecordReview(r.Context(), id, key, progress.ReviewGrade(grade))
	return st, storeError(err)
}

func (s *Server) apiPostReview(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Grade string `json:"grade"`
	}
	if err := decodeStrict(r.Body, 1024, &body); err != nil {
		return err
	}
	st, err := s.recordReview(w, r, r.PathValue("term"), body.Grade)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, map[string]any{"term": st.Term, "box": st.Box, "due": st.Due, "reviewedAt": st.ReviewedAt, "reviews": st.Reviews, "lapses": st.Lapses})
	return nil
}

type reviewView struct {
	layoutView
	Q     apiReview
	Card  *apiReviewCard
	Left  int
	Error string
}

func (s *Server) serveReview(w http.ResponseWriter, r *http.Request) error {
	return s.renderReview(w, r, 200, "")
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	q, err := s.reviewQueue(r, s.Site(), s.cfg.Now())
	if err != nil {
		return err
	}
	v := reviewView{layoutView: layoutView{Title: "Review key terms", Canonical: "/review", Nav: "me", Assets: s.static.urls, Dev: s.cfg.Dev},
		Q: q, Error: errMsg}
	if len(q.Cards) > 0 {
		v.Card = &q.Cards[0]
		v.Left = len(q.Cards) - 1
	}
	return s.writePrivatePage(w, "review", status, v)
}

func (s *Server) formReview(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, "could not read the form")
	}
	if _, err := s.recordReview(w, r, r.PostForm.Get("term"), r.PostForm.Get("grade")); err != nil {
		if status, msg, ok := pageError(err); ok {
			return s.renderReview(w, r, status, msg)
		}
		return err
	}
	http.Redirect(w, r, "/review", http.StatusSeeOther)
	return nil
}
