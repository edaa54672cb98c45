package document

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/tetratelabs/wazero/api"
)

// Limits of the search for images on a page without a text layer.
const (
	// pdfScanCoverage is the share of the page that images must cover for a
	// page without text to count as a scan (a logo alone does not).
	pdfScanCoverage = 0.15
	// pdfMaxObjects bounds the page objects inspected per page.
	pdfMaxObjects = 20000
	// pdfMaxFormDepth bounds how deep form XObjects are searched for images.
	pdfMaxFormDepth = 3
)

// PDFium page object types and bitmap constants.
const (
	pdfObjImage        = 3
	pdfObjForm         = 5
	pdfBitmapGray      = 1
	pdfRenderAnnot     = 0x01
	pdfRenderGrayscale = 0x08
)

// imageCoverage returns the share of a page of the given area (points²)
// covered by image objects, counting form XObjects' images too.
func (p *pdfium) imageCoverage(page uint64, area float64) (float64, error) {
	budget := pdfMaxObjects
	sum, err := p.imageArea(fnPageCountObjects, fnPageGetObject, page, 0, &budget)
	if err != nil || area <= 0 {
		return 0, err
	}
	return sum / area, nil
}

// imageArea sums the bounds of the image objects held by parent (a page, or
// a form object when count and get are the form functions).
func (p *pdfium) imageArea(count, get int, parent uint64, depth int, budget *int) (float64, error) {
	n, err := p.call32(count, parent)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for i := range uint64(max(0, n)) {
		if *budget--; *budget < 0 {
			break
		}
		obj, err := p.call(context.Background(), get, parent, i)
		if err != nil || obj == 0 {
			return sum, err
		}
		a, err := p.objectImageArea(obj, depth, budget)
		if err != nil {
			return sum, err
		}
		sum += a
	}
	return sum, nil
}

// objectImageArea returns the area of obj when it is an image, the images
// inside it when it is a form, and 0 otherwise.
func (p *pdfium) objectImageArea(obj uint64, depth int, budget *int) (float64, error) {
	typ, err := p.call32(fnPageObjGetType, obj)
	switch {
	case err != nil:
		return 0, err
	case typ == pdfObjForm && depth < pdfMaxFormDepth:
		return p.imageArea(fnFormObjCountObjects, fnFormObjGetObject, obj, depth+1, budget)
	case typ != pdfObjImage:
		return 0, nil
	}
	s := p.scratch // left, bottom, right, top as float32
	ok, err := p.call32(fnPageObjGetBounds, obj, uint64(s), uint64(s+4), uint64(s+8), uint64(s+12))
	if err != nil || ok == 0 {
		return 0, err
	}
	return max(0, p.readF32(s+8)-p.readF32(s)) * max(0, p.readF32(s+12)-p.readF32(s+4)), nil
}

// pdfRenderSize returns the pixel size of a page of w × h points at dpi, or an
// *Error with CodeImageTooLarge when it has more than maxPixels pixels.
func pdfRenderSize(w, h, dpi float64, maxPixels int64) (int, int, error) {
	pw, ph := math.Ceil(w*dpi/72), math.Ceil(h*dpi/72)
	if pw*ph > float64(maxPixels) || pw > math.MaxInt32 || ph > math.MaxInt32 {
		return 0, 0, &Error{Code: CodeImageTooLarge, Message: fmt.Sprintf(
			"a page of %.0f × %.0f points is %.0f × %.0f pixels at %g dpi; the limit is %d pixels",
			w, h, pw, ph, dpi, maxPixels)}
	}
	return max(1, int(pw)), max(1, int(ph)), nil
}

// render draws a page upright on a white w × h gray bitmap.
func (p *pdfium) render(ctx context.Context, page uint64, w, h int) (*image.Gray, error) {
	return p.renderRegion(ctx, page, w, h, image.Rect(0, 0, w, h))
}

// renderRegion draws the part r (in pixels) of a page rendered upright at
// w × h pixels on a white gray bitmap of r's size.
func (p *pdfium) renderRegion(ctx context.Context, page uint64, w, h int, r image.Rectangle) (*image.Gray, error) {
	bw, bh := r.Dx(), r.Dy()
	bmp, err := p.call(ctx, fnBitmapCreateEx, uint64(bw), uint64(bh), pdfBitmapGray, 0, 0)
	if err != nil {
		return nil, err
	}
	if bmp == 0 {
		return nil, errors.New("pdfium: cannot allocate the page bitmap")
	}
	defer func() { _, _ = p.call(context.Background(), fnBitmapDestroy, bmp) }()
	if _, err := p.call(ctx, fnBitmapFillRect, bmp, 0, 0, uint64(bw), uint64(bh), 0xFFFFFFFF); err != nil {
		return nil, err
	}
	// The page is drawn at its full size, shifted so that r's corner lands
	// on the bitmap's origin; PDFium clips the rest.
	if _, err := p.call(ctx, fnRenderPageBitmap, bmp, page, api.EncodeI32(int32(-r.Min.X)), api.EncodeI32(int32(-r.Min.Y)),
		uint64(w), uint64(h), 0, pdfRenderAnnot|pdfRenderGrayscale); err != nil {
		return nil, err
	}
	buf, err := p.call32(fnBitmapGetBuffer, bmp)
	if err != nil {
		return nil, err
	}
	stride, err := p.call32(fnBitmapGetStride, bmp)
	if err != nil {
		return nil, err
	}
	if stride < int32(bw) {
		return nil, fmt.Errorf("pdfium: bitmap stride %d for width %d", stride, bw)
	}
	pix, ok := p.mem.Read(uint32(buf), uint32(stride)*uint32(bh))
	if !ok {
		return nil, errors.New("pdfium: reading the page bitmap")
	}
	img := image.NewGray(image.Rect(0, 0, bw, bh))
	for y := range bh {
		copy(img.Pix[y*bw:(y+1)*bw], pix[int(stride)*y:])
	}
	return img, nil
}
