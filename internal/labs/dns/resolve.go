package dns

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Step is one event on a resolution timeline.
type Step struct {
	T        int64  `json:"t"`  // ms since scenario start
	Dt       int64  `json:"dt"` // ms since this query started
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Name     string `json:"name,omitempty"`
	Server   string `json:"server,omitempty"`
	Message  *int   `json:"message,omitempty"` // index into Result.Messages
	Evidence string `json:"evidence"`
	Source   string `json:"source"`
}

// Answer is one record handed back to the application.
type Answer struct {
	Name string `json:"name"`
	Type string `json:"type"`
	TTL  uint32 `json:"ttl"`
	Data string `json:"data"`
}

// Result is the outcome of one query.
type Result struct {
	Query      Query     `json:"query"`
	Candidates []string  `json:"candidates"`
	Outcome    string    `json:"outcome"` // answer, nxdomain, nodata, timeout, not-found
	Source     string    `json:"source"`  // hosts, cache, dns, llmnr, netbios, negative-cache, none
	AnsweredAt int64     `json:"answeredAt"`
	ElapsedMs  int64     `json:"elapsedMs"`
	Answers    []Answer  `json:"answers"`
	DNSSends   int       `json:"dnsSends"` // DNS packets sent for this query
	Steps      []Step    `json:"steps"`
	Messages   []Message `json:"messages"`
}

// CacheView is one cache entry as the learner sees it at the end of the scenario.
type CacheView struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Data   string `json:"data,omitempty"`
	TTL    int64  `json:"ttl"` // seconds remaining; -1 for hosts-file entries (static)
	Origin string `json:"origin"`
}

// Outcome of the "resolve" operation.
type Outcome struct {
	Results  []Result    `json:"results"`
	Cache    []CacheView `json:"cache"`
	CacheAt  int64       `json:"cacheAt"`
	Evidence []Legend    `json:"evidence"`
}

// Legend explains an evidence label.
type Legend struct {
	Label   string `json:"label"`
	Meaning string `json:"meaning"`
}

var legend = []Legend{
	{Documented, "stated by Microsoft documentation (or the cited RFC)"},
	{Observed, "reported by the community or seen in traces, not a Microsoft contract"},
	{Model, "a simplification or default chosen by this lab where the documentation is silent"},
}

type cacheItem struct {
	name, typ, data, status, origin string
	insertedAt, expiresAt           int64 // expiresAt < 0: never
	ttl                             uint32
}

type engine struct {
	sc    *resolved
	cache []cacheItem
}

// Resolve runs every query of the scenario in order on the simulated clock.
func Resolve(sc *Scenario) (*Outcome, error) {
	r, err := validate(sc)
	if err != nil {
		return nil, err
	}
	e := &engine{sc: r}
	for _, h := range r.hosts {
		typ := "A"
		if h.Addr.Is6() {
			typ = "AAAA"
		}
		e.cache = append(e.cache, cacheItem{name: h.Name, typ: typ, data: h.Addr.String(), status: "Success", origin: "hosts", expiresAt: -1})
	}
	for _, c := range r.cache {
		e.cache = append(e.cache, cacheItem{name: c.Name, typ: c.Type, data: c.Data, status: c.Status, origin: "preloaded",
			expiresAt: int64(c.TTL) * 1000, ttl: c.TTL})
	}
	out := &Outcome{Evidence: legend, Results: []Result{}}
	end := int64(0)
	for i, q := range r.queries {
		res, err := e.resolveOne(i, q)
		if err != nil {
			return nil, err
		}
		out.Results = append(out.Results, res)
		end = max(end, res.AnsweredAt)
	}
	out.CacheAt = end
	out.Cache = e.snapshot(end)
	return out, nil
}

