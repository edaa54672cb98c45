package document

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxLayoutCells bounds the columns and rows of one page's layout text.
const maxLayoutCells = 1000

// LayoutText renders the document as fixed-pitch text that keeps each
// word near its horizontal position on the page, pages separated by \f —
// the shape of `pdftotext -layout` output that template regexes (such as
// invoice2data's) are written against. For a raw-text document it returns
// the text as it was laid out.
func (d *Document) LayoutText() string {
	pages := make([]string, len(d.Pages))
	for i := range d.Pages {
		pages[i] = d.Pages[i].LayoutText()
	}
	return strings.Join(pages, "\f")
}

// LayoutText renders one page as fixed-pitch text (see Document.LayoutText).
func (p *Page) LayoutText() string {
	text, _ := p.LayoutSpans()
	return text
}

// WordSpan is where one word of a page stands in the page's layout text.
type WordSpan struct {
	// Word is the index of the word in Page.Words.
	Word int
	// Start and End are the word's byte range [Start, End) in the text.
	Start, End int
}

// LayoutSpans returns the page's layout text (see Document.LayoutText) and,
// in text order, the byte range of every word the text holds, so that a
// match in the text can be traced back to the words, and boxes, it covers.
// Word indices out of range are skipped.
func (p *Page) LayoutSpans() (string, []WordSpan) {
	// Floors keep a degenerate page (tiny glyphs, a stray huge gap) from
	// blowing up into megabytes of padding: at most ~1,000 columns and
	// ~1,000 rows a page.
	cw, lh := max(p.charWidth(), 1.0/maxLayoutCells), max(p.lineHeight(), 1.0/maxLayoutCells)
	var b strings.Builder
	spans := make([]WordSpan, 0, len(p.Words))
	for li, line := range p.Lines {
		if li > 0 {
			b.WriteByte('\n')
			// A vertical gap of several line heights stands for blank lines.
			gap := line.Box.Y0 - p.Lines[li-1].Box.Y0
			for n := int(math.Round(gap/lh)) - 1; n > 0; n-- {
				b.WriteByte('\n')
			}
		}
		col, prevEnd := 0, -1.0
		for wi, idx := range line.Words {
			if idx < 0 || idx >= len(p.Words) {
				continue
			}
			w := p.Words[idx]
			target := int(math.Round(w.Box.X0 / cw))
			if prevEnd >= 0 && target > col && w.Box.X0-prevEnd < 2*cw {
				// A word gap narrower than two characters is one space, as
				// pdftotext writes it: glyphs wider than the estimated
				// column would otherwise push "Cash at" to "Cash  at".
				target = col + 1
			}
			switch {
			case target > col:
				b.WriteString(strings.Repeat(" ", target-col))
				col = target
			case wi > 0:
				b.WriteByte(' ') // words never run together
				col++
			}
			spans = append(spans, WordSpan{Word: idx, Start: b.Len(), End: b.Len() + len(w.Text)})
			b.WriteString(w.Text)
			col += utf8.RuneCountInString(w.Text)
			prevEnd = w.Box.X1
		}
	}
	return b.String(), spans
}

// charWidth estimates one character column in normalised page units: the
// median width per character of the page's words.
func (p *Page) charWidth() float64 {
	var widths []float64
	for _, w := range p.Words {
		if n := utf8.RuneCountInString(w.Text); n > 0 && w.Box.Width() > 0 {
			widths = append(widths, w.Box.Width()/float64(n))
		}
	}
	if len(widths) == 0 {
		return 1.0 / 85 // a letter-size page at 7.2 points per column
	}
	slices.Sort(widths)
	return widths[len(widths)/2]
}

// lineHeight estimates the line pitch in normalised page units: the median
// height of the page's lines.
func (p *Page) lineHeight() float64 {
	var hs []float64
	for _, l := range p.Lines {
		if h := l.Box.Height(); h > 0 {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return 1.0 / 66 // a letter-size page at 12 points per line
	}
	slices.Sort(hs)
	return hs[len(hs)/2]
}
