package processor

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date patterns, matched at the start of a text. Day and month names are
// checked in code.
var (
	// numericDate is 2024-03-01, 01/03/2024, 1.3.24 …
	numericDate = regexp.MustCompile(`^(\d{1,4})([./-])(\d{1,2})([./-])(\d{1,4})`)
	// dayMonthYear is 1 March 2024, 1st Mar. 2024, 01-Mar-2024, 1. März 2024 …
	dayMonthYear = regexp.MustCompile(`^(?i)(\d{1,2})(?:st|nd|rd|th)?\.?[ -]?(\pL{3,})\.?,?[ -]?(\d{4}|\d{2})`)
	// monthDayYear is March 1, 2024, Mar 1st 2024 …
	monthDayYear = regexp.MustCompile(`^(?i)(\pL{3,})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})`)
	// weekdayPrefix is a leading word such as "Monday," checked against
	// weekdays.
	weekdayPrefix = regexp.MustCompile(`^(\pL+)\.?,? `)
)

// months maps month names and abbreviations in English, German, French,
// Spanish, Italian, Dutch and Portuguese, lower case, to month numbers.
var months = map[string]int{}

func init() {
	names := [12]string{
		"january jan janvier janv enero ene gennaio gen januari januar jänner jän janeiro",
		"february feb februar février fevrier févr fevr febrero febbraio februari fevereiro fev",
		"march mar märz maerz mrz mars marzo maart mrt março marco",
		"april apr avril avr abril aprile",
		"may mai mayo maggio mag mei maio",
		"june jun juni juin junio giugno giu junho",
		"july jul juli juillet juil julio luglio lug julho",
		"august aug août aout agosto ago augustus",
		"september sep sept septembre septiembre setiembre settembre set setembro",
		"october oct oktober okt octobre octubre ottobre ott outubro out",
		"november nov novembre noviembre novembro",
		"december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro",
	}
	for i, list := range names {
		for _, n := range strings.Fields(list) {
			months[n] = i + 1
		}
	}
}

// weekdays holds weekday names and abbreviations that may precede a date.
var weekdays = strings.Fields(`monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun
	montag mo dienstag di mittwoch mi donnerstag do freitag fr samstag sa sonntag so
	lundi lun mardi mercredi mer jeudi jeu vendredi ven samedi sam dimanche dim`)

// findDate finds a date in s: at its start (after an optional weekday) when
// anchored, else the first one that starts a word. The key and value are
// the ISO date.
func findDate(s string, anchored bool, order DateOrder) (valueMatch, bool) {
	for i := 0; i < len(s); i++ {
		if anchored && i > 0 {
			break
		}
		if !wordStart(s, i) {
			continue
		}
		at := i
		if m := weekdayPrefix.FindStringSubmatch(s[i:]); m != nil && isWeekday(m[1]) {
			at += len(m[0])
		}
		if d, end, defaulted, ok := dateAt(s[at:], order); ok {
			iso := d.Format(time.DateOnly)
			return valueMatch{value: iso, key: iso, start: i, end: at + end, defaulted: defaulted}, true
		}
	}
	return valueMatch{}, false
}

// isWeekday reports whether w names a weekday.
func isWeekday(w string) bool {
	w = strings.ToLower(w)
	for _, d := range weekdays {
		if w == d {
			return true
		}
	}
	return false
}

// dateAt reads a date at the start of s and returns it with its length.
func dateAt(s string, order DateOrder) (time.Time, int, bool, bool) {
	if m := numericDate.FindStringSubmatchIndex(s); m != nil && dateEnds(s, m[1]) {
		g := groups(s, m)
		if g[2] == g[4] {
			if d, defaulted, ok := numericDateValue(g[1], g[3], g[5], g[2], order); ok {
				return d, m[1], defaulted, true
			}
		}
	}
	if m := dayMonthYear.FindStringSubmatchIndex(s); m != nil && dateEnds(s, m[1]) {
		g := groups(s, m)
		if d, ok := namedDate(g[1], g[2], g[3]); ok {
			return d, m[1], false, true
		}
	}
	if m := monthDayYear.FindStringSubmatchIndex(s); m != nil && dateEnds(s, m[1]) {
		g := groups(s, m)
		if d, ok := namedDate(g[2], g[1], g[3]); ok {
			return d, m[1], false, true
		}
	}
	return time.Time{}, 0, false, false
}

// groups returns the submatches of a FindStringSubmatchIndex result.
func groups(s string, m []int) []string {
	g := make([]string, len(m)/2)
	for i := range g {
		if m[2*i] >= 0 {
			g[i] = s[m[2*i]:m[2*i+1]]
		}
	}
	return g
}

// dateEnds reports whether a date may end at s[k]: not inside a longer
// number, as in "1.2.2024.5" or "2024-03-012".
func dateEnds(s string, k int) bool {
	return k == len(s) || !isDigit(s[k]) && !(strings.IndexByte("./-", s[k]) >= 0 && k+1 < len(s) && isDigit(s[k+1]))
}

// numericDateValue reads an all-numeric date. A four-digit first part is
// the year (year-month-day). Otherwise a day above 12 decides the order; a
// "." separator means day first (the European convention); else the
// configured order decides, and when none is configured, day first is
// assumed and the result is marked defaulted. A date that is impossible in
// the configured order but valid in the other is read the other way and
// marked defaulted.
func numericDateValue(a, b, c, sep string, order DateOrder) (time.Time, bool, bool) {
	x, y, z := atoi(a), atoi(b), atoi(c)
	switch {
	case len(a) == 4 && len(c) <= 2:
		d, ok := civilDate(x, y, z)
		return d, false, ok
	case len(a) > 2 || (len(c) != 2 && len(c) != 4):
		return time.Time{}, false, false
	}
	year := fullYear(z, len(c))
	dmy, dmyOK := civilDate(year, y, x)
	mdy, mdyOK := civilDate(year, x, y)
	switch {
	case !dmyOK && !mdyOK:
		return time.Time{}, false, false
	case dmyOK != mdyOK:
		if dmyOK {
			return dmy, order == DateOrderMDY, true
		}
		return mdy, order == DateOrderDMY, true
	case x == y:
		return dmy, false, true
	case order == DateOrderMDY:
		return mdy, false, true
	case order == DateOrderDMY || sep == ".":
		return dmy, false, true
	}
	return dmy, true, true
}

// namedDate reads a date with a month name.
func namedDate(day, month, year string) (time.Time, bool) {
	m, ok := months[strings.ToLower(month)]
	if !ok {
		return time.Time{}, false
	}
	return civilDate(fullYear(atoi(year), len(year)), m, atoi(day))
}

// fullYear expands a two-digit year: 00–69 are 2000–2069, 70–99 are
// 1970–1999 (the POSIX convention).
func fullYear(y, digits int) int {
	switch {
	case digits != 2:
		return y
	case y < 70:
		return 2000 + y
	}
	return 1900 + y
}

// civilDate returns the date y-m-d when it exists.
func civilDate(y, m, d int) (time.Time, bool) {
	if y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

// atoi converts the short runs of digits the date patterns match.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
