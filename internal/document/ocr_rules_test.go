package document

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"
)

// fillRect paints r of g with grey level v.
func fillRect(g *image.Gray, r image.Rectangle, v uint8) {
	draw.Draw(g, r, image.NewUniform(color.Gray{Y: v}), image.Point{}, draw.Src)
}

// combImage draws, at 300 dpi, a caption and under it digits typed into
// a comb field, as on tax forms: one cell 1/5 inch wide and 1/3 inch tall
// per digit, walled by 2-pixel lines that come close to the glyphs. A '-'
// is drawn outside the comb, between two cells.
func combImage(t *testing.T, caption, digits string) *image.Gray {
	t.Helper()
	const cell, top, height = 60, 160, 100
	img, _ := renderOCRText(t, 160+cell*len(digits), 2*top+height, 40, caption)
	g := toGray(img)
	x := 80
	for _, r := range digits {
		// renderOCRText starts the glyph 80 pixels in, on a baseline at
		// 144: cut out a cell around it.
		glyph, _ := renderOCRText(t, 200, 200, 40, string(r))
		draw.Draw(g, image.Rect(x, top, x+cell, top+height), glyph, image.Pt(62, 74), draw.Src)
		if r != '-' {
			for _, wall := range []int{x, x + cell} { // shared with the next cell
				fillRect(g, image.Rect(wall-1, top, wall+1, top+height), 0)
			}
			fillRect(g, image.Rect(x, top, x+cell, top+2), 0)
			fillRect(g, image.Rect(x, top+height-2, x+cell, top+height), 0)
		}
		x += cell
	}
	return g
}

func TestOCRReadsDigitsInCombBoxes(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	// With the walls of the cells, tesseract reads "1/2);3)-|4/5]-":
	// brackets and bars for walls, and digits lost.
	img := combImage(t, "Social security number", "123-45-6789")
	page, err := o.Page(context.Background(), img, 1, 300)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Lines) != 2 || digitsOf(page.Lines[1].Text) != "123456789" {
		t.Errorf("text = %q, want the caption, then the digits 123456789", page.Text())
	}
}

// digitsOf returns the ASCII digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// ruleFixture is a page at 300 dpi with text crossed and boxed by thin
// rules, and dark shapes that are not rules.
type ruleFixture struct {
	text  *image.Gray       // the text and the shapes, without the rules
	page  *image.Gray       // text with the rules drawn over it
	rules []image.Rectangle // the thin rules, which removeRules must clear
}

// newRuleFixture draws a line of text, then: a 3-pixel typing line through
// the descenders, comb walls 2 pixels wide and 100 tall around the number,
// a black bar 40 pixels tall, a divider 3 pixels wide and 2 inches tall,
// and a grey bar with light text on it, whose gaps between letters are
// thin runs of ink too.
func newRuleFixture(t *testing.T) ruleFixture {
	t.Helper()
	img, drawn := renderOCRText(t, 1400, 900, 40, "Typing quickly 4711")
	f := ruleFixture{text: toGray(img)}
	f.page = toGray(img)
	base := drawn[0][0].box.Max.Y - 8 // through the descender of "y"
	number := drawn[0][2].box
	f.rules = []image.Rectangle{
		image.Rect(60, base, 1300, base+3),
		image.Rect(number.Min.X-6, 60, number.Min.X-4, 160),
		image.Rect(number.Max.X+4, 60, number.Max.X+6, 160),
	}
	for _, shape := range []image.Rectangle{image.Rect(80, 300, 1200, 340), image.Rect(1350, 300, 1353, 900)} {
		fillRect(f.text, shape, 0)
		fillRect(f.page, shape, 0)
	}
	// Light text on a grey bar: ink on the bar lightens it.
	img, _ = renderOCRText(t, 1000, 200, 40, "Invoice Number")
	label := toGray(img)
	bar := image.Rect(60, 400, 1060, 500)
	for y := bar.Min.Y; y < bar.Max.Y; y++ {
		for x := bar.Min.X; x < bar.Max.X; x++ {
			ink := 0xff - int(label.GrayAt(x-bar.Min.X, y-bar.Min.Y+60).Y)
			v := color.Gray{Y: uint8(120 + (0xff-120)*ink/0xff)}
			f.text.SetGray(x, y, v)
			f.page.SetGray(x, y, v)
		}
	}
	for _, r := range f.rules {
		fillRect(f.page, r, 0)
	}
	return f
}

