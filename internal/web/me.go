package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"ntatlas/internal/content"
	"ntatlas/internal/progress"
	"ntatlas/internal/rank"
)

// learnerCookie holds the learner's secret. The server keeps only its hash (progress.Store),
// so a stolen database does not let anyone act as a learner.
const learnerCookie = "ntatlas_learner"

// cookieMaxAge is the longest lifetime browsers accept (Chrome caps cookies at 400 days).
const cookieMaxAge = 400 * 24 * 60 * 60

// Limits on learner input. The store enforces the same note and import limits; checking here
// first gives a clear HTTP error before any work is done.
const (
	MaxNoteBytes   = progress.MaxNoteBytes
	MaxImportBytes = progress.MaxImportBytes
	// maxProgressBody bounds one status/note request: a full note escaped as JSON fits.
	maxProgressBody = 8 * MaxNoteBytes
)

// Rate limits. New learners and sync-key attempts are per client address; writes are per
// learner, so many learners behind one address (a classroom, a load test) are not throttled
// together, while one runaway tab is.
type progressLimits struct {
	newLearner *limiter // creating anonymous learners, per address
	writes     *limiter // state changes, per learner
	syncKey    *limiter // typing a sync key, per address: guessing is infeasible, and slow too
}

func newProgressLimits() progressLimits {
	return progressLimits{
		newLearner: newLimiter(2, 300),
		writes:     newLimiter(20, 60),
		syncKey:    newLimiter(1.0/6, 10),
	}
}

func tooMany(w http.ResponseWriter, retry string, what string) error {
	w.Header().Set("Retry-After", retry)
	return &httpError{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many " + what + "; wait a moment and try again."}
}

// currentLearner returns the learner the request's cookie names; ok is false when there is
// none, or when the cookie is stale (rotated key, deleted learner).
func (s *Server) currentLearner(r *http.Request) (id progress.LearnerID, ok bool, err error) {
	c, err := r.Cookie(learnerCookie)
	if err != nil {
		return "", false, nil
	}
	sec, err := progress.ParseSecret(c.Value)
	if err != nil {
		return "", false, nil
	}
	l, err := s.store.LearnerBySecret(r.Context(), sec)
	if errors.Is(err, progress.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return l.ID, true, nil
}

// ensureLearner returns the current learner, creating an anonymous one (and its cookie) on
// the first state change.
func (s *Server) ensureLearner(w http.ResponseWriter, r *http.Request) (progress.LearnerID, error) {
	id, ok, err := s.currentLearner(r)
	if err != nil || ok {
		return id, err
	}
	if !s.limits.newLearner.allow(clientKey(r), time.Now()) {
		return "", tooMany(w, "10", "new learners from your address")
	}
	l, sec, err := s.store.CreateLearner(r.Context())
	if err != nil {
		return "", err
	}
	s.setLearnerCookie(w, r, sec)
	return l.ID, nil
}

func (s *Server) setLearnerCookie(w http.ResponseWriter, r *http.Request, sec progress.Secret) {
	http.SetCookie(w, &http.Cookie{
		Name: learnerCookie, Value: strings.ReplaceAll(sec.String(), "-", ""), Path: "/",
		MaxAge: cookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || s.cfg.SecureCookies,
	})
}

func (s *Server) clearLearnerCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: learnerCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
}

func (s *Server) allowWrite(w http.ResponseWriter, id progress.LearnerID) error {
	if !s.limits.writes.allow(string(id), time.Now()) {
		return tooMany(w, "1", "changes in a short time")
	}
	return nil
}

// storeError turns the store's input errors into 400s that name the field.
func storeError(err error) error {
	var ve *progress.ValidationError
	if errors.As(err, &ve) {
		return &httpError{Status: http.StatusBadRequest, Code: "invalid", Message: ve.Field + ": " + ve.Message}
	}
	return err
}

// --- the progress view shared by the JSON API, /me and the scripts of static pages ----------

type apiTopicProgress struct {
	ID        string     `json:"id"`
	Slug      string     `json:"slug"`
	Title     string     `json:"title"`
	URL       string     `json:"url"`
	Status    string     `json:"status"`
	StatusAt  *time.Time `json:"statusAt,omitempty"`
	Note      string     `json:"note,omitempty"`
	NoteHTML  string     `json:"noteHtml,omitempty"`
	NoteAt    *time.Time `json:"noteAt,omitempty"`
	VisitedAt *time.Time `json:"visitedAt,omitempty"`
}

type apiPathProgress struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	URL      string       `json:"url"`
	Done     int          `json:"done"` // steps done or skipped
	Total    int          `json:"total"`
	Percent  int          `json:"percent"`
	Complete bool         `json:"complete"`
	Started  bool         `json:"started"`
	Resume   *apiTopicRef `json:"resume,omitempty"` // first unfinished step
	Steps    []string     `json:"steps"`            // status of each step, in order
}

