package proctree

import (
	"regexp"
	"testing"
	"time"
)

// The date matchers replaced these expressions (to keep regexp out of the WebAssembly bundle);
// they must accept and split exactly the same strings.
var (
	msDateRe   = regexp.MustCompile(`^/Date\((-?\d{1,15})([+-]\d{4})?\)/$`)
	dmtfDateRe = regexp.MustCompile(`^(\d{14})\.(\d{6})([+-]\d{3})$`)
)

var dateMatchSeeds = []string{
	"/Date(1700000000000)/", "/Date(-5+0100)/", "/Date(0)/", "/Date(-0)/", "/Date()/", "/Date(-)/",
	"/Date(123456789012345)/", "/Date(1234567890123456)/", "/Date(1+010)/", "/Date(1+01000)/",
	"/Date(1-0000)/", "/Date(1*0000)/", "/Date(1)/x", "x/Date(1)/", "/Date(1)", "/Date(1)/\n",
	"/Date(--1)/", "/Date(1-)/", "/Date(١)/", "/Date(1)/)/", "/Date(1+0000)/+0000)/",
	"20231114231320.123456+060", "20231114231320.123456-000", "20231114231320.123456*060",
	"20231114231320,123456+060", "2023111423132.1234567+060", "20231114231320.123456+06",
	"20231114231320.123456+0600", "2023111423132x.123456+060", "20231114231320.123456+06٠",
	"", "2023-11-14T23:13:20Z",
}

func checkDateMatchers(t *testing.T, s string) {
	t.Helper()
	ms, ok := matchMSDate(s)
	if m := msDateRe.FindStringSubmatch(s); (m != nil) != ok || (ok && m[1] != ms) {
		t.Errorf("matchMSDate(%q) = %q, %v; regexp says %q", s, ms, ok, m)
	}
	date, micros, offset, ok := matchDMTFDate(s)
	if m := dmtfDateRe.FindStringSubmatch(s); (m != nil) != ok || (ok && (m[1] != date || m[2] != micros || m[3] != offset)) {
		t.Errorf("matchDMTFDate(%q) = %q %q %q, %v; regexp says %q", s, date, micros, offset, ok, m)
	}
}

func TestDateMatchersAgreeWithRegexp(t *testing.T) {
	for _, s := range dateMatchSeeds {
		checkDateMatchers(t, s)
	}
	// Guard against a vacuous pass: the seeds include matches of both shapes.
	if _, ok := matchMSDate("/Date(-5+0100)/"); !ok {
		t.Error("/Date(-5+0100)/ not matched")
	}
	if _, _, _, ok := matchDMTFDate("20231114231320.123456+060"); !ok {
		t.Error("DMTF date not matched")
	}
}

func FuzzDateMatchers(f *testing.F) {
	for _, s := range dateMatchSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDateMatchers)
}

// timeParseISO is what parseCIMDate did before parseISODate: time.Parse with three layouts.
func timeParseISO(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var dateParseSeeds = []string{
	"2023-11-14T23:13:20.1234567+01:00", "2023-11-14T23:13:20Z", "2023-11-14T23:13:20", "2023-11-14T23:13:20.5",
	"2023-11-14T3:13:20Z", "2023-11-14T03:13:20,25-05:30", "2023-11-14T23:13:20.1234567891234Z",
	"2023-11-14T24:00:00Z", "2023-11-14T23:60:00Z", "2023-11-14T23:59:60Z", "2024-02-29T00:00:00Z",
	"2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "2023-00-10T00:00:00Z", "2023-13-10T00:00:00Z",
	"2023-11-14T23:13:20+24:00", "2023-11-14T23:13:20+23:60", "2023-11-14T23:13:20+25:00",
	"2023-11-14T23:13:20+23:61", "2023-11-14T23:13:20+0100", "2023-11-14T23:13:20 +01:00",
	"2023-11-14t23:13:20Z", "2023-11-14T23:13:20z", "2023-11-14T23:13:20.", "2023-11-14T23:13:20.Z",
	"2023-11-14T23:13:20.123Zx", "0000-01-01T00:00:00-24:00", "9999-12-31T23:59:59.999999999+00:00",
	"2023-1-14T23:13:20Z", "2023-11-4T23:13:20Z", "23-11-14T23:13:20Z", "+023-11-14T23:13:20Z",
	"2023-11-14T23:3:20Z", "2023-11-14T23:13:2Z", "2023-11-14T123:13:20Z", "2023-11-14T", "2023-11-14",
	"", "2023-11-14T23:13:20+01:00:00", "2023-11-14T1:02:03,9",
}

func checkDateParsers(t *testing.T, s string) {
	t.Helper()
	got, ok := parseISODate(s)
	want, wok := timeParseISO(s)
	if ok != wok || (ok && !got.Equal(want)) {
		t.Errorf("parseISODate(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, wok)
	}
	if len(s) == 14 && asciiDigits(s) == 14 {
		got, ok := parseDMTFSeconds(s)
		want, err := time.Parse("20060102150405", s)
		if ok != (err == nil) || (ok && !got.Equal(want)) {
			t.Errorf("parseDMTFSeconds(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, err)
		}
	}
}

func TestDateParsersAgreeWithTime(t *testing.T) {
	accepted := 0
	for _, s := range dateParseSeeds {
		checkDateParsers(t, s)
		if _, ok := parseISODate(s); ok {
			accepted++
		}
	}
	for _, s := range []string{"20231114231320", "20240229000000", "20230229000000", "20231314000000",
		"20231100000000", "20231131000000", "20231114240000", "20231114236000", "20231114235960", "00000101000000", "99991231235959"} {
		checkDateParsers(t, s)
	}
	if accepted < 10 {
		t.Errorf("only %d seeds parsed; the comparison is too thin", accepted)
	}
}

func FuzzDateParsers(f *testing.F) {
	for _, s := range dateParseSeeds {
		f.Add(s)
	}
	f.Add("20231114231320")
	f.Fuzz(checkDateParsers)
}

// formatCreated replaced Format("2006-01-02T15:04:05.000Z07:00").
func TestFormatCreatedMatchesTimeFormat(t *testing.T) {
	times := []time.Time{
		time.UnixMilli(1700000000123), time.UnixMilli(-5), time.UnixMilli(-999999999999999), time.UnixMilli(999999999999999),
		time.Date(-1, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 999999999, time.UTC),
		time.Date(2026, 1, 12, 8, 0, 0, 0, time.FixedZone("", 3600)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for ms := int64(-999999999999999); ms < 999999999999999; ms += 7777777777771 {
		times = append(times, time.UnixMilli(ms))
	}
	for _, tm := range times {
		if got, want := formatCreated(tm), tm.UTC().Format("2006-01-02T15:04:05.000Z07:00"); got != want {
			t.Errorf("formatCreated(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestSampleBoot(t *testing.T) {
	if want := time.Date(2026, 1, 12, 8, 0, 0, 0, time.UTC); !sampleBoot.Equal(want) {
		t.Errorf("sampleBoot = %v, want %v", sampleBoot, want)
	}
}
