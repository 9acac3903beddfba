package labs

import (
	"testing"
	"time"
)

// The calendar helpers must agree with package time, which they stand in for.
func TestCivilMatchesTime(t *testing.T) {
	check := func(sec int64) {
		t.Helper()
		tm := time.Unix(sec, 0).UTC()
		y, mo, d, h, mi, s := CivilFromUnix(sec)
		if ty, tmo, td := tm.Date(); y != int64(ty) || mo != int64(tmo) || d != int64(td) ||
			h != int64(tm.Hour()) || mi != int64(tm.Minute()) || s != int64(tm.Second()) {
			t.Fatalf("CivilFromUnix(%d) = %d-%d-%d %d:%d:%d, time says %v", sec, y, mo, d, h, mi, s, tm)
		}
		days := DaysFromCivil(y, mo, d)
		if back := days*86400 + h*3600 + mi*60 + s; back != sec {
			t.Fatalf("DaysFromCivil(%d, %d, %d) gives %d s, want %d", y, mo, d, back, sec)
		}
	}
	// Around the epoch, leap days (2000 leap, 1900 and 2100 not), year 0 and negative years,
	// and far beyond 9999 (FILETIME reaches 60056).
	for _, tm := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(-29719, 4, 5, 1, 2, 3, 0, time.UTC), time.Date(60056, 5, 28, 5, 36, 10, 0, time.UTC),
	} {
		check(tm.Unix())
	}
	for sec := int64(-1_000_000_000_000); sec < 2_000_000_000_000; sec += 999_999_937 {
		check(sec)
	}
	for sec := int64(-86400 * 800); sec < 86400*800; sec += 86399 {
		check(sec)
	}
	// Day overflow is normalised like time.Date: 31 February 2023 is 3 March.
	if got, want := DaysFromCivil(2023, 2, 31)*86400, time.Date(2023, 2, 31, 0, 0, 0, 0, time.UTC).Unix(); got != want {
		t.Errorf("31 February 2023: %d, want %d", got, want)
	}
}