type apiBranchProgress struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Percent int    `json:"percent"`
}

type apiLabResult struct {
	Lab           string     `json:"lab"`
	Exercise      string     `json:"exercise"`
	Passed        bool       `json:"passed"`
	At            time.Time  `json:"at"`
	FirstPassedAt *time.Time `json:"firstPassedAt,omitempty"`
}

type apiActivity struct {
	Kind     string       `json:"kind"`
	At       time.Time    `json:"at"`
	Topic    *apiTopicRef `json:"topic,omitempty"`
	Status   string       `json:"status,omitempty"`
	Lab      string       `json:"lab,omitempty"`
	Exercise string       `json:"exercise,omitempty"`
	Passed   bool         `json:"passed,omitempty"`
}

type apiProgress struct {
	Learner  bool                        `json:"learner"` // false: nothing stored yet
	Topics   map[string]apiTopicProgress `json:"topics"`  // by current slug
	Paths    []apiPathProgress           `json:"paths"`
	Branches []apiBranchProgress         `json:"branches"`
	Labs     []apiLabResult              `json:"labs"`
	Recent   []apiActivity               `json:"recent"`
	Continue *apiTopicRef                `json:"continue,omitempty"`
	// Retired counts stored states of topics the content no longer has; they stay in the
	// export so nothing is lost if a topic comes back.
	Retired int `json:"retiredTopics"`
}

// learnerState adapts stored states to rank.Learner.
type learnerState map[string]progress.Status // by topic id

func (l learnerState) Finished(t *content.Topic) bool {
	st := l[t.ID]
	return st == progress.StatusDone || st == progress.StatusSkipped
}

