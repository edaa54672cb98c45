package processor

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxInvoice2DataRegexLength is the longest regex of an invoice2data
// template, in bytes, before translation.
const MaxInvoice2DataRegexLength = 4000

// Python's \w, \s and their negations, which are Unicode-aware in Python 3
// and ASCII-only in RE2: the class bodies below restore Python's meaning.
const (
	pyWordClass  = `\p{L}\p{N}_`
	pySpaceClass = `\s\v\x{85}\p{Z}\x{1c}-\x{1f}`
)

// regexUse says where a template regex is used, which decides whether a
// simple lookaround can be rewritten away.
type regexUse int

const (
	// useValue is a field regex: the value is group 1, or the whole match
	// when it has no group, so a leading lookbehind or trailing lookahead
	// can be consumed instead of asserted.
	useValue regexUse = iota
	// useSearch only asks whether the regex matches (keywords).
	useSearch
	// usePosition depends on where the match starts and ends (lines
	// start/end, line patterns, replace): lookarounds cannot be rewritten.
	usePosition
)

// pyRegexError is a Python regex that RE2 cannot run.
type pyRegexError struct{ msg string }

func (e *pyRegexError) Error() string { return e.msg }

// compilePyRegex translates a Python `re` pattern to RE2 and compiles it.
// The translation keeps Python's Unicode \w and \s, reads {,n} as {0,n},
// \Z as \z and \uXXXX as a code point, and drops (?#comments). Lookarounds,
// backreferences, atomic groups, possessive quantifiers, conditionals and
// verbose mode have no RE2 equivalent and are errors — except a leading
// positive lookbehind and a trailing positive lookahead in a value regex,
// which are consumed instead (see rewriteLookarounds).
func compilePyRegex(expr string, use regexUse) (*regexp.Regexp, error) {
	if len(expr) > MaxInvoice2DataRegexLength {
		return nil, fmt.Errorf("is longer than %d bytes", MaxInvoice2DataRegexLength)
	}
	if !utf8.ValidString(expr) {
		return nil, fmt.Errorf("is not valid UTF-8")
	}
	if use != usePosition {
		expr = rewriteLookarounds(expr, use)
	}
	tr, err := translatePyRegex(expr)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(tr)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %s", expr, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// translatePyRegex rewrites a Python pattern in RE2 syntax.
func translatePyRegex(expr string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\':
			n, err := translateEscape(&b, expr, i, inClass)
			if err != nil {
				return "", err
			}
			i += n
		case inClass:
			i += translateClassChar(&b, expr, i)
			if c == ']' {
				inClass = false
			}
		case c == '[':
			i += openClass(&b, expr, i)
			inClass = true
		case c == '(':
			n, err := translateGroup(&b, expr, i)
			if err != nil {
				return "", err
			}
			i += n
		case c == '{':
			i += translateBrace(&b, expr, i)
		case (c == '*' || c == '+' || c == '?' || c == '}') && i+1 < len(expr) && expr[i+1] == '+' && quantifierAt(expr, i):
			return "", &pyRegexError{fmt.Sprintf("possessive quantifier %q at offset %d is not supported (RE2)", expr[i:i+2], i)}
		default:
			b.WriteByte(c)
			i++
		}
	}
	if inClass {
		return "", &pyRegexError{"unterminated character set"}
	}
	return b.String(), nil
}

// quantifierAt reports whether expr[i] ('*', '+', '?' or '}') is a
// quantifier rather than an escaped or literal character.
func quantifierAt(expr string, i int) bool {
	if expr[i] != '}' {
		return i > 0 && !escapedAt(expr, i)
	}
	open := strings.LastIndexByte(expr[:i], '{')
	return open >= 0 && braceQuantifier.MatchString(expr[open:i+1])
}

// braceQuantifier and emptyMinQuantifier match {m,n} quantifiers and
// Python's {,n}.
var (
	braceQuantifier    = regexp.MustCompile(`^\{\d*,?\d*\}$`)
	emptyMinQuantifier = regexp.MustCompile(`^\{,(\d+)\}`)
)

