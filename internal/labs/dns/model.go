// Package dns is a deterministic model of the Windows DNS Client (the DnsCache service) on a
// simulated clock: hosts file, resolver cache with positive and negative entries, suffix search
// list and devolution for short names, the documented retry schedule for one, two and three or
// more servers, and the LLMNR / NetBIOS fallback for single-label names. Every resolution yields
// a timeline whose steps carry an evidence label ("documented", "observed" or "model") and the
// source they rest on, plus the real DNS wire messages (built and parsed in wire.go).
//
// Time is an integer number of milliseconds since the start of the scenario. Nothing here reads a
// clock.
package dns

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/ipaddr"
)

// Evidence labels, shown to the learner. They mirror the [D]/[C]/[A] tags of the research notes.
const (
	Documented = "documented" // Microsoft documentation (or an RFC where noted)
	Observed   = "observed"   // community / third-party observation
	Model      = "model"      // our own simplification or default
)

// Sources cited by the timeline. URLs are the pages the facts were checked against.
const (
	SrcKB2834226   = "https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/dns-client-resolution-timeouts"
	SrcDevolution  = "http://technet.microsoft.com/library/ee683928(WS.10).aspx"
	SrcHostsCache  = "https://docs.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/cc794721(v=ws.10)"
	SrcNameResOrd  = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wpo/f00add7f-a321-4a5f-a5d8-1748e748cd44"
	SrcRFC4795     = "https://datatracker.ietf.org/doc/html/rfc4795"
	SrcRFC1002     = "https://datatracker.ietf.org/doc/html/rfc1002"
	SrcCacheClass  = "https://learn.microsoft.com/en-us/previous-versions/windows/desktop/legacy/hh872334(v=vs.85)"
	SrcGetDnsCache = "https://learn.microsoft.com/en-us/powershell/module/dnsclient/get-dnsclientcache"
	SrcCacheTTLReg = "community: Dnscache\\Parameters MaxCacheTtl / MaxNegativeCacheTtl (not on Learn)"
	SrcOurModel    = "NT Atlas model (docs/labs/dns.md)"
)

// Scenario is the JSON input of the "resolve" operation.
type Scenario struct {
	Config  Config       `json:"config"`
	Hosts   string       `json:"hosts,omitempty"` // hosts file text (%SystemRoot%\System32\drivers\etc\hosts)
	Cache   []CacheEntry `json:"cache,omitempty"` // entries already in the cache at t=0 (for example imported)
	Zone    []Record     `json:"zone,omitempty"`  // what reachable DNS servers answer from
	Link    []LinkHost   `json:"link,omitempty"`  // hosts on the local link answering LLMNR / NetBIOS
	Queries []Query      `json:"queries"`
}

// Config is the DNS Client configuration of the simulated machine.
type Config struct {
	Servers            []Server `json:"servers"`
	PrimarySuffix      string   `json:"primarySuffix,omitempty"`
	ConnectionSuffixes []string `json:"connectionSuffixes,omitempty"`
	SuffixSearchList   []string `json:"suffixSearchList,omitempty"`
	// Devolution of the primary suffix; nil means enabled with level 2 (the documented default
	// behaviour: the suffix is never devolved below two labels).
	Devolution *Devolution `json:"devolution,omitempty"`
	LLMNR      *bool       `json:"llmnr,omitempty"`   // default true
	NetBIOS    *bool       `json:"netbios,omitempty"` // default true
	// Cache limits in seconds. Defaults 86400 and 900 are community-reported registry defaults.
	MaxCacheTTL         *uint32 `json:"maxCacheTtl,omitempty"`
	MaxNegativeCacheTTL *uint32 `json:"maxNegativeCacheTtl,omitempty"`
	// NegativeTTL is the negative-caching TTL the servers hand out (the SOA minimum in real DNS).
	NegativeTTL *uint32 `json:"negativeTtl,omitempty"`
	// ContinueAfterTimeout: when every server stayed silent for one candidate name, try the next
	// suffix anyway. Undocumented; default false (a timeout ends the DNS part).
	ContinueAfterTimeout bool `json:"continueAfterTimeout,omitempty"`
}