func finished(st progress.Status) bool {
	return st == progress.StatusDone || st == progress.StatusSkipped
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

var noteMarkdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// renderNote renders a learner's note. goldmark drops raw HTML and dangerous link schemes
// unless told otherwise, which we never do.
func renderNote(src string) template.HTML {
	var buf bytes.Buffer
	if err := noteMarkdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}

// progressOf builds the learner's whole progress view from the store and the content.
func (s *Server) progressOf(ctx context.Context, site *content.Site, id progress.LearnerID, ok bool) (apiProgress, learnerState, error) {
	out := apiProgress{Learner: ok, Topics: map[string]apiTopicProgress{}, Paths: []apiPathProgress{},
		Branches: []apiBranchProgress{}, Labs: []apiLabResult{}, Recent: []apiActivity{}}
	states := learnerState{}
	var topics []progress.TopicState
	var labs []progress.LabResult
	var recent []progress.Activity
	if ok {
		var err error
		if topics, err = s.store.Topics(ctx, id); err != nil {
			return out, nil, err
		}
		if labs, err = s.store.LabResults(ctx, id); err != nil {
			return out, nil, err
		}
		if recent, err = s.store.RecentActivity(ctx, id, 20); err != nil {
			return out, nil, err
		}
	}
	var latest time.Time
	for _, ts := range topics {
		t := site.ByID[ts.TopicID]
		if t == nil {
			out.Retired++
			continue
		}
		states[t.ID] = ts.Status
		tpv := apiTopicProgress{ID: t.ID, Slug: t.Slug, Title: t.Title, URL: t.URL(), Status: string(ts.Status),
			StatusAt: tp(ts.StatusAt), Note: ts.Note, NoteAt: tp(ts.NoteAt), VisitedAt: tp(ts.VisitedAt)}
		if ts.Note != "" {
			tpv.NoteHTML = string(renderNote(ts.Note))
		}
		out.Topics[t.Slug] = tpv
		// "Continue where you left off": the most recently touched topic not yet finished.
		touched := maxTime(ts.VisitedAt, ts.StatusAt, ts.NoteAt)
		if !finished(ts.Status) && touched.After(latest) {
			latest = touched
			r := ref(t)
			out.Continue = &r
		}
	}
	for _, p := range site.Paths {
		pp := apiPathProgress{ID: p.ID, Title: p.Title, URL: p.URL(), Total: len(p.Steps), Steps: make([]string, len(p.Steps))}
		for i, st := range p.Steps {
			status := states[st.Topic.ID]
			if status == "" {
				status = progress.StatusNotStarted
			}
			pp.Steps[i] = string(status)
			if status != progress.StatusNotStarted {
				pp.Started = true
			}
			if finished(status) {
				pp.Done++
			} else if pp.Resume == nil {
				r := ref(st.Topic)
				pp.Resume = &r
			}
		}
		pp.Complete = pp.Done == pp.Total
		pp.Percent = pp.Done * 100 / pp.Total
		out.Paths = append(out.Paths, pp)
	}
	for _, root := range site.Branches {
		bp := apiBranchProgress{Slug: root.Slug, Title: root.Title, URL: root.URL()}
		var walk func(t *content.Topic)
		walk = func(t *content.Topic) {
			bp.Total++
			if states.Finished(t) {
				bp.Done++
			}
			for _, c := range t.Children {
				walk(c)
			}
		}
		walk(root)
		bp.Percent = bp.Done * 100 / bp.Total
		out.Branches = append(out.Branches, bp)
	}
	for _, l := range labs {
		out.Labs = append(out.Labs, apiLabResult{Lab: l.LabSlug, Exercise: l.ExerciseID, Passed: l.Passed, At: l.At, FirstPassedAt: tp(l.FirstPassedAt)})
	}
	for _, a := range recent {
		aa := apiActivity{Kind: string(a.Kind), At: a.At, Status: string(a.Status), Lab: a.LabSlug, Exercise: a.ExerciseID, Passed: a.Passed}
		if a.TopicID != "" {
			t := site.ByID[a.TopicID]
			if t == nil {
				continue
			}
			r := ref(t)
			aa.Topic = &r
		}
		out.Recent = append(out.Recent, aa)
	}
	if out.Continue == nil {
		for _, pp := range out.Paths {
			if pp.Started && !pp.Complete {
				out.Continue = pp.Resume
				break
			}
		}
	}
	return out, states, nil
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// --- JSON API -------------------------------------------------------------------------------

func (s *Server) meRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/me/progress", s.handle(s.apiGetProgress))
	mux.HandleFunc("PUT /api/v1/me/progress/{slug...}", s.handle(s.apiPutTopic))
	mux.HandleFunc("POST /api/v1/me/progress/{slug...}", s.handle(s.apiPutTopic))
	mux.HandleFunc("POST /api/v1/me/visit/{slug...}", s.handle(s.apiVisit))
	mux.HandleFunc("POST /api/v1/me/labs/{lab}/{exercise}", s.handle(s.apiLabResult))
	mux.HandleFunc("GET /api/v1/me/export", s.handle(s.serveExport))
	mux.HandleFunc("POST /api/v1/me/import", s.handle(s.apiImport))
	mux.HandleFunc("POST /api/v1/me/delete", s.handle(s.apiDelete))
	mux.HandleFunc("DELETE /api/v1/me", s.handle(s.apiDelete))
	mux.HandleFunc("POST /api/v1/me/sync-key", s.handle(s.apiNewSyncKey))
	mux.HandleFunc("POST /api/v1/me/sync", s.handle(s.apiUseSyncKey))
	mux.HandleFunc("GET /api/v1/me/read-next/{slug...}", s.handle(s.apiMyReadNext))

	mux.HandleFunc("GET /api/v1/me/review", s.handle(s.apiGetReview))
	mux.HandleFunc("POST /api/v1/me/review/{term}", s.handle(s.apiPostReview))
	mux.HandleFunc("GET /review", s.handle(s.serveReview))
	mux.HandleFunc("POST /review", s.handle(s.formReview))

	mux.HandleFunc("GET /me", s.handle(s.serveMe))
	mux.HandleFunc("GET /me/sync", s.handle(s.serveSync))
	mux.HandleFunc("POST /me/topic", s.handle(s.formTopic))
	mux.HandleFunc("POST /me/sync/new", s.handle(s.formNewSyncKey))
	mux.HandleFunc("POST /me/sync/use", s.handle(s.formUseSyncKey))
	mux.HandleFunc("POST /me/import", s.handle(s.formImport))
	mux.HandleFunc("POST /me/delete", s.handle(s.formDelete))
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

func (s *Server) apiGetProgress(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := s.currentLearner(r)
	if err != nil {
		return err
	}
	p, _, err := s.progressOf(r.Context(), s.Site(), id, ok)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, p)
	return nil
}

// topicFor resolves a slug (or an old alias) to the topic whose stable id keys the progress.
func (s *Server) topicFor(slug string) (*content.Topic, error) {
	t, _ := s.Site().Lookup(strings.Trim(slug, "/"))
	if t == nil {
		return nil, &httpError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("no topic %q", slug)}
	}
	return t, nil
}

