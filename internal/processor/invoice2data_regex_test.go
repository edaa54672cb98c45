package processor

import (
	"regexp"
	"strings"
	"testing"
)

func TestTranslatePyRegex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		py, re2 string
	}{
		{`Total:\s+(\d+\.\d\d)`, `Total:[` + pySpaceClass + `]+(\d+\.\d\d)`},
		{`(\w+)`, `([` + pyWordClass + `]+)`},
		{`[\w\s-]+`, `[` + pyWordClass + pySpaceClass + `-]+`},
		{`\W\S`, `[^` + pyWordClass + `][^` + pySpaceClass + `]`},
		{`(?P<desc>.{,70})`, `(?P<desc>.{0,70})`},
		{`end\Z`, `end\z`},
		{`\u002B \x41\U0001F600`, `\x{2b} \x{41}\x{1f600}`},
		{`a(?#comment)b`, `ab`},
		{`(?i)accor`, `(?i)accor`},
		{`(?iu)x(?a:y)`, `(?i)x(?:y)`},
		{`(?<pos>\d)`, `(?P<pos>\d)`},
		{`[]a]`, `[\]a]`},
		{`[^]a]`, `[^\]a]`},
		{`[[]`, `[\[]`},
		{`\€ \  \-`, `€   \-`},
		{`[\b]`, `[\x08]`},
		{`\0\012`, `\x{0}\x{a}`},
		{`a{2}`, `a{2}`},
		{`{,}`, `{,}`},
	}
	for _, tc := range tests {
		got, err := translatePyRegex(tc.py)
		if err != nil || got != tc.re2 {
			t.Errorf("translatePyRegex(%q) = %q, %v; want %q", tc.py, got, err, tc.re2)
		}
	}
}

func TestCompilePyRegexMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		py    string
		use   regexUse
		text  string
		match string // group 1, or the whole match
	}{
		{`(\w+)`, useValue, "Grundgebühr 5", "Grundgebühr"},
		{`a\sb`, useValue, "a\u00a0b", "a\u00a0b"},
		{`(?<=Total: )\d+`, useValue, "Total: 42", "42"},
		{`(?<=Total: )(\d+)`, useValue, "Total: 42", "42"},
		{`\d+(?= EUR)`, useValue, "5 USD 42 EUR", "42"},
		{`(?<=Ref )\w+(?=;)`, useValue, "Ref AB1;", "AB1"},
		{`(?<=x)y`, useSearch, "xy", "xy"},
	}
	for _, tc := range tests {
		re, err := compilePyRegex(tc.py, tc.use)
		if err != nil {
			t.Errorf("compilePyRegex(%q): %v", tc.py, err)
			continue
		}
		m := re.FindStringSubmatch(tc.text)
		got := ""
		switch {
		case len(m) > 1:
			got = m[1]
		case len(m) == 1:
			got = m[0]
		}
		if got != tc.match {
			t.Errorf("%q (%s) on %q = %q, want %q", tc.py, re, tc.text, got, tc.match)
		}
	}
}

func TestCompilePyRegexErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		py  string
		use regexUse
		msg string
	}{
		{`a(?=b)c`, useValue, "lookaround"},
		{`(?<=a)b|c`, useValue, "lookaround"},
		{`(?<=a)b`, usePosition, "lookaround"},
		{`(?!a)b`, useSearch, "lookaround"},
		{`(a)\1`, useValue, "backreference"},
		{`(?P<x>a)(?P=x)`, useValue, "backreference"},
		{`(?>a)`, useValue, "atomic"},
		{`(?(1)a|b)`, useValue, "conditional"},
		{`a*+`, useValue, "possessive"},
		{`a{2}+`, useValue, "possessive"},
		{`(?x)a`, useValue, "verbose"},
		{`(?L)a`, useValue, "unknown group extension"},
		{`\q`, useValue, "bad escape"},
		{`a\`, useValue, "backslash"},
		{`[a`, useValue, "unterminated"},
		{`a{2000}`, useValue, "invalid repeat count"},
		{strings.Repeat("a", MaxInvoice2DataRegexLength+1), useValue, "longer than"},
		{"\xff", useValue, "UTF-8"},
	}
	for _, tc := range tests {
		_, err := compilePyRegex(tc.py, tc.use)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("compilePyRegex(%.40q) = %v, want an error with %q", tc.py, err, tc.msg)
		}
	}
}

func TestTranslatePyReplacement(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`(a)(?P<b>b)`)
	tests := []struct {
		py, want, text string
	}{
		{`\2\1`, "ba", "ab"},
		{`\g<b>-\g<1>`, "b-a", "ab"},
		{`$1\n`, "$1\n", "ab"},
		{`x\.y`, `x\.y`, "ab"},
		{``, "", "ab"},
	}
	for _, tc := range tests {
		repl, err := translatePyReplacement(tc.py, re)
		if err != nil {
			t.Errorf("translatePyReplacement(%q): %v", tc.py, err)
			continue
		}
		if got := re.ReplaceAllString(tc.text, repl); got != tc.want {
			t.Errorf("replacing %q by %q (%q) = %q, want %q", tc.text, tc.py, repl, got, tc.want)
		}
	}
	for _, bad := range []string{`\3`, `\g<c>`, `\q`} {
		if _, err := translatePyReplacement(bad, re); err == nil {
			t.Errorf("translatePyReplacement(%q) = nil error", bad)
		}
	}
}
