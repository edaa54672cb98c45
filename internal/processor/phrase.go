package processor

import "strings"

// Bounds of the text next to a label.
const (
	// maxBelowGap is how far below a label, in label heights, the line
	// holding its value may start: the next line, or one after one or two
	// blank lines.
	maxBelowGap = 2.0
	// maxPhraseWords bounds the words of a phrase.
	maxPhraseWords = 40
	// regexContext is how far, in bytes, around a phrase a field's regex is
	// matched.
	regexContext = 256
)

// rightPhrase returns the words right of a label occurrence on its line: the
// first word after the label's punctuation, then the following words up to a
// column gap or a word that ends with a colon (the next label), at most
// maxPhraseWords words. far reports that a column gap separates the label
// from the phrase. A phrase whose first word ends with a colon is another
// label, not a value: ok is false.
func (ix *index) rightPhrase(h labelHit) (phrase span, far, ok bool) {
	labelLast := ix.tokenAt(h.end - 1)
	line := ix.lines[ix.tokens[labelLast].line]
	if h.valueStart >= line.end {
		return span{}, false, false
	}
	first := ix.tokenAt(h.valueStart)
	if endsWithColon(ix.text[h.valueStart:ix.tokens[first].end]) {
		return span{}, false, false
	}
	far = first != labelLast && ix.columnGap(labelLast, first)
	last := ix.extendRight(first, line.last)
	return span{h.valueStart, ix.tokens[last].end}, far, true
}

// belowPhrase returns the phrase under a label occurrence: on the nearest
// line below the label (within maxBelowGap label heights) that has a word
// overlapping the label horizontally, the words around the first such word
// up to column gaps. region is the part of that line the field's regex is
// matched in.
func (ix *index) belowPhrase(h labelHit) (phrase, region span, ok bool) {
	lb, lt := ix.labelBox(h)
	labelLine := ix.tokens[lt].line
	best, bestY := -1, 2.0
	page := ix.pages[ix.lines[labelLine].page]
	for li := page.start; li < page.end; li++ {
		lbox := ix.lines[li].box
		if (lbox.Y0+lbox.Y1)/2 <= lb.Y1 || lbox.Y0-lb.Y1 > maxBelowGap*lb.Height() || lbox.Y0 >= bestY {
			continue
		}
		if t := ix.firstOverlap(li, lb.X0, lb.X1); t >= 0 {
			best, bestY = t, lbox.Y0
		}
	}
	if best < 0 || endsWithColon(ix.text[ix.tokens[best].start:ix.tokens[best].end]) {
		return span{}, span{}, false
	}
	line := ix.lines[ix.tokens[best].line]
	first, last := ix.extendLeft(best, line.first), ix.extendRight(best, line.last)
	phrase = span{ix.tokens[first].start, ix.tokens[last].end}
	return phrase, around(phrase, span{line.start, line.end}), true
}

// firstOverlap returns the first token of line li whose box overlaps
// [x0, x1] horizontally, or -1.
func (ix *index) firstOverlap(li int, x0, x1 float64) int {
	l := ix.lines[li]
	for t := l.first; t < l.last; t++ {
		if b := ix.word(t).Box; b.X1 > x0 && b.X0 < x1 {
			return t
		}
	}
	return -1
}

// extendRight returns the last token of the phrase starting at token t,
// before limit: it stops at a column gap and before a word ending with a
// colon.
func (ix *index) extendRight(t, limit int) int {
	limit = min(limit, t+maxPhraseWords)
	for t+1 < limit && !ix.columnGap(t, t+1) && !ix.tokenEndsWithColon(t+1) {
		t++
	}
	return t
}

// extendLeft returns the first token of the phrase ending at token t, not
// before token limit.
func (ix *index) extendLeft(t, limit int) int {
	limit = max(limit, t-maxPhraseWords/2)
	for t-1 >= limit && !ix.columnGap(t-1, t) && !ix.tokenEndsWithColon(t-1) {
		t--
	}
	return t
}

// around returns the part of line within regexContext bytes of phrase.
func around(phrase, line span) span {
	return span{max(line.start, phrase.start-regexContext), min(line.end, phrase.end+regexContext)}
}

// tokenEndsWithColon reports whether token t looks like a label.
func (ix *index) tokenEndsWithColon(t int) bool {
	return endsWithColon(ix.text[ix.tokens[t].start:ix.tokens[t].end])
}

// endsWithColon reports whether a word ends with a colon, as labels do.
func endsWithColon(w string) bool {
	return strings.HasSuffix(w, ":") || strings.HasSuffix(w, "：")
}
