package processor

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// errNotAValue is a text that is not a value of the requested type.
var errNotAValue = errors.New("not a value of the type")

// parseNumber reads a number the way invoice2data does: with a decimal
// separator other than "." or ",", the other one of the two groups
// thousands; spaces and apostrophes are dropped.
func (o *i2dOptions) parseNumber(value string) (float64, error) {
	s := strings.TrimSpace(value)
	if strings.ContainsAny(s, ",.' \t\u00a0\u202f") {
		if strings.Count(s, o.decimal) > 1 {
			return 0, errNotAValue
		}
		thousands := ","
		if o.decimal != "." {
			thousands = "."
		}
		s = strings.ReplaceAll(s, thousands, "")
		s = strings.Map(func(r rune) rune {
			if r == '\'' || unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
		s = strings.ReplaceAll(s, o.decimal, ".")
	}
	s = strings.TrimPrefix(s, "+")
	if s == "" || strings.ContainsAny(s, "xXpP_") || strings.HasPrefix(s, "-+") {
		return 0, errNotAValue
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errNotAValue
	}
	return v, nil
}

// coerce converts a matched text to a template type: "int" and "float"
// read a number (an empty text is 0, as in invoice2data), "date" a date as
// "YYYY-MM-DD", "" keeps the text.
func (o *i2dOptions) coerce(value, typ string) (any, error) {
	switch typ {
	case "int", "float":
		if value == "" {
			return 0.0, nil
		}
		v, err := o.parseNumber(value)
		if err != nil {
			return nil, err
		}
		if typ == "int" {
			v = math.Trunc(v)
		}
		return v, nil
	case "date":
		return o.parseDate(value)
	}
	return value, nil
}

// parseDate reads a date: with each of the template's date_formats
// (Python strptime directives) first, then in any of the common forms
// findDate knows, with ambiguous all-numeric dates month first unless the
// template's languages are all non-English (dateutil's and dateparser's
// defaults).
func (o *i2dOptions) parseDate(value string) (any, error) {
	s := strings.TrimSpace(value)
	if s == "" {
		return nil, errNotAValue
	}
	for _, f := range o.dateFormats {
		if d, ok := f.parse(s); ok {
			return d.Format(time.DateOnly), nil
		}
	}
	// Like dateutil and dateparser, read "August 3 , 2014" as "August 3,
	// 2014" and "1er juillet 2015" as "1 juillet 2015".
	s = spaceBeforePunct.ReplaceAllString(strings.Join(strings.Fields(s), " "), "$1")
	s = dayOrdinal.ReplaceAllString(s, "${1}${2}${3}")
	if m, ok := findDate(s, true, o.dateOrder); ok {
		return m.value, nil
	}
	return nil, errNotAValue
}

// spaceBeforePunct matches spaces before a comma or a period; dayOrdinal
// a French, Spanish or Italian ordinal day ("1er", "1º").
var (
	spaceBeforePunct = regexp.MustCompile(` +([,.])`)
	dayOrdinal       = regexp.MustCompile(`(?i)(^|\s)(\d{1,2})(?:er|ère|e|ème|º|ª|°)(\s)`)
)

// strptimeFormat is a compiled Python strptime format.
type strptimeFormat struct {
	re     *regexp.Regexp
	fields []byte // the directive of each group
}

// strptimeDirectives maps the supported directives to their patterns.
var strptimeDirectives = map[byte]string{
	'd': `\d{1,2}`, 'm': `\d{1,2}`, 'y': `\d{2}`, 'Y': `\d{4}`, 'H': `\d{1,2}`, 'I': `\d{1,2}`,
	'M': `\d{1,2}`, 'S': `\d{1,2}`, 'f': `\d{1,6}`, 'j': `\d{1,3}`, 'b': `\pL+\.?`, 'B': `\pL+\.?`,
	'h': `\pL+\.?`, 'a': `\pL+\.?`, 'A': `\pL+\.?`, 'p': `(?:[AaPp]\.?[Mm]\.?)`, 'z': `(?:[+-]\d{2}:?\d{2}|Z)`,
	'Z': `\pL*`,
}

// compileStrptime compiles a Python strptime format. As in Python,
// whitespace matches any run of whitespace and letters match in any case;
// month names may be in any language findDate knows (as dateparser reads
// them with the template's languages).
func compileStrptime(format string) (strptimeFormat, error) {
	var b strings.Builder
	var f strptimeFormat
	b.WriteString(`^(?i)`)
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteString("%")
			i++
		case c == '%' && i+1 < len(format):
			pat, ok := strptimeDirectives[format[i+1]]
			if !ok {
				return f, fmt.Errorf("date format %q: directive %%%c is not supported", format, format[i+1])
			}
			b.WriteString("(" + pat + ")")
			f.fields = append(f.fields, format[i+1])
			i++
		case c == '%':
			return f, fmt.Errorf("date format %q ends with a lone %%", format)
		case c == ' ' || c == '\t' || c == '\n':
			b.WriteString(`\s+`)
			for i+1 < len(format) && strings.IndexByte(" \t\n", format[i+1]) >= 0 {
				i++
			}
		default:
			r, size := utf8.DecodeRuneInString(format[i:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += size - 1
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	f.re = re
	return f, err
}

// parse reads s with the format.
func (f strptimeFormat) parse(s string) (time.Time, bool) {
	m := f.re.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	y, mo, d := 1900, 1, 1
	for i, dir := range f.fields {
		v := m[i+1]
		switch dir {
		case 'd':
			d = atoi(v)
		case 'm':
			mo = atoi(v)
		case 'y': // Python: 69–99 are 1969–1999, 00–68 are 2000–2068
			if y = 2000 + atoi(v); y >= 2069 {
				y -= 100
			}
		case 'Y':
			y = atoi(v)
		case 'b', 'B', 'h':
			n, ok := months[strings.TrimSuffix(strings.ToLower(v), ".")]
			if !ok {
				return time.Time{}, false
			}
			mo = n
		case 'a', 'A':
			if !isWeekday(strings.TrimSuffix(v, ".")) {
				return time.Time{}, false
			}
		}
	}
	return civilDate(y, mo, d)
}

// groupValues applies a field's group to its values: sum, min and max
// need numbers (sum is 0 for none); first, last and join take any. Empty
// values (an empty text, 0) are dropped first, as invoice2data does.
func groupValues(values []any, group string) (any, error) {
	var kept []any
	for _, v := range values {
		if v != nil && v != "" && v != 0.0 {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		return nil, errNotAValue
	}
	switch group {
	case "first":
		return kept[0], nil
	case "last":
		return kept[len(kept)-1], nil
	case "join":
		parts := make([]string, len(kept))
		for i, v := range kept {
			parts[i] = formatI2DValue(v)
		}
		return strings.Join(parts, " "), nil
	}
	return foldNumbers(kept, group)
}

// foldNumbers sums the values or finds their minimum or maximum; strings
// compare as strings for min and max, as in Python.
func foldNumbers(values []any, group string) (any, error) {
	acc := values[0]
	for _, v := range values[1:] {
		a, aNum := acc.(float64)
		x, xNum := v.(float64)
		as, xs := formatI2DValue(acc), formatI2DValue(v)
		switch {
		case group == "sum" && aNum && xNum:
			acc = a + x
		case group == "sum":
			return nil, errNotAValue
		case group == "min" && (aNum && xNum && x < a || !(aNum && xNum) && xs < as):
			acc = v
		case group == "max" && (aNum && xNum && x > a || !(aNum && xNum) && xs > as):
			acc = v
		}
	}
	if _, ok := acc.(float64); group == "sum" && !ok {
		return nil, errNotAValue
	}
	if f, ok := acc.(float64); ok {
		acc = round(f, 9)
	}
	return acc, nil
}

// formatI2DValue formats a value for joining and comparing.
func formatI2DValue(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
