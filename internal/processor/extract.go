package processor

import (
	"context"
	"fmt"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// maxRegexMatches bounds how many matches of a field's regex are looked at
// in one document.
const maxRegexMatches = 100

// extractor is the EXTRACT processor.
type extractor struct {
	fields    []fieldSpec
	threshold float64
}

// Process extracts every configured field from doc, in config order.
func (e *extractor) Process(ctx context.Context, doc *document.Document) (*Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extracting fields: %w", err)
	}
	if doc == nil {
		return nil, &Error{Code: CodeProcessorError, Message: "no document to extract fields from"}
	}
	out := &Output{Type: TypeExtract}
	if len(e.fields) == 0 {
		return out, nil
	}
	ix := newIndex(doc)
	out.Fields = make([]Field, 0, len(e.fields))
	for i := range e.fields {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("extracting field %s: %w", e.fields[i].name, err)
		}
		f := e.fields[i].extract(ix, e.threshold)
		out.NeedsReview = out.NeedsReview || f.NeedsReview
		out.Fields = append(out.Fields, f)
	}
	return out, nil
}

// candidate is a value found for a field, or, with a nil value, text found
// where a value should be that did not parse.
type candidate struct {
	valueMatch
	score float64
}

// search collects a field's candidates.
type search struct {
	found  []candidate
	failed []candidate
}

// extract finds a field's candidates and resolves them into its output.
func (f *fieldSpec) extract(ix *index, threshold float64) Field {
	var s search
	if len(f.labels) > 0 {
		f.searchLabels(ix, &s)
	}
	if f.regex != nil && len(s.found) == 0 {
		score := scoreRegex
		if len(f.labels) > 0 {
			score = scoreRegexFallback
		}
		f.searchRegex(ix, &s, score)
	}
	return f.resolve(ix, &s, threshold)
}

// searchLabels adds the values next to each occurrence of the field's
// labels: right of the label on its line; below it when nothing usable is
// right of it, or when a column gap separates the label (without ':' or the
// like) from the words right of it, as in a header row.
func (f *fieldSpec) searchLabels(ix *index, s *search) {
	for _, h := range ix.findLabels(f.labels) {
		right, far, ok := ix.rightPhrase(h)
		found := false
		if ok {
			score := scoreLabelRight
			if far && !h.delimited {
				score = scoreLabelGap
			}
			line := ix.lines[ix.tokens[ix.tokenAt(right.start)].line]
			found = f.tryPhrase(ix, s, right, around(right, span{h.valueStart, line.end}), score)
		}
		if !found || (far && !h.delimited) {
			if below, region, ok := ix.belowPhrase(h); ok {
				f.tryPhrase(ix, s, below, region, scoreLabelBelow)
			}
		}
	}
}

// tryPhrase reads the field's value from a phrase next to a label and
// reports whether it found one. With a
// regex, the value is the first match in region (the rest of the label's
// line, or the line below) that overlaps the phrase, cut at the phrase's
// end, and the agreement adds
// scoreRegexAgrees; without one, the value must start the phrase. region is
// bounded by regexContext around the phrase.
func (f *fieldSpec) tryPhrase(ix *index, s *search, phrase, region span, score float64) bool {
	if f.regex == nil {
		return f.addValue(ix, s, phrase, score, true)
	}
	for _, loc := range f.regex.FindAllStringSubmatchIndex(ix.text[region.start:region.end], maxRegexMatches) {
		v, ok := regexValue(loc, region.start)
		if ok && v.start < phrase.end && v.end > phrase.start {
			// The phrase ends at a column gap or the next label: a match
			// running on (a greedy [^\n]+) takes the next column's text.
			v.end = min(v.end, phrase.end)
			return f.addValue(ix, s, v, score+scoreRegexAgrees, false)
		}
	}
	s.failed = append(s.failed, candidate{valueMatch: valueMatch{start: phrase.start, end: phrase.end}, score: score})
	return false
}

// searchRegex adds every match of the field's regex in the document.
func (f *fieldSpec) searchRegex(ix *index, s *search, score float64) {
	for _, loc := range f.regex.FindAllStringSubmatchIndex(ix.text, maxRegexMatches) {
		if v, ok := regexValue(loc, 0); ok {
			f.addValue(ix, s, v, score, false)
		}
	}
}

// regexValue returns the value of a regex match, offset by base: group 1
// when the regex has groups, else the whole match. ok is false when the
// value is empty or group 1 did not take part in the match.
func regexValue(loc []int, base int) (span, bool) {
	v := span{loc[0], loc[1]}
	if len(loc) >= 4 {
		v = span{loc[2], loc[3]}
	}
	return span{base + v.start, base + v.end}, v.start >= 0 && v.end > v.start
}

// addValue parses the text at sp as the field's type and adds the value,
// or a failure when it does not parse; it reports whether it added a value.
func (f *fieldSpec) addValue(ix *index, s *search, sp span, score float64, anchored bool) bool {
	m, ok := f.parse(ix.text[sp.start:sp.end], anchored)
	if !ok {
		s.failed = append(s.failed, candidate{valueMatch: valueMatch{start: sp.start, end: sp.end}, score: score})
		return false
	}
	m.start, m.end = sp.start+m.start, sp.start+m.end
	if m.defaulted {
		score *= defaultedFactor
	}
	s.found = append(s.found, candidate{valueMatch: m, score: score})
	return true
}

// parse reads a value of the field's type from text; see findNumber,
// findMoney and findDate. A string is the text without surrounding spaces
// and trailing commas or semicolons.
func (f *fieldSpec) parse(text string, anchored bool) (valueMatch, bool) {
	switch f.typ {
	case FieldNumber:
		return findNumber(text, anchored, f.decimal)
	case FieldMoney:
		return findMoney(text, anchored, f.decimal, f.currency)
	case FieldDate:
		return findDate(text, anchored, f.dateOrder)
	}
	v := strings.TrimRight(strings.TrimSpace(text), ",;")
	if v == "" {
		return valueMatch{}, false
	}
	start := strings.Index(text, v)
	return valueMatch{value: v, key: fold(strings.Join(strings.Fields(v), " ")), start: start, end: start + len(v)}, true
}
