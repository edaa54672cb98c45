package document

import "image"

// Geometry of the rules removeRules takes out, in inches so that it holds
// at any resolution. A rule is a straight run of ink at least
// ruleMinLength long and at most ruleMaxThickness thick: the lines values
// are typed on, table borders, and the short walls of form boxes and of
// the "comb" grids that give each digit of a tax number its own cell.
// Glyphs are shorter or thicker: at ruleMinLength (18 points) a straight
// stem is taller than the capitals of any body text, and type large enough
// to have such stems has strokes thicker than ruleMaxThickness (1.2
// points).
//
// Vertical rules taller than ruleMaxVertical stay: they divide columns of
// text, and tesseract finds such lines itself and uses them to keep the
// columns apart; without them it runs the columns together.
const (
	ruleMinLength    = 1.0 / 4
	ruleMaxThickness = 1.0 / 60
	ruleMaxVertical  = 1.0 / 2
)

// ruleInk is the grey level below which a pixel counts as ink for finding
// rules: dark enough to skip light row shading, light enough to take in
// grey and anti-aliased lines.
const ruleInk = 160

// A cleared rule's anti-aliased edge is the up to ruleFringe pixels on
// either side of it that are at least ruleFringeInk (and not white): the
// blur of a line drawn between pixels or enlarged.
const (
	ruleFringe    = 2
	ruleFringeInk = 96
)

// Bits of the mask removeRules builds, one byte per pixel.
const (
	ruleHorizBit uint8 = 1 << iota // in a horizontal ink run of rule length
	ruleVertBit                    // in a vertical ink run of rule length
	ruleCutBit                     // in a horizontal rule
)

// segment is a straight run of ink: along row or column at, from from to
// to (exclusive).
type segment struct{ at, from, to int }

// removeRules paints out the long, thin horizontal and vertical lines of
// g, an image at dpi dots per inch, keeping the glyphs: tesseract reads a
// line that touches or boxes text as characters ("|", "]", "_") and
// breaks the words next to it, so digits typed in comb boxes came out as
// "1/2);3)-|4/5]" and words beside a typing line ran together.
//
// A rule is a straight run of ink of rule length that, over most of its
// length, is at most ruleMaxThickness thick with paper (or another rule)
// on both sides; see ruleFinder.cuts. Where a glyph touches the line the
// line stays under it, so the glyph keeps its strokes; a filled bar or a
// solid shape is not a rule, and light text on a dark bar is left as it
// is. The line is painted over with the paper beside it.
func removeRules(g *image.Gray, dpi float64) {
	r := ruleFinder{
		g:        g,
		w:        g.Rect.Dx(),
		h:        g.Rect.Dy(),
		minLen:   max(8, int(dpi*ruleMinLength+0.5)),
		maxVert:  int(dpi*ruleMaxVertical + 0.5),
		maxThick: max(1, int(dpi*ruleMaxThickness+0.5)),
	}
	if r.w < r.minLen && r.h < r.minLen {
		return
	}
	rows, cols := r.runs()
	if len(rows) == 0 && len(cols) == 0 {
		return
	}
	r.markRuns(rows, cols)
	var cuts []cut
	for _, s := range rows {
		cuts = r.cuts(cuts, s, horizontal)
	}
	r.markCuts(cuts)
	for _, s := range cols {
		cuts = r.cuts(cuts, s, vertical)
	}
	r.clear(cuts)
}

// ruleFinder holds the image removeRules works on and its limits in
// pixels.
type ruleFinder struct {
	g                         *image.Gray
	w, h                      int
	minLen, maxVert, maxThick int
	mask                      []uint8
}

// runs returns the horizontal ink runs at least minLen long and the
// vertical ones from minLen to maxVert long. It reads the image once, row
// by row, with a counter per column for the vertical runs.
func (r *ruleFinder) runs() (rows, cols []segment) {
	colRun := make([]int32, r.w)
	for y := range r.h {
		row := r.g.Pix[y*r.g.Stride : y*r.g.Stride+r.w]
		colRun := colRun[:len(row)]
		start := -1
		for x, v := range row {
			if v < ruleInk {
				colRun[x]++
				if start < 0 {
					start = x
				}
				continue
			}
			if start >= 0 {
				rows = r.appendRun(rows, y, start, x, r.w)
				start = -1
			}
			if n := colRun[x]; n > 0 {
				cols = r.appendRun(cols, x, y-int(n), y, r.maxVert)
				colRun[x] = 0
			}
		}
		if start >= 0 {
			rows = r.appendRun(rows, y, start, r.w, r.w)
		}
	}
	for x, n := range colRun {
		if n > 0 {
			cols = r.appendRun(cols, x, r.h-int(n), r.h, r.maxVert)
		}
	}
	return rows, cols
}

