package processor

import (
	"regexp"
	"slices"
	"strings"
)

// edgeLines is how many first and last lines of a page count as its header
// and footer, where bare page numbers ("2/3", "- 2 -", "Page 2") and
// "continued on next page" notes are looked for.
const edgeLines = 3

// maxPageIDs bounds the document numbers read from one page.
const maxPageIDs = 5

// pageCues are the signs on one page that a document starts or goes on.
type pageCues struct {
	num, of  int      // page numbering "num of of"; num 0 when none, of 0 when no total
	ids      []string // document numbers (invoice numbers and the like), normalised
	title    bool     // a class title or a short heading keyword at the top
	contTop  bool     // "continued" at the top: the page goes on from the one before
	contNext bool     // "continued on next page" at the bottom: the next page goes on from this one
	terms    int      // how many terms the page has
}

// Page numbering patterns, matched against folded (lower-case) text.
// numberOf ("Page 2 of 3", "Seite 2 von 3", "p. 2/3") counts anywhere on a
// page; the others only in its header or footer lines.
var (
	numberOf = regexp.MustCompile(`\b(?:page|pg|p|seite|s|blatt|página|pagina|pág|pag|bladzijde|blz|folio)\.?\s*:?\s*(\d{1,4})\s*(?:of|von|/|de|di|van|sur|aus|af|av)\s*(\d{1,4})\b`)
	pageOnly = regexp.MustCompile(`(?:^|\s)(?:page|seite|página|pagina|bladzijde)\s*:?\s*(\d{1,3})\s*$|^\s*(?:page|seite|página|pagina|bladzijde)\s*:?\s*(\d{1,3})\b`)
	bareOf   = regexp.MustCompile(`^\s*[-–]?\s*(\d{1,3})\s*(?:/|of|von)\s*(\d{1,3})\s*[-–]?\s*$`)
	bareDash = regexp.MustCompile(`^\s*[-–]\s*(\d{1,3})\s*[-–]\s*$`)
)

// docID finds document numbers: a document word ("invoice", "Rechnung",
// "facture"…) with a number word ("no", "Nr.", "#", "number"…), or a
// compound ("Rechnungsnummer"), then a value with a digit, in folded text.
// Customer, account and order numbers are not document numbers:
// consecutive documents share them.
var docID = regexp.MustCompile(`(?:\b(?:invoice|inv|bill|receipt|credit\s+note|document|doc|rechnung|facture|factuur|fattura|factura|documento|beleg|quittung|gutschrift|statement)\s*(?:no\b|nr\b|number|num\b|#|n°|nº|nummer|numéro|numero|número|id\b)|\b(?:rechnungsnummer|rechnungsnr|factuurnummer|belegnummer|belegnr|fakturanummer))\.?\s*[:#.]?\s*([a-z0-9][a-z0-9\-/._]*\d[a-z0-9\-/._]*)`)

// Continuation notes, in folded text.
var (
	continuedTop  = regexp.MustCompile(`\b(?:continued|continuation|cont'd|contd|fortsetzung|übertrag|vervolg|seguito|continuación)\b`)
	continuedNext = regexp.MustCompile(`\bcontinued\s+(?:on\s+(?:the\s+)?next\s+page|overleaf)|\bsee\s+next\s+page|\bplease\s+turn\s+over|\bp\.?t\.?o\.?$|fortsetzung\s+(?:auf\s+(?:der\s+)?)?(?:nächste|folgende)|\bübertrag\b|suite\s+(?:au\s+verso|page\s+suivante)|vervolg\s+op\s+volgende`)
)

// What a line needs for numberOf (one of its separators) or docID (part
// of one of its words) to match in it: a cheap test before the regular
// expression.
var (
	numberSeps = []string{"of", "/", "von", "de", "di", "van", "sur", "aus", "af", "av"}
	idWords    = []string{"inv", "bill", "receipt", "note", "doc", "rechnung", "factu", "fattura", "beleg", "quittung", "gutschrift", "statement", "nummer", "nr"}
)

// containsAny reports whether s contains one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// readCues reads the numbering, document numbers and continuation notes of
// page pi of ix (its lines ix.pages[pi]).
func readCues(ix *index, pi int) pageCues {
	var c pageCues
	pg := ix.pages[pi]
	for li := pg.start; li < pg.end; li++ {
		l := ix.lines[li]
		folded := ix.folded[l.start:l.end]
		top, bottom := li-pg.start < titleLines, pg.end-li <= edgeLines
		digits := strings.ContainsAny(folded, "0123456789")
		if c.num == 0 && digits {
			c.num, c.of = numbering(folded, li-pg.start < edgeLines || bottom)
		}
		if top && continuedTop.MatchString(folded) && !continuedNext.MatchString(folded) {
			c.contTop = true
		}
		if bottom && continuedNext.MatchString(folded) {
			c.contNext = true
		}
		if digits && containsAny(folded, idWords) {
			c.ids = appendIDs(c.ids, ix.text[l.start:l.end], folded)
		}
	}
	return c
}

