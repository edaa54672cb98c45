package document

import (
	"context"
	"fmt"
	"image"
)

// CodeOCRUnavailable means the input needs OCR (an image, or a PDF page
// without a usable text layer) and no OCR engine is available.
const CodeOCRUnavailable = "OCR_UNAVAILABLE"

// Recognizer reads text from images; *OCR (tesseract) implements it.
type Recognizer interface {
	// Page recognises one rendered page image; number is 1-based; dpi converts pixels to points.
	Page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error)
	// Image decodes an image input (PNG, JPEG, TIFF, …) within maxPixels and recognises each of its pages.
	Image(ctx context.Context, data []byte, maxPixels int64) ([]Page, error)
}

// ParserOptions configures a Parser. Zero values take the defaults.
type ParserOptions struct {
	// MaxBytes is the largest input accepted; default DefaultMaxBytes.
	MaxBytes int64
	// MaxPages is the largest number of PDF pages; default DefaultMaxPages.
	MaxPages int
	// MaxPixels is the largest rendered page or decoded image, in pixels;
	// default DefaultMaxPixels.
	MaxPixels int64
	// DPI is the resolution PDF pages are rendered at for OCR; default
	// DefaultDPI.
	DPI float64
	// PDFInstances is the number of PDFs parsed at the same time (one
	// PDFium instance each): one per worker slot. Default runtime.NumCPU().
	PDFInstances int
	// PDFCacheDir is where the compiled PDFium module is cached; see
	// PDFOptions.CacheDir.
	PDFCacheDir string
	// Recognizer reads images and scanned PDF pages; nil fails them with
	// CodeOCRUnavailable.
	Recognizer Recognizer
}

// Parser turns inputs of any supported type into Documents: text, PDFs
// (text layer, with OCR for scanned pages) and images (OCR). It holds a pool
// of PDFium instances; Close it when done. A Parser is safe for concurrent
// use.
type Parser struct {
	opts ParserOptions
	pdf  *PDF
}

// NewParser starts a Parser and its PDF engine.
func NewParser(opts ParserOptions) (*Parser, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	pdf, err := NewPDF(PDFOptions{Instances: opts.PDFInstances, CacheDir: opts.PDFCacheDir})
	if err != nil {
		return nil, err
	}
	return &Parser{opts: opts, pdf: pdf}, nil
}

// Parse detects the type of data from its content (never a file name) and
// parses it: text as Parse does, a PDF with PDF.Parse, an image with the
// Recognizer. Other types fail with CodeUnsupportedInput, naming the type
// found. Every failure a user can fix is an *Error; Parse returns ctx.Err()
// when ctx ends.
func (p *Parser) Parse(ctx context.Context, data []byte) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case len(data) == 0:
		return nil, &Error{Code: CodeEmptyInput, Message: "the input is empty"}
	case int64(len(data)) > p.opts.MaxBytes:
		return nil, &Error{Code: CodeInputTooLarge, Message: fmt.Sprintf(
			"the input is %d bytes; the limit is %d bytes", len(data), p.opts.MaxBytes)}
	}
	switch f := Detect(data); f.Kind {
	case KindPDF:
		return p.pdf.Parse(ctx, data, PDFParseOptions{
			MaxPages: p.opts.MaxPages, MaxPixels: p.opts.MaxPixels, DPI: p.opts.DPI, Recognizer: p.opts.Recognizer,
		})
	case KindImage:
		return p.parseImage(ctx, data, f)
	}
	return Parse(ctx, data, ParseOptions{MaxBytes: p.opts.MaxBytes})
}

// parseImage recognises an image input.
func (p *Parser) parseImage(ctx context.Context, data []byte, f Format) (*Document, error) {
	if p.opts.Recognizer == nil {
		return nil, &Error{Code: CodeOCRUnavailable, Message: fmt.Sprintf(
			"the input is a %s and OCR is not available; install tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)", f.Name)}
	}
	pages, err := p.opts.Recognizer.Image(ctx, data, p.opts.MaxPixels)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, &Error{Code: CodeEmptyInput, Message: fmt.Sprintf("the %s has no pages", f.Name)}
	}
	for i := range pages {
		pages[i].Number = i + 1
	}
	return &Document{Kind: KindImage, Pages: pages}, nil
}

// Close waits for the documents being parsed and releases the PDF engine.
func (p *Parser) Close() error { return p.pdf.Close() }