// escapedAt reports whether expr[i] is preceded by an odd number of
// backslashes.
func escapedAt(expr string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && expr[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// openClass copies the start of a character set: "[", an optional "^" and
// a leading "]", which Python reads as a literal.
func openClass(b *strings.Builder, expr string, i int) int {
	n := 1
	b.WriteByte('[')
	if i+n < len(expr) && expr[i+n] == '^' {
		b.WriteByte('^')
		n++
	}
	if i+n < len(expr) && expr[i+n] == ']' {
		b.WriteString(`\]`)
		n++
	}
	return n
}

// translateClassChar copies one character of a character set, escaping a
// "[" that RE2 could read as the start of a POSIX class.
func translateClassChar(b *strings.Builder, expr string, i int) int {
	if expr[i] == '[' {
		b.WriteString(`\[`)
		return 1
	}
	_, size := utf8.DecodeRuneInString(expr[i:])
	b.WriteString(expr[i : i+size])
	return size
}

// translateBrace rewrites Python's {,n} quantifier as {0,n}.
func translateBrace(b *strings.Builder, expr string, i int) int {
	if m := emptyMinQuantifier.FindStringSubmatch(expr[i:]); m != nil && i > 0 {
		b.WriteString("{0," + m[1] + "}")
		return len(m[0])
	}
	b.WriteByte('{')
	return 1
}

// translateGroup handles "(" and the group extensions after it.
func translateGroup(b *strings.Builder, expr string, i int) (int, error) {
	rest := expr[i:]
	switch {
	case !strings.HasPrefix(rest, "(?"):
		b.WriteByte('(')
		return 1, nil
	case strings.HasPrefix(rest, "(?#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, &pyRegexError{"unterminated comment"}
		}
		return end + 1, nil
	case strings.HasPrefix(rest, "(?P<"), strings.HasPrefix(rest, "(?:"):
		b.WriteString(rest[:3])
		return 3, nil
	case strings.HasPrefix(rest, "(?="), strings.HasPrefix(rest, "(?!"), strings.HasPrefix(rest, "(?<="), strings.HasPrefix(rest, "(?<!"):
		return 0, &pyRegexError{fmt.Sprintf("lookaround %q at offset %d is not supported (RE2 has no lookahead or lookbehind)", lookaroundPrefix(rest), i)}
	case strings.HasPrefix(rest, "(?P="):
		return 0, &pyRegexError{fmt.Sprintf("backreference at offset %d is not supported (RE2)", i)}
	case strings.HasPrefix(rest, "(?>"):
		return 0, &pyRegexError{fmt.Sprintf("atomic group at offset %d is not supported (RE2)", i)}
	case strings.HasPrefix(rest, "(?("):
		return 0, &pyRegexError{fmt.Sprintf("conditional group at offset %d is not supported (RE2)", i)}
	case strings.HasPrefix(rest, "(?<"):
		b.WriteString("(?P<")
		return 3, nil
	}
	return translateFlags(b, rest, i)
}

// lookaroundPrefix returns the opening of the lookaround at the start of s.
func lookaroundPrefix(s string) string {
	if strings.HasPrefix(s, "(?<") {
		return s[:4]
	}
	return s[:3]
}

// translateFlags handles "(?flags)" and "(?flags-flags:": Python's a, u
// (ASCII or Unicode matching) are dropped, i, m, s kept, x and L refused.
func translateFlags(b *strings.Builder, rest string, at int) (int, error) {
	j := 2
	var kept strings.Builder
	for ; j < len(rest); j++ {
		switch c := rest[j]; c {
		case 'i', 'm', 's', '-':
			kept.WriteByte(c)
		case 'a', 'u':
		case 'x':
			return 0, &pyRegexError{fmt.Sprintf("verbose flag (?x) at offset %d is not supported", at)}
		case ')', ':':
			flags := strings.TrimSuffix(kept.String(), "-")
			switch {
			case flags == "" && c == ')':
			case flags == "":
				b.WriteString("(?:")
			default:
				b.WriteString("(?" + flags + string(c))
			}
			return j + 1, nil
		default:
			return 0, &pyRegexError{fmt.Sprintf("unknown group extension %q at offset %d", rest[:min(len(rest), j+1)], at)}
		}
	}
	return 0, &pyRegexError{"unterminated group extension"}
}

// translateEscape translates the escape sequence at expr[i] and returns
// its length.
func translateEscape(b *strings.Builder, expr string, i int, inClass bool) (int, error) {
	if i+1 >= len(expr) {
		return 0, &pyRegexError{"pattern ends with a backslash"}
	}
	c := expr[i+1]
	switch c {
	case 'w', 's':
		class := map[byte]string{'w': pyWordClass, 's': pySpaceClass}[c]
		if inClass {
			b.WriteString(class)
		} else {
			b.WriteString("[" + class + "]")
		}
		return 2, nil
	case 'W', 'S':
		if inClass { // RE2 cannot negate inside a set: keep its ASCII meaning
			b.WriteString(expr[i : i+2])
		} else {
			b.WriteString("[^" + map[byte]string{'W': pyWordClass, 'S': pySpaceClass}[c] + "]")
		}
		return 2, nil
	case 'd', 'D', 'a', 'f', 'n', 'r', 't', 'v', 'A':
		b.WriteString(expr[i : i+2])
		return 2, nil
	case 'b', 'B':
		if inClass {
			b.WriteString(`\x08`)
		} else {
			b.WriteString(expr[i : i+2])
		}
		return 2, nil
	case 'Z':
		b.WriteString(`\z`)
		return 2, nil
	case 'x', 'u', 'U':
		return translateHexEscape(b, expr, i)
	}
	if c >= '0' && c <= '9' {
		return translateDigitEscape(b, expr, i, inClass)
	}
	if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return 0, &pyRegexError{fmt.Sprintf("bad escape \\%c at offset %d", c, i)}
	}
	// Any other character stands for itself; RE2 accepts escaped ASCII
	// punctuation only.
	r, size := utf8.DecodeRuneInString(expr[i+1:])
	if c < utf8.RuneSelf && c > ' ' && c != 0x7f {
		b.WriteString(expr[i : i+2])
	} else {
		b.WriteString(string(r))
	}
	return 1 + size, nil
}

// translateHexEscape translates \xHH, \uHHHH and \UHHHHHHHH.
func translateHexEscape(b *strings.Builder, expr string, i int) (int, error) {
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[expr[i+1]]
	end := i + 2 + digits
	if end > len(expr) {
		return 0, &pyRegexError{fmt.Sprintf("incomplete escape \\%c at offset %d", expr[i+1], i)}
	}
	v, err := strconv.ParseUint(expr[i+2:end], 16, 32)
	if err != nil || v > utf8.MaxRune {
		return 0, &pyRegexError{fmt.Sprintf("bad escape %s at offset %d", expr[i:end], i)}
	}
	fmt.Fprintf(b, `\x{%x}`, v)
	return end - i, nil
}

// translateDigitEscape translates an octal escape; a backreference (\1 to
// \99 outside a set) is an error.
func translateDigitEscape(b *strings.Builder, expr string, i int, inClass bool) (int, error) {
	j := i + 1
	for j < len(expr) && j < i+4 && expr[j] >= '0' && expr[j] <= '7' {
		j++
	}
	octal := expr[i+1] == '0' || j-i-1 == 3 || inClass
	if !octal || j == i+1 {
		return 0, &pyRegexError{fmt.Sprintf("backreference \\%c at offset %d is not supported (RE2)", expr[i+1], i)}
	}
	v, _ := strconv.ParseUint(expr[i+1:j], 8, 32)
	fmt.Fprintf(b, `\x{%x}`, v)
	return j - i, nil
}

// simpleLookbehind and simpleLookahead match a positive lookaround without
// nested groups at the start or the end of a pattern.
var (
	simpleLookbehind = regexp.MustCompile(`^\(\?<=((?:[^()\\]|\\.)*)\)`)
	simpleLookahead  = regexp.MustCompile(`\(\?=((?:[^()\\]|\\.)*)\)$`)
)

// rewriteLookarounds turns a leading positive lookbehind and a trailing
// positive lookahead into consumed non-capturing groups. For a value regex
// without a capturing group the rest of the pattern becomes group 1, so the
// value is unchanged; only where the next match may start differs. Other
// lookarounds are left for translatePyRegex to refuse.
func rewriteLookarounds(expr string, use regexUse) string {
	before, after := "", ""
	body := expr
	if m := simpleLookbehind.FindStringSubmatch(body); m != nil {
		before, body = "(?:"+m[1]+")", body[len(m[0]):]
	}
	if loc := simpleLookahead.FindStringSubmatchIndex(body); loc != nil && !escapedAt(body, loc[0]) {
		after, body = "(?:"+body[loc[2]:loc[3]]+")", body[:loc[0]]
	}
	if before == "" && after == "" || hasTopLevelAlternation(body) {
		return expr
	}
	if use == useValue && !hasCapture(body) {
		body = "(" + body + ")"
	} else {
		body = "(?:" + body + ")"
	}
	return before + body + after
}

// hasCapture reports whether a Python pattern has a capturing group.
func hasCapture(expr string) bool {
	inClass := false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(' && (i+1 >= len(expr) || expr[i+1] != '?' || strings.HasPrefix(expr[i:], "(?P<") || strings.HasPrefix(expr[i:], "(?<") && !strings.HasPrefix(expr[i:], "(?<=") && !strings.HasPrefix(expr[i:], "(?<!")):
			return true
		}
	}
	return false
}

