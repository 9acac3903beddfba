package proctree

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"ntatlas/internal/labs"
)

// Input limits: a real machine has a few hundred processes; these bound memory and time.
const (
	MaxInputBytes = 16 << 20
	MaxProcesses  = 20000
)

// Formats accepted by Import.
const (
	FormatCIM      = "cim-json"
	FormatTasklist = "tasklist-csv"
	FormatAuto     = "auto"
)

// decodeText turns the bytes a learner saved into UTF-8 text. Windows PowerShell 5.1 writes
// UTF-16 LE with a byte order mark when output is redirected with ">", so that is common.
func decodeText(b []byte) (string, error) {
	if len(b) > MaxInputBytes {
		return "", &labs.InputError{Offset: MaxInputBytes, Message: fmt.Sprintf("input is larger than %d bytes", MaxInputBytes)}
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return utf16Text(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return utf16Text(b[2:], true)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		// UTF-16 LE without a byte order mark (first two ASCII characters).
		return utf16Text(b, false)
	}
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, size := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return "", &labs.InputError{Offset: off, Field: lineField(b, off), Message: "text is neither UTF-8 nor UTF-16; save it with Out-File -Encoding utf8"}
	}
	return string(b), nil
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func utf16Text(b []byte, bigEndian bool) (string, error) {
	if len(b)%2 != 0 {
		return "", &labs.InputError{Offset: len(b), Message: "UTF-16 text has an odd number of bytes (file truncated?)"}
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u)), nil
}

// lineField names the 1-based line that holds byte offset off.
func lineField(b []byte, off int) string {
	if off > len(b) {
		off = len(b)
	}
	return fmt.Sprintf("line %d", bytes.Count(b[:off], []byte{'\n'})+1)
}

// DetectFormat guesses the format from the first significant character.
func DetectFormat(text string) string {
	t := strings.TrimLeft(text, " \t\r\n\ufeff")
	if strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
		return FormatCIM
	}
	return FormatTasklist
}

// Import parses a process list in the given format ("auto" detects it).
func Import(format string, data []byte) ([]Process, string, error) {
	text, err := decodeText(data)
	if err != nil {
		// tasklist redirected in cmd.exe is written in the OEM code page, so accented user
		// names are not UTF-8. Reading bytes as Latin-1 keeps names and PIDs usable; only
		// non-ASCII letters may look wrong (model choice).
		var ie *labs.InputError
		lenient := format == FormatTasklist || ((format == "" || format == FormatAuto) && DetectFormat(string(data)) == FormatTasklist)
		if !lenient || !errors.As(err, &ie) || len(data) > MaxInputBytes {
			return nil, "", err
		}
		text = latin1(data)
	}
	if format == "" || format == FormatAuto {
		format = DetectFormat(text)
	}
	var procs []Process
	switch format {
	case FormatCIM:
		procs, err = parseCIM(text)
	case FormatTasklist:
		procs, err = parseTasklist(text)
	default:
		return nil, "", &labs.InputError{Offset: -1, Field: "format", Message: fmt.Sprintf("unknown format %q (want %q, %q or %q)", format, FormatCIM, FormatTasklist, FormatAuto)}
	}
	if err != nil {
		return nil, "", err
	}
	if err := checkUnique(procs); err != nil {
		return nil, "", err
	}
	return procs, format, nil
}

func checkUnique(procs []Process) error {
	seen := make(map[uint32]string, len(procs))
	for _, p := range procs {
		if prev, ok := seen[p.PID]; ok {
			return &labs.InputError{Offset: -1, Field: p.Where, Message: fmt.Sprintf("PID %d appears twice (also at %s); a snapshot lists each PID once", p.PID, prev)}
		}
		seen[p.PID] = p.Where
	}
	return nil
}

