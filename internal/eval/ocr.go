package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// SetOCRSuffix ends the name of the OCR variant of a human-labelled set:
// "labeled-w9-ocr" scores the PDFs of "labeled-w9" rendered to images and
// read by OCR, against the same truth and config.
const SetOCRSuffix = "-ocr"

// DefaultOCRPages is how many pages of each document `sheaf eval` renders
// for the OCR variant sets unless --ocr-pages says otherwise.
const DefaultOCRPages = 2

// ocrDPI is the resolution pages are rendered at for the OCR variant: the
// engine's own OCR resolution.
const ocrDPI = document.DefaultDPI

// PageRenderer renders the pages of a PDF to images; *document.Parser
// implements it. Options.Parser must implement it for the OCR variant sets.
type PageRenderer interface {
	RenderPages(ctx context.Context, data []byte, dpi float64, maxPages int) ([]image.Image, error)
}

// hasOCRVariant reports whether a set has an OCR variant: the sets whose
// truth was labelled by people on text-layer PDFs.
func hasOCRVariant(set string) bool {
	return set == SetZUGFeRD || strings.HasPrefix(set, SetLabeledPrefix) && !strings.HasSuffix(set, SetOCRSuffix)
}

// ocrVariant returns the OCR variant of a job of a set with one.
func ocrVariant(j job, pages int) job {
	j.set += SetOCRSuffix
	j.e.Text = TextOCR
	j.ocrPages = pages
	return j
}

// baseSet returns the set an OCR variant set is made from, or set.
func baseSet(set string) string { return strings.TrimSuffix(set, SetOCRSuffix) }

// parseAsImages renders the first pages of a PDF at ocrDPI, encodes each
// as a PNG and parses it as an image input, as a scan of the document
// would be, and returns the pages as one document.
func parseAsImages(ctx context.Context, p Parser, data []byte, pages int) (*document.Document, error) {
	r, ok := p.(PageRenderer)
	if !ok {
		return nil, errors.New("the parser cannot render pages for the OCR variant")
	}
	imgs, err := r.RenderPages(ctx, data, ocrDPI, pages)
	if err != nil {
		return nil, err
	}
	doc := &document.Document{Kind: document.KindImage}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	for i, img := range imgs {
		var buf bytes.Buffer
		if err := enc.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("encoding page %d: %w", i+1, err)
		}
		d, err := p.Parse(ctx, buf.Bytes())
		if err != nil {
			return nil, err
		}
		for _, pg := range d.Pages {
			pg.Number = len(doc.Pages) + 1
			doc.Pages = append(doc.Pages, pg)
		}
	}
	return doc, nil
}
