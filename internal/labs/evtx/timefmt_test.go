package evtx

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// The timestamp formatters no longer call time.Format (to keep its layout engine out of the
// WebAssembly bundle); these hold them to it, including years past 9999, which get five digits.
func TestFileTimeFormatLateYears(t *testing.T) {
	for ft := uint64(1 << 62); ft < math.MaxUint64-1<<52; ft += 1<<62/997 + 86400*10_000_000 + 7654321 {
		if got, want := FormatFileTime(ft), FileTime(ft).Format(timeLayout); got != want {
			t.Fatalf("FILETIME %d: %s, want %s", ft, got, want)
		}
	}
	if got := FormatFileTime(math.MaxUint64); got != "60056-05-28T05:36:10.9551615Z" {
		t.Errorf("largest FILETIME: %s", got)
	}
}

func systemTime(y, mo, d, h, mi, s, ms uint16) []byte {
	b := make([]byte, 16)
	for i, v := range []uint16{y, mo, 0, d, h, mi, s, ms} {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

// SYSTEMTIME fields are checked for range but not against the month's length, so time.Date
// normalises 31 February and second 60; the output must be what time.Format gave.
func TestSystemTimeFormat(t *testing.T) {
	cases := [][7]uint16{
		{2024, 2, 29, 23, 59, 59, 999}, {2023, 2, 31, 0, 0, 0, 0}, {2023, 12, 31, 23, 59, 60, 1},
		{0, 1, 1, 0, 0, 0, 0}, {9999, 12, 31, 23, 59, 60, 999}, {65535, 12, 31, 23, 59, 60, 999},
		{1601, 1, 1, 0, 0, 0, 0}, {1900, 2, 29, 12, 30, 30, 500}, {10000, 6, 15, 1, 2, 3, 4},
	}
	for y := uint16(0); y < 65535; y += 97 {
		cases = append(cases, [7]uint16{y, y%12 + 1, y%31 + 1, y % 24, y % 60, y % 61, y % 1000})
	}
	for _, c := range cases {
		want := time.Date(int(c[0]), time.Month(c[1]), int(c[2]), int(c[3]), int(c[4]), int(c[5]), int(c[6])*1_000_000, time.UTC).Format(timeLayout)
		if got := formatSystemTime(systemTime(c[0], c[1], c[2], c[3], c[4], c[5], c[6])); got != want {
			t.Errorf("SYSTEMTIME %v: %s, want %s", c, got, want)
		}
	}
}
