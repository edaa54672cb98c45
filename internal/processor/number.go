package processor

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// valueMatch is a typed value read from a text: the value, the key that
// tells equal values apart, its byte range in the text, and whether reading
// it took a default to resolve an ambiguity (a date order, a decimal
// separator, a currency symbol shared by several currencies).
type valueMatch struct {
	value      any
	key        string
	start, end int
	defaulted  bool
}

// number is a number read from a text.
type number struct {
	value      float64
	start, end int
	defaulted  bool
}

// maxNumberLen bounds the digits and separators of one number.
const maxNumberLen = 40

// findNumber finds a number in s: at its start when anchored, else the first
// one that starts a word.
func findNumber(s string, anchored bool, decimal byte) (valueMatch, bool) {
	for i := 0; i < len(s); i++ {
		if anchored && i > 0 {
			break
		}
		if !wordStart(s, i) {
			continue
		}
		if n, ok := numberAt(s, i, decimal); ok {
			return valueMatch{value: n.value, key: formatNumber(n.value), start: n.start, end: n.end, defaulted: n.defaulted}, true
		}
	}
	return valueMatch{}, false
}

// wordStart reports whether s[i] begins a word: it is not a UTF-8
// continuation byte and the character before is not a letter or digit.
func wordStart(s string, i int) bool {
	if i > 0 && !utf8.RuneStart(s[i]) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	return i == 0 || !isWordRune(before)
}

// numberAt reads a number at s[i:]: an optional "(" for an accounting
// negative, an optional sign, digits with grouping and decimal separators.
func numberAt(s string, i int, decimal byte) (number, bool) {
	n := number{start: i}
	j, paren, neg := i, false, false
	if j < len(s) && s[j] == '(' {
		paren = true
		j++
	}
	if r, size := utf8.DecodeRuneInString(s[j:]); r == '-' || r == '+' || r == '−' {
		neg = r != '+'
		j += size
	}
	raw, k := scanDigits(s, j)
	if raw == "" || len(raw) > maxNumberLen || !numberEnds(s, k) {
		return n, false
	}
	v, defaulted, ok := interpretNumber(raw, decimal)
	if !ok {
		return n, false
	}
	switch {
	case paren && k < len(s) && s[k] == ')':
		neg, k = true, k+1
	case paren:
		n.start++
	}
	if neg {
		v = -v
	}
	n.value, n.end, n.defaulted = v, k, defaulted
	return n, true
}

// numberEnds reports whether a number may end at s[k]: not directly before
// a separator and a digit, as in a date, a version or a code.
func numberEnds(s string, k int) bool {
	if k+1 < len(s) && strings.IndexByte("-/.,:", s[k]) >= 0 && isDigit(s[k+1]) {
		return false
	}
	return true
}

// scanDigits returns the digits and separators starting at s[j] and where
// they end, stopping just past maxNumberLen bytes. A separator must be followed by a digit; a space separates
// groups only between a group of 1–3 digits and one of exactly 3.
func scanDigits(s string, j int) (string, int) {
	k, run := j, 0
	for k < len(s) && k-j <= maxNumberLen {
		if isDigit(s[k]) {
			k, run = k+1, run+1
			continue
		}
		size, spacing := separatorAt(s, k)
		next := k + size
		if size == 0 || run == 0 || next >= len(s) || !isDigit(s[next]) {
			break
		}
		if spacing && (run > 3 || !threeDigits(s, next)) {
			break
		}
		k, run = next, 0
	}
	return s[j:k], k
}

// separatorAt returns the length of the number separator at s[k], or 0, and
// whether it is a space (which only ever groups thousands).
func separatorAt(s string, k int) (int, bool) {
	switch s[k] {
	case '.', ',', '\'':
		return 1, false
	case ' ':
		return 1, true
	}
	for _, sep := range []string{"\u00a0", "\u202f", "\u2009", "’"} {
		if strings.HasPrefix(s[k:], sep) {
			return len(sep), sep != "’"
		}
	}
	return 0, false
}