// parseCIM reads ConvertTo-Json output of Win32_Process objects: an array, or a single object
// when only one process was selected.
func parseCIM(text string) ([]Process, error) {
	src := []byte(text)
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(src, err, "")
	}
	var procs []Process
	switch tok {
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if i >= MaxProcesses {
				return nil, &labs.InputError{Offset: int(dec.InputOffset()), Field: lineField(src, int(dec.InputOffset())), Message: fmt.Sprintf("more than %d processes", MaxProcesses)}
			}
			start := skipSep(src, int(dec.InputOffset()))
			var raw map[string]json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonErr(src, err, fmt.Sprintf("process[%d]", i))
			}
			p, err := cimProcess(raw, fmt.Sprintf("process[%d] (%s)", i, lineField(src, start)), start)
			if err != nil {
				return nil, err
			}
			procs = append(procs, p)
		}
		if _, err := dec.Token(); err != nil {
			return nil, jsonErr(src, err, "")
		}
	case json.Delim('{'):
		// Re-decode the whole value as one object.
		dec = json.NewDecoder(bytes.NewReader(src))
		dec.UseNumber()
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonErr(src, err, "")
		}
		start := skipSep(src, 0)
		p, err := cimProcess(raw, fmt.Sprintf("process[0] (%s)", lineField(src, start)), start)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
	default:
		return nil, &labs.InputError{Offset: int(dec.InputOffset()), Field: "line 1", Message: "expected a JSON array or object of Win32_Process rows"}
	}
	if rest := skipSep(src, int(dec.InputOffset())); rest < len(src) {
		return nil, &labs.InputError{Offset: rest, Field: lineField(src, rest), Message: "unexpected text after the JSON value"}
	}
	if len(procs) == 0 {
		return nil, &labs.InputError{Offset: 0, Field: "line 1", Message: "the list has no processes"}
	}
	return procs, nil
}

//go:noinline
func skipSep(src []byte, off int) int {
	for off < len(src) {
		switch src[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func jsonErr(src []byte, err error, where string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := -1
	switch {
	case errors.As(err, &se):
		off = int(se.Offset)
	case errors.As(err, &te):
		off = int(te.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off = len(src)
		return &labs.InputError{Offset: off, Field: lineField(src, off), Message: "the JSON ends too early (file truncated?)"}
	}
	field := where
	if off >= 0 {
		if field != "" {
			field += " "
		}
		field += "(" + lineField(src, off) + ")"
	}
	return &labs.InputError{Offset: off, Field: strings.TrimSpace(field), Message: err.Error()}
}

// cimProcess reads one Win32_Process row. Unknown properties are ignored so that rows with
// more columns than the suggested Select-Object still load.
func cimProcess(raw map[string]json.RawMessage, where string, off int) (Process, error) {
	p := Process{Session: -1, Where: where}
	get := func(k string) (json.RawMessage, bool) {
		for key, v := range raw {
			if strings.EqualFold(key, k) {
				if string(v) == "null" {
					return nil, false
				}
				return v, true
			}
		}
		return nil, false
	}
	bad := func(field, msg string) error {
		return &labs.InputError{Offset: off, Field: where + "." + field, Message: msg}
	}
	v, ok := get("ProcessId")
	if !ok {
		return p, bad("ProcessId", "missing; include ProcessId in Select-Object")
	}
	pid, err := jsonUint32(v)
	if err != nil {
		return p, bad("ProcessId", err.Error())
	}
	p.PID = pid
	if v, ok := get("ParentProcessId"); ok {
		ppid, err := jsonUint32(v)
		if err != nil {
			return p, bad("ParentProcessId", err.Error())
		}
		p.PPID, p.HasPPID = ppid, true
	}
	if v, ok := get("Name"); ok {
		if err := json.Unmarshal(v, &p.Name); err != nil {
			return p, bad("Name", "must be a string")
		}
	} else {
		return p, bad("Name", "missing; include Name in Select-Object")
	}
	if v, ok := get("SessionId"); ok {
		s, err := jsonUint32(v)
		if err != nil {
			return p, bad("SessionId", err.Error())
		}
		if s > math.MaxInt32 {
			return p, bad("SessionId", "out of range")
		}
		p.Session = int(s)
	}
	if v, ok := get("CreationDate"); ok {
		t, err := parseCIMDate(v)
		if err != nil {
			return p, bad("CreationDate", err.Error())
		}
		p.Created, p.HasCreated = t, true
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"ExecutablePath", &p.Path}, {"CommandLine", &p.CommandLine}} {
		if v, ok := get(f.key); ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return p, bad(f.key, "must be a string or null")
			}
		}
	}
	return p, nil
}

// jsonUint32 accepts a JSON number or a numeric string (some pipelines stringify numbers).
func jsonUint32(v json.RawMessage) (uint32, error) {
	s := strings.TrimSpace(string(v))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, errors.New("must be a number")
		}
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("must be a whole number from 0 to 4294967295, got %.40s", s)
	}
	return uint32(n), nil
}

