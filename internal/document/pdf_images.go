package document

import (
	"context"
	"errors"
	"image"
	"math"
)

// pdfImageOCRShare is the share of a page that one embedded image must cover
// for OCR to read it on a page that has a text layer: more than a logo
// (logos cover 1–4 % of a page), the size of a letterhead, an address block
// or a banner of company details set as a picture.
const pdfImageOCRShare = 0.05

// pdfImageOverlap is the share of an OCR word's box that a text-layer word
// may cover before the OCR word counts as a second reading of text the
// text layer already has (text printed over an image), and is dropped.
const pdfImageOverlap = 0.3

// pageImageRects returns the boxes, in displayed points, of the image
// objects placed directly on a page.
func (p *pdfium) pageImageRects(page uint64, tf pdfTransform) ([]pdfRect, error) {
	n, err := p.call32(fnPageCountObjects, page)
	if err != nil {
		return nil, err
	}
	var rects []pdfRect
	for i := range uint64(max(0, min(n, pdfMaxObjects))) {
		obj, err := p.call(context.Background(), fnPageGetObject, page, i)
		if err != nil || obj == 0 {
			return rects, err
		}
		typ, err := p.call32(fnPageObjGetType, obj)
		if err != nil {
			return rects, err
		}
		if typ != pdfObjImage {
			continue
		}
		s := p.scratch // left, bottom, right, top as float32
		ok, err := p.call32(fnPageObjGetBounds, obj, uint64(s), uint64(s+4), uint64(s+8), uint64(s+12))
		if err != nil {
			return rects, err
		}
		if ok != 0 {
			rects = append(rects, tf.box(p.readF32(s), p.readF32(s+4), p.readF32(s+8), p.readF32(s+12)))
		}
	}
	return rects, nil
}

// imageWords reads with OCR the large images of a page that has a text
// layer (see pdfImageOCRShare), so that text set as a picture — company
// details in a letterhead image — is not lost, and returns the words found
// there that the text layer does not already have. Without a recognizer it
// returns nothing. An image OCR cannot read leaves the page as it was: the
// text layer stands on its own; only the end of ctx is an error.
func (j *pdfJob) imageWords(ctx context.Context, page uint64, number int, w, h float64, tf pdfTransform, layer []pdfLayerWord) ([]pdfLayerWord, error) {
	if j.opts.Recognizer == nil {
		return nil, nil
	}
	rects, err := j.lib.pageImageRects(page, tf)
	if err != nil {
		return nil, j.failed(err)
	}
	pw, ph, err := pdfRenderSize(w, h, j.opts.DPI, j.opts.MaxPixels)
	if err != nil {
		return nil, nil //nolint:nilerr // a page too large to render keeps its text layer
	}
	var out []pdfLayerWord
	for _, r := range rects {
		clip := pdfRect{max(0, r.x0), max(0, r.y0), min(w, r.x1), min(h, r.y1)}
		if (clip.x1-clip.x0)*(clip.y1-clip.y0) < pdfImageOCRShare*w*h {
			continue
		}
		words, err := j.readRegion(ctx, page, number, pw, ph, w, clip)
		if err != nil {
			if ctx.Err() != nil || j.broken {
				return nil, err
			}
			continue
		}
		out = append(out, dropCovered(words, layer)...)
	}
	return out, nil
}

// readRegion renders the part clip (in points) of a page rendered at pw × ph
// pixels for a page w points wide, recognises it, and returns its words
// with boxes in page points.
func (j *pdfJob) readRegion(ctx context.Context, page uint64, number, pw, ph int, w float64, clip pdfRect) ([]pdfLayerWord, error) {
	scale := float64(pw) / w // pixels per point
	px := image.Rect(int(math.Floor(clip.x0*scale)), int(math.Floor(clip.y0*scale)),
		int(math.Ceil(clip.x1*scale)), int(math.Ceil(clip.y1*scale))).Intersect(image.Rect(0, 0, pw, ph))
	if px.Empty() {
		return nil, errors.New("the image is outside the page")
	}
	img, err := j.lib.renderRegion(ctx, page, pw, ph, px)
	if err != nil {
		return nil, j.failed(err)
	}
	pg, err := j.opts.Recognizer.Page(ctx, img, number, j.opts.DPI)
	if err != nil {
		return nil, err
	}
	x0, y0 := float64(px.Min.X)/scale, float64(px.Min.Y)/scale
	cw, ch := float64(px.Dx())/scale, float64(px.Dy())/scale
	words := make([]pdfLayerWord, 0, len(pg.Words))
	for _, wd := range pg.Words {
		b := wd.Box
		words = append(words, pdfLayerWord{
			text: wd.Text, source: SourceOCR, confidence: wd.Confidence,
			box: pdfRect{x0 + b.X0*cw, y0 + b.Y0*ch, x0 + b.X1*cw, y0 + b.Y1*ch},
		})
	}
	return words, nil
}

// dropCovered returns the words of ocr that no word of layer covers by
// more than pdfImageOverlap of their area.
func dropCovered(ocr, layer []pdfLayerWord) []pdfLayerWord {
	var out []pdfLayerWord
	for _, o := range ocr {
		area := (o.box.x1 - o.box.x0) * (o.box.y1 - o.box.y0)
		covered := false
		for _, l := range layer {
			ix := min(o.box.x1, l.box.x1) - max(o.box.x0, l.box.x0)
			iy := min(o.box.y1, l.box.y1) - max(o.box.y0, l.box.y0)
			if ix > 0 && iy > 0 && ix*iy > pdfImageOverlap*area {
				covered = true
				break
			}
		}
		if !covered && area > 0 {
			out = append(out, o)
		}
	}
	return out
}