// numbering reads a page number from one folded line: "k of n" forms
// anywhere, bare forms only on an edge (header or footer) line. It returns 0, 0 when
// the line has none, and ignores numbers that cannot be pages (0, k > n).
func numbering(line string, edge bool) (num, of int) {
	if k, n, found := numberOfN(line); found || !edge {
		return k, n
	}
	if m := bareOf.FindStringSubmatch(line); m != nil {
		if k, n := atoi(m[1]), atoi(m[2]); k >= 1 && k <= n {
			return k, n
		}
	}
	for _, re := range []*regexp.Regexp{pageOnly, bareDash} {
		if m := re.FindStringSubmatch(line); m != nil {
			for _, g := range m[1:] {
				if k := atoi(g); k >= 1 {
					return k, 0
				}
			}
		}
	}
	return 0, 0
}

// numberOfN reads a "k of n" form from a folded line; found reports that
// the line has one, even one that cannot be a page number (then k and n
// are 0).
func numberOfN(line string) (k, n int, found bool) {
	if !containsAny(line, numberSeps) {
		return 0, 0, false
	}
	m := numberOf.FindStringSubmatchIndex(line)
	if m == nil {
		return 0, 0, false
	}
	k, n = atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
	if k < 1 || k > n || continuesNumber(line[m[1]:]) {
		return 0, 0, true
	}
	return k, n, true
}

// continuesNumber reports whether rest, the text after a numbering match,
// goes on with a separator and a digit, as the rest of a date does
// ("p 01/06" in "p 01/06/1958").
func continuesNumber(rest string) bool {
	return len(rest) >= 2 && strings.ContainsRune("/.-", rune(rest[0])) && rest[1] >= '0' && rest[1] <= '9'
}

// appendIDs adds the document numbers on a line to ids, normalised to
// upper case without trailing punctuation, at most maxPageIDs; folded is
// the line folded.
func appendIDs(ids []string, line, folded string) []string {
	for _, m := range docID.FindAllStringSubmatchIndex(folded, maxPageIDs) {
		id := strings.ToUpper(strings.TrimRight(line[m[2]:m[3]], "-/._"))
		if len(ids) < maxPageIDs && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// shareID reports whether two pages have a document number in common.
func shareID(a, b []string) bool {
	for _, id := range a {
		if slices.Contains(b, id) {
			return true
		}
	}
	return false
}

// Bounds of a heading, in words: a title starts a run of words (the words
// of its line between column gaps) of at most maxTitleTerms words, or is
// anywhere in a run of at most shortTitleTerms words; a keyword fills at
// least half of a line of at most maxHeadingLine words.
const (
	maxTitleTerms   = 8
	shortTitleTerms = 4
	maxHeadingLine  = 6
)

// titleCue reports whether a page's evidence holds a heading in the title
// zone of the page: a class title in a short run of words ("INVOICE" right
// of the seller's name, "Form W-9 (Rev. October 2018)", "WEB HOSTING
// AGREEMENT"), or a keyword filling a short line. Titles inside running
// text and table header cells are no headings.
func (m *model) titleCue(ix *index, ts []term, ev evidence) bool {
	for _, mt := range ev.matches {
		if !ts[mt.first].title {
			continue
		}
		if m.phrases[mt.phrase].title {
			pos, count := runPosition(ix, ts, mt.first)
			if count <= shortTitleTerms || pos == 0 && count <= maxTitleTerms {
				return true
			}
		}
		if count := lineTerms(ts, mt.first); count <= maxHeadingLine && 2*(mt.last-mt.first+1) >= count {
			return true
		}
	}
	return false
}

// lineTerms returns how many terms the line of term i has.
func lineTerms(ts []term, i int) int {
	first, last := i, i
	for first > 0 && ts[first-1].line == ts[i].line {
		first--
	}
	for last+1 < len(ts) && ts[last+1].line == ts[i].line {
		last++
	}
	return last - first + 1
}

// runPosition returns the position of term i among the terms of its run
// of words (see titleCue) and how many terms the run has.
func runPosition(ix *index, ts []term, i int) (pos, count int) {
	tk := ix.tokenAt(int(ts[i].start))
	line := ix.lines[ts[i].line]
	start := int32(ix.tokens[ix.extendLeft(tk, line.first)].start)
	end := int32(ix.tokens[ix.extendRight(tk, line.last)].end)
	for j := i; j >= 0 && ts[j].start >= start; j-- {
		pos++
	}
	for j := i; j < len(ts) && ts[j].end <= end; j++ {
		count++
	}
	return pos - 1, pos - 1 + count
}
