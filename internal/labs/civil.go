package labs

// Calendar arithmetic for engines that print or parse dates. time.Date and Time.Date would do
// it, but they consult the time zone machinery (Location.lookup, TZ rules), which is a sizeable
// part of the WebAssembly bundle; engines work in UTC only. The algorithms are H. Hinnant's
// "chrono-compatible low-level date algorithms" on the proleptic Gregorian calendar.

// DaysFromCivil is the number of days from 1970-01-01 to year-month-day. month is 1..12; day
// may run past the end of the month (31 February is 3 March), as time.Date normalises it.
func DaysFromCivil(year, month, day int64) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400                  // [0, 399]
	mp := (month + 9) % 12                 // March is 0
	doy := (153*mp+2)/5 + day - 1          // day of the year starting in March
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of the 400-year era
	return era*146097 + doe - 719468
}

// CivilFromDays is the date of the day that is days after 1970-01-01.
func CivilFromDays(days int64) (year, month, day int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// CivilFromUnix splits seconds since 1970-01-01T00:00:00Z into date and time of day.
func CivilFromUnix(sec int64) (year, month, day, hour, minute, second int64) {
	days := floorDiv(sec, 86400)
	rem := sec - days*86400
	year, month, day = CivilFromDays(days)
	return year, month, day, rem / 3600, rem / 60 % 60, rem % 60
}

//go:noinline
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