// Devolution settings of the primary DNS suffix.
type Devolution struct {
	Enabled bool `json:"enabled"`
	Level   int  `json:"level"`
}

// Server is one configured DNS server, in list order.
type Server struct {
	Addr string `json:"addr"`
	// Mode: "answer" (answers from the zone, NXDOMAIN for names not in it), "unreachable" (never
	// answers) or "servfail" (answers SERVFAIL, which the model ignores like silence).
	Mode      string `json:"mode"`
	LatencyMs int64  `json:"latencyMs,omitempty"` // round trip; default 20 ms
}

// Record is one resource record of the simulated zone or cache.
type Record struct {
	Name string `json:"name"`
	Type string `json:"type"` // A, AAAA, CNAME, PTR
	TTL  uint32 `json:"ttl"`
	Data string `json:"data"`
}

// CacheEntry preloads the resolver cache. Negative entries have Status "NotExist" (name does not
// exist) or "NoRecords" (no records of that type) and no data.
type CacheEntry struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	TTL    uint32 `json:"ttl"`
	Data   string `json:"data,omitempty"`
	Status string `json:"status,omitempty"` // Success (default), NotExist, NoRecords
}

// LinkHost is a machine on the local link that answers multicast / broadcast name queries.
type LinkHost struct {
	Name      string `json:"name"`
	Addr      string `json:"addr"`
	LLMNR     bool   `json:"llmnr"`
	NetBIOS   bool   `json:"netbios"`
	LatencyMs int64  `json:"latencyMs,omitempty"` // default 5 ms
}

// Query is one name the learner resolves at time At (ms since scenario start).
type Query struct {
	At   int64  `json:"at"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"` // default A
}

var typeCodes = map[string]uint16{"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33}

// typeName gives the mnemonic of a record type code, or TYPEn for unknown ones (RFC 3597 style).
//
//go:noinline
func typeName(code uint16) string {
	for n, c := range typeCodes {
		if c == code {
			return n
		}
	}
	return fmt.Sprintf("TYPE%d", code)
}

// Limits that keep a single request bounded in time and memory (the engine also runs in WASM).
const (
	maxServers  = 16
	maxQueries  = 64
	maxZone     = 1000
	maxCache    = 5000
	maxLink     = 64
	maxSuffixes = 16
	maxTimeMs   = 365 * 24 * 3600 * 1000
)

//go:noinline
func inErr(field, format string, a ...any) error {
	return &labs.InputError{Offset: -1, Field: field, Message: fmt.Sprintf(format, a...)}
}

// normName lower-cases a DNS name and removes one trailing dot; it reports whether the dot was
// there (a fully qualified name that must not get suffixes).
func normName(s string) (string, bool, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	fq := strings.HasSuffix(s, ".")
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", false, fmt.Errorf("empty name")
	}
	if len(s) > 253 {
		return "", false, fmt.Errorf("name longer than 253 characters")
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" {
			return "", false, fmt.Errorf("empty label in %q", s)
		}
		if len(l) > 63 {
			return "", false, fmt.Errorf("label %q longer than 63 characters", l)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", false, fmt.Errorf("character %q not allowed in %q", r, s)
			}
		}
	}
	return s, fq, nil
}

func checkData(typ, data string) error {
	switch typ {
	case "A":
		a, err := ipaddr.ParseAddr(data)
		if err != nil || !a.Is4() {
			return fmt.Errorf("data %q of an A record is not an IPv4 address", data)
		}
	case "AAAA":
		a, err := ipaddr.ParseAddr(data)
		if err != nil || !a.Is6() || a.Is4In6() {
			return fmt.Errorf("AAAA data %q is not an IPv6 address", data)
		}
	case "CNAME", "PTR":
		if _, _, err := normName(data); err != nil {
			return fmt.Errorf("%s target: %v", typ, err)
		}
	default:
		return fmt.Errorf("record type %q not supported by the model (A, AAAA, CNAME, PTR)", typ)
	}
	return nil
}