type topicWrite struct {
	Status *string `json:"status"`
	Note   *string `json:"note"`
	Visit  bool    `json:"visit"`
}

func decodeStrict(r io.Reader, limit int64, v any) error {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return badRequest("could not read the request body: " + err.Error())
	}
	if int64(len(body)) > limit {
		return &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return badRequest(fmt.Sprintf("invalid JSON at byte offset %d: %v", se.Offset, err))
		case errors.As(err, &te):
			return badRequest(fmt.Sprintf("field %q at byte offset %d: want %s", te.Field, te.Offset, te.Type))
		}
		return badRequest("invalid JSON: " + err.Error())
	}
	if dec.More() {
		return badRequest("unexpected data after the JSON object")
	}
	return nil
}

func (s *Server) writeTopic(w http.ResponseWriter, r *http.Request, slug string, tw topicWrite) (progress.TopicState, *content.Topic, error) {
	t, err := s.topicFor(slug)
	if err != nil {
		return progress.TopicState{}, nil, err
	}
	u := progress.TopicUpdate{Visit: tw.Visit}
	if tw.Status != nil {
		st := progress.Status(*tw.Status)
		if !st.Valid() {
			return progress.TopicState{}, nil, badRequest(fmt.Sprintf("status: unknown status %q (want not-started, learning, done or skipped)", *tw.Status))
		}
		u.Status = &st
	}
	if tw.Note != nil {
		if len(*tw.Note) > MaxNoteBytes {
			return progress.TopicState{}, nil, &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
				Message: fmt.Sprintf("note: %d bytes; notes are limited to %d bytes (64 KiB)", len(*tw.Note), MaxNoteBytes)}
		}
		u.Note = tw.Note
	}
	if u.Status == nil && u.Note == nil && !u.Visit {
		return progress.TopicState{}, nil, badRequest(`nothing to change: send "status", "note" or "visit"`)
	}
	id, err := s.ensureLearner(w, r)
	if err != nil {
		return progress.TopicState{}, nil, err
	}
	if err := s.allowWrite(w, id); err != nil {
		return progress.TopicState{}, nil, err
	}
	st, err := s.store.UpdateTopic(r.Context(), id, t.ID, u)
	return st, t, storeError(err)
}

