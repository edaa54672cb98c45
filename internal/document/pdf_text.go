package document

import (
	"context"
	"math"
	"unicode"
	"unicode/utf8"
)

// Text-layer quality thresholds.
const (
	// pdfMinGlyphs is the number of non-space characters below which a page
	// counts as having no text layer (a scan, perhaps with a page number).
	pdfMinGlyphs = 10
	// pdfGlyphSample is how many non-space characters per page are checked for
	// unmapped glyphs (characters PDFium could not map to Unicode).
	pdfGlyphSample = 256
)

// pdfTransform maps PDF user space (y up) to points on the page as it is
// displayed: crop box origin at the top-left, /Rotate applied, y down.
type pdfTransform struct {
	ox, oy, xx, xy, yx, yy float64
}

// apply maps the user-space point (x, y).
func (t pdfTransform) apply(x, y float64) (float64, float64) {
	return t.ox + x*t.xx + y*t.yx, t.oy + x*t.xy + y*t.yy
}

// box maps the user-space rectangle with corners (l, b) and (r, t).
func (t pdfTransform) box(l, b, r, top float64) pdfRect {
	x0, y0 := t.apply(l, b)
	x1, y1 := t.apply(r, top)
	return pdfRect{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
}

// transform asks PDFium where three points of the page land on a device
// showing the page upright at 100 pixels per point, and derives the affine
// map from them, so crop boxes and rotation follow PDFium exactly.
func (p *pdfium) transform(page uint64, w, h float64) (pdfTransform, error) {
	const scale, d = 100.0, 1000.0
	sx, sy := max(1, int(math.Round(w*scale))), max(1, int(math.Round(h*scale)))
	kx, ky := w/float64(sx), h/float64(sy) // points per device pixel
	var pts [3][2]float64
	for i, in := range [3][2]float64{{0, 0}, {d, 0}, {0, d}} {
		x, y, err := p.pageToDevice(page, sx, sy, in[0], in[1])
		if err != nil {
			return pdfTransform{}, err
		}
		pts[i] = [2]float64{x * kx, y * ky}
	}
	return pdfTransform{
		ox: pts[0][0], oy: pts[0][1],
		xx: (pts[1][0] - pts[0][0]) / d, xy: (pts[1][1] - pts[0][1]) / d,
		yx: (pts[2][0] - pts[0][0]) / d, yy: (pts[2][1] - pts[0][1]) / d,
	}, nil
}

// pdfLayerStats describes the quality of a page's text layer.
type pdfLayerStats struct {
	glyphs  int // non-space characters
	sampled int // of which checked for Unicode problems
	bad     int // sampled characters that are unmapped, control or private-use
}

// usable reports whether the text layer can stand for the page's text.
func (s pdfLayerStats) usable() bool {
	return s.glyphs >= pdfMinGlyphs && s.bad*2 <= s.sampled
}

// garbled reports whether the page has text whose glyphs mostly do not map
// to Unicode: drawn text that only OCR can read.
func (s pdfLayerStats) garbled() bool {
	return s.glyphs >= pdfMinGlyphs && s.bad*2 > s.sampled
}

// pageChars reads the characters of a page's text layer with their boxes in
// displayed points.
func (p *pdfium) pageChars(ctx context.Context, page uint64, tf pdfTransform) ([]pdfChar, pdfLayerStats, error) {
	var st pdfLayerStats
	tp, err := p.call(ctx, fnTextLoadPage, page)
	if err != nil || tp == 0 {
		return nil, st, err
	}
	defer func() { _, _ = p.call(context.Background(), fnTextClosePage, tp) }()
	n, err := p.call32(fnTextCountChars, tp)
	if err != nil {
		return nil, st, err
	}
	chars := make([]pdfChar, 0, max(0, n))
	for i := range uint64(max(0, n)) {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, st, ctx.Err()
		}
		u, err := p.call32(fnTextGetUnicode, tp, i)
		if err != nil {
			return nil, st, err
		}
		r := rune(u)
		if isPDFSeparator(r) {
			chars = append(chars, pdfChar{r: ' '})
			continue
		}
		if err := p.sampleGlyph(tp, i, r, &st); err != nil {
			return nil, st, err
		}
		box, err := p.charBox(tp, i, tf)
		if err != nil {
			return nil, st, err
		}
		upright, err := p.charUpright(tp, i, tf)
		if err != nil {
			return nil, st, err
		}
		chars = append(chars, pdfChar{r: r, box: box, rotated: !upright})
	}
	return chars, st, nil
}

// sampleGlyph counts a non-space character in st and, for the first
// pdfGlyphSample of a page, checks that it maps to a usable character.
func (p *pdfium) sampleGlyph(tp, i uint64, r rune, st *pdfLayerStats) error {
	st.glyphs++
	if st.sampled >= pdfGlyphSample {
		return nil
	}
	st.sampled++
	if !pdfUsableRune(r) {
		st.bad++
		return nil
	}
	mapErr, err := p.call32(fnTextHasUnicodeMapError, tp, i)
	if mapErr == 1 {
		st.bad++
	}
	return err
}

// pdfUsableRune reports whether r is a character a person could have typed.
func pdfUsableRune(r rune) bool {
	return r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.Is(unicode.Co, r) && r < 0xFFFE
}

// charBox returns the box of character i in displayed points: its loose box
// (advance width × font ascent to descent, the same height for every
// character of a font, which keeps words and baselines even), or its tight
// glyph box for text PDFium gives no loose box (rotated text).
func (p *pdfium) charBox(tp, i uint64, tf pdfTransform) (pdfRect, error) {
	s := p.scratch
	ok, err := p.call32(fnTextGetLooseCharBox, tp, i, uint64(s))
	if err != nil {
		return pdfRect{}, err
	}
	if ok != 0 { // FS_RECTF: left, top, right, bottom
		l, t, r, b := p.readF32(s), p.readF32(s+4), p.readF32(s+8), p.readF32(s+12)
		if r > l && t > b {
			return tf.box(l, b, r, t), nil
		}
	}
	ok, err = p.call32(fnTextGetCharBox, tp, i, uint64(s), uint64(s+8), uint64(s+16), uint64(s+24))
	if err != nil || ok == 0 {
		return pdfRect{}, err
	}
	l, r, b, t := p.readF64(s), p.readF64(s+8), p.readF64(s+16), p.readF64(s+24)
	return tf.box(l, b, r, t), nil
}

// pdfUprightSlope is the largest slope of a character's baseline, as shown,
// that still counts as horizontal text: about 11°.
const pdfUprightSlope = 0.2

// charUpright reports whether character i runs left to right on the page as
// displayed: its angle in user space (counter-clockwise, from the text
// matrix) turned by the page's transform tf, which holds /Rotate.
func (p *pdfium) charUpright(tp, i uint64, tf pdfTransform) (bool, error) {
	r, err := p.call(context.Background(), fnTextGetCharAngle, tp, i)
	if err != nil {
		return false, err
	}
	a := float64(math.Float32frombits(uint32(r)))
	if a < 0 { // PDFium could not tell: take the character as upright
		return true, nil
	}
	return pdfUpright(a, tf), nil
}

// pdfUpright reports whether a baseline at angle a (radians, user space,
// counter-clockwise) runs left to right, within pdfUprightSlope, once tf
// maps it to the displayed page.
func pdfUpright(a float64, tf pdfTransform) bool {
	c, s := math.Cos(a), math.Sin(a)
	dx, dy := tf.xx*c+tf.yx*s, tf.xy*c+tf.yy*s
	return dx > 0 && math.Abs(dy) <= pdfUprightSlope*dx
}
