package document

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Word grouping thresholds, as fractions of a character's height: the
// height of its loose box, the font's ascent to descent, about 1.1–1.2 times
// the font size.
const (
	// pdfWordGap is the horizontal gap between two characters that separates
	// words: about a quarter of an em, a little less than a space (0.28 em
	// in Helvetica). Letters of one word abut; kerning moves them by less.
	pdfWordGap = 0.2
	// pdfBaselineShift is how far the bottom of a character may move from the
	// previous one's before it starts a new word (superscripts, a new line).
	pdfBaselineShift = 0.35
	// pdfLineOverlap is how much of the smaller of two heights a word must share
	// vertically with a line to join it.
	pdfLineOverlap = 0.5
)

// pdfRect is a box in points on a page shown upright, origin top-left.
type pdfRect struct {
	x0, y0, x1, y1 float64
}

func (r pdfRect) height() float64 { return r.y1 - r.y0 }

// union returns the smallest pdfRect holding r and o.
func (r pdfRect) union(o pdfRect) pdfRect {
	return pdfRect{min(r.x0, o.x0), min(r.y0, o.y0), max(r.x1, o.x1), max(r.y1, o.y1)}
}

// pdfChar is one character of a page's text layer, in content order.
type pdfChar struct {
	r rune
	// box is the character's box in points; zero for white space.
	box pdfRect
	// rotated is set for a character that does not run left to right as
	// displayed (a sidebar printed bottom to top).
	rotated bool
}

// isPDFSeparator reports whether r ends a word: white space and the line
// breaks PDFium generates.
func isPDFSeparator(r rune) bool { return unicode.IsSpace(r) || r == 0 }

// pdfWord is a word being assembled from characters.
type pdfWord struct {
	text    strings.Builder
	box     pdfRect
	last    pdfRect // the box of the word's last character
	rotated bool
}

// groupPDFWords joins the characters of a page into words: a word ends at
// white space, at a horizontal gap wider than pdfWordGap of the font size, where
// the text moves back to the left, and where the baseline moves.
func groupPDFWords(chars []pdfChar) []pdfLayerWord {
	var words []pdfLayerWord
	var cur *pdfWord
	flush := func() {
		if cur != nil && cur.text.Len() > 0 {
			words = append(words, pdfLayerWord{text: cur.text.String(), box: cur.box, rotated: cur.rotated})
		}
		cur = nil
	}
	for _, c := range chars {
		switch {
		case isPDFSeparator(c.r):
			flush()
			continue
		case !unicode.IsGraphic(c.r) || c.box.x1 <= c.box.x0 || c.box.y1 <= c.box.y0:
			continue // control characters (PDFium's soft-hyphen markers) and boxless glyphs
		case cur != nil && (cur.rotated != c.rotated || c.rotated && apartPDF(cur.last, c.box) ||
			!c.rotated && startsPDFWord(cur.last, c.box)):
			flush()
		}
		if cur == nil {
			cur = &pdfWord{box: c.box, rotated: c.rotated}
		}
		cur.text.WriteRune(c.r)
		cur.box = cur.box.union(c.box)
		cur.last = c.box
	}
	flush()
	return words
}

// startsPDFWord reports whether a character at next begins a new word after a
// character at prev.
func startsPDFWord(prev, next pdfRect) bool {
	size := max(prev.height(), next.height())
	switch {
	case next.x0-prev.x1 > pdfWordGap*size: // a gap
		return true
	case next.x1 < prev.x0+0.1*size: // back to the left: another line or overprint
		return true
	}
	bottomShift := next.y1 - prev.y1
	return bottomShift > pdfBaselineShift*size || -bottomShift > pdfBaselineShift*size
}

// apartPDF reports whether two characters of rotated text are too far
// apart to be of one word: a gap, in any direction, wider than pdfWordGap
// of the text's size across its baseline (the thinner side of the boxes).
func apartPDF(prev, next pdfRect) bool {
	size := max(min(prev.x1-prev.x0, prev.height()), min(next.x1-next.x0, next.height()))
	gapX := max(next.x0-prev.x1, prev.x0-next.x1)
	gapY := max(next.y0-prev.y1, prev.y0-next.y1)
	return gapX > pdfWordGap*size || gapY > pdfWordGap*size
}

// pdfLayerWord is a word of a page with its box in points: from the text
// layer, or, with source SourceOCR, read by OCR from an image on the page.
type pdfLayerWord struct {
	text string
	box  pdfRect
	// rotated is set for a word of rotated text: it gets a line of its own
	// with the words of rotated text next to it, in content order.
	rotated bool
	// source is "" for a text-layer word; confidence is that of OCR words.
	source     Source
	confidence float64
}

// word returns w as a Word with the normalised box b on line.
func (w pdfLayerWord) word(b Box, line int) Word {
	if w.source == "" {
		return Word{Text: w.text, Box: b, Source: SourceTextLayer, Confidence: 1, Line: line}
	}
	return Word{Text: w.text, Box: b, Source: w.source, Confidence: w.confidence, Line: line}
}

// pdfRow is a line being assembled: the band of its first word.
type pdfRow struct {
	y0, y1 float64
	words  []pdfLayerWord
	// rotated is set for a row of rotated text, whose words keep their
	// content order and which no upright word joins.
	rotated bool
}

