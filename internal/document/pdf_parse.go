package document

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
)

// Defaults of PDFParseOptions and ParserOptions.
const (
	// DefaultMaxPages is the page limit of a PDF.
	DefaultMaxPages = 500
	// DefaultMaxPixels is the pixel limit of a rendered page or a decoded
	// image: 60 megapixels, a 50 × 70 cm sheet at 300 dpi.
	DefaultMaxPixels = 60_000_000
	// DefaultDPI is the resolution pages are rendered at for OCR.
	DefaultDPI = 300
)

// PDFParseOptions are the limits of one PDF parse. Zero values take the
// defaults.
type PDFParseOptions struct {
	// MaxPages is the largest number of pages accepted; default
	// DefaultMaxPages.
	MaxPages int
	// MaxPixels is the largest page rendering, in pixels; default
	// DefaultMaxPixels.
	MaxPixels int64
	// DPI is the resolution of pages rendered for OCR; default DefaultDPI.
	DPI float64
	// Recognizer reads the pages without a usable text layer; nil fails
	// such pages with CodeOCRUnavailable.
	Recognizer Recognizer
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o PDFParseOptions) withDefaults() PDFParseOptions {
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.DPI <= 0 {
		o.DPI = DefaultDPI
	}
	return o
}

// Parse reads a PDF into a Document of Kind KindPDF, one Page per PDF page.
//
// A page's words come from its text layer: characters grouped into words
// (split at spaces, at gaps wider than a quarter of the font size and where
// the baseline moves), words into one line per visual row, boxes in the
// page's displayed orientation (crop box, /Rotate). A page whose text layer
// is missing (fewer than 10 characters over a page mostly covered by
// images: a scan) or garbled (mostly glyphs without Unicode mapping) is
// rendered at opts.DPI and read by opts.Recognizer instead.
//
// Failures a user can fix are *Error: CodePDFEncrypted, CodePDFCorrupt,
// CodePDFTruncated, CodeEmptyInput (no pages), CodeTooManyPages,
// CodeImageTooLarge, CodeInputTooLarge (the document needs more than
// PDFOptions.MaxMemory) and CodeOCRUnavailable. When ctx ends, Parse stops
// PDFium where it is and returns ctx.Err().
func (e *PDF) Parse(ctx context.Context, data []byte, opts PDFParseOptions) (*Document, error) {
	s, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	job := &pdfJob{lib: s.lib, data: data, opts: opts.withDefaults(), maxMemory: e.opts.MaxMemory}
	doc, err := job.run(ctx)
	e.release(s, job.broken || ctx.Err() != nil)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return doc, err
}

// pdfJob is the parse of one document on one instance.
type pdfJob struct {
	lib       *pdfium
	data      []byte
	opts      PDFParseOptions
	maxMemory int64
	// broken is set when a call into PDFium failed (it trapped, or the
	// context closed the module): the instance must not serve again.
	broken bool
}

// open opens the document and checks its page count against the limits.
// The caller closes the returned document.
func (j *pdfJob) open(ctx context.Context) (*pdfDoc, int, error) {
	doc, code, err := j.lib.openDocument(ctx, j.data)
	switch {
	case err != nil:
		return nil, 0, j.failed(err)
	case doc == nil:
		return nil, 0, openError(code, j.data)
	}
	n, err := j.lib.pageCount(doc)
	switch {
	case err != nil:
		err = j.failed(err)
	case n <= 0 && isTruncated(j.data):
		err = brokenPDF(j.data, "it has no pages")
	case n <= 0:
		err = &Error{Code: CodeEmptyInput, Message: "the PDF has no pages"}
	case n > j.opts.MaxPages:
		err = &Error{Code: CodeTooManyPages, Message: fmt.Sprintf(
			"the PDF has %d pages; the limit is %d", n, j.opts.MaxPages)}
	}
	if err != nil {
		j.lib.closeDocument(doc)
		return nil, 0, err
	}
	return doc, n, nil
}

// run opens the document and reads its pages.
func (j *pdfJob) run(ctx context.Context) (*Document, error) {
	doc, n, err := j.open(ctx)
	if err != nil {
		return nil, err
	}
	defer j.lib.closeDocument(doc)
	out := &Document{Kind: KindPDF, Pages: make([]Page, 0, n)}
	for i := range n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := j.page(ctx, doc, i)
		if err != nil {
			return nil, err
		}
		if err := j.memoryError(); err != nil {
			return nil, err
		}
		out.Pages = append(out.Pages, p)
	}
	return out, nil
}

// page reads page index (0-based) of doc.
func (j *pdfJob) page(ctx context.Context, doc *pdfDoc, index int) (Page, error) {
	page, err := j.loadPage(ctx, doc, index)
	if err != nil {
		return Page{}, err
	}
	defer j.lib.closePage(page)
	w, h, err := j.lib.pageSize(page)
	switch {
	case err != nil:
		return Page{}, j.failed(err)
	case !(w > 0 && h > 0):
		return Page{}, brokenPDF(j.data, fmt.Sprintf("page %d has no size", index+1))
	}
	tf, err := j.lib.transform(page, w, h)
	if err != nil {
		return Page{}, j.failed(err)
	}
	chars, st, err := j.lib.pageChars(ctx, page, tf)
	if err != nil {
		return Page{}, j.failed(err)
	}
	if !st.usable() {
		scan, err := j.needsOCR(page, w, h, st)
		if err != nil {
			return Page{}, j.failed(err)
		}
		if scan {
			return j.ocr(ctx, page, index+1, w, h)
		}
	}
	layer := groupPDFWords(chars)
	extra, err := j.imageWords(ctx, page, index+1, w, h, tf, layer)
	if err != nil {
		return Page{}, err
	}
	words, lines := layoutPDFPage(append(layer, extra...), w, h)
	return Page{Number: index + 1, Width: w, Height: h, Words: words, Lines: lines}, nil
}

