package document

import (
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// buildScannedPDF returns a one-page PDF, widthPt × heightPt points, whose
// only content is the grey image g over the whole page, as a scanner makes.
func buildScannedPDF(g []byte, w, h int, widthPt, heightPt float64) []byte {
	var pw pdfWriter
	tree := pw.reserve()
	img := pw.reserve()
	pw.set(img, pw.stream(img, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", w, h), g))
	content := pw.reserve()
	pw.set(content, pw.stream(content, "", fmt.Appendf(nil, "q %g 0 0 %g 0 0 cm /Im1 Do Q\n", widthPt, heightPt)))
	page := pw.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>",
		tree, widthPt, heightPt, img, content))
	pw.set(tree, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	return pw.bytes(pw.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree)), "")
}

// TestParserReadsScansWithTesseract runs the Parser with the real OCR on a
// scanned PDF (rendered by PDFium, read by tesseract) and on a PNG.
func TestParserReadsScansWithTesseract(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	p := newTestParser(t, ParserOptions{Recognizer: o})
	lines := []string{"Invoice No:\tINV-77", "Total due:\t150.00 EUR"}
	want := []string{"invoice no: inv-77", "total due: 150.00 eur"}
	// A 6 × 2 inch scan at 200 dpi.
	img, drawn := renderOCRText(t, 1200, 400, 40, lines...)
	g := toGray(img)
	for name, data := range map[string][]byte{
		"scanned PDF": buildScannedPDF(g.Pix, 1200, 400, 432, 144),
		"PNG":         encodeImage(t, img, png.Encode),
	} {
		doc, err := p.Parse(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkDocument(t, doc)
		var got []string
		for _, l := range doc.Pages[0].Lines {
			got = append(got, strings.ToLower(l.Text))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: lines (-want +got):\n%s", name, diff)
		}
		checkOCRWords(t, doc.Pages[0], drawn, 1200, 400)
	}
}