// layoutPDFPage orders words into lines (one per visual row: words sharing
// most of their height, left to right; rows top to bottom) and returns the
// page's Words and Lines with boxes normalised by the page size w × h.
// Words outside the page are dropped.
func layoutPDFPage(words []pdfLayerWord, w, h float64) ([]Word, []Line) {
	rows := groupPDFRows(words)
	var outWords []Word
	var outLines []Line
	for _, row := range rows {
		line := Line{}
		var text strings.Builder
		for _, tw := range row.words {
			b, ok := pdfNormalise(tw.box, w, h)
			if !ok {
				continue
			}
			if len(line.Words) > 0 {
				text.WriteByte(' ')
			}
			text.WriteString(tw.text)
			line.Words = append(line.Words, len(outWords))
			line.Box = line.Box.Union(b)
			outWords = append(outWords, tw.word(b, len(outLines)))
		}
		if len(line.Words) > 0 {
			line.Text = text.String()
			outLines = append(outLines, line)
		}
	}
	return outWords, outLines
}

// groupPDFRows clusters words into rows by vertical overlap and sorts rows top
// to bottom and each row's words left to right. Rotated text makes rows of
// its own (see rotatedPDFRows), placed among the others by their middle.
func groupPDFRows(words []pdfLayerWord) []*pdfRow {
	upright := make([]pdfLayerWord, 0, len(words))
	var turned []pdfLayerWord
	for _, w := range words {
		if w.rotated {
			turned = append(turned, w)
		} else {
			upright = append(upright, w)
		}
	}
	rows := uprightPDFRows(upright)
	rows = append(rows, rotatedPDFRows(turned)...)
	slices.SortStableFunc(rows, func(a, b *pdfRow) int { return cmp.Compare(a.y0+a.y1, b.y0+b.y1) })
	return rows
}

// rotatedPDFRows joins runs of rotated words, in content order, into rows:
// a word joins the previous one's row when their boxes are less than two
// text sizes apart.
func rotatedPDFRows(words []pdfLayerWord) []*pdfRow {
	var rows []*pdfRow
	var last pdfRect
	for i, w := range words {
		b := w.box
		if i == 0 || pdfRectGap(last, b) > 2*max(pdfThickness(last), pdfThickness(b)) {
			rows = append(rows, &pdfRow{y0: b.y0, y1: b.y1, rotated: true})
		}
		r := rows[len(rows)-1]
		r.words = append(r.words, w)
		r.y0, r.y1 = min(r.y0, b.y0), max(r.y1, b.y1)
		last = b
	}
	return rows
}

// pdfThickness is the thinner side of r: the size of rotated text.
func pdfThickness(r pdfRect) float64 { return min(r.x1-r.x0, r.height()) }

// pdfRectGap is the largest gap between a and b along either axis; 0 or
// less when they touch or overlap.
func pdfRectGap(a, b pdfRect) float64 {
	return max(b.x0-a.x1, a.x0-b.x1, b.y0-a.y1, a.y0-b.y1)
}

// uprightPDFRows clusters upright words into rows, each sorted left to
// right.
func uprightPDFRows(words []pdfLayerWord) []*pdfRow {
	sorted := slices.Clone(words)
	slices.SortStableFunc(sorted, func(a, b pdfLayerWord) int {
		return cmp.Compare(a.box.y0+a.box.y1, b.box.y0+b.box.y1)
	})
	var rows []*pdfRow
	for _, w := range sorted {
		if r := bestPDFRow(rows, w.box); r != nil {
			r.words = append(r.words, w)
			continue
		}
		rows = append(rows, &pdfRow{y0: w.box.y0, y1: w.box.y1, words: []pdfLayerWord{w}})
	}
	for _, r := range rows {
		slices.SortStableFunc(r.words, func(a, b pdfLayerWord) int { return cmp.Compare(a.box.x0, b.box.x0) })
	}
	return rows
}

// bestPDFRow returns the row b overlaps most vertically, if it overlaps it by
// at least pdfLineOverlap of the smaller height. Words arrive sorted by their
// vertical centre, so only the last rows can match.
func bestPDFRow(rows []*pdfRow, b pdfRect) *pdfRow {
	var best *pdfRow
	bestScore := 0.0
	for i := len(rows) - 1; i >= 0 && i >= len(rows)-32; i-- {
		r := rows[i]
		overlap := min(r.y1, b.y1) - max(r.y0, b.y0)
		smaller := min(r.y1-r.y0, b.height())
		if smaller <= 0 {
			continue
		}
		if score := overlap / smaller; score >= pdfLineOverlap && score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

// pdfNormalise converts a box in points to a Box on a page of w × h points,
// clipped to the page; ok is false when nothing of it is on the page.
func pdfNormalise(r pdfRect, w, h float64) (Box, bool) {
	b := Box{
		X0: pdfClamp01(r.x0 / w), Y0: pdfClamp01(r.y0 / h),
		X1: pdfClamp01(r.x1 / w), Y1: pdfClamp01(r.y1 / h),
	}
	return b, b.X1 > b.X0 && b.Y1 > b.Y0
}

func pdfClamp01(v float64) float64 { return min(1, max(0, v)) }