func TestRemoveRules(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	removeRules(f.page, 300)
	var left, changed int
	for y := range f.page.Rect.Dy() {
		for x := range f.page.Rect.Dx() {
			p, got, text := image.Pt(x, y), f.page.GrayAt(x, y).Y, f.text.GrayAt(x, y).Y
			r, onRule := ruleAt(f.rules, p)
			switch {
			case !onRule && !p.In(ruleFringeOf(f.rules, p)) && got != text:
				changed++
			case onRule && text == 0xff && got != 0xff && !touchesGlyph(f.text, r, p):
				left++
			}
		}
	}
	if left > 0 {
		t.Errorf("%d pixels of the rules are left where no glyph touches them, want none", left)
	}
	if changed > 0 {
		t.Errorf("%d pixels away from the rules changed (glyphs, bars, the divider, light text on grey), want none", changed)
	}
}

// ruleAt returns the rule holding p.
func ruleAt(rules []image.Rectangle, p image.Point) (image.Rectangle, bool) {
	for _, r := range rules {
		if p.In(r) {
			return r, true
		}
	}
	return image.Rectangle{}, false
}

// ruleFringeOf returns the anti-aliased edge around the rule next to p,
// which removeRules may paint over, or an empty rectangle.
func ruleFringeOf(rules []image.Rectangle, p image.Point) image.Rectangle {
	for _, r := range rules {
		if p.In(r.Inset(-ruleFringe)) {
			return r.Inset(-ruleFringe)
		}
	}
	return image.Rectangle{}
}

// touchesGlyph reports whether the text has ink just beside rule r across
// from p: there the rule stays, to keep the glyph whole.
func touchesGlyph(text *image.Gray, r image.Rectangle, p image.Point) bool {
	for d := 1; d <= ruleFringe+1; d++ {
		var a, b image.Point
		if r.Dx() > r.Dy() {
			a, b = image.Pt(p.X, r.Min.Y-d), image.Pt(p.X, r.Max.Y-1+d)
		} else {
			a, b = image.Pt(r.Min.X-d, p.Y), image.Pt(r.Max.X-1+d, p.Y)
		}
		if text.GrayAt(a.X, a.Y).Y < ruleInk || text.GrayAt(b.X, b.Y).Y < ruleInk {
			return true
		}
	}
	return false
}

func TestRemoveRulesScalesWithResolution(t *testing.T) {
	t.Parallel()
	// A 2-pixel line 60 pixels long is a rule at 150 dpi (0.4 inch) and
	// a dash at 600 dpi (0.1 inch).
	for _, tc := range []struct {
		dpi     float64
		cleared bool
	}{{150, true}, {600, false}} {
		g := image.NewGray(image.Rect(0, 0, 200, 100))
		fillRect(g, g.Rect, 0xff)
		fillRect(g, image.Rect(20, 50, 80, 52), 0)
		removeRules(g, tc.dpi)
		if cleared := g.GrayAt(50, 50).Y == 0xff; cleared != tc.cleared {
			t.Errorf("at %v dpi: line cleared = %v, want %v", tc.dpi, cleared, tc.cleared)
		}
	}
}

func TestRemoveRulesPaintsWithThePaper(t *testing.T) {
	t.Parallel()
	// An underline on a tinted panel: painting it white would leave a
	// white stripe, an edge tesseract would see.
	g := image.NewGray(image.Rect(0, 0, 400, 100))
	fillRect(g, g.Rect, 0xff)
	fillRect(g, image.Rect(0, 20, 400, 80), 210)
	fillRect(g, image.Rect(50, 50, 350, 52), 0)
	removeRules(g, 300)
	for x := 50; x < 350; x++ {
		if v := g.GrayAt(x, 50).Y; v != 210 {
			t.Fatalf("pixel (%d, 50) of the line is %d, want the panel's 210", x, v)
		}
	}
}
