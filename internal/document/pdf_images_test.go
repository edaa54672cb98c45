package document

import (
	"image"
	"image/draw"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// grayOf converts img to a gray image whose stride is its width.
func grayOf(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

// TestPDFReadsTextInLargeImages checks that a text-layer page whose
// letterhead is a picture of text gets the picture's words from OCR, in
// their place on the page, while the text layer stays as it is.
func TestPDFReadsTextInLargeImages(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	ocr := ocrForTest(t, OCROptions{})
	// 6 × 1 inches at 200 dpi, placed at x 72–504, y 600–672 (PDF
	// coordinates): about 7 % of a letter page.
	img, _ := renderOCRText(t, 1200, 200, 40, "Badweg 48, 8401 BL Gorredijk")
	data := buildPDF(pdfPage{
		Content: pdfText(72, 720, 12, "Invoice VF1005193039") + pdfText(72, 100, 12, "Total 49,99"),
		Picture: &pdfPicture{Rect: [4]float64{72, 600, 504, 672}, Gray: grayOf(img)},
	})
	doc := mustParsePDF(t, e, data, PDFParseOptions{Recognizer: ocr})
	want := [][]string{{"Invoice VF1005193039", "Badweg 48, 8401 BL Gorredijk", "Total 49,99"}}
	if diff := cmp.Diff(want, lineTexts(doc)); diff != "" {
		t.Fatalf("lines mismatch (-want +got):\n%s", diff)
	}
	p := doc.Pages[0]
	for _, w := range p.Words {
		fromImage := w.Box.Y0 > (792-672)/792.0 && w.Box.Y1 < (792-600)/792.0
		if wantSrc := map[bool]Source{true: SourceOCR, false: SourceTextLayer}[fromImage]; w.Source != wantSrc {
			t.Errorf("word %q at %+v has source %q, want %q", w.Text, w.Box, w.Source, wantSrc)
		}
		if fromImage && (w.Box.X0 < 72/612.0 || w.Box.X1 > 504/612.0) {
			t.Errorf("OCR word %q at %+v is outside the picture", w.Text, w.Box)
		}
	}
}

// TestPDFImageOCRSkipsLogosAndKnownText checks that an image the size of a
// logo is not read, that OCR words over text-layer words are dropped, and
// that only the picture's part of the page is rendered.
func TestPDFImageOCRSkipsLogosAndKnownText(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	logo := image.NewGray(image.Rect(0, 0, 20, 10))
	rec := &pageRecorder{}
	data := buildPDF(pdfPage{
		Content: pdfText(72, 720, 12, "Invoice VF1005193039"),
		Picture: &pdfPicture{Rect: [4]float64{72, 600, 216, 672}, Gray: logo}, // 2 × 1 inches: a logo
	})
	doc := mustParsePDF(t, e, data, PDFParseOptions{Recognizer: rec})
	if len(rec.images) != 0 {
		t.Errorf("a logo-sized image went to OCR")
	}
	if diff := cmp.Diff([][]string{{"Invoice VF1005193039"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	// The recorder's word sits at 10–20 % × 10–12 % of the picture: put
	// text-layer text there, and it must not be read twice.
	banner := image.NewGray(image.Rect(0, 0, 60, 10))
	data = buildPDF(pdfPage{
		Content: pdfText(72+43.2, 672-7.2-6, 8, "scanned"),
		Picture: &pdfPicture{Rect: [4]float64{72, 600, 504, 672}, Gray: banner},
	})
	rec = &pageRecorder{}
	doc = mustParsePDF(t, e, data, PDFParseOptions{Recognizer: rec, DPI: 100})
	if len(rec.images) != 1 {
		t.Fatalf("%d images went to OCR, want 1", len(rec.images))
	}
	// Pixel edges round outwards: up to one pixel more each way.
	if b := rec.images[0].Bounds(); b.Dx() < 600 || b.Dx() > 601 || b.Dy() < 100 || b.Dy() > 101 {
		t.Errorf("rendered region is %d × %d pixels, want about 600 × 100 (6 × 1 inches at 100 dpi)", b.Dx(), b.Dy())
	}
	for _, w := range doc.Pages[0].Words {
		if w.Source != SourceTextLayer {
			t.Errorf("word %q from %q: the text layer already has it", w.Text, w.Source)
		}
	}
}