// appendRun appends the run [from, to) along row or column at to segs
// when it is from minLen to maxLen long.
func (r *ruleFinder) appendRun(segs []segment, at, from, to, maxLen int) []segment {
	if n := to - from; n >= r.minLen && n <= maxLen {
		segs = append(segs, segment{at: at, from: from, to: to})
	}
	return segs
}

// markRuns marks the pixels of the horizontal runs ruleHorizBit and those
// of the vertical runs ruleVertBit.
func (r *ruleFinder) markRuns(rows, cols []segment) {
	r.mask = make([]uint8, r.w*r.h)
	for _, s := range rows {
		for i := s.at*r.w + s.from; i < s.at*r.w+s.to; i++ {
			r.mask[i] |= ruleHorizBit
		}
	}
	for _, s := range cols {
		for y := s.from; y < s.to; y++ {
			r.mask[y*r.w+s.at] |= ruleVertBit
		}
	}
}

// cut is a cross-section of a rule: n pixels from (x, y) in steps of
// (dx, dy), across the line. first and last mark the cross-sections at the
// ends of the line.
type cut struct {
	x, y, dx, dy, n int
	first, last     bool
}

// direction is the way a run of ink goes, with the mask bit of its runs
// and the bit of the pixels across it that are rules, not ink beside it.
// A horizontal rule may cross a vertical run; a vertical rule may cross
// only a horizontal rule already found, not any long row of ink, which a
// dark bar's rows are too.
type direction struct {
	bit, across uint8
	// dx, dy step along the run; a cut steps (dy, dx) across it.
	dx, dy int
}

// The two directions of rules.
var (
	horizontal = direction{bit: ruleHorizBit, across: ruleVertBit, dx: 1}
	vertical   = direction{bit: ruleVertBit, across: ruleCutBit, dy: 1}
)

// ruleShare is the share of a run's cross-sections that must be thin and
// lie on paper for the run to be a rule. A glyph touching a line spoils a
// few of them; the gap between two light letters on a dark bar, which is a
// thin run of ink too, lies on the bar for most of its length.
const ruleShare = 0.75

// cuts appends the cross-sections of run s, going in direction d, when
// the run is a rule: when at least ruleShare of its cross-sections are at
// most maxThick thick with paper or a rule across on both sides. Only
// those are appended, so a line is not cleared where a glyph touches it.
//
// A line several pixels thick has one run per row or column; each run
// votes on all the cross-sections it passes through, and the run at the
// top or left edge of a cross-section appends it.
func (r *ruleFinder) cuts(cuts []cut, s segment, d direction) []cut {
	ax, ay := d.dy, d.dx // the step across the run
	good, before := 0, len(cuts)
	for i := s.from; i < s.to; i++ {
		x, y := s.at*ax+i*d.dx, s.at*ay+i*d.dy // along a row, at is y
		back := 0
		for back <= r.maxThick && r.marked(x-(back+1)*ax, y-(back+1)*ay, d.bit) {
			back++
		}
		c := cut{x: x - back*ax, y: y - back*ay, dx: ax, dy: ay}
		if back > r.maxThick || !r.thin(&c, d) {
			continue
		}
		good++
		if back == 0 {
			c.first, c.last = i == s.from, i == s.to-1
			cuts = append(cuts, c)
		}
	}
	if float64(good) < ruleShare*float64(s.to-s.from) {
		return cuts[:before]
	}
	return cuts
}

// thin measures the cross-section c from its first pixel, setting c.n, and
// reports whether it is at most maxThick thick with paper on both sides.
func (r *ruleFinder) thin(c *cut, d direction) bool {
	c.n = 1
	for c.n <= r.maxThick && r.marked(c.x+c.n*c.dx, c.y+c.n*c.dy, d.bit) {
		c.n++
	}
	return c.n <= r.maxThick &&
		r.onPaper(c.x-c.dx, c.y-c.dy, -c.dx, -c.dy, d.across) &&
		r.onPaper(c.x+c.n*c.dx, c.y+c.n*c.dy, c.dx, c.dy, d.across)
}