// threeDigits reports whether s[p:] starts with exactly three digits.
func threeDigits(s string, p int) bool {
	return p+3 <= len(s) && isDigit(s[p]) && isDigit(s[p+1]) && isDigit(s[p+2]) && (p+3 == len(s) || !isDigit(s[p+3]))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// interpretNumber turns digits and separators into a number. decimal is the
// configured decimal separator, or 0 to decide from the text: with both "."
// and "," the last one is the decimal separator; one that repeats groups
// thousands; a single one followed by other than three digits is decimal.
// "1,234" and "1.234" are ambiguous: the comma is read as a thousands
// separator and the point as a decimal one (the English convention), and
// the result is marked defaulted.
func interpretNumber(raw string, decimal byte) (float64, bool, bool) {
	runs, seps := splitNumber(raw)
	dec, defaulted, ok := decimalSeparator(runs, seps, decimal)
	if !ok {
		return 0, false, false
	}
	intRuns := runs
	if dec >= 0 {
		intRuns = runs[:dec+1]
	}
	if !validGrouping(intRuns, seps[:len(intRuns)-1]) {
		return 0, false, false
	}
	digits := strings.Join(intRuns, "")
	if dec >= 0 {
		digits += "." + runs[dec+1]
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false, false
	}
	return v, defaulted, true
}

// splitNumber splits digits and separators into the digit runs and the
// separators between them; every space-like or apostrophe separator becomes
// "'".
func splitNumber(raw string) (runs []string, seps []byte) {
	start := 0
	for k := 0; k < len(raw); {
		if isDigit(raw[k]) {
			k++
			continue
		}
		size, _ := separatorAt(raw, k)
		sep := raw[k]
		if sep != '.' && sep != ',' {
			sep = '\''
		}
		runs, seps = append(runs, raw[start:k]), append(seps, sep)
		k += size
		start = k
	}
	return append(runs, raw[start:]), seps
}

// decimalSeparator returns the index in seps of the decimal separator, or
// -1 for none, and whether a default decided it.
func decimalSeparator(runs []string, seps []byte, decimal byte) (int, bool, bool) {
	n := len(seps)
	if n == 0 {
		return -1, false, true
	}
	last := seps[n-1]
	if decimal != 0 {
		switch c := strings.Count(string(seps), string(decimal)); {
		case c == 0:
			return -1, false, true
		case c == 1 && last == decimal:
			return n - 1, false, true
		}
		return 0, false, false
	}
	switch {
	case last == '\'':
		return -1, false, true
	case strings.Count(string(seps), string(last)) > 1:
		return -1, false, !strings.ContainsRune(string(seps), rune(other(last)))
	case strings.ContainsAny(string(seps[:n-1]), ".,'"):
		return n - 1, false, true
	case len(runs[n]) != 3 || len(runs[0]) > 3 || runs[0] == "0":
		return n - 1, false, true
	case last == ',':
		return -1, true, true
	}
	return n - 1, true, true
}

// other returns the other one of "." and ",".
func other(sep byte) byte {
	if sep == '.' {
		return ','
	}
	return '.'
}

// validGrouping reports whether digit runs joined by grouping separators
// are grouped like thousands: 1–3 digits, then groups of 3 (or 2, as in the
// Indian 1,23,456) ending with a group of 3, all with the same separator.
func validGrouping(runs []string, seps []byte) bool {
	if len(runs) == 1 {
		return true
	}
	if len(runs[0]) > 3 || len(runs[len(runs)-1]) != 3 {
		return false
	}
	for i, r := range runs[1 : len(runs)-1] {
		if len(r) != 2 && len(r) != 3 || seps[i+1] != seps[0] {
			return false
		}
	}
	return seps[len(seps)-1] == seps[0]
}

// formatNumber is the key of a number value.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
