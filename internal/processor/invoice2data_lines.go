package processor

import (
	"regexp"
	"strings"
	"unicode"
)

// maxLineBlocks bounds the blocks one lines rule reads in a document.
const maxLineBlocks = 1000

// i2dRow is a line item being read: its cells in order and the text
// lines it was read from.
type i2dRow struct {
	names []string
	cells map[string]*i2dCell
	lines []span // byte ranges in the template's text
}

// i2dCell is one value of a row: the texts of its lines, joined by "\n".
type i2dCell struct {
	text  string
	spans []span
}

// empty reports whether the row has no cell (invoice2data drops it).
func (r *i2dRow) empty() bool { return r == nil || len(r.names) == 0 }

// add appends the named groups of a match of line (at offset base) to the
// row, as invoice2data's parse_current_row: a value already there gets a
// "\n" and the new text.
func (r *i2dRow) add(re *regexp.Regexp, line string, base int, loc []int) {
	for g, name := range re.SubexpNames() {
		if name == "" {
			continue
		}
		var value string
		var sp span
		if loc[2*g] >= 0 {
			value, sp = trimmedSpan(line, loc[2*g], loc[2*g+1], base)
		}
		c, ok := r.cells[name]
		if !ok {
			c = &i2dCell{}
			r.cells[name] = c
			r.names = append(r.names, name)
		}
		if c.text != "" {
			c.text += "\n"
		}
		c.text += value
		if sp.end > sp.start {
			c.spans = append(c.spans, sp)
		}
	}
	r.lines = append(r.lines, span{base, base + len(line)})
}

// trimmedSpan returns line[start:end] without surrounding spaces and its
// range offset by base.
func trimmedSpan(line string, start, end, base int) (string, span) {
	s := line[start:end]
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	start += len(s) - len(t)
	t = strings.TrimRightFunc(t, unicode.IsSpace)
	return t, span{base + start, base + start + len(t)}
}

// newRow starts a row from a match.
func newRow(re *regexp.Regexp, line string, base int, loc []int) *i2dRow {
	r := &i2dRow{cells: map[string]*i2dCell{}}
	r.add(re, line, base, loc)
	return r
}

// parse reads the blocks between start and end, one after the other: each
// block starts after a match of start and ends before the next match of
// end (the last one with end_match: last).
func (r *i2dLineRule) parse(text string) []*i2dRow {
	var rows []*i2dRow
	pos := 0
	for range maxLineBlocks {
		sm := r.start.FindStringIndex(text[pos:])
		if sm == nil {
			break
		}
		from := pos + sm[1]
		em := r.end.FindStringIndex(text[from:])
		if r.endLast {
			if all := r.end.FindAllStringIndex(text[from:], -1); len(all) > 0 {
				em = all[len(all)-1]
			}
		}
		if em == nil {
			break
		}
		rows = append(rows, r.parseBlock(text, span{from, from + em[0]})...)
		next := from + em[1]
		if next == pos { // empty start and end matches: no progress
			break
		}
		pos = next
	}
	return rows
}

// parseBlock reads the rows of one block, line by line, as invoice2data's
// lines parser: skip_line drops a line; first_line starts a row; after it,
// last_line ends the row and line adds to it; other lines are ignored.
// Without first_line and last_line, line starts a row.
func (r *i2dLineRule) parseBlock(text string, blk span) []*i2dRow {
	var rows []*i2dRow
	var cur *i2dRow
	started := false
	push := func() {
		if !cur.empty() {
			rows = append(rows, cur)
		}
		cur = nil
	}
	for _, ln := range splitSpans(text, blk, r.sep) {
		line := text[ln.start:ln.end]
		if strings.Trim(strings.Trim(line, "\n"), "\r") == "" || searchAny(r.skip, line) != nil {
			continue
		}
		if m := searchAny(r.first, line); m != nil {
			push()
			cur, started = newRow(m.re, line, ln.start, m.loc), true
			continue
		}
		if !started {
			continue
		}
		if m := searchAny(r.last, line); m != nil {
			cur.add(m.re, line, ln.start, m.loc)
			push()
			started = false
			continue
		}
		if m := searchAny(r.line, line); m != nil {
			cur.add(m.re, line, ln.start, m.loc)
		}
	}
	push()
	return rows
}

// regexMatch is a match of one of several regexes.
type regexMatch struct {
	re  *regexp.Regexp
	loc []int
}

// searchAny returns the match of the first regex that matches s.
func searchAny(res []*regexp.Regexp, s string) *regexMatch {
	for _, re := range res {
		if loc := re.FindStringSubmatchIndex(s); loc != nil {
			return &regexMatch{re: re, loc: loc}
		}
	}
	return nil
}

// splitSpans splits text[blk] at the matches of sep, like Python's
// re.split.
func splitSpans(text string, blk span, sep *regexp.Regexp) []span {
	var out []span
	start := blk.start
	for _, m := range sep.FindAllStringIndex(text[blk.start:blk.end], -1) {
		out = append(out, span{start, blk.start + m[0]})
		start = blk.start + m[1]
	}
	return append(out, span{start, blk.end})
}

// tableValues reads one block of the tables plugin: for each named group
// of body, the values of the lines between start and end, in order. ok is
// false when start or end is missing.
func (tb *i2dTable) values(text string) (map[string][]i2dRaw, bool) {
	sm, em := tb.start.FindStringIndex(text), tb.end.FindStringIndex(text)
	if sm == nil || em == nil {
		return nil, false
	}
	out := map[string][]i2dRaw{}
	if em[0] <= sm[1] {
		return out, true
	}
	for _, ln := range splitSpans(text, span{sm[1], em[0]}, tb.sep) {
		line := text[ln.start:ln.end]
		if strings.Trim(line, "\n") == "" || strings.TrimSpace(line) == "" {
			continue
		}
		loc := tb.body.FindStringSubmatchIndex(line)
		if loc == nil {
			continue
		}
		for g, name := range tb.body.SubexpNames() {
			if name != "" && loc[2*g] >= 0 {
				s, e := ln.start+loc[2*g], ln.start+loc[2*g+1]
				out[name] = append(out[name], i2dRaw{text: text[s:e], sp: span{s, e}})
			}
		}
	}
	return out, true
}

// i2dRaw is a matched text and where it is.
type i2dRaw struct {
	text string
	sp   span
}
