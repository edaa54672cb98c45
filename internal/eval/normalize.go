package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/sheaf-dev/sheaf/internal/processor"
)

// Compare modes: how a truth value and an extracted value are normalised
// before they are compared.
const (
	// compareString compares trimmed, case-folded text with runs of white
	// space collapsed to one space.
	compareString = "string"
	// compareDate compares ISO 8601 dates.
	compareDate = "date"
	// compareAmount compares decimal numbers (currency symbols and codes,
	// thousands separators and trailing zeros do not matter).
	compareAmount = "amount"
	// compareID compares identifiers by their letters and digits only, so
	// "DE12 1234" equals "DE121234" and "123-45-6789" equals "123456789".
	compareID = "id"
)

// folder case-folds strings; cases.Caser is not safe for concurrent use,
// so normString makes one per call.
func folder() cases.Caser { return cases.Fold() }

// normString trims s, applies NFKC, case-folds it and collapses runs of
// white space to one space.
func normString(s string) string {
	s = norm.NFKC.String(s)
	s = folder().String(s)
	return strings.Join(strings.Fields(s), " ")
}

// normID keeps the letters and digits of s, case-folded.
func normID(s string) string {
	s = folder().String(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normDate reads s as a calendar date and returns it as "YYYY-MM-DD".
// It accepts ISO dates (with an optional time), YYYYMMDD, numeric dates
// with ".", "/" or "-" ("." and a first part above 12 mean day first;
// otherwise order, "DMY" or "MDY", decides) and English month names
// ("March 1, 2024", "1 Mar 2024", "01-Mar-2024").
func normDate(s, order string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	if len(s) == 8 && isDigits(s) {
		if t, err := time.Parse("20060102", s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	if iso, ok := numericDate(s, order); ok {
		return iso, true
	}
	for _, layout := range []string{"January 2, 2006", "Jan 2, 2006", "2 January 2006", "2 Jan 2006", "02-Jan-2006", "2-Jan-2006", "Jan. 2, 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// numericDate reads d.m.y, d/m/y, m/d/y and the like, with two- or
// four-digit years.
func numericDate(s, order string) (string, bool) {
	sep := ""
	for _, c := range []string{".", "/", "-"} {
		if strings.Count(s, c) == 2 {
			sep = c
			break
		}
	}
	if sep == "" {
		return "", false
	}
	parts := strings.Split(strings.TrimSuffix(s, "."), sep)
	if len(parts) != 3 {
		return "", false
	}
	n := make([]int, 3)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return "", false
		}
		n[i] = v
	}
	if len(strings.TrimSpace(parts[0])) == 4 { // y-m-d
		return validDate(n[0], n[1], n[2])
	}
	day, month, year := n[0], n[1], n[2]
	if sep != "." && n[0] <= 12 && (order == "MDY" || n[1] > 12) {
		day, month = n[1], n[0]
	}
	if year < 100 {
		year += 2000
		if year >= 2070 {
			year -= 100
		}
	}
	return validDate(year, month, day)
}

// validDate formats a date that exists, in years 1000–9999, as
// "YYYY-MM-DD".
func validDate(y, m, d int) (string, bool) {
	if y < 1000 || y > 9999 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// normAmount reads s as a decimal number, ignoring currency symbols and
// codes, spaces and apostrophes, and returns it in canonical form: no
// thousands separators, "." as the decimal point, no trailing zeros
// ("1.234,50 €" → "1234.5"). A minus sign before or after the number or
// parentheses make it negative. With both "." and "," the last one is the
// decimal point; a single separator is a thousands separator when it
// repeats or when it follows one to three digits (not starting with 0)
// and three digits follow it, else the decimal point.
func normAmount(s string) (string, bool) {
	neg := strings.ContainsAny(s, "-−") || strings.HasPrefix(strings.TrimSpace(s), "(") && strings.HasSuffix(strings.TrimSpace(s), ")")
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '.' || r == ',' {
			b.WriteRune(r)
		}
	}
	num := strings.Trim(b.String(), ".,")
	if num == "" || !strings.ContainsAny(num, "0123456789") {
		return "", false
	}
	intPart, frac := splitDecimal(num)
	if !isDigits(intPart+frac) && intPart+frac != "" {
		return "", false
	}
	return canonDecimal(neg, intPart, frac), true
}

// splitDecimal splits a number of digits, "." and "," into its integer
// digits and its fraction digits (see normAmount for the rules).
func splitDecimal(num string) (intPart, frac string) {
	dot, comma := strings.LastIndex(num, "."), strings.LastIndex(num, ",")
	dec := -1
	switch {
	case dot >= 0 && comma >= 0:
		dec = max(dot, comma)
	case dot >= 0 || comma >= 0:
		sep := "."
		if comma >= 0 {
			sep = ","
		}
		i := max(dot, comma)
		if strings.Count(num, sep) == 1 && !thousandsGroup(num[:i], num[i+1:]) {
			dec = i
		}
	}
	strip := func(s string) string { return strings.NewReplacer(".", "", ",", "").Replace(s) }
	if dec < 0 {
		return strip(num), ""
	}
	return strip(num[:dec]), num[dec+1:]
}

// thousandsGroup reports whether a single separator between head and
// tail groups thousands: three digits follow it and one to three digits,
// not starting with 0, precede it ("1.234", but not "0.001" or "1234.567").
func thousandsGroup(head, tail string) bool {
	return len(tail) == 3 && len(head) >= 1 && len(head) <= 3 && head[0] != '0'
}

// canonDecimal joins integer and fraction digits without leading or
// trailing zeros; zero is "0" whatever its sign.
func canonDecimal(neg bool, intPart, frac string) string {
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	s := intPart
	if frac != "" {
		s += "." + frac
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// floatDecimal returns f in normAmount's canonical form, rounded to six
// decimals (float noise such as 0.30000000000000004 does not count).
func floatDecimal(f float64) string {
	s := strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	return canonDecimal(neg, intPart, frac)
}

// render returns v as text for comparison and whether it is a number:
// strings as they are, numbers and Money amounts in canonical decimal
// form, lists joined with ", ", anything else as JSON.
func render(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, false
	case float64:
		return floatDecimal(x), true
	case float32:
		return floatDecimal(float64(x)), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return floatDecimal(f), true
		}
		return x.String(), false
	case processor.Money:
		return floatDecimal(x.Amount), true
	case *processor.Money:
		if x == nil {
			return "", false
		}
		return floatDecimal(x.Amount), true
	case bool:
		return strconv.FormatBool(x), false
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i], _ = render(e)
		}
		return strings.Join(parts, ", "), false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v), false
	}
	return string(b), false
}

// normalize returns s normalised for mode; a date or amount that does not
// read as one falls back to string normalisation, so it can still equal a
// value that fell back too, but never a well-formed one.
func normalize(mode, order, s string) string {
	switch mode {
	case compareDate:
		if d, ok := normDate(s, order); ok {
			return d
		}
	case compareAmount:
		if a, ok := normAmount(s); ok {
			return a
		}
	case compareID:
		return normID(s)
	}
	return normString(s)
}

// compareValues normalises want and got for mode (date order for
// ambiguous numeric dates: "DMY" or "MDY") and reports whether they are
// equal. A missing got value never equals.
func compareValues(mode, order string, want, got any) (wantNorm, gotNorm string, exact bool) {
	ws, _ := render(want)
	gs, _ := render(got)
	wantNorm = normalize(mode, order, ws)
	if got == nil {
		return wantNorm, "", false
	}
	gotNorm = normalize(mode, order, gs)
	return wantNorm, gotNorm, wantNorm == gotNorm
}
