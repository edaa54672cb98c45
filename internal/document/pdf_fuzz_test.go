package document

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"
)

// blankReader is a Recognizer that finds no words, so fuzzing reaches the
// rendering of scanned pages without running OCR.
type blankReader struct{}

// Page returns an empty page.
func (blankReader) Page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error) {
	return Page{Number: number, Width: 1, Height: 1}, ctx.Err()
}

// Image returns no pages.
func (blankReader) Image(context.Context, []byte, int64) ([]Page, error) { return nil, nil }

func FuzzParsePDF(f *testing.F) {
	for _, seed := range [][]byte{
		invoicePDF,
		denseTextPDF(2),
		buildPDF(pdfPage{Rotate: 90, Content: "BT /F1 12 Tf 0 1 -1 0 100 72 Tm (Rotated) Tj ET"}, pdfPage{CropBox: []float64{36, 36, 576, 756}}),
		buildPDF(scanPage),
		buildGarbledPDF(),
		buildEncryptedPDF("pw", pdfPage{Content: pdfText(72, 720, 12, "Secret")}),
		invoicePDF[:len(invoicePDF)/2],
		[]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
	} {
		f.Add(seed)
	}
	e := newTestPDF(f, PDFOptions{Instances: 1, RecycleAfter: 50})
	opts := PDFParseOptions{MaxPages: 20, MaxPixels: 4_000_000, DPI: 30, Recognizer: blankReader{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang becomes a deadline; a real parse takes milliseconds.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		doc, err := e.Parse(ctx, data, opts)
		var perr *Error
		switch {
		case err == nil:
			checkDocument(t, doc)
		case ctx.Err() != nil:
			t.Fatalf("Parse did not finish in time: %v", err)
		case !errors.As(err, &perr) || perr.Code == "" || perr.Message == "":
			t.Fatalf("Parse = %v; want a *document.Error with a code and a message", err)
		}
	})
}