// matchMSDate matches `^/Date\((-?\d{1,15})([+-]\d{4})?\)/$` and returns the first group.
// Written out by hand because the regexp package (with the Unicode tables it brings) cost
// 125 KB gzipped of the WebAssembly bundle; TestDateMatchersAgreeWithRegexp holds it to the
// expression.
func matchMSDate(s string) (ms string, ok bool) {
	body, ok := strings.CutPrefix(s, "/Date(")
	if !ok {
		return "", false
	}
	if body, ok = strings.CutSuffix(body, ")/"); !ok {
		return "", false
	}
	i := 0
	if i < len(body) && body[i] == '-' {
		i++
	}
	n := asciiDigits(body[i:])
	if n < 1 || n > 15 {
		return "", false
	}
	ms, rest := body[:i+n], body[i+n:]
	if rest != "" && !(len(rest) == 5 && (rest[0] == '+' || rest[0] == '-') && asciiDigits(rest[1:]) == 4) {
		return "", false
	}
	return ms, true
}

// matchDMTFDate matches `^(\d{14})\.(\d{6})([+-]\d{3})$` and returns the three groups.
func matchDMTFDate(s string) (date, micros, offset string, ok bool) {
	if len(s) != 25 || asciiDigits(s[:14]) != 14 || s[14] != '.' || asciiDigits(s[15:21]) != 6 ||
		(s[21] != '+' && s[21] != '-') || asciiDigits(s[22:]) != 3 {
		return "", "", "", false
	}
	return s[:14], s[15:21], s[21:], true
}

// asciiDigits counts the leading ASCII digits of s (what \d matches in Go regular expressions).
//
//go:noinline
func asciiDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// parseCIMDate reads the CreationDate shapes that PowerShell produces:
//   - Windows PowerShell 5.1: "\/Date(1700000000000)\/" (milliseconds since 1970, UTC)
//   - the same wrapped in an object {"value": "\/Date(...)\/", "DateTime": "..."} when the
//     DateTime carries extended properties
//   - PowerShell 7: ISO 8601 "2023-11-14T23:13:20.1234567+01:00" (offset optional)
//   - Get-WmiObject: DMTF "20231114231320.123456+060"
func parseCIMDate(v json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		var obj map[string]json.RawMessage
		if err2 := json.Unmarshal(v, &obj); err2 != nil {
			return time.Time{}, errors.New("must be a date string")
		}
		inner, ok := obj["value"]
		if !ok || json.Unmarshal(inner, &s) != nil {
			return time.Time{}, errors.New(`date object has no string "value"`)
		}
	}
	s = strings.TrimSpace(s)
	if m, ok := matchMSDate(s); ok {
		ms, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad /Date()/ value %q", s)
		}
		// The optional offset only says which zone to display; the number is already UTC.
		return time.UnixMilli(ms).UTC(), nil
	}
	if date, micros, offset, ok := matchDMTFDate(s); ok {
		t, ok := parseDMTFSeconds(date)
		if !ok {
			return time.Time{}, fmt.Errorf("bad DMTF date %q", s)
		}
		us, _ := strconv.Atoi(micros)
		offMin, _ := strconv.Atoi(offset)
		return t.Add(time.Duration(us)*time.Microsecond - time.Duration(offMin)*time.Minute).UTC(), nil
	}
	if t, ok := parseISODate(s); ok {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q (expected \"/Date(ms)/\", ISO 8601 or DMTF)", truncate(s, 40))
}

