package processor

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// maxPreparedText bounds the text a template's options (replace) may grow
// the document's text to.
const maxPreparedText = 32 << 20

// i2dLayout is a document rendered as layout text (document.Page.LayoutText,
// pages separated by "\f"), the text invoice2data templates are written
// against, with every word's place in it.
type i2dLayout struct {
	doc   *document.Document
	text  string
	spans []i2dSpan // in text order
}

// i2dSpan is one word of the layout text.
type i2dSpan struct {
	page, word int // indices into doc.Pages and Page.Words
	start, end int // byte range in i2dLayout.text
}

// newI2DLayout renders doc's pages, or only the pages for which keep
// returns a page to render (which may hold a subset of the page's words).
func newI2DLayout(doc *document.Document, keep func(pi int) *document.Page) *i2dLayout {
	l := &i2dLayout{doc: doc}
	var b strings.Builder
	first := true
	for pi := range doc.Pages {
		p := &doc.Pages[pi]
		if keep != nil {
			if p = keep(pi); p == nil {
				continue
			}
		}
		if !first {
			b.WriteByte('\f')
		}
		first = false
		text, spans := p.LayoutSpans()
		base := b.Len()
		for _, s := range spans {
			l.spans = append(l.spans, i2dSpan{page: pi, word: s.Word, start: base + s.Start, end: base + s.End})
		}
		b.WriteString(text)
	}
	l.text = b.String()
	return l
}

// word returns the document word of span i. Area layouts render copies of
// pages whose word indices are the original ones.
func (l *i2dLayout) word(i int) *document.Word {
	s := l.spans[i]
	return &l.doc.Pages[s.page].Words[s.word]
}

// provenance returns, per page, the union of the boxes of the text
// [start, end) of the layout and that text with runs of spaces collapsed.
func (l *i2dLayout) provenance(start, end int) []Provenance {
	var out []Provenance
	i := sort.Search(len(l.spans), func(i int) bool { return l.spans[i].end > start })
	for i < len(l.spans) && l.spans[i].start < end {
		page := l.spans[i].page
		first, box := i, document.Box{}
		for ; i < len(l.spans) && l.spans[i].start < end && l.spans[i].page == page; i++ {
			box = box.Union(l.partialBox(i, start, end))
		}
		number := l.doc.Pages[page].Number
		if number == 0 {
			number = page + 1
		}
		text := l.text[max(start, l.spans[first].start):min(end, l.spans[i-1].end)]
		out = append(out, Provenance{Page: number, BBox: roundBox(box), Text: strings.Join(strings.Fields(text), " ")})
	}
	return out
}

// partialBox returns the part of span i's word box that holds the bytes
// [start, end) of the layout text, assuming equally wide characters.
func (l *i2dLayout) partialBox(i, start, end int) document.Box {
	s := l.spans[i]
	b := l.word(i).Box
	start, end = max(start, s.start), min(end, s.end)
	if start <= s.start && end >= s.end {
		return b
	}
	n := utf8.RuneCountInString(l.text[s.start:s.end])
	r0 := utf8.RuneCountInString(l.text[s.start:start])
	r1 := r0 + utf8.RuneCountInString(l.text[start:end])
	w := b.X1 - b.X0
	b.X0, b.X1 = b.X0+w*float64(r0)/float64(n), b.X0+w*float64(r1)/float64(n)
	return b
}

// i2dText is the text a template's regexes run on: the layout text, maybe
// transformed by the template's options, with the way back to the layout.
type i2dText struct {
	text   string
	layout *i2dLayout
	// lo and hi map each byte of text to the layout bytes it came from,
	// [lo[i], hi[i]); nil when text is the layout text itself.
	lo, hi []int32
}

// provenance returns the provenance of the bytes [start, end) of the text.
func (t *i2dText) provenance(start, end int) []Provenance {
	if start >= end {
		return nil
	}
	if t.lo != nil {
		start, end = int(t.lo[start]), int(t.hi[end-1])
	}
	return t.layout.provenance(start, end)
}

