package document

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newTestPDF returns a PDF engine closed when the test ends.
func newTestPDF(t testing.TB, opts PDFOptions) *PDF {
	t.Helper()
	if opts.Instances == 0 {
		opts.Instances = 1
	}
	e, err := NewPDF(opts)
	if err != nil {
		t.Fatalf("NewPDF: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// mustParsePDF parses data and checks the document's invariants.
func mustParsePDF(t *testing.T, e *PDF, data []byte, opts PDFParseOptions) *Document {
	t.Helper()
	doc, err := e.Parse(context.Background(), data, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkDocument(t, doc)
	if doc.Kind != KindPDF {
		t.Errorf("Kind = %q, want %q", doc.Kind, KindPDF)
	}
	return doc
}

// lineTexts returns the text of each line of each page.
func lineTexts(doc *Document) [][]string {
	var pages [][]string
	for _, p := range doc.Pages {
		lines := []string{}
		for _, l := range p.Lines {
			lines = append(lines, l.Text)
		}
		pages = append(pages, lines)
	}
	return pages
}

// wordTexts returns the texts of a page's words in order.
func wordTexts(p Page) []string {
	words := []string{}
	for _, w := range p.Words {
		words = append(words, w.Text)
	}
	return words
}

// findWord returns the first word of p with the given text.
func findWord(t *testing.T, p Page, text string) Word {
	t.Helper()
	for _, w := range p.Words {
		if w.Text == text {
			return w
		}
	}
	t.Fatalf("page %d has no word %q; words: %q", p.Number, text, wordTexts(p))
	return Word{}
}

// helveticaWidth returns the advance of s in Helvetica at size points
// (widths from the Adobe font metrics).
func helveticaWidth(s string, size float64) float64 {
	widths := map[rune]float64{
		'I': 278, 'n': 556, 'v': 500, 'o': 556, 'i': 222, 'c': 500, 'e': 556, ' ': 278,
		'N': 722, ':': 278, 'V': 667, '-': 333, '1': 556,
	}
	sum := 0.0
	for _, r := range s {
		w, ok := widths[r]
		if !ok {
			panic(fmt.Sprintf("no width for %q", r))
		}
		sum += w
	}
	return sum * size / 1000
}

func TestPDFTextLayerBoxes(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	doc := mustParsePDF(t, e, buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1") + pdfText(72, 100, 12, "Invoice")}), PDFParseOptions{})
	p := doc.Pages[0]
	if diff := cmp.Diff([]any{1, 612.0, 792.0}, []any{p.Number, p.Width, p.Height}); diff != "" {
		t.Errorf("page Number, Width, Height mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"Invoice No: INV-1", "Invoice"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	for _, w := range p.Words {
		if w.Source != SourceTextLayer || w.Confidence != 1 {
			t.Errorf("word %q: Source %q, Confidence %v; want text layer, 1", w.Text, w.Source, w.Confidence)
		}
	}
	// Horizontal extents are the glyph advances, exactly.
	top := p.Words[0]
	x0 := 72 + helveticaWidth("Invoice No: ", 12)
	wantX := [][2]float64{{72, 72 + helveticaWidth("Invoice", 12)}, {x0, x0 + helveticaWidth("INV-1", 12)}}
	for i, w := range []Word{top, p.Words[2]} {
		if math.Abs(w.Box.X0*612-wantX[i][0]) > 0.05 || math.Abs(w.Box.X1*612-wantX[i][1]) > 0.05 {
			t.Errorf("word %q spans x %.2f–%.2f pt, want %.2f–%.2f", w.Text, w.Box.X0*612, w.Box.X1*612, wantX[i][0], wantX[i][1])
		}
	}
	// PDF y grows upwards: text drawn at y 720 (near the top) must get a
	// small Y0, its box holding the baseline (72 pt from the top) and the
	// capitals (8.6 pt above it).
	checkBaseline(t, top, 792, 792-720)
	checkBaseline(t, p.Words[3], 792, 792-100)
	if top.Box.Y0 > 0.1 || p.Words[3].Box.Y0 < 0.8 {
		t.Errorf("Y0 of the top word = %.3f, of the bottom word = %.3f; want the top one near 0", top.Box.Y0, p.Words[3].Box.Y0)
	}
}

// checkBaseline checks that w sits on a baseline at y points from the top
// of a page h points high, in 12-point Helvetica.
func checkBaseline(t *testing.T, w Word, h, y float64) {
	t.Helper()
	y0, y1 := w.Box.Y0*h, w.Box.Y1*h
	if !(y0 <= y-8.6 && y0 >= y-15 && y1 >= y && y1 <= y+4) {
		t.Errorf("word %q spans y %.2f–%.2f pt from the top; want the baseline at %.2f inside, capitals above", w.Text, y0, y1, y)
	}
}

// pdfChars draws each rune of s positioned on its own, as some PDF
// producers do, advancing by the Helvetica widths plus extra points.
func pdfChars(x, y float64, s string, extra float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "BT /F1 12 Tf %g %g Td ", x, y)
	for i, r := range s {
		if i > 0 {
			fmt.Fprintf(&b, "%g 0 Td ", helveticaWidth(string([]rune(s)[i-1:i]), 12)+extra)
		}
		fmt.Fprintf(&b, "(%c) Tj ", r)
	}
	return b.String() + "ET\n"
}

func TestPDFWordsAndLines(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	tests := []struct {
		name      string
		content   string
		wantWords []string
		wantLines []string
	}{
		{"spaces separate words", pdfText(72, 720, 12, "Invoice No: INV-1"),
			[]string{"Invoice", "No:", "INV-1"}, []string{"Invoice No: INV-1"}},
		{"a gap without a space separates words", "BT /F1 12 Tf 72 720 Td (Total) Tj 100 0 Td (12.50) Tj ET",
			[]string{"Total", "12.50"}, []string{"Total 12.50"}},
		{"kerning keeps a word", "BT /F1 12 Tf 72 720 Td [(Inv) -40 (oi) 30 (ce)] TJ ET",
			[]string{"Invoice"}, []string{"Invoice"}},
		{"a wide TJ adjustment separates words", "BT /F1 12 Tf 72 720 Td [(Net) -1500 (Total)] TJ ET",
			[]string{"Net", "Total"}, []string{"Net Total"}},
		{"letters placed one by one make a word", pdfChars(72, 720, "INV-1", 0),
			[]string{"INV-1"}, []string{"INV-1"}},
		{"letters a space apart are words", pdfChars(72, 720, "NoN", 3.4),
			[]string{"N", "o", "N"}, []string{"N o N"}},
		{"a baseline change starts a word on the same line", "BT /F1 12 Tf 72 720 Td (E=mc) Tj 6 Ts (2) Tj ET",
			[]string{"E=mc", "2"}, []string{"E=mc 2"}},
		{"lines run top to bottom whatever the drawing order", pdfText(72, 700, 12, "second") + pdfText(72, 720, 12, "first"),
			[]string{"first", "second"}, []string{"first", "second"}},
		{"a row runs left to right whatever the drawing order", pdfText(400, 720, 12, "Date") + pdfText(72, 720, 12, "Invoice"),
			[]string{"Invoice", "Date"}, []string{"Invoice Date"}},
		{"a slightly shifted baseline stays on the row", pdfText(72, 720, 12, "Total") + pdfText(300, 721.5, 10, "12.50"),
			[]string{"Total", "12.50"}, []string{"Total 12.50"}},
		{"a blank page has no words", "", []string{}, []string{}},
		// A sidebar printed bottom to top beside a field, as on the W-9:
		// its letters stack up the page and must not join the field's row.
		{"text turned 90° makes a line of its own", "BT /F1 10 Tf 0 1 -1 0 60 690 Tm (Print or type.) Tj ET\n" +
			pdfText(100, 740, 12, "Arctex Inc.") + pdfText(100, 710, 12, "100 Test Address") + pdfText(100, 696, 12, "Bellevue, WA"),
			[]string{"Arctex", "Inc.", "Print", "or", "type.", "100", "Test", "Address", "Bellevue,", "WA"},
			[]string{"Arctex Inc.", "Print or type.", "100 Test Address", "Bellevue, WA"}},
		{"text turned -90° reads in content order", "BT /F1 10 Tf 0 -1 1 0 60 760 Tm (Page 1) Tj ET",
			[]string{"Page", "1"}, []string{"Page 1"}},
		{"slanted text within 11° stays upright", "BT /F1 12 Tf 0.99 0.1 -0.1 0.99 72 720 Tm (Total 12.50) Tj ET",
			[]string{"Total", "12.50"}, []string{"Total 12.50"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := mustParsePDF(t, e, buildPDF(pdfPage{Content: tt.content}), PDFParseOptions{})
			got := [][]string{wordTexts(doc.Pages[0]), lineTexts(doc)[0]}
			if diff := cmp.Diff([][]string{tt.wantWords, tt.wantLines}, got); diff != "" {
				t.Errorf("words, lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPDFPageGeometry(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	upright := "BT /F1 12 Tf 0 1 -1 0 100 72 Tm (Rotated) Tj ET" // reads left to right once turned by /Rotate 90
	tests := []struct {
		name         string
		page         pdfPage
		wantW, wantH float64
		word         string
		wantX0       float64 // points from the left
		wantBaseline float64 // points from the top
	}{
		{"A4", pdfPage{Width: 595, Height: 842, Content: pdfText(72, 770, 12, "Invoice")}, 595, 842, "Invoice", 72, 842 - 770},
		{"rotated 90 degrees", pdfPage{Rotate: 90, Content: upright}, 792, 612, "Rotated", 72, 100},
		{"crop box", pdfPage{CropBox: []float64{36, 36, 576, 756}, Content: pdfText(72, 720, 12, "Invoice")}, 540, 720, "Invoice", 36, 36},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := mustParsePDF(t, e, buildPDF(tt.page), PDFParseOptions{})
			p := doc.Pages[0]
			if diff := cmp.Diff([]float64{tt.wantW, tt.wantH}, []float64{p.Width, p.Height}); diff != "" {
				t.Errorf("page size mismatch (-want +got):\n%s", diff)
			}
			w := findWord(t, p, tt.word)
			if x0 := w.Box.X0 * p.Width; math.Abs(x0-tt.wantX0) > 1 {
				t.Errorf("word %q starts at x %.2f pt, want %.2f", w.Text, x0, tt.wantX0)
			}
			checkBaseline(t, w, p.Height, tt.wantBaseline)
		})
	}
}

func TestPDFPages(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	data := buildPDF(
		pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1")},
		pdfPage{Content: pdfText(72, 720, 12, "Page 2")}, // a sparse page keeps its few words
		pdfPage{Width: 842, Height: 595, Content: pdfText(72, 500, 12, "Total 12.50")},
	)
	doc := mustParsePDF(t, e, data, PDFParseOptions{})
	if diff := cmp.Diff([][]string{{"Invoice No: INV-1"}, {"Page 2"}, {"Total 12.50"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	if got := doc.Text(); got != "Invoice No: INV-1\fPage 2\fTotal 12.50" {
		t.Errorf("Text() = %q", got)
	}
	if p := doc.Pages[2]; p.Number != 3 || p.Width != 842 {
		t.Errorf("page 3: Number %d, Width %v; want 3, 842", p.Number, p.Width)
	}
}

func TestPDFFilledFormFields(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	page := pdfPage{Content: pdfText(72, 705, 12, "Name:"), Field: &pdfField{Rect: [4]float64{150, 700, 350, 720}, Value: "John Doe"}}
	doc := mustParsePDF(t, e, buildPDF(page), PDFParseOptions{})
	if diff := cmp.Diff([][]string{{"Name: John Doe"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	// The appearance draws the value 2 points into the field, on a baseline
	// 5 points above its bottom.
	w := findWord(t, doc.Pages[0], "John")
	if x0 := w.Box.X0 * 612; math.Abs(x0-152) > 0.05 {
		t.Errorf("word %q starts at x %.2f pt, want 152", w.Text, x0)
	}
	checkBaseline(t, w, 792, 792-705)
}

// scanPage is a page as a scanner makes it: an image over the whole page
// and no text, plus a black bar drawn at 72–272 × 100–120 points (PDF
// coordinates) to find in the rendering. It is 4 × 2 inches, small enough
// to render quickly at 300 dpi.
var scanPage = pdfPage{Width: 288, Height: 144, ImageW: 40, ImageH: 20, Content: "0 g 72 100 200 20 re f\n"}

// pageRecorder is a Recognizer standing in for tesseract where a test checks
// what the PDF engine hands to OCR: it records each page image and answers
// with one word. Its onPage hook runs before it answers.
type pageRecorder struct {
	mu      sync.Mutex
	images  []image.Image
	numbers []int
	dpis    []float64
	onPage  func()
}

// Page records the call and returns a page with the word "scanned".
func (r *pageRecorder) Page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error) {
	r.mu.Lock()
	r.images, r.numbers, r.dpis = append(r.images, img), append(r.numbers, number), append(r.dpis, dpi)
	r.mu.Unlock()
	if r.onPage != nil {
		r.onPage()
	}
	b := img.Bounds()
	return Page{
		Width: float64(b.Dx()) * 72 / dpi, Height: float64(b.Dy()) * 72 / dpi,
		Words: []Word{{Text: "scanned", Box: Box{X0: 0.1, Y0: 0.1, X1: 0.2, Y1: 0.12}, Source: SourceOCR, Confidence: 0.9}},
		Lines: []Line{{Text: "scanned", Box: Box{X0: 0.1, Y0: 0.1, X1: 0.2, Y1: 0.12}, Words: []int{0}}},
	}, ctx.Err()
}

// Image is not used by PDF tests.
func (r *pageRecorder) Image(context.Context, []byte, int64) ([]Page, error) {
	return nil, errors.New("pageRecorder reads no image inputs")
}

func TestPDFScannedPagesGoToOCR(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	rec := &pageRecorder{}
	data := buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1")}, scanPage)
	doc := mustParsePDF(t, e, data, PDFParseOptions{Recognizer: rec})
	if diff := cmp.Diff([][]string{{"Invoice No: INV-1"}, {"scanned"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{[]int{2}, []float64{300}}, []any{rec.numbers, rec.dpis}); diff != "" {
		t.Fatalf("OCR calls (numbers, dpis) mismatch (-want +got):\n%s", diff)
	}
	if p := doc.Pages[1]; p.Number != 2 || p.Width != 288 || p.Height != 144 {
		t.Errorf("OCR page: Number %d, size %v × %v; want 2, 288 × 144", p.Number, p.Width, p.Height)
	}
	img := rec.images[0]
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 600 {
		t.Fatalf("rendered page is %d × %d pixels, want 1200 × 600 (4 × 2 inches at 300 dpi)", b.Dx(), b.Dy())
	}
	// The black bar is at x 72–272, y 24–44 points from the top: 300–1133,
	// 100–183 pixels; the paper around it is light.
	for _, pt := range []struct {
		x, y int
		dark bool
	}{{700, 140, true}, {310, 110, true}, {1120, 175, true}, {700, 300, false}, {1180, 140, false}, {200, 500, false}} {
		if luma := gray(img, pt.x, pt.y); (luma < 100) != pt.dark {
			t.Errorf("pixel (%d, %d) has luma %d; want dark %v", pt.x, pt.y, luma, pt.dark)
		}
	}
}

// gray returns the 8-bit luma of a pixel.
func gray(img image.Image, x, y int) int {
	r, g, b, _ := img.At(x, y).RGBA()
	return int((299*r + 587*g + 114*b) / 1000 >> 8)
}

func TestPDFGarbledTextLayerGoesToOCR(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	rec := &pageRecorder{}
	doc := mustParsePDF(t, e, buildGarbledPDF(), PDFParseOptions{Recognizer: rec, DPI: 50})
	if diff := cmp.Diff([][]string{{"scanned"}}, lineTexts(doc)); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
}

// buildGarbledPDF returns a page of text in a font whose glyphs have names
// no Unicode mapping knows, like subset fonts without a ToUnicode map.
func buildGarbledPDF() []byte {
	var w pdfWriter
	var names strings.Builder
	for i := range 26 {
		fmt.Fprintf(&names, " /g%d", 100+i)
	}
	font := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /Differences [65" + names.String() + "] >> >>")
	content := w.reserve()
	w.set(content, w.stream(content, "", []byte(pdfText(72, 720, 12, "ABCDEFGHIJ KLMNOPQRST UVWXYZ"))))
	tree := w.reserve()
	page := w.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", tree, font, content))
	w.set(tree, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	return w.bytes(w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree)), "")
}
