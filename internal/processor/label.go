package processor

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Bounds of how many label occurrences are looked at in one document: of
// each label spelling, and of all a field's labels.
const (
	maxLabelHits      = 50
	maxFieldLabelHits = 200
)

// labelHit is one occurrence of a label in the index text.
type labelHit struct {
	span            // the label's text
	valueStart int  // where the text after the label and its punctuation starts
	delimited  bool // the label is followed by ':' '=' '#' or a dash, as in "Total:"
}

// normalizeLabel collapses a configured label's white space, drops trailing
// ':', '.' and '*' (the document's punctuation after a label is skipped
// anyway, so "Invoice No." also matches "Invoice No:") and folds its case.
func normalizeLabel(l string) string {
	l = strings.Join(strings.Fields(l), " ")
	l = strings.TrimRight(l, ":：.* ")
	return fold(l)
}

// labelVariants returns the ways a normalised label may be spaced in a
// document: "invoice #" also matches "invoice#", and "invoice#" also
// "invoice #".
func labelVariants(l string) []string {
	var joined, split strings.Builder
	prev := rune(-1)
	rs := []rune(l)
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && (!isWordRune(rs[i-1]) || !isWordRune(rs[i+1])) {
			split.WriteRune(r)
			prev = r
			continue
		}
		if prev >= 0 && prev != ' ' && r != ' ' && isWordRune(prev) != isWordRune(r) {
			split.WriteRune(' ')
		}
		joined.WriteRune(r)
		split.WriteRune(r)
		prev = r
	}
	out := []string{l}
	for _, v := range []string{joined.String(), split.String()} {
		if v != l && v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// isWordRune reports whether r is a letter or a digit.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// findLabels returns where the labels occur in the index text, in reading
// order. A label must not be part of a longer word ("No" does not match in
// "Note"), and an occurrence inside a longer label's occurrence ("Total" in
// "Total Due" when both are labels) is dropped.
func (ix *index) findLabels(labels []string) []labelHit {
	var hits []labelHit
	for _, l := range labels {
		n := 0
		for from := 0; n < maxLabelHits; {
			i := strings.Index(ix.folded[from:], l)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(l)
			from = start + 1
			if ix.isBounded(start, end) {
				hits = append(hits, ix.newHit(start, end))
				n++
			}
		}
		if n == 0 {
			hits = append(hits, ix.findWithoutAccents(l)...)
		}
	}
	hits = dropNested(hits)
	return hits[:min(len(hits), maxFieldLabelHits)]
}

// findWithoutAccents looks for a label that does not occur as written in
// the accent-free view of the text ("Wahrung:" from OCR for "Währung").
func (ix *index) findWithoutAccents(l string) []labelHit {
	if ix.plain == nil {
		p := newPlainText(ix.text)
		ix.plain = &p
	}
	var hits []labelHit
	for _, sp := range ix.plain.find(l, maxLabelHits) {
		if sp.end > sp.start && ix.isBounded(sp.start, sp.end) {
			hits = append(hits, ix.newHit(sp.start, sp.end))
		}
	}
	return hits
}

// isBounded reports whether the text [start, end) is not part of a longer
// word: where it starts or ends with a letter or digit, the character beyond
// must not be one.
func (ix *index) isBounded(start, end int) bool {
	first, _ := utf8.DecodeRuneInString(ix.text[start:])
	last, _ := utf8.DecodeLastRuneInString(ix.text[:end])
	before, _ := utf8.DecodeLastRuneInString(ix.text[:start])
	after, _ := utf8.DecodeRuneInString(ix.text[end:])
	if isWordRune(first) && start > 0 && isWordRune(before) {
		return false
	}
	return !(isWordRune(last) && end < len(ix.text) && isWordRune(after))
}

// newHit skips the punctuation after a label found at [start, end): colons,
// '#', '=', '.', '*' and a dash standing alone, with the spaces between them.
func (ix *index) newHit(start, end int) labelHit {
	h := labelHit{span: span{start, end}}
	lineEnd := ix.lines[ix.tokens[ix.tokenAt(start)].line].end
	i := end
	for i < lineEnd {
		r, size := utf8.DecodeRuneInString(ix.text[i:lineEnd])
		next, _ := utf8.DecodeRuneInString(ix.text[i+size : lineEnd])
		switch {
		case r == ' ' || r == '.' || r == '*':
		case r == ':' || r == '：' || r == '=' || r == '#':
			h.delimited = true
		case (r == '-' || r == '–' || r == '—') && (next == ' ' || i+size == lineEnd):
			h.delimited = true
		default:
			h.valueStart = i
			return h
		}
		i += size
	}
	h.valueStart = lineEnd
	return h
}

// dropNested sorts hits into reading order and drops each hit that lies
// inside another.
func dropNested(hits []labelHit) []labelHit {
	sortHits(hits)
	out := hits[:0]
	maxEnd := -1
	for _, h := range hits {
		if h.end <= maxEnd {
			continue
		}
		out = append(out, h)
		maxEnd = h.end
	}
	return out
}

// sortHits orders hits by start, longest first.
func sortHits(hits []labelHit) {
	slices.SortFunc(hits, func(a, b labelHit) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		return cmp.Compare(b.end, a.end)
	})
}

// labelBox returns the box of a label occurrence (on its first line).
func (ix *index) labelBox(h labelHit) (document.Box, int) {
	var b document.Box
	first := ix.tokenAt(h.start)
	for t := first; t < len(ix.tokens) && ix.tokens[t].start < h.end && ix.tokens[t].line == ix.tokens[first].line; t++ {
		b = b.Union(ix.box(t, h.start, h.end))
	}
	return b, first
}