func (e *engine) snapshot(now int64) []CacheView {
	v := []CacheView{}
	for _, c := range e.cache {
		if c.insertedAt > now || (c.expiresAt >= 0 && c.expiresAt <= now) {
			continue
		}
		ttl := int64(-1)
		if c.expiresAt >= 0 {
			ttl = (c.expiresAt - now) / 1000
		}
		v = append(v, CacheView{Name: c.name, Type: c.typ, Status: c.status, Data: c.data, TTL: ttl, Origin: c.origin})
	}
	sort.Slice(v, func(i, j int) bool {
		a, b := v[i], v[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Data < b.Data
	})
	return v
}

// candidates lists the names the DNS client will query, in order, with the reason for each.
func (e *engine) candidates(name string, fq bool) ([]string, []Step) {
	if fq || strings.Contains(name, ".") {
		st := Step{Kind: "candidates", Text: fmt.Sprintf("%q has more than one label or ends with a dot: queried as written", name),
			Evidence: Model, Source: SrcOurModel}
		if fq {
			st.Evidence, st.Source = Documented, SrcNameResOrd
			st.Text = fmt.Sprintf("%q is fully qualified: queried as written, no suffix added", name)
		}
		return []string{name}, []Step{st}
	}
	var c []string
	var why []Step
	add := func(s, reason, ev, src string) {
		n := name + "." + s
		for _, x := range c {
			if x == n {
				return
			}
		}
		c = append(c, n)
		why = append(why, Step{Kind: "candidates", Name: n, Text: reason, Evidence: ev, Source: src})
	}
	if len(e.sc.searchList) > 0 {
		for _, s := range e.sc.searchList {
			add(s, "suffix search list entry (a configured search list replaces the primary/connection suffixes and turns devolution off)", Documented, SrcDevolution)
		}
		return c, why
	}
	if e.sc.primary != "" {
		add(e.sc.primary, "primary DNS suffix", Documented, SrcDevolution)
	}
	for _, s := range e.sc.connSuffixes {
		add(s, "connection-specific DNS suffix", Documented, SrcDevolution)
	}
	if e.sc.primary != "" && e.sc.devolution.Enabled {
		labels := strings.Split(e.sc.primary, ".")
		for i := 1; len(labels)-i >= e.sc.devolution.Level; i++ {
			add(strings.Join(labels[i:], "."), fmt.Sprintf("devolved primary suffix (devolution level %d: never fewer labels than that)", e.sc.devolution.Level), Documented, SrcDevolution)
		}
	}
	return c, why
}

type lookup struct {
	kind    string // hit, negative, nodata, miss
	answers []Answer
	origin  string
	expired []cacheItem
}

func (e *engine) live(c cacheItem, now int64) bool {
	return c.insertedAt <= now && (c.expiresAt < 0 || c.expiresAt > now)
}

func (e *engine) ttlLeft(c cacheItem, now int64) uint32 {
	if c.expiresAt < 0 {
		return 0
	}
	return uint32((c.expiresAt - now) / 1000) // whole seconds left, truncated
}

// lookupCache consults the resolver cache at time now, following one CNAME level at most per
// hop (up to 8 hops), and drops entries whose TTL has run out.
func (e *engine) lookupCache(name, typ string, now int64) lookup {
	var l lookup
	dead := func(c cacheItem) bool { return c.expiresAt >= 0 && c.expiresAt <= now && c.insertedAt <= now }
	for i, c := range e.cache {
		if !dead(c) {
			continue
		}
		// something expired: rebuild once without the dead entries
		keep := append([]cacheItem(nil), e.cache[:i]...)
		for _, c := range e.cache[i:] {
			if dead(c) {
				if c.name == name {
					l.expired = append(l.expired, c)
				}
				continue
			}
			keep = append(keep, c)
		}
		e.cache = keep
		break
	}
	cur := name
	for hop := 0; hop < 8; hop++ {
		var direct, cname []cacheItem
		for _, c := range e.cache {
			if !e.live(c, now) || c.name != cur {
				continue
			}
			switch {
			case c.status == "NotExist":
				if hop == 0 {
					l.kind, l.origin = "negative", c.origin
					return l
				}
			case c.status == "NoRecords" && c.typ == typ:
				if hop == 0 {
					l.kind, l.origin = "nodata", c.origin
					return l
				}
			case c.status == "Success" && c.typ == typ:
				direct = append(direct, c)
			case c.status == "Success" && c.typ == "CNAME":
				cname = append(cname, c)
			}
		}
		if len(direct) > 0 {
			for _, c := range direct {
				l.answers = append(l.answers, Answer{Name: c.name, Type: c.typ, TTL: e.ttlLeft(c, now), Data: c.data})
				l.origin = c.origin
			}
			l.kind = "hit"
			return l
		}
		if len(cname) == 0 {
			break
		}
		c := cname[0]
		l.answers = append(l.answers, Answer{Name: c.name, Type: "CNAME", TTL: e.ttlLeft(c, now), Data: c.data})
		cur = c.data
	}
	l.kind, l.answers = "miss", nil
	return l
}

// zoneAnswer is what a reachable server answers for name/type: rcode and the answer chain.
func (e *engine) zoneAnswer(name, typ string) (responseCode, []wireRR) {
	exists := false
	var out []wireRR
	cur := name
	for hop := 0; hop < 8; hop++ {
		var direct []wireRR
		var cname *Record
		for i, r := range e.sc.zone {
			if r.Name != cur {
				continue
			}
			if hop == 0 {
				exists = true
			}
			if r.Type == typ {
				direct = append(direct, wireRR{name: r.Name, typ: r.Type, data: r.Data, ttl: r.TTL})
			} else if r.Type == "CNAME" && cname == nil {
				cname = &e.sc.zone[i]
			}
		}
		if len(direct) > 0 {
			return rcodeSuccess, append(out, direct...)
		}
		if cname == nil {
			break
		}
		out = append(out, wireRR{name: cname.Name, typ: "CNAME", data: cname.Data, ttl: cname.TTL})
		cur = cname.Data
	}
	if !exists {
		return rcodeNameError, nil
	}
	return rcodeSuccess, out
}

// schedule is the documented DNS client retry schedule (KB 2834226): send times in ms and the
// servers (by list position) queried at each. The client gives up at 10 s.
func schedule(n int) [][2]any {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	switch {
	case n == 0:
		return nil
	case n == 1:
		return [][2]any{{int64(0), []int{0}}, {int64(1000), []int{0}}, {int64(2000), []int{0}}, {int64(4000), []int{0}}, {int64(8000), []int{0}}}
	case n == 2:
		return [][2]any{{int64(0), []int{0}}, {int64(1000), []int{1}}, {int64(2000), []int{1}}, {int64(4000), all}, {int64(8000), all}}
	}
	return [][2]any{{int64(0), []int{0}}, {int64(1000), []int{1}}, {int64(2000), []int{2}}, {int64(4000), all}, {int64(8000), all}}
}

const giveUpMs = 10000

type qctx struct {
	e     *engine
	res   *Result
	start int64
	index int
}

//go:noinline
func (q *qctx) step(t int64, s Step) {
	s.T, s.Dt = t, t-q.start
	q.res.Steps = append(q.res.Steps, s)
}

func (q *qctx) msg(proto, dir, from, to string, raw []byte, note, ev, src string) (*int, error) {
	d, err := decode(proto, raw)
	if err != nil {
		return nil, fmt.Errorf("decoding our own %s %s: %v", proto, dir, err)
	}
	i := len(q.res.Messages)
	q.res.Messages = append(q.res.Messages, Message{Index: i, Protocol: proto, Dir: dir, From: from, To: to,
		Hex: hex.EncodeToString(raw), Decoded: d, Note: note, Evidence: ev, Source: src})
	return &i, nil
}

//go:noinline
func (e *engine) store(name, typ, data, status, origin string, ttl uint32, at int64) {
	// a fresh answer replaces what the cache held for the same name and type
	keep := e.cache[:0:0]
	for _, c := range e.cache {
		if c.name == name && c.typ == typ && c.origin != "hosts" && c.insertedAt <= at {
			continue
		}
		keep = append(keep, c)
	}
	e.cache = append(keep, cacheItem{name: name, typ: typ, data: data, status: status, origin: origin,
		insertedAt: at, expiresAt: at + int64(ttl)*1000, ttl: ttl})
}

func (e *engine) resolveOne(index int, query Query) (Result, error) {
	name, fq, _ := normName(query.Name)
	res := Result{Query: query, Answers: []Answer{}, Steps: []Step{}, Messages: []Message{}, Candidates: []string{}}
	q := &qctx{e: e, res: &res, start: query.At, index: index}
	now := query.At
	q.step(now, Step{Kind: "start", Name: name, Text: fmt.Sprintf("application asks the DNS Client for %s %s", name, query.Type),
		Evidence: Documented, Source: SrcNameResOrd})

	finish := func(outcome, source string, at int64, ans []Answer) (Result, error) {
		res.Outcome, res.Source, res.AnsweredAt, res.ElapsedMs = outcome, source, at, at-query.At
		if ans != nil {
			res.Answers = ans
		}
		return res, nil
	}
	answerFromCache := func(n string) (bool, string, error) {
		l := e.lookupCache(n, query.Type, now)
		for _, x := range l.expired {
			q.step(now, Step{Kind: "cache-expired", Name: n, Text: fmt.Sprintf("cached %s %s expired (TTL counted down to 0)", x.typ, x.name),
				Evidence: Model, Source: SrcOurModel})
		}
		switch l.kind {
		case "hit":
			src := "cache"
			ev, s := Documented, SrcHostsCache
			text := fmt.Sprintf("answered from the resolver cache (%s)", l.origin)
			if l.origin == "hosts" {
				src = "hosts"
				text = "answered from a hosts-file entry preloaded into the cache"
			}
			q.step(now, Step{Kind: "cache-hit", Name: n, Text: text + ": no packet leaves the machine", Evidence: ev, Source: s})
			_, _ = finish("answer", src, now, l.answers)
			return true, "answer", nil
		case "negative":
			q.step(now, Step{Kind: "cache-negative", Name: n, Text: "negative cache entry: the name is known not to exist, no query sent",
				Evidence: Documented, Source: SrcHostsCache})
			return false, "nxdomain", nil
		case "nodata":
			q.step(now, Step{Kind: "cache-negative", Name: n, Text: fmt.Sprintf("negative cache entry: no %s records for this name", query.Type),
				Evidence: Documented, Source: SrcHostsCache})
			return true, "nodata", nil
		}
		q.step(now, Step{Kind: "cache-miss", Name: n, Text: "not in the cache", Evidence: Model, Source: SrcOurModel})
		return false, "", nil
	}

	// Hosts entries live in the cache, so the name as typed is looked up first.
	if !fq && !strings.Contains(name, ".") {
		if done, kind, err := answerFromCache(name); err != nil {
			return res, err
		} else if done {
			if kind == "nodata" {
				return finish("nodata", "negative-cache", now, nil)
			}
			return res, nil
		}
	}

	cands, why := e.candidates(name, fq)
	res.Candidates = cands
	for _, w := range why {
		q.step(now, w)
	}
	if len(cands) == 0 {
		q.step(now, Step{Kind: "candidates", Text: "no primary, connection or search-list suffix: nothing to ask DNS for a single-label name",
			Evidence: Model, Source: SrcOurModel})
	}
	sawNX, sawTimeout := false, false // lastTimeout: the last name DNS was asked about timed out
	lastTimeout := false
	wireNX := false // a server (not only the negative cache) said NXDOMAIN
	for _, cand := range cands {
		done, kind, err := answerFromCache(cand)
		if err != nil {
			return res, err
		}
		if done {
			if kind == "nodata" {
				return finish("nodata", "negative-cache", now, nil)
			}
			return res, nil
		}
		if kind == "nxdomain" {
			sawNX = true
			continue
		}
		out, at, ans, err := q.wire(cand, query.Type, now)
		if err != nil {
			return res, err
		}
		now = at
		switch out {
		case "answer":
			return finish("answer", "dns", at, ans)
		case "nodata":
			return finish("nodata", "dns", at, nil)
		case "nxdomain":
			sawNX, lastTimeout, wireNX = true, false, true
			continue
		case "no-servers":
			continue
		case "timeout":
			sawTimeout, lastTimeout = true, true
			if !e.sc.continueAfterTimeout {
				q.step(now, Step{Kind: "stop", Name: cand, Text: "every server stayed silent: the DNS part ends here (remaining suffixes are not tried)",
					Evidence: Model, Source: SrcOurModel})
				goto fallback
			}
		}
	}
fallback:
	if !fq && !strings.Contains(name, ".") {
		if ok, at, ans, err := q.linkLocal(name, query.Type, now); err != nil {
			return res, err
		} else if ok != "" {
			return finish("answer", ok, at, ans)
		} else {
			now = at
		}
	}
	switch {
	case sawTimeout && (lastTimeout || !sawNX):
		q.step(now, Step{Kind: "fail", Text: "name resolution failed: timeout", Evidence: Documented, Source: SrcKB2834226})
		return finish("timeout", "none", now, nil)
	case sawNX:
		if !wireNX {
			// every candidate was answered by a negative cache entry: no packet left the machine,
			// so the answer's source is the cache, as for a cached NoRecords entry
			q.step(now, Step{Kind: "fail", Text: "name resolution failed: the negative cache says the name does not exist",
				Evidence: Documented, Source: SrcHostsCache})
			return finish("nxdomain", "negative-cache", now, nil)
		}
		q.step(now, Step{Kind: "fail", Text: "name resolution failed: the name does not exist", Evidence: Documented, Source: SrcKB2834226})
		return finish("nxdomain", "dns", now, nil)
	}
	q.step(now, Step{Kind: "fail", Text: "name resolution failed: no method found the name", Evidence: Model, Source: SrcOurModel})
	return finish("not-found", "none", now, nil)
}

type arrival struct {
	t      int64
	server int
	rcode  responseCode
}

// wire runs the retry schedule for one candidate name starting at t0.
func (q *qctx) wire(name, typ string, t0 int64) (string, int64, []Answer, error) {
	e := q.e
	servers := e.sc.servers
	if len(servers) == 0 {
		q.step(t0, Step{Kind: "no-servers", Name: name, Text: "no DNS server configured", Evidence: Model, Source: SrcOurModel})
		return "no-servers", t0, nil, nil
	}
	id := queryID("dns", q.index, name, typ)
	raw, err := buildDNS("dns", id, false, name, typ, 0, nil)
	if err != nil {
		return "", t0, nil, err
	}
	var qmsg *int
	rcode, rrs := e.zoneAnswer(name, typ)
	var pending []arrival
	handled := map[arrival]bool{} // SERVFAIL arrivals already on the timeline
	decide := func(limit int64) (*arrival, error) {
		sort.SliceStable(pending, func(i, j int) bool { return pending[i].t < pending[j].t })
		for i := range pending {
			a := pending[i]
			if a.t > limit {
				break
			}
			if a.rcode == rcodeServerFailure {
				if !handled[a] {
					handled[a] = true
					q.step(a.t, Step{Kind: "servfail", Name: name, Server: servers[a.server].Addr,
						Text: "SERVFAIL from this server: the model keeps waiting for the schedule (undocumented)", Evidence: Model, Source: SrcOurModel})
				}
				continue
			}
			return &pending[i], nil
		}
		return nil, nil
	}
	attempts := map[int]int{}
	for _, ev := range schedule(len(servers)) {
		at := t0 + ev[0].(int64)
		if a, err := decide(at); err != nil {
			return "", at, nil, err
		} else if a != nil {
			return q.accept(name, typ, id, *a, rcode, rrs)
		}
		for _, si := range ev[1].([]int) {
			s := servers[si]
			attempts[si]++
			if qmsg == nil {
				if qmsg, err = q.msg("dns", "query", clientAddr, s.Addr, raw, "retransmissions reuse these bytes and the same transaction ID",
					Observed, SrcKB2834226); err != nil {
					return "", at, nil, err
				}
			}
			text := fmt.Sprintf("query %s %s to server %d (%s)", name, typ, si+1, s.Addr)
			if ev[0].(int64) > 0 {
				text += fmt.Sprintf(", attempt %d to this server; no usable answer after %d ms", attempts[si], ev[0].(int64))
			}
			q.step(at, Step{Kind: "send", Name: name, Server: s.Addr, Message: qmsg, Text: text, Evidence: Documented, Source: SrcKB2834226})
			q.res.DNSSends++
			switch s.Mode {
			case "answer":
				pending = append(pending, arrival{t: at + s.LatencyMs, server: si, rcode: rcode})
			case "servfail":
				pending = append(pending, arrival{t: at + s.LatencyMs, server: si, rcode: rcodeServerFailure})
			}
		}
	}
	if a, err := decide(t0 + giveUpMs); err != nil {
		return "", t0, nil, err
	} else if a != nil {
		return q.accept(name, typ, id, *a, rcode, rrs)
	}
	q.step(t0+giveUpMs, Step{Kind: "timeout", Name: name, Text: "10 s after the first query with no answer: the client stops querying",
		Evidence: Documented, Source: SrcKB2834226})
	return "timeout", t0 + giveUpMs, nil, nil
}

func (q *qctx) accept(name, typ string, id uint16, a arrival, rcode responseCode, rrs []wireRR) (string, int64, []Answer, error) {
	e := q.e
	s := e.sc.servers[a.server]
	raw, err := buildDNS("dns", id, true, name, typ, rcode, rrs)
	if err != nil {
		return "", a.t, nil, err
	}
	m, err := q.msg("dns", "response", s.Addr, clientAddr, raw, "", Model, SrcOurModel)
	if err != nil {
		return "", a.t, nil, err
	}
	negTTL := min(e.sc.negTTL, e.sc.maxNegTTL)
	if rcode == rcodeNameError {
		q.step(a.t, Step{Kind: "nxdomain", Name: name, Server: s.Addr, Message: m,
			Text: "NXDOMAIN (name error): the retry schedule stops at once, no other server is asked for this name", Evidence: Documented, Source: SrcKB2834226})
		if negTTL > 0 {
			e.store(name, typ, "", "NotExist", "dns", negTTL, a.t)
			q.step(a.t, Step{Kind: "cache-store", Name: name, Text: fmt.Sprintf("negative entry cached for %d s (min of server TTL %d and MaxNegativeCacheTtl %d)", negTTL, e.sc.negTTL, e.sc.maxNegTTL),
				Evidence: Model, Source: SrcCacheTTLReg})
		}
		return "nxdomain", a.t, nil, nil
	}
	if len(rrs) == 0 || rrs[len(rrs)-1].typ != typ {
		q.step(a.t, Step{Kind: "nodata", Name: name, Server: s.Addr, Message: m, Text: fmt.Sprintf("the name exists but has no %s records: the search ends", typ),
			Evidence: Model, Source: SrcOurModel})
		if negTTL > 0 {
			e.store(name, typ, "", "NoRecords", "dns", negTTL, a.t)
		}
		return "nodata", a.t, nil, nil
	}
	q.step(a.t, Step{Kind: "response", Name: name, Server: s.Addr, Message: m, Text: fmt.Sprintf("answer from %s after %d ms", s.Addr, a.t-q.start),
		Evidence: Documented, Source: SrcKB2834226})
	var ans []Answer
	for _, r := range rrs {
		ttl := min(r.ttl, e.sc.maxTTL)
		ans = append(ans, Answer{Name: r.name, Type: r.typ, TTL: ttl, Data: r.data})
		if ttl > 0 {
			e.store(r.name, r.typ, r.data, "Success", "dns", ttl, a.t)
		}
	}
	q.step(a.t, Step{Kind: "cache-store", Name: name, Text: fmt.Sprintf("answer cached; each record kept for its TTL capped at MaxCacheTtl (%d s)", e.sc.maxTTL),
		Evidence: Model, Source: SrcCacheTTLReg})
	return "answer", a.t, ans, nil
}

// linkLocal tries LLMNR then NetBIOS for a single-label name. It returns the method that
// answered ("" if none), the time, and the answer.
func (q *qctx) linkLocal(name, typ string, t0 int64) (string, int64, []Answer, error) {
	e := q.e
	now := t0
	if typ != "A" {
		q.step(now, Step{Kind: "fallback", Name: name, Text: "LLMNR/NetBIOS fallback is modelled for A queries only", Evidence: Model, Source: SrcOurModel})
		return "", now, nil, nil
	}
	find := func(llmnr bool) *LinkHost {
		for i, l := range e.sc.link {
			if l.Name == name && (llmnr && l.LLMNR || !llmnr && l.NetBIOS) {
				return &e.sc.link[i]
			}
		}
		return nil
	}
	if e.sc.llmnr {
		q.step(now, Step{Kind: "fallback", Name: name, Text: "DNS did not answer a single-label name: LLMNR is tried next",
			Evidence: Documented, Source: SrcNameResOrd})
		id := queryID("llmnr", q.index, name, typ)
		raw, err := buildDNS("llmnr", id, false, name, typ, 0, nil)
		if err != nil {
			return "", now, nil, err
		}
		m, err := q.msg("llmnr", "query", clientAddr, "224.0.0.252:5355", raw, "LLMNR reuses the DNS message format on UDP 5355", Documented, SrcRFC4795)
		if err != nil {
			return "", now, nil, err
		}
		h := find(true)
		for i := int64(0); i < 3; i++ {
			at := t0 + i*1000
			if h != nil && t0+h.LatencyMs <= at {
				break
			}
			q.step(at, Step{Kind: "llmnr-send", Name: name, Message: m, Text: fmt.Sprintf("LLMNR multicast query, attempt %d (model: at most 3, 1 s apart)", i+1),
				Evidence: Model, Source: SrcRFC4795})
		}
		if h != nil {
			at := t0 + h.LatencyMs
			raw, err := buildDNS("llmnr", id, true, name, typ, 0, []wireRR{{name: name, typ: "A", data: h.Addr, ttl: 30}})
			if err != nil {
				return "", at, nil, err
			}
			m, err := q.msg("llmnr", "response", h.Addr, clientAddr, raw, "unicast reply from the owner of the name", Documented, SrcRFC4795)
			if err != nil {
				return "", at, nil, err
			}
			q.step(at, Step{Kind: "response", Name: name, Server: h.Addr, Message: m, Text: "LLMNR answer from a host on the link (not stored in the DNS cache in this model)",
				Evidence: Model, Source: SrcOurModel})
			return "llmnr", at, []Answer{{Name: name, Type: "A", TTL: 30, Data: h.Addr}}, nil
		}
		now = t0 + 3000
		q.step(now, Step{Kind: "timeout", Name: name, Text: "no LLMNR answer", Evidence: Model, Source: SrcRFC4795})
	}
	if e.sc.netbios {
		t1 := now
		q.step(now, Step{Kind: "fallback", Name: name, Text: "LLMNR failed or is off: NetBIOS name resolution is tried next",
			Evidence: Documented, Source: SrcNameResOrd})
		id := queryID("netbios", q.index, name, typ)
		raw, err := buildNetBIOS(id, false, name, "")
		if err != nil {
			return "", now, nil, err
		}
		m, err := q.msg("netbios", "query", clientAddr, "broadcast:137", raw, "name is first-level encoded (RFC 1001); B flag set", Documented, SrcRFC1002)
		if err != nil {
			return "", now, nil, err
		}
		h := find(false)
		for i := int64(0); i < 3; i++ {
			at := t1 + i*750
			if h != nil && t1+h.LatencyMs <= at {
				break
			}
			q.step(at, Step{Kind: "netbios-send", Name: name, Message: m, Text: fmt.Sprintf("NetBIOS broadcast name query, attempt %d (model: 3 tries, 750 ms apart)", i+1),
				Evidence: Model, Source: SrcOurModel})
		}
		if h != nil {
			at := t1 + h.LatencyMs
			raw, err := buildNetBIOS(id, true, name, h.Addr)
			if err != nil {
				return "", at, nil, err
			}
			m, err := q.msg("netbios", "response", h.Addr, clientAddr, raw, "positive name query response", Documented, SrcRFC1002)
			if err != nil {
				return "", at, nil, err
			}
			q.step(at, Step{Kind: "response", Name: name, Server: h.Addr, Message: m, Text: "NetBIOS answer", Evidence: Model, Source: SrcOurModel})
			return "netbios", at, []Answer{{Name: name, Type: "A", TTL: 0, Data: h.Addr}}, nil
		}
		now = t1 + 2250
		q.step(now, Step{Kind: "timeout", Name: name, Text: "no NetBIOS answer", Evidence: Model, Source: SrcOurModel})
	}
	return "", now, nil, nil
}