// hasTopLevelAlternation reports whether a Python pattern has a "|"
// outside any group or set.
func hasTopLevelAlternation(expr string) bool {
	depth, inClass := 0, false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			return true
		}
	}
	return false
}

// translatePyReplacement rewrites a Python re.sub replacement ("\1",
// "\g<name>", "\n") in the syntax of regexp.Regexp.Expand.
func translatePyReplacement(repl string, re *regexp.Regexp) (string, error) {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c != '\\':
			b.WriteByte(c)
		case i+1 == len(repl):
			b.WriteByte('\\')
		default:
			n, err := translateReplEscape(&b, repl[i:], re)
			if err != nil {
				return "", err
			}
			i += n - 1
		}
	}
	return b.String(), nil
}

// replGroup matches the group references of a replacement.
var replGroup = regexp.MustCompile(`^\\(?:(\d{1,2})|g<([^>]*)>)`)

// translateReplEscape translates the escape at the start of s.
func translateReplEscape(b *strings.Builder, s string, re *regexp.Regexp) (int, error) {
	if m := replGroup.FindStringSubmatch(s); m != nil {
		name := m[1] + m[2]
		if n, err := strconv.Atoi(name); err == nil {
			if n > re.NumSubexp() {
				return 0, fmt.Errorf("replacement refers to group %d of a regex with %d groups", n, re.NumSubexp())
			}
		} else if re.SubexpIndex(name) < 0 {
			return 0, fmt.Errorf("replacement refers to unknown group %q", name)
		}
		b.WriteString("${" + name + "}")
		return len(m[0]), nil
	}
	switch c := s[1]; c {
	case 'n', 't', 'r', 'f', 'v', 'a', 'b', '\\':
		b.WriteString(map[byte]string{'n': "\n", 't': "\t", 'r': "\r", 'f': "\f", 'v': "\v", 'a': "\a", 'b': "\b", '\\': `\`}[c])
		return 2, nil
	default:
		if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return 0, fmt.Errorf("bad escape \\%c in replacement", c)
		}
		b.WriteByte('\\')
		return 1, nil
	}
}
