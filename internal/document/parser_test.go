package document

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newTestParser returns a Parser closed when the test ends.
func newTestParser(t *testing.T, opts ParserOptions) *Parser {
	t.Helper()
	if opts.PDFInstances == 0 {
		opts.PDFInstances = 1
	}
	p, err := NewParser(opts)
	if err != nil {
		t.Fatalf("NewParser: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// pngImage returns a small white PNG.
func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 20, 10))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParserDetectsByContent(t *testing.T) {
	t.Parallel()
	p := newTestParser(t, ParserOptions{})
	tests := []struct {
		name     string
		data     []byte
		wantKind Kind
		wantText string
	}{
		{"text", []byte("Invoice No: INV-1\nTotal 12.50"), KindText, "Invoice No: INV-1\nTotal 12.50"},
		{"PDF", invoicePDF, KindPDF, "Invoice No: INV-1"},
		{"PDF after white space", append([]byte("\r\n"), invoicePDF...), KindPDF, "Invoice No: INV-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := p.Parse(context.Background(), tt.data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkDocument(t, doc)
			if diff := cmp.Diff([]any{tt.wantKind, tt.wantText}, []any{doc.Kind, doc.Text()}); diff != "" {
				t.Errorf("Kind, Text mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParserErrors(t *testing.T) {
	t.Parallel()
	p := newTestParser(t, ParserOptions{MaxBytes: 100_000})
	tests := []struct {
		name     string
		data     []byte
		wantCode string
	}{
		{"zero bytes", nil, CodeEmptyInput},
		{"larger than MaxBytes", append(append([]byte{}, invoicePDF...), make([]byte, 100_000)...), CodeInputTooLarge},
		{"a ZIP archive (say, named invoice.pdf)", zipOf(t, [2]string{"invoice.pdf", "%PDF-1.7"}), CodeUnsupportedInput},
		{"random bytes", randomBytes(7, 3000), CodeUnsupportedInput},
		{"an image without OCR", pngImage(t), CodeOCRUnavailable},
		{"a scanned PDF without OCR", buildPDF(scanPage), CodeOCRUnavailable},
		{"a password-protected PDF", buildEncryptedPDF("pw", pdfPage{}), CodePDFEncrypted},
		{"a truncated PDF", invoicePDF[:len(invoicePDF)/2], CodePDFTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := p.Parse(context.Background(), tt.data)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse = %v, %v; want a *document.Error", doc, err)
			}
			if perr.Code != tt.wantCode || perr.Message == "" {
				t.Errorf("Parse error = %q %q; want code %q and a message", perr.Code, perr.Message, tt.wantCode)
			}
		})
	}
}

// imageReader is a Recognizer standing in for tesseract where a test checks
// how the Parser hands image inputs over: it answers two pages and records
// the pixel limit it was given.
type imageReader struct {
	pageRecorder
	maxPixels int64
}

// Image returns two pages of one word each.
func (r *imageReader) Image(_ context.Context, data []byte, maxPixels int64) ([]Page, error) {
	r.maxPixels = maxPixels
	page := Page{Width: 100, Height: 50, Words: []Word{{Text: "scan", Box: Box{X1: 0.5, Y1: 0.5}, Source: SourceOCR, Confidence: 0.8}},
		Lines: []Line{{Text: "scan", Box: Box{X1: 0.5, Y1: 0.5}, Words: []int{0}}}}
	return []Page{page, page}, nil
}

func TestParserImagesGoToTheRecognizer(t *testing.T) {
	t.Parallel()
	rec := &imageReader{}
	p := newTestParser(t, ParserOptions{Recognizer: rec, MaxPixels: 1234})
	doc, err := p.Parse(context.Background(), pngImage(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkDocument(t, doc)
	got := []any{doc.Kind, len(doc.Pages), doc.Pages[1].Number, rec.maxPixels}
	if diff := cmp.Diff([]any{KindImage, 2, 2, int64(1234)}, got); diff != "" {
		t.Errorf("Kind, pages, second page's Number, maxPixels mismatch (-want +got):\n%s", diff)
	}
}