// mappedBuilder builds a transformed text and its map back to the layout.
type mappedBuilder struct {
	b      strings.Builder
	lo, hi []int32
}

// add appends s, which came from the layout bytes [lo, hi).
func (m *mappedBuilder) add(s string, lo, hi int32) {
	m.b.WriteString(s)
	for range len(s) {
		m.lo, m.hi = append(m.lo, lo), append(m.hi, hi)
	}
}

// text returns the built text over layout.
func (m *mappedBuilder) text(layout *i2dLayout) *i2dText {
	return &i2dText{text: m.b.String(), layout: layout, lo: m.lo, hi: m.hi}
}

// span returns the layout range of the bytes [start, end) of t.
func (t *i2dText) span(start, end int) (int32, int32) {
	if t.lo == nil {
		return int32(start), int32(end)
	}
	if start >= end { // an empty range sits before byte start
		if start < len(t.lo) {
			return t.lo[start], t.lo[start]
		}
		n := int32(len(t.layout.text))
		if len(t.hi) > 0 {
			n = t.hi[len(t.hi)-1]
		}
		return n, n
	}
	return t.lo[start], t.hi[end-1]
}

// prepareText applies a template's options to the layout text in
// invoice2data's order: remove_whitespace (runs of spaces), remove_accents
// (NFKD without combining marks U+0300–U+0362), lowercase, then each
// replace pair.
func prepareText(layout *i2dLayout, o *i2dOptions) (*i2dText, error) {
	t := &i2dText{text: layout.text, layout: layout}
	if o.removeWhitespace {
		t = mapRunes(t, func(r rune) string {
			if r == ' ' {
				return ""
			}
			return string(r)
		})
	}
	if o.removeAccents {
		t = mapRunes(t, removeAccents)
	}
	if o.lowercase {
		t = mapRunes(t, func(r rune) string { return string(unicode.ToLower(r)) })
	}
	for _, r := range o.replace {
		var err error
		if t, err = replaceMapped(t, r.re, r.repl); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// removeAccents returns r decomposed (NFKD) without its combining marks.
func removeAccents(r rune) string {
	if r < utf8.RuneSelf {
		return string(r)
	}
	return strings.Map(func(c rune) rune {
		if c >= 0x300 && c <= 0x362 {
			return -1
		}
		return c
	}, norm.NFKD.String(string(r)))
}

// mapRunes replaces every rune of t by f(rune).
func mapRunes(t *i2dText, f func(rune) string) *i2dText {
	var m mappedBuilder
	m.b.Grow(len(t.text))
	for i := 0; i < len(t.text); {
		r, size := utf8.DecodeRuneInString(t.text[i:])
		lo, hi := t.span(i, i+size)
		m.add(f(r), lo, hi)
		i += size
	}
	return m.text(t.layout)
}

// replaceMapped replaces every match of re in t by repl (regexp.Expand
// syntax); the replacement maps to the whole match.
func replaceMapped(t *i2dText, re *regexp.Regexp, repl string) (*i2dText, error) {
	var m mappedBuilder
	last := 0
	var dst []byte
	for _, loc := range re.FindAllStringSubmatchIndex(t.text, -1) {
		for i := last; i < loc[0]; i++ {
			lo, hi := t.span(i, i+1)
			m.add(t.text[i:i+1], lo, hi)
		}
		dst = re.ExpandString(dst[:0], repl, t.text, loc)
		lo, hi := t.span(loc[0], loc[1])
		m.add(string(dst), lo, hi)
		last = loc[1]
		if m.b.Len() > maxPreparedText {
			return nil, &Error{Code: CodeProcessorError, Message: fmt.Sprintf("the template's replace options grow the text beyond %d bytes", maxPreparedText)}
		}
	}
	for i := last; i < len(t.text); i++ {
		lo, hi := t.span(i, i+1)
		m.add(t.text[i:i+1], lo, hi)
	}
	return m.text(t.layout), nil
}
