package document

import (
	"context"
	"fmt"
	"image"
)

// RenderPages renders the first pages of a PDF (all of them when maxPages
// is 0 or less) upright at dpi, as the PDF engine renders scanned pages
// for OCR: gray, with annotations and filled form fields drawn. Inputs
// that are not PDFs fail with CodeUnsupportedInput; the page and pixel
// limits and the PDF errors are those of Parse.
func (p *Parser) RenderPages(ctx context.Context, data []byte, dpi float64, maxPages int) ([]image.Image, error) {
	if f := Detect(data); f.Kind != KindPDF {
		return nil, &Error{Code: CodeUnsupportedInput, Message: fmt.Sprintf("cannot render the pages of %s input: only PDFs have pages", f.Name)}
	}
	return p.pdf.RenderPages(ctx, data, PDFParseOptions{MaxPages: p.opts.MaxPages, MaxPixels: p.opts.MaxPixels, DPI: dpi}, maxPages)
}

// RenderPages renders the first maxPages pages of a PDF (all when
// maxPages is 0 or less) at opts.DPI; see Parser.RenderPages.
func (e *PDF) RenderPages(ctx context.Context, data []byte, opts PDFParseOptions, maxPages int) ([]image.Image, error) {
	s, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	job := &pdfJob{lib: s.lib, data: data, opts: opts.withDefaults(), maxMemory: e.opts.MaxMemory}
	imgs, err := job.renderPages(ctx, maxPages)
	e.release(s, job.broken || ctx.Err() != nil)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return imgs, err
}

// renderPages opens the document and renders its first n pages.
func (j *pdfJob) renderPages(ctx context.Context, n int) ([]image.Image, error) {
	doc, count, err := j.open(ctx)
	if err != nil {
		return nil, err
	}
	defer j.lib.closeDocument(doc)
	if n <= 0 || n > count {
		n = count
	}
	imgs := make([]image.Image, 0, n)
	for i := range n {
		img, err := j.renderPage(ctx, doc, i)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}

// renderPage renders page index (0-based) of doc at the job's DPI.
func (j *pdfJob) renderPage(ctx context.Context, doc *pdfDoc, index int) (image.Image, error) {
	page, err := j.loadPage(ctx, doc, index)
	if err != nil {
		return nil, err
	}
	defer j.lib.closePage(page)
	w, h, err := j.lib.pageSize(page)
	if err != nil {
		return nil, j.failed(err)
	}
	pw, ph, err := pdfRenderSize(w, h, j.opts.DPI, j.opts.MaxPixels)
	if err != nil {
		return nil, err
	}
	img, err := j.lib.render(ctx, page, pw, ph)
	if err != nil {
		return nil, j.failed(err)
	}
	return img, nil
}
