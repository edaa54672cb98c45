package processor

import (
	"math"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Confidence of a value by how it was found; see the package documentation.
const (
	scoreLabelRight    = 0.85 // right of a label on its line
	scoreLabelGap      = 0.75 // right of an undelimited label across a column gap
	scoreLabelBelow    = 0.80 // below a label
	scoreRegexAgrees   = 0.10 // added when the regex matches the value next to a label
	scoreRegex         = 0.75 // a regex match, for a field without labels
	scoreRegexFallback = 0.60 // a regex match where none of the field's labels led to a value
	scoreParseFailed   = 0.20 // text where the value should be that did not parse
	defaultedFactor    = 0.90 // a default resolved an ambiguity in the text
)

// resolve picks a field's value among its candidates, scores it and decides
// whether it needs review.
func (f *fieldSpec) resolve(ix *index, s *search, threshold float64) Field {
	out := Field{Name: f.name, Type: f.typ}
	if len(s.found) == 0 {
		return f.unresolved(ix, s, out)
	}
	best, second := rank(s.found)
	c := s.found[best]
	conf := c.score * ix.ocrConfidence(c.start, c.end)
	if second > 0 {
		conf -= second / 2
		out.ReviewReasons = append(out.ReviewReasons, ReasonAmbiguous)
	}
	out.Confidence = round(max(0, min(1, conf)), 3)
	if out.Confidence < threshold {
		out.ReviewReasons = append([]string{ReasonLowConfidence}, out.ReviewReasons...)
	}
	out.Value, out.Text = c.value, ix.text[c.start:c.end]
	out.NeedsReview = len(out.ReviewReasons) > 0
	out.Provenance = ix.provenance(c.start, c.end)
	return out
}

// unresolved is the output of a field without a value: text that did not
// parse, a missing required value, or simply no value.
func (f *fieldSpec) unresolved(ix *index, s *search, out Field) Field {
	if len(s.failed) > 0 {
		c := s.failed[0]
		for _, x := range s.failed[1:] {
			if x.score > c.score {
				c = x
			}
		}
		out.Text = ix.text[c.start:c.end]
		out.Confidence = scoreParseFailed
		out.ReviewReasons = []string{ReasonParseFailed}
		out.Provenance = ix.provenance(c.start, c.end)
	}
	if f.required {
		out.ReviewReasons = append(out.ReviewReasons, ReasonMissingRequired)
	}
	out.NeedsReview = len(out.ReviewReasons) > 0
	return out
}

// rank returns the index of the best candidate (highest score, earliest in
// reading order on ties) and the best score among candidates with a
// different value, or 0 when all candidates agree.
func rank(cs []candidate) (int, float64) {
	best := 0
	for i, c := range cs {
		if c.score > cs[best].score || c.score == cs[best].score && c.start < cs[best].start {
			best = i
		}
	}
	second := 0.0
	for _, c := range cs {
		if c.key != cs[best].key {
			second = max(second, c.score)
		}
	}
	return best, second
}

// ocrConfidence returns the lowest OCR confidence of the words holding the
// text [start, end), or 1 when none of them is an OCR word.
func (ix *index) ocrConfidence(start, end int) float64 {
	conf := 1.0
	for t := ix.tokenAt(start); t < len(ix.tokens) && ix.tokens[t].start < end; t++ {
		if w := ix.word(t); w.Source == document.SourceOCR {
			conf = min(conf, max(0, w.Confidence))
		}
	}
	return conf
}

// provenance returns, for each page the text [start, end) is on, the union
// of the boxes of that text and the text itself.
func (ix *index) provenance(start, end int) []Provenance {
	var out []Provenance
	var box document.Box
	first := -1
	flush := func(last int) {
		tk := ix.tokens[last]
		p := ix.doc.Pages[tk.page]
		number := p.Number
		if number == 0 {
			number = tk.page + 1
		}
		text := ix.text[max(start, ix.tokens[first].start):min(end, tk.end)]
		out = append(out, Provenance{Page: number, BBox: roundBox(box), Text: text})
	}
	t := ix.tokenAt(start)
	for ; t < len(ix.tokens) && ix.tokens[t].start < end; t++ {
		if first >= 0 && ix.tokens[t].page != ix.tokens[first].page {
			flush(t - 1)
			first, box = -1, document.Box{}
		}
		if first < 0 {
			first = t
		}
		box = box.Union(ix.box(t, start, end))
	}
	if first >= 0 {
		flush(t - 1)
	}
	return out
}

// roundBox rounds a box to 4 decimals (under 0.1 point on a Letter page).
func roundBox(b document.Box) [4]float64 {
	return [4]float64{round(b.X0, 4), round(b.Y0, 4), round(b.X1, 4), round(b.Y1, 4)}
}

// round rounds v to n decimals.
func round(v float64, n int) float64 {
	p := math.Pow10(n)
	return math.Round(v*p) / p
}