// loadPage loads page index (0-based) of doc with its annotations merged
// into its content: the values of filled form fields are not part of the
// text layer until then.
func (j *pdfJob) loadPage(ctx context.Context, doc *pdfDoc, index int) (uint64, error) {
	for attempt := 0; ; attempt++ {
		page, err := j.lib.loadPage(ctx, doc, index)
		switch {
		case err != nil:
			return 0, j.failed(err)
		case page == 0:
			return 0, brokenPDF(j.data, fmt.Sprintf("PDFium cannot load page %d", index+1))
		case attempt > 0:
			return page, nil
		}
		flattened, err := j.lib.flattenPage(ctx, page)
		if err != nil {
			j.lib.closePage(page)
			return 0, j.failed(err)
		}
		if !flattened {
			return page, nil
		}
		j.lib.closePage(page) // reload it with its new content
	}
}

// needsOCR reports whether a page without a usable text layer must be read
// by OCR: its text is garbled, or it has (almost) no text and images cover
// a good part of it. A sparse page of vector drawings or a blank page is
// not.
func (j *pdfJob) needsOCR(page uint64, w, h float64, st pdfLayerStats) (bool, error) {
	if st.garbled() {
		return true, nil
	}
	coverage, err := j.lib.imageCoverage(page, w*h)
	return coverage >= pdfScanCoverage, err
}

// ocr renders a page and reads it with the recognizer. The pixel limit is
// checked first: a page too large to render fails the same with or without
// OCR.
func (j *pdfJob) ocr(ctx context.Context, page uint64, number int, w, h float64) (Page, error) {
	pw, ph, err := pdfRenderSize(w, h, j.opts.DPI, j.opts.MaxPixels)
	if err != nil {
		return Page{}, err
	}
	if j.opts.Recognizer == nil {
		return Page{}, &Error{Code: CodeOCRUnavailable, Message: fmt.Sprintf(
			"page %d has no usable text layer (it looks scanned) and OCR is not available; install tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)", number)}
	}
	img, err := j.lib.render(ctx, page, pw, ph)
	if err != nil {
		return Page{}, j.failed(err)
	}
	p, err := j.opts.Recognizer.Page(ctx, img, number, j.opts.DPI)
	if err != nil {
		return Page{}, fmt.Errorf("OCR of page %d: %w", number, err)
	}
	p.Number, p.Width, p.Height = number, w, h
	return p, nil
}

// failed turns an error of a PDFium call into the document's error and
// marks the instance broken: a trap inside PDFium (it aborted on this input)
// is the input's fault.
func (j *pdfJob) failed(err error) error {
	j.broken = true
	if tooBig := j.memoryError(); tooBig != nil {
		return tooBig // PDFium ran out of memory
	}
	return &Error{Code: CodePDFCorrupt, Message: fmt.Sprintf("PDFium failed on this file: %v", err)}
}

// memoryError returns a CodeInputTooLarge error when the instance's memory
// has grown beyond the limit, and nil otherwise.
func (j *pdfJob) memoryError() error {
	if int64(j.lib.memorySize()) <= j.maxMemory {
		return nil
	}
	return &Error{Code: CodeInputTooLarge, Message: fmt.Sprintf(
		"reading the PDF takes more than %d MiB of memory", j.maxMemory>>20)}
}

// openError explains why PDFium could not open data, from its
// FPDF_GetLastError code.
func openError(code int, data []byte) error {
	switch code {
	case pdfErrPassword:
		return &Error{Code: CodePDFEncrypted, Message: "the PDF is password-protected; send it without a password"}
	case pdfErrSecurity:
		return &Error{Code: CodePDFEncrypted, Message: "the PDF is encrypted with a security handler PDFium does not support"}
	case pdfErrFormat, pdfErrFile:
		return brokenPDF(data, "PDFium cannot parse it")
	}
	return brokenPDF(data, fmt.Sprintf("PDFium cannot open it (error %d)", code))
}

// brokenPDF returns CodePDFTruncated when data looks like a PDF cut short
// and CodePDFCorrupt otherwise; why says what went wrong.
func brokenPDF(data []byte, why string) error {
	if isTruncated(data) {
		return &Error{Code: CodePDFTruncated, Message: fmt.Sprintf(
			"the PDF is incomplete: %s, and it ends after %d bytes without an end-of-file marker; send the whole file", why, len(data))}
	}
	return &Error{Code: CodePDFCorrupt, Message: fmt.Sprintf("the PDF is damaged: %s", why)}
}

// pdfObject matches the start of an indirect object ("12 0 obj").
var pdfObject = regexp.MustCompile(`\d+\s+\d+\s+obj\b`)

// isTruncated reports whether data has PDF objects but no %%EOF marker
// near its end, the shape of a file cut short.
func isTruncated(data []byte) bool {
	tail := data[max(0, len(data)-2048):]
	return !bytes.Contains(tail, []byte("%%EOF")) && pdfObject.Match(data[:min(len(data), 1<<20)])
}