// markCuts marks the pixels of cuts ruleCutBit.
func (r *ruleFinder) markCuts(cuts []cut) {
	for _, c := range cuts {
		for i := range c.n {
			r.mask[(c.y+i*c.dy)*r.w+c.x+i*c.dx] |= ruleCutBit
		}
	}
}

// marked reports whether the pixel (x, y) is in the image and marked bit.
func (r *ruleFinder) marked(x, y int, bit uint8) bool {
	return x >= 0 && y >= 0 && x < r.w && y < r.h && r.mask[y*r.w+x]&bit != 0
}

// onPaper reports whether the pixel (x, y) beside a line is paper: off the
// image, not ink, or part of a rule going across, marked across. A pixel of
// the line's anti-aliased edge (lighter than ruleFringeInk) is paper when
// the next one out, a step (dx, dy) on, is.
func (r *ruleFinder) onPaper(x, y, dx, dy int, across uint8) bool {
	for range 2 {
		if x < 0 || y < 0 || x >= r.w || y >= r.h {
			return true
		}
		v := r.g.Pix[y*r.g.Stride+x]
		if v >= ruleInk || r.mask[y*r.w+x]&across != 0 {
			return true
		}
		if v < ruleFringeInk {
			return false
		}
		x, y = x+dx, y+dy
	}
	return false
}

// clear paints the cross-sections of the rules with the paper beside
// them, then the line's anti-aliased edges, which would otherwise leave a
// faint dotted ghost of it: up to ruleFringe pixels on either side and
// beyond its ends that are lighter than ruleFringeInk. A glyph's stroke
// touching the line is darker and stays. The paper is the lighter of the
// pixels just beyond the edges, so a line on a tinted panel leaves no white
// stripe. Painting only ever lightens a pixel: where two rules cross, the
// second does not darken the paper the first left.
func (r *ruleFinder) clear(cuts []cut) {
	paper := make([]uint8, len(cuts))
	for i, c := range cuts {
		paper[i] = r.paper(c)
	}
	for i, c := range cuts {
		for j := range c.n {
			x, y := c.x+j*c.dx, c.y+j*c.dy
			p := &r.g.Pix[y*r.g.Stride+x]
			*p = max(*p, paper[i])
			if c.first { // the blurred end of the line, along it
				r.clearFringe(x, y, -c.dy, -c.dx, paper[i])
			}
			if c.last {
				r.clearFringe(x, y, c.dy, c.dx, paper[i])
			}
		}
		r.clearFringe(c.x, c.y, -c.dx, -c.dy, paper[i])
		r.clearFringe(c.x+(c.n-1)*c.dx, c.y+(c.n-1)*c.dy, c.dx, c.dy, paper[i])
	}
}

// paper returns the grey level of the paper beside cross-section c: the
// lighter of the pixels just beyond its anti-aliased edges that are in the
// image and not in a run of rule length (another line crossing); white
// when there is none, and never darker than ruleInk.
func (r *ruleFinder) paper(c cut) uint8 {
	v, found := uint8(0), false
	for _, d := range [2]int{-(ruleFringe + 1), c.n + ruleFringe} {
		x, y := c.x+d*c.dx, c.y+d*c.dy
		if x < 0 || y < 0 || x >= r.w || y >= r.h || r.mask[y*r.w+x] != 0 {
			continue
		}
		v, found = max(v, r.g.Pix[y*r.g.Stride+x]), true
	}
	if !found {
		return 0xff
	}
	return max(v, ruleInk)
}

// clearFringe paints with paper, from the pixel after (x, y) in steps of
// (dx, dy), up to ruleFringe pixels lighter than ruleFringeInk and darker
// than paper.
func (r *ruleFinder) clearFringe(x, y, dx, dy int, paper uint8) {
	for range ruleFringe {
		x, y = x+dx, y+dy
		if x < 0 || y < 0 || x >= r.w || y >= r.h {
			return
		}
		p := &r.g.Pix[y*r.g.Stride+x]
		if *p < ruleFringeInk || *p >= paper {
			return
		}
		*p = paper
	}
}
