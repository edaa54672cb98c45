package processor

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// index is a document's reading-order text with a map from byte offsets back
// to its words. The text has the words of each line separated by single
// spaces, lines separated by "\n" and pages by "\f", the same text as
// document.Document.Text, so labels and regexes see every engine's output
// the same way.
type index struct {
	doc    *document.Document
	text   string
	folded string     // text lower-cased, with the same byte offsets
	plain  *plainText // text without accents, made when first needed
	tokens []token
	lines  []lineRef
	pages  []span // each page's lines: index.lines[start:end]
}

// token is one word of the document in reading order.
type token struct {
	page, word int // indices into doc.Pages and Page.Words
	line       int // index into index.lines
	start, end int // the word's byte range in index.text
}

// lineRef is one line of the document in reading order.
type lineRef struct {
	page        int
	first, last int // its tokens: index.tokens[first:last]
	start, end  int // its byte range in index.text
	box         document.Box
}

// span is a byte range [start, end) of index.text.
type span struct{ start, end int }

// newIndex builds the index of doc. Word indices that are out of range are
// skipped rather than trusted.
func newIndex(doc *document.Document) *index {
	ix := &index{doc: doc}
	var b strings.Builder
	for pi := range doc.Pages {
		if pi > 0 {
			b.WriteByte('\f')
		}
		p := &doc.Pages[pi]
		ix.pages = append(ix.pages, span{len(ix.lines), len(ix.lines) + len(p.Lines)})
		for li := range p.Lines {
			if li > 0 {
				b.WriteByte('\n')
			}
			ix.addLine(&b, pi, p.Lines[li].Words)
		}
	}
	ix.text = b.String()
	ix.folded = fold(ix.text)
	return ix
}

// addLine appends one line's words to the text and the tokens.
func (ix *index) addLine(b *strings.Builder, page int, words []int) {
	l := lineRef{page: page, first: len(ix.tokens), start: b.Len()}
	ws := ix.doc.Pages[page].Words
	for _, wi := range words {
		if wi < 0 || wi >= len(ws) || ws[wi].Text == "" {
			continue
		}
		if len(ix.tokens) > l.first {
			b.WriteByte(' ')
		}
		start := b.Len()
		b.WriteString(ws[wi].Text)
		ix.tokens = append(ix.tokens, token{page: page, word: wi, line: len(ix.lines), start: start, end: b.Len()})
		l.box = l.box.Union(ws[wi].Box)
	}
	l.last, l.end = len(ix.tokens), b.Len()
	ix.lines = append(ix.lines, l)
}

// word returns the document word of token t.
func (ix *index) word(t int) *document.Word {
	tk := ix.tokens[t]
	return &ix.doc.Pages[tk.page].Words[tk.word]
}

// tokenAt returns the index of the first token that ends after offset: the
// token holding offset, or the next one when offset is between tokens.
func (ix *index) tokenAt(offset int) int {
	return sort.Search(len(ix.tokens), func(i int) bool { return ix.tokens[i].end > offset })
}

// box returns the part of token t's box that holds the bytes [start, end)
// of index.text, assuming its characters are equally wide.
func (ix *index) box(t, start, end int) document.Box {
	tk := ix.tokens[t]
	b := ix.doc.Pages[tk.page].Words[tk.word].Box
	start, end = max(start, tk.start), min(end, tk.end)
	if start == tk.start && end == tk.end {
		return b
	}
	n := utf8.RuneCountInString(ix.text[tk.start:tk.end])
	r0 := utf8.RuneCountInString(ix.text[tk.start:start])
	r1 := r0 + utf8.RuneCountInString(ix.text[start:end])
	w := b.X1 - b.X0
	b.X0, b.X1 = b.X0+w*float64(r0)/float64(n), b.X0+w*float64(r1)/float64(n)
	return b
}

// charWidth returns the average character width of token t.
func (ix *index) charWidth(t int) float64 {
	tk := ix.tokens[t]
	return ix.word(t).Box.Width() / float64(max(1, utf8.RuneCountInString(ix.text[tk.start:tk.end])))
}

// columnGapFactor is how many average character widths apart two words of a
// line must be to be in different columns: one space is about one character
// on a text page and less in a PDF; two spaces or more separate columns.
const columnGapFactor = 1.5

// ocrGapAllowance widens the column gap between two OCR words, in average
// character widths. OCR boxes hug the ink, while a text layer's boxes span
// each character's advance, side bearings included, so the same spacing
// measures wider between OCR words, and their characters narrower: on the
// labelled PDFs of the corpus rendered at 300 dpi and read back by OCR, a
// gap between two words measured 0.17 character widths more than in the
// text layer (median), 0.31 at the 90th percentile, enough to split
// "vom 05.03.2018" at 1.51 and lose the date to its label.
const ocrGapAllowance = 0.3

// columnGap reports whether tokens a and b (a before b, same line) are in
// different columns.
func (ix *index) columnGap(a, b int) bool {
	wa, wb := ix.word(a), ix.word(b)
	factor := columnGapFactor
	if wa.Source == document.SourceOCR && wb.Source == document.SourceOCR {
		factor += ocrGapAllowance
	}
	return wb.Box.X0-wa.Box.X1 > factor*(ix.charWidth(a)+ix.charWidth(b))/2
}

// fold lower-cases s rune by rune, keeping a rune whose lower case has a
// different UTF-8 length, so that byte offsets in s and fold(s) agree.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); utf8.RuneLen(l) == size && (r != utf8.RuneError || size > 1) {
			b.WriteRune(l)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
