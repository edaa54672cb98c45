package processor

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Where a page's title zone is: the lines that the classifier weighs more
// and the split processor looks at for first-page cues.
const (
	// titleLines is how many first lines of a page are always in its title
	// zone.
	titleLines = 5
	// titleTop is the part of the page height, from the top, that is in the
	// title zone.
	titleTop = 0.2
	// titleFontFactor is how much taller than the page's median line a line
	// must be to count as a heading wherever it is on the page.
	titleFontFactor = 1.4
)

// term is one normalised word piece of a document: a run of letters or
// digits, folded (lower case, no diacritics) and stemmed.
type term struct {
	key        string // normalised text
	id         int32  // vocabulary id, or -1 when no class mentions it
	start, end int32  // byte range in index.text
	page       int32  // index into Document.Pages
	line       int32  // index into index.lines
	title      bool   // in its page's title zone
	content    bool   // counts for text similarity: not a stop word, not a number
}

// docTerms returns the terms of the document behind ix in reading order,
// with vocabulary ids from vocab.
func docTerms(ix *index, vocab map[string]int32) []term {
	terms := make([]term, 0, len(ix.tokens)+len(ix.tokens)/4)
	for pi, pg := range ix.pages {
		zone := titleZone(ix, pg)
		for li := pg.start; li < pg.end; li++ {
			l := ix.lines[li]
			terms = appendTerms(terms, ix.folded[l.start:l.end], l.start, func(t *term) {
				t.page, t.line, t.title = int32(pi), int32(li), zone[li-pg.start]
				if id, ok := vocab[t.key]; ok {
					t.id = id
				}
			})
		}
	}
	return terms
}

// titleZone reports for each line of the page pg (lines pg.start..pg.end)
// whether it is in the title zone: one of the first titleLines lines, in
// the top titleTop of the page, or set in a font titleFontFactor times
// taller than the page's median line.
func titleZone(ix *index, pg span) []bool {
	n := pg.end - pg.start
	zone := make([]bool, n)
	heights := make([]float64, 0, n)
	for li := pg.start; li < pg.end; li++ {
		heights = append(heights, ix.lines[li].box.Height())
	}
	slices.Sort(heights)
	median := 0.0
	if n > 0 {
		median = heights[n/2]
	}
	for i := range zone {
		b := ix.lines[pg.start+i].box
		zone[i] = i < titleLines || b.Y0 < titleTop || median > 0 && b.Height() >= titleFontFactor*median
	}
	return zone
}

// appendTerms appends the terms of folded, a folded text that starts at
// byte offset base of the index text, calling set on each to fill in its
// position.
func appendTerms(terms []term, folded string, base int, set func(*term)) []term {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		t := term{key: normalizeTerm(folded[start:end]), id: -1, start: int32(base + start), end: int32(base + end)}
		t.content = isContent(t.key)
		if set != nil {
			set(&t)
		}
		terms = append(terms, t)
		start = -1
	}
	for i := 0; i < len(folded); {
		r, size := utf8.DecodeRuneInString(folded[i:])
		if isWordRune(r) || start >= 0 && unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(folded))
	return terms
}

// textTerms returns the normalised terms of a configured text (a keyword,
// a description or an example).
func textTerms(s string) []string {
	var keys []string
	for _, t := range appendTerms(nil, fold(s), 0, nil) {
		keys = append(keys, t.key)
	}
	return keys
}

// normalizeTerm folds what fold leaves (diacritics, ß and the runes fold
// keeps) and stems a word piece that is already lower-cased for ASCII.
func normalizeTerm(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			s = foldUnicode(s)
			break
		}
	}
	return stem(s)
}

// stripMarks returns a transformer that removes combining marks after
// canonical decomposition: "é" becomes "e", "ü" becomes "u". A chain keeps
// state, so each use needs its own.
func stripMarks() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}

// foldUnicode lower-cases s and removes its diacritics; "ß" becomes "ss".
func foldUnicode(s string) string {
	s = strings.ToLower(s)
	if out, _, err := transform.String(stripMarks(), s); err == nil {
		s = out
	}
	return strings.ReplaceAll(s, "ß", "ss")
}

// stem removes English plural endings with Harman's S-stemmer ("invoices"
// → "invoice", "companies" → "company", "terms" → "term"), so a keyword
// matches its plural. Words of three letters or fewer and words with
// digits are kept as they are.
func stem(s string) string {
	if len(s) <= 3 || !isLetters(s) {
		return s
	}
	switch {
	case strings.HasSuffix(s, "ies") && !strings.HasSuffix(s, "eies") && !strings.HasSuffix(s, "aies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "es") && !strings.HasSuffix(s, "aes") && !strings.HasSuffix(s, "ees") && !strings.HasSuffix(s, "oes"):
		return s[:len(s)-1]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "us") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// isLetters reports whether s holds only ASCII lower-case letters.
func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// isContent reports whether a term counts for text similarity: it has a
// letter, is longer than one character and is not a stop word.
func isContent(key string) bool {
	if len(key) < 2 || stopWords[key] {
		return false
	}
	for _, r := range key {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// stopWords are frequent English, German, French, Dutch, Italian and
// Spanish function words, which say nothing about a document's class.
// They are stemmed like document terms ("this" is "thi").
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or of to in on at by for from with as is are was were be been
		this that these those it its he she they we you your our their his her them us i me my not no
		but if then than so such any all each other some can could may might will would shall should
		do does did has have had there here which who whom what when where how also into about over
		der die das den dem des ein eine einer und oder zu im am mit von fur auf ist sind nicht sie wir
		le la les un une des et ou du au aux en pour par sur est sont ce cette qui que
		de het een en van op te voor met zijn il lo gli di da per con el los las y del se`) {
		m[stem(w)] = true
	}
	return m
}()
