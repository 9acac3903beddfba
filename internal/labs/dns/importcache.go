package dns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/ipaddr"
)

// ImportedEntry is one record of the learner's own DNS client cache.
type ImportedEntry struct {
	Entry      string `json:"entry"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	TypeCode   uint16 `json:"typeCode"`
	Status     string `json:"status"` // Success, NotExist, NoRecords
	Section    string `json:"section,omitempty"`
	TTL        uint32 `json:"ttl"`
	DataLength uint16 `json:"dataLength"`
	Data       string `json:"data,omitempty"`
	Line       int    `json:"line,omitempty"` // where it was read (text format), 0 for JSON
	Index      int    `json:"index"`          // position in the input
}

// ImportResult is the outcome of "import-cache".
type ImportResult struct {
	Format   string          `json:"format"` // json or displaydns
	Count    int             `json:"count"`
	Entries  []ImportedEntry `json:"entries"`
	Summary  ImportSummary   `json:"summary"`
	Cache    []CacheEntry    `json:"cache"` // the entries the resolve scenario can preload (A, AAAA, CNAME, PTR, negatives)
	Warnings []string        `json:"warnings"`
	Notes    []Note          `json:"notes"`
}

// ImportSummary counts what the cache holds.
type ImportSummary struct {
	ByType   map[string]int `json:"byType"`
	ByStatus map[string]int `json:"byStatus"`
	Names    int            `json:"names"`
}

// Note carries a labelled fact about the import formats.
type Note struct {
	Text     string `json:"text"`
	Evidence string `json:"evidence"`
	Source   string `json:"source"`
}

const maxImportBytes = 8 << 20

var importNotes = []Note{
	{"Get-DnsClientCache returns MSFT_DNSClientCache objects: Entry, Name, Type (uint16), TimeToLive, DataLength, Section (uint8), Data and Status (uint32).", Documented, SrcCacheClass},
	{"ConvertTo-Json writes the enum properties Type, Status and Section as numbers; RecordName and RecordType are aliases of Name and Type in the cmdlet's output.", Observed, SrcGetDnsCache},
	{"Status numbers: 0 Success, 9003 NotExist (DNS_ERROR_RCODE_NAME_ERROR), 9501 or 9701 NoRecords; Section 1 Answer, 2 Authority, 3 Additional.", Observed, "community: Velocidex/velociraptor artifacts/definitions/Windows/System/DNSCache.yaml"},
	{"The cache includes entries preloaded from the hosts file and negative entries for names that did not resolve.", Documented, SrcHostsCache},
}

// toUTF8 removes a byte-order mark and converts UTF-16 (what Windows PowerShell 5.1's '>'
// redirection writes) to UTF-8.
func toUTF8(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return b[3:], nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		le := b[0] == 0xFF
		b = b[2:]
		if len(b)%2 != 0 {
			return nil, &labs.InputError{Offset: len(b) + 1, Message: "UTF-16 text has an odd number of bytes"}
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if le {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	if !utf8.Valid(b) {
		return nil, &labs.InputError{Offset: -1, Message: "input is neither UTF-8 nor UTF-16 with a byte-order mark"}
	}
	return b, nil
}

// ImportCache parses Get-DnsClientCache | ConvertTo-Json output or English ipconfig /displaydns
// text. format is "json", "displaydns" or "" (detect).
func ImportCache(format string, text []byte) (*ImportResult, error) {
	if len(text) > maxImportBytes {
		return nil, &labs.InputError{Offset: maxImportBytes, Message: fmt.Sprintf("input larger than %d bytes", maxImportBytes)}
	}
	b, err := toUTF8(text)
	if err != nil {
		return nil, err
	}
	trim := bytes.TrimSpace(b)
	if format == "" {
		if len(trim) > 0 && (trim[0] == '[' || trim[0] == '{') {
			format = "json"
		} else {
			format = "displaydns"
		}
	}
	var res *ImportResult
	switch format {
	case "json":
		res, err = importJSON(b)
	case "displaydns":
		res, err = importDisplayDNS(string(b))
	default:
		return nil, &labs.InputError{Offset: -1, Field: "format", Message: fmt.Sprintf("unknown format %q (json, displaydns)", format)}
	}
	if err != nil {
		return nil, err
	}
	res.Format = format
	res.finish()
	return res, nil
}

func (r *ImportResult) finish() {
	r.Count = len(r.Entries)
	r.Summary = ImportSummary{ByType: map[string]int{}, ByStatus: map[string]int{}}
	names := map[string]bool{}
	r.Cache = []CacheEntry{}
	for _, e := range r.Entries {
		r.Summary.ByType[e.Type]++
		r.Summary.ByStatus[e.Status]++
		names[strings.ToLower(e.Entry)] = true
		n, _, err := normName(e.Name)
		if err != nil {
			continue
		}
		c := CacheEntry{Name: n, Type: e.Type, TTL: e.TTL, Status: e.Status}
		if e.Status == "Success" {
			if checkData(e.Type, e.Data) != nil {
				continue
			}
			c.Data = e.Data
		} else if _, ok := typeCodes[e.Type]; !ok {
			continue
		}
		r.Cache = append(r.Cache, c)
	}
	r.Summary.Names = len(names)
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	r.Notes = importNotes
}

// lineCol converts a byte offset into "line L, column C".
func lineCol(b []byte, off int) string {
	if off > len(b) {
		off = len(b)
	}
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(b[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

var statusNames = map[int64]string{0: "Success", 9003: "NotExist", 9501: "NoRecords", 9701: "NoRecords"}
var sectionNames = map[int64]string{1: "Answer", 2: "Authority", 3: "Additional"}

func importJSON(b []byte) (*ImportResult, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			at := max(0, int(se.Offset)-1) // Offset counts the offending byte; point at it
			return nil, &labs.InputError{Offset: at, Field: lineCol(b, at), Message: se.Error()}
		}
		return nil, &labs.InputError{Offset: -1, Message: err.Error()}
	}
	var objs []map[string]json.RawMessage
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(t, &one); err != nil {
			return nil, &labs.InputError{Offset: -1, Message: err.Error()}
		}
		objs = append(objs, one)
	} else if err := json.Unmarshal(t, &objs); err != nil {
		return nil, &labs.InputError{Offset: -1, Field: "entries", Message: "expected an array of cache objects (Get-DnsClientCache | ConvertTo-Json)"}
	}
	if len(objs) > maxCache {
		return nil, &labs.InputError{Offset: -1, Field: "entries", Message: fmt.Sprintf("more than %d entries", maxCache)}
	}
	res := &ImportResult{Entries: []ImportedEntry{}}
	for i, o := range objs {
		if o == nil {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("entries[%d]", i), Message: "null instead of a cache object"}
		}
		e, err := jsonEntry(i, o)
		if err != nil {
			return nil, err
		}
		res.Entries = append(res.Entries, e)
	}
	return res, nil
}

// field finds a property case-insensitively, trying the names in order.
func field(o map[string]json.RawMessage, names ...string) (json.RawMessage, string, bool) {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] }) // sort.Slice, not sort.Strings: one sort implementation in the WebAssembly bundle
	for _, n := range names {
		for _, k := range keys {
			if strings.EqualFold(k, n) && string(bytes.TrimSpace(o[k])) != "null" {
				return o[k], k, true
			}
		}
	}
	return nil, "", false
}

//go:noinline
func jsonString(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	return "", false
}

func jsonInt(v json.RawMessage, lo, hi int64) (int64, error) {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		if s, ok := jsonString(v); ok {
			n = json.Number(strings.TrimSpace(s))
		} else {
			return 0, fmt.Errorf("expected a number")
		}
	}
	x, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", string(n))
	}
	if x < lo || x > hi {
		return 0, fmt.Errorf("%d out of range %d..%d", x, lo, hi)
	}
	return x, nil
}

func jsonEntry(i int, o map[string]json.RawMessage) (ImportedEntry, error) {
	e := ImportedEntry{Index: i}
	bad := func(k, format string, a ...any) error {
		return &labs.InputError{Offset: -1, Field: fmt.Sprintf("entries[%d].%s", i, k), Message: fmt.Sprintf(format, a...)}
	}
	if v, k, ok := field(o, "Entry"); ok {
		s, ok := jsonString(v)
		if !ok {
			return e, bad(k, "expected a string")
		}
		e.Entry = s
	}
	if v, k, ok := field(o, "RecordName", "Name"); ok {
		s, ok := jsonString(v)
		if !ok {
			return e, bad(k, "expected a string")
		}
		e.Name = s
	}
	if e.Entry == "" {
		e.Entry = e.Name
	}
	if e.Name == "" {
		e.Name = e.Entry
	}
	if e.Entry == "" {
		return e, bad("Entry", "missing: each cache object needs Entry or Name")
	}
	v, k, ok := field(o, "RecordType", "Type")
	if !ok {
		return e, bad("Type", "missing record type (RecordType or Type)")
	}
	if s, isStr := jsonString(v); isStr && typeCodes[strings.ToUpper(s)] != 0 {
		e.Type, e.TypeCode = strings.ToUpper(s), typeCodes[strings.ToUpper(s)]
	} else {
		n, err := jsonInt(v, 0, 65535)
		if err != nil {
			return e, bad(k, "record type: %v", err)
		}
		e.TypeCode, e.Type = uint16(n), typeName(uint16(n))
	}
	e.Status = "Success"
	if v, k, ok := field(o, "Status"); ok {
		if s, isStr := jsonString(v); isStr && (s == "Success" || s == "NotExist" || s == "NoRecords") {
			e.Status = s
		} else {
			n, err := jsonInt(v, 0, 1<<32-1)
			if err != nil {
				return e, bad(k, "status: %v", err)
			}
			st, known := statusNames[n]
			if !known {
				return e, bad(k, "unknown status code %d (0, 9003, 9501, 9701)", n)
			}
			e.Status = st
		}
	}
	if v, k, ok := field(o, "Section"); ok {
		if s, isStr := jsonString(v); isStr && (s == "Answer" || s == "Authority" || s == "Additional") {
			e.Section = s
		} else {
			n, err := jsonInt(v, 0, 255)
			if err != nil {
				return e, bad(k, "section: %v", err)
			}
			sec, known := sectionNames[n]
			if !known {
				return e, bad(k, "unknown section %d (1 Answer, 2 Authority, 3 Additional)", n)
			}
			e.Section = sec
		}
	}
	if v, k, ok := field(o, "TimeToLive"); ok {
		n, err := jsonInt(v, 0, 1<<32-1)
		if err != nil {
			return e, bad(k, "time to live: %v", err)
		}
		e.TTL = uint32(n)
	}
	if v, k, ok := field(o, "DataLength"); ok {
		n, err := jsonInt(v, 0, 65535)
		if err != nil {
			return e, bad(k, "data length: %v", err)
		}
		e.DataLength = uint16(n)
	}
	if v, k, ok := field(o, "Data"); ok {
		s, ok := jsonString(v)
		if !ok {
			return e, bad(k, "expected a string")
		}
		e.Data = s
	}
	return e, nil
}

// importDisplayDNS parses English `ipconfig /displaydns` output.
func importDisplayDNS(text string) (*ImportResult, error) {
	res := &ImportResult{Entries: []ImportedEntry{}}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	offsets := make([]int, len(lines))
	off := 0
	for i, l := range lines {
		offsets[i] = off
		off += len(l) + 1
	}
	isDash := func(s string) bool {
		s = strings.TrimSpace(s)
		return len(s) >= 5 && strings.Trim(s, "-") == ""
	}
	bad := func(i int, format string, a ...any) error {
		return &labs.InputError{Offset: offsets[i], Field: fmt.Sprintf("line %d", i+1), Message: fmt.Sprintf(format, a...)}
	}
	entry := ""
	var cur *ImportedEntry
	flush := func() {
		if cur != nil {
			res.Entries = append(res.Entries, *cur)
			cur = nil
		}
	}
	sawAny := false
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		switch {
		case l == "":
			continue
		case isDash(l):
			continue
		case i+1 < len(lines) && isDash(lines[i+1]):
			flush()
			entry = l
			sawAny = true
			continue
		case strings.EqualFold(l, "Windows IP Configuration"):
			continue
		}
		if entry == "" {
			return nil, bad(i, "unexpected text before the first cache entry: %q", clip(l))
		}
		if strings.EqualFold(strings.TrimSuffix(l, "."), "Name does not exist") {
			flush()
			res.Entries = append(res.Entries, ImportedEntry{Entry: entry, Name: entry, Type: "A", TypeCode: 1, Status: "NotExist", Line: i + 1, Index: len(res.Entries)})
			continue
		}
		if rest, ok := strings.CutPrefix(l, "No records of type "); ok {
			flush()
			t := strings.ToUpper(strings.TrimSpace(rest))
			code, known := typeCodes[t]
			if !known {
				n, err := strconv.ParseUint(t, 10, 16)
				if err != nil {
					return nil, bad(i, "unknown record type %q", clip(t))
				}
				code, t = uint16(n), typeName(uint16(n))
			}
			res.Entries = append(res.Entries, ImportedEntry{Entry: entry, Name: entry, Type: t, TypeCode: code, Status: "NoRecords", Line: i + 1, Index: len(res.Entries)})
			continue
		}
		key, val, ok := strings.Cut(l, " : ")
		if !ok {
			if strings.HasSuffix(l, " :") {
				key, val, ok = strings.TrimSuffix(l, " :"), "", true
			} else {
				return nil, bad(i, "expected \"Field . . . : value\" (only English ipconfig output is understood), got %q", clip(l))
			}
		}
		key = strings.TrimRight(key, " .")
		val = strings.TrimSpace(val)
		switch key {
		case "Record Name":
			flush()
			cur = &ImportedEntry{Entry: entry, Name: val, Status: "Success", Line: i + 1, Index: len(res.Entries)}
			continue
		}
		if cur == nil {
			return nil, bad(i, "field %q before any \"Record Name\" line (only English ipconfig output is understood)", clip(key))
		}
		switch key {
		case "Record Type":
			n, err := strconv.ParseUint(val, 10, 16)
			if err != nil {
				return nil, bad(i, "record type %q is not a number 0..65535", clip(val))
			}
			cur.TypeCode, cur.Type = uint16(n), typeName(uint16(n))
		case "Time To Live":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return nil, bad(i, "time to live %q is not a number of seconds", clip(val))
			}
			cur.TTL = uint32(n)
		case "Data Length":
			n, err := strconv.ParseUint(val, 10, 16)
			if err != nil {
				return nil, bad(i, "data length %q is not a number 0..65535", clip(val))
			}
			cur.DataLength = uint16(n)
		case "Section":
			switch val {
			case "Answer", "Authority", "Additional":
				cur.Section = val
			default:
				return nil, bad(i, "unknown section %q (Answer, Authority, Additional)", clip(val))
			}
		default:
			if strings.HasSuffix(key, "Record") {
				cur.Data = val
				if cur.Type == "A" || cur.Type == "AAAA" {
					if _, err := ipaddr.ParseAddr(val); err != nil {
						return nil, bad(i, "%s data %q is not an IP address", cur.Type, clip(val))
					}
				}
			} else {
				res.Warnings = append(res.Warnings, fmt.Sprintf("line %d: field %q kept out of the model", i+1, clip(key)))
			}
		}
		if len(res.Entries) > maxCache {
			return nil, bad(i, "more than %d entries", maxCache)
		}
	}
	flush()
	if !sawAny && len(strings.TrimSpace(text)) > 0 {
		return nil, &labs.InputError{Offset: 0, Field: "line 1", Message: "no cache entry found (an entry is a name line followed by a line of dashes)"}
	}
	for i := range res.Entries {
		if res.Entries[i].Type == "" {
			e := res.Entries[i]
			return nil, &labs.InputError{Offset: offsets[e.Line-1], Field: fmt.Sprintf("line %d", e.Line), Message: "record without a \"Record Type\" line"}
		}
		res.Entries[i].Index = i
	}
	return res, nil
}

//go:noinline
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