func topicStateJSON(t *content.Topic, st progress.TopicState) apiTopicProgress {
	out := apiTopicProgress{ID: t.ID, Slug: t.Slug, Title: t.Title, URL: t.URL(), Status: string(st.Status),
		StatusAt: tp(st.StatusAt), Note: st.Note, NoteAt: tp(st.NoteAt), VisitedAt: tp(st.VisitedAt)}
	if st.Note != "" {
		out.NoteHTML = string(renderNote(st.Note))
	}
	return out
}

func (s *Server) apiPutTopic(w http.ResponseWriter, r *http.Request) error {
	var tw topicWrite
	if err := decodeStrict(r.Body, maxProgressBody, &tw); err != nil {
		return err
	}
	st, t, err := s.writeTopic(w, r, r.PathValue("slug"), tw)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, topicStateJSON(t, st))
	return nil
}

// apiVisit records a visit, but only for a learner who already exists: reading is not a
// state change, so it never creates a learner or a cookie.
func (s *Server) apiVisit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.topicFor(r.PathValue("slug"))
	if err != nil {
		return err
	}
	id, ok, err := s.currentLearner(r)
	if err != nil {
		return err
	}
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := s.allowWrite(w, id); err != nil {
		return err
	}
	if _, err := s.store.UpdateTopic(r.Context(), id, t.ID, progress.TopicUpdate{Visit: true}); err != nil {
		return storeError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiLabResult(w http.ResponseWriter, r *http.Request) error {
	lab := r.PathValue("lab")
	if s.Site().LabBySlug[lab] == nil {
		return &httpError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("no lab %q", lab)}
	}
	var body struct {
		Passed *bool `json:"passed"`
	}
	if err := decodeStrict(r.Body, 1024, &body); err != nil {
		return err
	}
	if body.Passed == nil {
		return badRequest(`passed: required (true or false)`)
	}
	id, err := s.ensureLearner(w, r)
	if err != nil {
		return err
	}
	if err := s.allowWrite(w, id); err != nil {
		return err
	}
	res, err := s.store.RecordLabResult(r.Context(), id, lab, r.PathValue("exercise"), *body.Passed)
	if err != nil {
		return storeError(err)
	}
	noStore(w)
	writeJSON(w, 200, apiLabResult{Lab: res.LabSlug, Exercise: res.ExerciseID, Passed: res.Passed, At: res.At, FirstPassedAt: tp(res.FirstPassedAt)})
	return nil
}

func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := s.currentLearner(r)
	if err != nil {
		return err
	}
	var doc *progress.Export
	if ok {
		if doc, err = s.store.Export(r.Context(), id); err != nil {
			return err
		}
	} else {
		doc = &progress.Export{Format: progress.ExportFormat, Version: progress.ExportVersion,
			ExportedAt: time.Now().UTC().Truncate(time.Second), Topics: []progress.ExportTopic{}, Labs: []progress.ExportLab{}}
	}
	noStore(w)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ntatlas-progress-%s.json"`, doc.ExportedAt.Format("2006-01-02")))
	writeJSON(w, 200, doc)
	return nil
}

func (s *Server) importDoc(w http.ResponseWriter, r *http.Request, doc []byte) (progress.ImportReport, progress.LearnerID, error) {
	if len(doc) > MaxImportBytes {
		return progress.ImportReport{}, "", &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("the import file is %d bytes; the limit is %d bytes (5 MiB)", len(doc), MaxImportBytes)}
	}
	id, err := s.ensureLearner(w, r)
	if err != nil {
		return progress.ImportReport{}, "", err
	}
	if err := s.allowWrite(w, id); err != nil {
		return progress.ImportReport{}, "", err
	}
	rep, err := s.store.Import(r.Context(), id, doc)
	return rep, id, storeError(err)
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	doc, err := io.ReadAll(io.LimitReader(r.Body, MaxImportBytes+1))
	if err != nil {
		return tooLargeOr(err, "could not read the import file")
	}
	rep, _, err := s.importDoc(w, r, doc)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, rep)
	return nil
}

