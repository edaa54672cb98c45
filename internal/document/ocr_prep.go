package document

import (
	"bytes"
	"fmt"
	"image"
	"io"

	"golang.org/x/image/draw"
)

// assumedDPI is the resolution OCR takes a prepared image of unknown
// resolution to have: a page as wide as a screenshot (enlarged twice) or a
// scan.
const assumedDPI = 300

// upscaleBelow is the width in pixels under which an image of unknown
// resolution is enlarged twice before OCR, and upscaleBelowDPI the
// resolution under which an image of known resolution is: tesseract reads
// text best with capitals 20–30 pixels tall, and screenshots and
// low-resolution scans have less. On the 26 images of the shared corpus
// that need OCR, enlarging raised the words read with confidence ≥ 0.8
// from 2065 to 3036 (TestOCRCorpus).
const (
	upscaleBelow    = 1300
	upscaleBelowDPI = 200
)

// maxTesseractSide is the longest side tesseract accepts ("Image too
// large" beyond it).
const maxTesseractSide = 32767

// prepareOCR converts img to what tesseract reads best: grey, composited on
// white (transparent pixels would otherwise read as black), enlarged twice
// when it is small, shrunk when a side is longer than tesseract accepts,
// and without the thin rules that box or underline text (removeRules). It
// returns the grey image, with its origin at (0, 0) and no row padding,
// the scale applied, and the grey image's resolution (dpi, or an assumed
// one when dpi is 0, times the scale).
func prepareOCR(img image.Image, dpi float64) (*image.Gray, float64, float64) {
	g := toGray(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	scale := 1.0
	switch {
	case max(w, h) > maxTesseractSide:
		scale = float64(maxTesseractSide) / float64(max(w, h))
	case 2*max(w, h) > maxTesseractSide:
	case dpi > 0 && dpi < upscaleBelowDPI, dpi <= 0 && w < upscaleBelow:
		scale = 2
	}
	if scale != 1 {
		sw, sh := max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))
		scaled := image.NewGray(image.Rect(0, 0, sw, sh))
		draw.BiLinear.Scale(scaled, scaled.Rect, g, g.Rect, draw.Src, nil)
		g, scale = scaled, float64(sw)/float64(w)
	}
	if dpi <= 0 {
		dpi = assumedDPI / scale
	}
	removeRules(g, dpi*scale)
	return g, scale, dpi * scale
}

// toGray returns img as a packed grey image at the origin, composited on
// white. The common decoder outputs have fast paths.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *orientedImage:
		return rotateGray(toGray(src.src), src.orientation)
	case *image.Gray:
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:(y+1)*g.Stride], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr: // the luma plane is the grey image
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:(y+1)*g.Stride], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA: // premultiplied: white shows through by 255 − alpha
		for y := range b.Dy() {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range g.Stride {
				p := row[4*x : 4*x+4 : 4*x+4]
				white := 0xff - uint32(p[3])
				g.Pix[y*g.Stride+x] = luma8(uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white)
			}
		}
	case *image.NRGBA:
		for y := range b.Dy() {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range g.Stride {
				p := row[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				white := 0xff * (0xff - a)
				g.Pix[y*g.Stride+x] = luma8((uint32(p[0])*a+white)/0xff, (uint32(p[1])*a+white)/0xff, (uint32(p[2])*a+white)/0xff)
			}
		}
	default:
		grayRows(g, func(x, y int) (r, gr, bl, a uint32) {
			return img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		})
	}
	return g
}

// luma8 is color.GrayModel's luma of 8-bit channels.
func luma8(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

// grayRows fills g from premultiplied 16-bit RGBA pixels composited on white.
func grayRows(g *image.Gray, at func(x, y int) (r, gr, b, a uint32)) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := range h {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := range row {
			r, gr, b, a := at(x, y)
			white := 0xffff - a
			// color.GrayModel's luma, on 16-bit channels.
			row[x] = uint8((19595*(r+white) + 38470*(gr+white) + 7471*(b+white) + 1<<15) >> 24)
		}
	}
}

// rotateGray returns g turned upright from the given EXIF orientation.
func rotateGray(g *image.Gray, orientation int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	dw, dh := w, h
	if orientation >= 5 {
		dw, dh = h, w
	}
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	for y := range dh {
		row := out.Pix[y*out.Stride : y*out.Stride+dw]
		for x := range row {
			sx, sy := orientedSource(orientation, x, y, w, h)
			row[x] = g.Pix[sy*g.Stride+sx]
		}
	}
	return out
}

// pgm returns g as a binary PGM (P5) stream, which tesseract reads from
// standard input without compression costs on either side.
func pgm(g *image.Gray) io.Reader {
	header := fmt.Sprintf("P5\n%d %d\n255\n", g.Rect.Dx(), g.Rect.Dy())
	return io.MultiReader(bytes.NewReader([]byte(header)), bytes.NewReader(g.Pix))
}