// resolved is the validated, normalised form of a Scenario.
type resolved struct {
	servers              []Server
	primary              string
	connSuffixes         []string
	searchList           []string
	devolution           Devolution
	llmnr, netbios       bool
	maxTTL, maxNegTTL    uint32
	negTTL               uint32
	continueAfterTimeout bool
	hosts                []hostEntry
	cache                []CacheEntry
	zone                 []Record
	link                 []LinkHost
	queries              []Query
}

func validate(sc *Scenario) (*resolved, error) {
	r := &resolved{devolution: Devolution{Enabled: true, Level: 2}, llmnr: true, netbios: true,
		maxTTL: 86400, maxNegTTL: 900, negTTL: 300}
	c := sc.Config
	if len(c.Servers) > maxServers {
		return nil, inErr("config.servers", "at most %d servers", maxServers)
	}
	for i, s := range c.Servers {
		f := fmt.Sprintf("config.servers[%d]", i)
		if _, err := ipaddr.ParseAddr(s.Addr); err != nil {
			return nil, inErr(f+".addr", "%q is not an IP address", s.Addr)
		}
		switch s.Mode {
		case "":
			s.Mode = "answer"
		case "answer", "unreachable", "servfail":
		default:
			return nil, inErr(f+".mode", "unknown mode %q (answer, unreachable, servfail)", s.Mode)
		}
		if s.LatencyMs < 0 || s.LatencyMs > 60000 {
			return nil, inErr(f+".latencyMs", "latency must be 0..60000 ms")
		}
		if s.LatencyMs == 0 {
			s.LatencyMs = 20
		}
		r.servers = append(r.servers, s)
	}
	var err error
	if c.PrimarySuffix != "" {
		if r.primary, _, err = normName(c.PrimarySuffix); err != nil {
			return nil, inErr("config.primarySuffix", "%v", err)
		}
	}
	norms := func(field string, in []string) ([]string, error) {
		if len(in) > maxSuffixes {
			return nil, inErr(field, "at most %d suffixes", maxSuffixes)
		}
		var out []string
		for i, s := range in {
			n, _, err := normName(s)
			if err != nil {
				return nil, inErr(fmt.Sprintf("%s[%d]", field, i), "%v", err)
			}
			out = append(out, n)
		}
		return out, nil
	}
	if r.connSuffixes, err = norms("config.connectionSuffixes", c.ConnectionSuffixes); err != nil {
		return nil, err
	}
	if r.searchList, err = norms("config.suffixSearchList", c.SuffixSearchList); err != nil {
		return nil, err
	}
	if c.Devolution != nil {
		r.devolution = *c.Devolution
		if r.devolution.Enabled && (r.devolution.Level < 2 || r.devolution.Level > 127) {
			return nil, inErr("config.devolution.level", "level must be 2..127 (a suffix is never devolved below two labels)")
		}
	}
	if c.LLMNR != nil {
		r.llmnr = *c.LLMNR
	}
	if c.NetBIOS != nil {
		r.netbios = *c.NetBIOS
	}
	if c.MaxCacheTTL != nil {
		r.maxTTL = *c.MaxCacheTTL
	}
	if c.MaxNegativeCacheTTL != nil {
		r.maxNegTTL = *c.MaxNegativeCacheTTL
	}
	if c.NegativeTTL != nil {
		r.negTTL = *c.NegativeTTL
	}
	r.continueAfterTimeout = c.ContinueAfterTimeout

	if r.hosts, err = ParseHosts(sc.Hosts); err != nil {
		return nil, err
	}
	if len(sc.Zone) > maxZone {
		return nil, inErr("zone", "at most %d records", maxZone)
	}
	for i, rec := range sc.Zone {
		f := fmt.Sprintf("zone[%d]", i)
		n, _, err := normName(rec.Name)
		if err != nil {
			return nil, inErr(f+".name", "%v", err)
		}
		rec.Name = n
		rec.Type = strings.ToUpper(rec.Type)
		if err := checkData(rec.Type, rec.Data); err != nil {
			return nil, inErr(f, "%v", err)
		}
		if rec.Type == "CNAME" || rec.Type == "PTR" {
			rec.Data, _, _ = normName(rec.Data)
		}
		r.zone = append(r.zone, rec)
	}
	if len(sc.Cache) > maxCache {
		return nil, inErr("cache", "at most %d entries", maxCache)
	}
	for i, e := range sc.Cache {
		f := fmt.Sprintf("cache[%d]", i)
		n, _, err := normName(e.Name)
		if err != nil {
			return nil, inErr(f+".name", "%v", err)
		}
		e.Name = n
		e.Type = strings.ToUpper(e.Type)
		if e.Type == "" {
			e.Type = "A"
		}
		if _, ok := typeCodes[e.Type]; !ok {
			return nil, inErr(f+".type", "unknown record type %q", e.Type)
		}
		switch e.Status {
		case "", "Success":
			e.Status = "Success"
			if err := checkData(e.Type, e.Data); err != nil {
				return nil, inErr(f+".data", "%v", err)
			}
			if e.Type == "CNAME" || e.Type == "PTR" {
				e.Data, _, _ = normName(e.Data)
			}
		case "NotExist", "NoRecords":
		default:
			return nil, inErr(f+".status", "unknown status %q (Success, NotExist, NoRecords)", e.Status)
		}
		r.cache = append(r.cache, e)
	}
	if len(sc.Link) > maxLink {
		return nil, inErr("link", "at most %d hosts", maxLink)
	}
	for i, l := range sc.Link {
		f := fmt.Sprintf("link[%d]", i)
		n, _, err := normName(l.Name)
		if err != nil || strings.Contains(n, ".") {
			return nil, inErr(f+".name", "link names are single labels (LLMNR/NetBIOS resolve single-label names)")
		}
		l.Name = n
		a, err := ipaddr.ParseAddr(l.Addr)
		if err != nil || !a.Is4() {
			return nil, inErr(f+".addr", "%q is not an IPv4 address", l.Addr)
		}
		if l.LatencyMs < 0 || l.LatencyMs > 10000 {
			return nil, inErr(f+".latencyMs", "latency must be 0..10000 ms")
		}
		if l.LatencyMs == 0 {
			l.LatencyMs = 5
		}
		r.link = append(r.link, l)
	}
	if len(sc.Queries) == 0 {
		return nil, inErr("queries", "at least one query is needed")
	}
	if len(sc.Queries) > maxQueries {
		return nil, inErr("queries", "at most %d queries", maxQueries)
	}
	last := int64(0)
	for i, q := range sc.Queries {
		f := fmt.Sprintf("queries[%d]", i)
		if q.At < last {
			return nil, inErr(f+".at", "queries must be in time order (at=%d is before %d)", q.At, last)
		}
		if q.At > maxTimeMs {
			return nil, inErr(f+".at", "time beyond one year")
		}
		last = q.At
		if _, _, err := normName(q.Name); err != nil {
			return nil, inErr(f+".name", "%v", err)
		}
		q.Type = strings.ToUpper(q.Type)
		if q.Type == "" {
			q.Type = "A"
		}
		if q.Type != "A" && q.Type != "AAAA" && q.Type != "CNAME" && q.Type != "PTR" {
			return nil, inErr(f+".type", "query type %q not supported (A, AAAA, CNAME, PTR)", q.Type)
		}
		r.queries = append(r.queries, q)
	}
	return r, nil
}