func tooLargeOr(err error, msg string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the request is larger than %d bytes", mb.Limit)}
	}
	return badRequest(msg + ": " + err.Error())
}

func (s *Server) deleteLearner(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := s.currentLearner(r)
	if err != nil {
		return err
	}
	if ok {
		if err := s.store.DeleteLearner(r.Context(), id); err != nil && !errors.Is(err, progress.ErrNotFound) {
			return err
		}
	}
	s.clearLearnerCookie(w, r)
	return nil
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteLearner(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newSyncKey replaces the learner's secret and returns the new one. Showing a key always
// makes a new one, so a key is displayed exactly once and an old, possibly seen key dies.
func (s *Server) newSyncKey(w http.ResponseWriter, r *http.Request) (progress.Secret, error) {
	id, err := s.ensureLearner(w, r)
	if err != nil {
		return progress.Secret{}, err
	}
	if err := s.allowWrite(w, id); err != nil {
		return progress.Secret{}, err
	}
	sec, err := s.store.RotateSecret(r.Context(), id)
	if err != nil {
		return progress.Secret{}, err
	}
	s.setLearnerCookie(w, r, sec)
	return sec, nil
}

func (s *Server) apiNewSyncKey(w http.ResponseWriter, r *http.Request) error {
	sec, err := s.newSyncKey(w, r)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, map[string]string{"syncKey": sec.String()})
	return nil
}

// useSyncKey makes this browser the learner the key belongs to. Progress made here before
// (as another anonymous learner) is merged into that learner, never dropped.
func (s *Server) useSyncKey(w http.ResponseWriter, r *http.Request, key string) (progress.ImportReport, error) {
	var rep progress.ImportReport
	if !s.limits.syncKey.allow(clientKey(r), time.Now()) {
		return rep, tooMany(w, "60", "sync-key attempts from your address")
	}
	sec, err := progress.ParseSecret(key)
	if err != nil {
		return rep, storeError(err)
	}
	target, err := s.store.LearnerBySecret(r.Context(), sec)
	if errors.Is(err, progress.ErrNotFound) {
		return rep, &httpError{Status: http.StatusBadRequest, Code: "invalid", Message: "syncKey: no progress belongs to this sync key. Check it, or make a new one on your other device."}
	}
	if err != nil {
		return rep, err
	}
	cur, ok, err := s.currentLearner(r)
	if err != nil {
		return rep, err
	}
	if ok && cur != target.ID {
		exp, err := s.store.Export(r.Context(), cur)
		if err != nil {
			return rep, err
		}
		doc, err := json.Marshal(exp)
		if err != nil {
			return rep, err
		}
		if rep, err = s.store.Import(r.Context(), target.ID, doc); err != nil {
			return rep, storeError(err)
		}
		if err := s.store.DeleteLearner(r.Context(), cur); err != nil && !errors.Is(err, progress.ErrNotFound) {
			return rep, err
		}
	}
	s.setLearnerCookie(w, r, sec)
	return rep, nil
}

func (s *Server) apiUseSyncKey(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		SyncKey string `json:"syncKey"`
	}
	if err := decodeStrict(r.Body, 1024, &body); err != nil {
		return err
	}
	rep, err := s.useSyncKey(w, r, body.SyncKey)
	if err != nil {
		return err
	}
	noStore(w)
	writeJSON(w, 200, map[string]any{"merged": rep})
	return nil
}

