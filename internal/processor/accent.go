package processor

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// plainText is a view of the index text without diacritics ("Währung" →
// "wahrung"), lower-cased, with a map from its byte offsets back to the
// text's. OCR often drops or garbles accents, and documents and configs do
// not always agree on them, so a label not found as written is looked for
// here.
type plainText struct {
	s   string
	off []int // off[i] is the text offset of byte i of s; off[len(s)] = len(text)
}

// stripAccents lower-cases s and removes combining marks after canonical
// decomposition, keeping each base letter.
func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// newPlainText builds the accent-free view of text.
func newPlainText(text string) plainText {
	var p plainText
	var b strings.Builder
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		piece := string(r)
		if r >= utf8.RuneSelf {
			piece = stripAccents(piece)
		} else {
			piece = strings.ToLower(piece)
		}
		for range len(piece) {
			p.off = append(p.off, i)
		}
		b.WriteString(piece)
		i += size
	}
	p.off = append(p.off, len(text))
	p.s = b.String()
	return p
}

// find returns the text byte ranges where label (already normalised)
// occurs in the accent-free view, up to limit of them.
func (p plainText) find(label string, limit int) []span {
	plain := stripAccents(label)
	var out []span
	for from := 0; len(out) < limit; {
		i := strings.Index(p.s[from:], plain)
		if i < 0 {
			break
		}
		start, end := from+i, from+i+len(plain)
		from = start + 1
		// Map back, keeping whole characters: the end maps to the start of
		// the next character of the original text.
		out = append(out, span{p.off[start], p.off[end]})
	}
	return out
}