// The date parsers below accept exactly what time.Parse accepted with the layouts this
// importer used, and give the same instants; they replace it because time's layout engine is a
// large part of the WebAssembly bundle. TestDateParsersAgreeWithTime holds them to time.Parse.

// parseDMTFSeconds is time.Parse("20060102150405", s) for a string of 14 ASCII digits.
func parseDMTFSeconds(s string) (time.Time, bool) {
	n := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	year, month, day := n(0)*100+n(2), n(4), n(6)
	hour, minute, sec := n(8), n(10), n(12)
	if month < 1 || month > 12 || hour > 23 || minute > 59 || sec > 59 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	return utcTime(year, month, day, hour*3600+minute*60+sec, 0), true
}

// utcTime is the instant of a validated UTC date, seconds into the day and nanoseconds.
func utcTime(year, month, day, secOfDay, nsec int) time.Time {
	return time.Unix(labs.DaysFromCivil(int64(year), int64(month), int64(day))*86400+int64(secOfDay), int64(nsec)).UTC()
}

// parseISODate accepts what time.Parse accepted with any of RFC3339Nano,
// "2006-01-02T15:04:05.999999999" and "2006-01-02T15:04:05": YYYY-MM-DDTHH:MM:SS (the hour may
// have one digit), an optional fraction after '.' or ',' (any number of digits, nanoseconds
// kept), and an optional zone: "Z" or ±hh:mm with hh up to 24 and mm up to 60.
func parseISODate(s string) (time.Time, bool) {
	two := func(i int) (int, bool) {
		if i+2 > len(s) || asciiDigits(s[i:i+2]) != 2 {
			return 0, false
		}
		return int(s[i]-'0')*10 + int(s[i+1]-'0'), true
	}
	if len(s) < 4 || asciiDigits(s[:4]) != 4 {
		return time.Time{}, false
	}
	y1, _ := two(0)
	y2, _ := two(2)
	year := y1*100 + y2
	if len(s) < 5 || s[4] != '-' {
		return time.Time{}, false
	}
	month, ok := two(5)
	if !ok || month < 1 || month > 12 || len(s) < 8 || s[7] != '-' {
		return time.Time{}, false
	}
	day, ok := two(8)
	if !ok || len(s) < 12 || s[10] != 'T' {
		return time.Time{}, false
	}
	// The hour ("15" in a layout) takes one or two digits.
	hour, i := 0, 11
	switch {
	case asciiDigits(s[i:]) >= 2:
		hour, i = int(s[i]-'0')*10+int(s[i+1]-'0'), i+2
	case asciiDigits(s[i:]) == 1:
		hour, i = int(s[i]-'0'), i+1
	default:
		return time.Time{}, false
	}
	if hour > 23 || i >= len(s) || s[i] != ':' {
		return time.Time{}, false
	}
	minute, ok := two(i + 1)
	if !ok || minute > 59 || i+3 >= len(s) || s[i+3] != ':' {
		return time.Time{}, false
	}
	sec, ok := two(i + 4)
	if !ok || sec > 59 {
		return time.Time{}, false
	}
	rest := s[i+6:]
	nsec := 0
	if len(rest) >= 2 && (rest[0] == '.' || rest[0] == ',') && asciiDigits(rest[1:]) > 0 {
		nd := asciiDigits(rest[1:])
		digits := rest[1 : 1+min(nd, 9)]
		for j := range 9 {
			nsec *= 10
			if j < len(digits) {
				nsec += int(digits[j] - '0')
			}
		}
		rest = rest[1+nd:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		asciiDigits(rest[1:3]) == 2 && asciiDigits(rest[4:6]) == 2:
		hh := int(rest[1]-'0')*10 + int(rest[2]-'0')
		mm := int(rest[4]-'0')*10 + int(rest[5]-'0')
		if hh > 24 || mm > 60 {
			return time.Time{}, false
		}
		offset = (hh*60 + mm) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	return utcTime(year, month, day, hour*3600+minute*60+sec-offset, nsec), true
}

// daysIn is the length of a month of the proleptic Gregorian calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// English tasklist column headers; other languages are read by position.
var tasklistHeaders = map[string]string{
	"image name": "name", "pid": "pid", "session name": "sessionName", "session#": "session",
	"mem usage": "mem", "status": "status", "user name": "user", "cpu time": "cpu", "window title": "title",
}

// Column orders of tasklist /fo csv (5 columns) and tasklist /v /fo csv (9 columns).
var (
	tasklistShort   = []string{"name", "pid", "sessionName", "session", "mem"}
	tasklistVerbose = []string{"name", "pid", "sessionName", "session", "mem", "status", "user", "cpu", "title"}
)

// parseTasklist reads `tasklist /v /fo csv` (or without /v, or with /nh). Tasklist has no
// parent PID, creation time or path, so the tree stays flat and only the rules that need none
// of those apply.
func parseTasklist(text string) ([]Process, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var cols []string
	var procs []Process
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d", pe.Line), Message: pe.Err.Error()}
			}
			return nil, &labs.InputError{Offset: -1, Message: err.Error()}
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if cols == nil {
			cols, err = tasklistColumns(rec, line)
			if err != nil {
				return nil, err
			}
			if cols[0] == "" { // header row consumed
				cols = cols[1:]
				continue
			}
		}
		if len(rec) != len(cols) {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d", line), Message: fmt.Sprintf("has %d fields, the header has %d (line cut short?)", len(rec), len(cols))}
		}
		if len(procs) >= MaxProcesses {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d", line), Message: fmt.Sprintf("more than %d processes", MaxProcesses)}
		}
		p := Process{Session: -1, Where: fmt.Sprintf("line %d", line)}
		for i, c := range cols {
			v := strings.TrimSpace(rec[i])
			switch c {
			case "name":
				p.Name = v
			case "pid":
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d, PID", line), Message: fmt.Sprintf("not a process ID: %q", truncate(v, 20))}
				}
				p.PID = uint32(n)
			case "session":
				n, err := strconv.ParseUint(v, 10, 31)
				if err != nil {
					return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d, Session#", line), Message: fmt.Sprintf("not a session number: %q", truncate(v, 20))}
				}
				p.Session = int(n)
			case "user":
				if v != "N/A" && v != "" {
					p.User = v
				}
			}
		}
		if p.Name == "" {
			return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d, Image Name", line), Message: "empty image name"}
		}
		procs = append(procs, p)
	}
	if len(procs) == 0 {
		return nil, &labs.InputError{Offset: 0, Field: "line 1", Message: "no process rows found"}
	}
	return procs, nil
}

// tasklistColumns decides the column order from the first record. The result starts with ""
// when the record was a header to skip.
func tasklistColumns(rec []string, line int) ([]string, error) {
	var named []string
	for _, h := range rec {
		if c, ok := tasklistHeaders[strings.ToLower(strings.TrimSpace(h))]; ok {
			named = append(named, c)
		} else {
			named = nil
			break
		}
	}
	if named != nil && contains(named, "name") && contains(named, "pid") {
		return append([]string{""}, named...), nil
	}
	var order []string
	switch len(rec) {
	case len(tasklistShort):
		order = tasklistShort
	case len(tasklistVerbose):
		order = tasklistVerbose
	default:
		return nil, &labs.InputError{Offset: -1, Field: fmt.Sprintf("line %d", line), Message: fmt.Sprintf("not tasklist CSV: %d fields (expected the 9 of tasklist /v /fo csv or the 5 of tasklist /fo csv)", len(rec))}
	}
	if _, err := strconv.ParseUint(strings.TrimSpace(rec[1]), 10, 32); err == nil {
		return order, nil // no header (/nh): this row is data
	}
	// A header in another language: read by position.
	return append([]string{""}, order...), nil
}