// apiMyReadNext is read next for this learner: finished topics sink, unmet prerequisites rise.
func (s *Server) apiMyReadNext(w http.ResponseWriter, r *http.Request) error {
	st := s.cur.Load()
	t, _ := st.site.Lookup(strings.Trim(r.PathValue("slug"), "/"))
	if t == nil {
		return notFound(r.URL.Path)
	}
	id, ok, err := s.currentLearner(r)
	if err != nil {
		return err
	}
	var who rank.Learner
	if ok {
		states := learnerState{}
		all, err := s.store.Topics(r.Context(), id)
		if err != nil {
			return err
		}
		for _, ts := range all {
			states[ts.TopicID] = ts.Status
		}
		who = states
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	noStore(w)
	writeJSON(w, 200, readNextFor(st.site, t, activePath(st.site, t, q.Get("path")), who))
	return nil
}

// --- pages ----------------------------------------------------------------------------------

type meView struct {
	layoutView
	P         apiProgress
	Notes     []meNote
	Message   string
	Error     string
	HasAny    bool
	Started   []apiPathProgress
	NotYet    []apiPathProgress
	Finished  int
	LabTitles map[string]string
	Review    apiReview
}

type meNote struct {
	Topic apiTopicRef
	HTML  template.HTML
	At    time.Time
}

type syncView struct {
	layoutView
	Key     string // shown once, right after it was made
	Error   string
	Message string
	Learner bool
}

func (s *Server) renderMe(w http.ResponseWriter, r *http.Request, status int, msg, errMsg string) error {
	return s.renderMeFor(w, r, "", status, msg, errMsg)
}

// renderMeFor renders /me for the given learner, or for the request's cookie when who is
// empty (a form that just created the learner cannot rely on the request's cookie).
func (s *Server) renderMeFor(w http.ResponseWriter, r *http.Request, who progress.LearnerID, status int, msg, errMsg string) error {
	id, ok := who, who != ""
	if !ok {
		var err error
		if id, ok, err = s.currentLearner(r); err != nil {
			return err
		}
	}
	site := s.Site()
	p, _, err := s.progressOf(r.Context(), site, id, ok)
	if err != nil {
		return err
	}
	v := meView{layoutView: layoutView{Title: "My progress", Canonical: "/me", Nav: "me", Assets: s.static.urls, Dev: s.cfg.Dev},
		P: p, Message: msg, Error: errMsg, LabTitles: map[string]string{}}
	for _, l := range site.Labs {
		v.LabTitles[l.Slug] = l.Title
	}
	if ok {
		if v.Review, err = s.reviewQueueFor(r.Context(), site, id, s.cfg.Now()); err != nil {
			return err
		}
	}
	for _, tpv := range p.Topics {
		if finished(progress.Status(tpv.Status)) {
			v.Finished++
		}
		if tpv.Status != string(progress.StatusNotStarted) || tpv.Note != "" {
			v.HasAny = true
		}
		if tpv.Note != "" {
			v.Notes = append(v.Notes, meNote{Topic: apiTopicRef{Slug: tpv.Slug, Title: tpv.Title, URL: tpv.URL}, HTML: template.HTML(tpv.NoteHTML), At: *tpv.NoteAt})
		}
	}
	if len(p.Labs) > 0 {
		v.HasAny = true
	}
	sort.Slice(v.Notes, func(i, j int) bool { return v.Notes[i].At.After(v.Notes[j].At) })
	for _, pp := range p.Paths {
		if pp.Started {
			v.Started = append(v.Started, pp)
		} else {
			v.NotYet = append(v.NotYet, pp)
		}
	}
	return s.writePrivatePage(w, "me", status, v)
}

// writePrivatePage renders a page that belongs to one learner: never cached anywhere.
func (s *Server) writePrivatePage(w http.ResponseWriter, name string, status int, v any) error {
	body, err := s.tmpl.render(name, v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	noStore(w)
	w.WriteHeader(status)
	w.Write(s.devBanner(body))
	return nil
}

func (s *Server) serveMe(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	msg := ""
	switch q.Get("done") {
	case "synced":
		msg = "This browser now continues your progress from the other device."
	case "deleted":
		msg = "All your progress and notes were deleted from NT Atlas."
	}
	return s.renderMe(w, r, 200, msg, "")
}

func (s *Server) renderSync(w http.ResponseWriter, r *http.Request, status int, v syncView) error {
	if !v.Learner {
		_, ok, err := s.currentLearner(r)
		if err != nil {
			return err
		}
		v.Learner = ok
	}
	v.layoutView = layoutView{Title: "Sync key", Canonical: "/me/sync", Nav: "me", Assets: s.static.urls, Dev: s.cfg.Dev}
	return s.writePrivatePage(w, "sync", status, v)
}

func (s *Server) serveSync(w http.ResponseWriter, r *http.Request) error {
	return s.renderSync(w, r, 200, syncView{})
}

// pageError renders a form's failure on the page the form came from, keeping the message.
func pageError(err error) (int, string, bool) {
	var he *httpError
	if errors.As(err, &he) && he.Status < 500 {
		return he.Status, he.Message, true
	}
	return 0, "", false
}

// safeReturn keeps redirects on this site: only absolute paths, never "//host".
func safeReturn(ret, fallback string) string {
	if ret == "" || !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.ContainsAny(ret, "\\\r\n") {
		return fallback
	}
	return ret
}

func (s *Server) formTopic(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, "could not read the form")
	}
	var tw topicWrite
	if r.PostForm.Has("status") {
		v := r.PostForm.Get("status")
		tw.Status = &v
	}
	if r.PostForm.Has("note") {
		v := strings.ReplaceAll(r.PostForm.Get("note"), "\r\n", "\n")
		tw.Note = &v
	}
	slug := r.PostForm.Get("topic")
	_, t, err := s.writeTopic(w, r, slug, tw)
	if err != nil {
		if status, msg, ok := pageError(err); ok {
			return s.renderMe(w, r, status, "", msg)
		}
		return err
	}
	back := safeReturn(r.PostForm.Get("return"), t.URL())
	if tw.Note != nil {
		back += "#my-progress"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func (s *Server) formNewSyncKey(w http.ResponseWriter, r *http.Request) error {
	sec, err := s.newSyncKey(w, r)
	if err != nil {
		if status, msg, ok := pageError(err); ok {
			return s.renderSync(w, r, status, syncView{Error: msg})
		}
		return err
	}
	return s.renderSync(w, r, 200, syncView{Key: sec.String(), Learner: true})
}

func (s *Server) formUseSyncKey(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, "could not read the form")
	}
	if _, err := s.useSyncKey(w, r, r.PostForm.Get("key")); err != nil {
		if status, msg, ok := pageError(err); ok {
			return s.renderSync(w, r, status, syncView{Error: msg})
		}
		return err
	}
	http.Redirect(w, r, "/me?done=synced", http.StatusSeeOther)
	return nil
}

func (s *Server) formImport(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if status, msg, ok := pageError(tooLargeOr(err, "could not read the upload")); ok {
			return s.renderMe(w, r, status, "", msg)
		}
		return err
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("file")
	if err != nil {
		return s.renderMe(w, r, http.StatusBadRequest, "", "file: choose an export file (JSON) to import")
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil {
		return err
	}
	rep, id, err := s.importDoc(w, r, doc)
	if err != nil {
		if status, msg, ok := pageError(err); ok {
			return s.renderMe(w, r, status, "", "Nothing was imported. "+msg)
		}
		return err
	}
	msg := fmt.Sprintf("Imported: %d topics added, %d updated, %d unchanged; %d lab results added, %d updated.",
		rep.TopicsAdded, rep.TopicsUpdated, rep.TopicsUnchanged, rep.LabsAdded, rep.LabsUpdated)
	if n := len(rep.NotesMerged); n > 0 {
		msg += fmt.Sprintf(" %d notes differed: both versions were kept, one under the other.", n)
	}
	return s.renderMeFor(w, r, id, 200, msg, "")
}

func (s *Server) formDelete(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, "could not read the form")
	}
	if r.PostForm.Get("confirm") != "yes" {
		return s.renderMe(w, r, http.StatusBadRequest, "", "confirm: tick the box to confirm that all your progress and notes should be deleted")
	}
	if err := s.deleteLearner(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/me?done=deleted", http.StatusSeeOther)
	return nil
}
