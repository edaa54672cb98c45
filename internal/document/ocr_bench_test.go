package document

import (
	"context"
	"fmt"
	"image"
	"testing"
)

// a4OCRPage renders an A4 page at 300 dpi (2480×3508 pixels) of 12-point
// text: 50 lines of invoice-like words.
func a4OCRPage(b *testing.B) *image.RGBA {
	b.Helper()
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf("Item %03d  Widget assembly, blue  qty %d  unit 12.50  total %d.00 EUR", i+1, i%7+1, 12*(i%7+1)))
	}
	img, _ := renderOCRText(b, 2480, 3508, 50, lines...)
	return img
}

// BenchmarkOCRPage measures one tesseract recognition of an A4 page at
// 300 dpi, conversion to grey included, one page at a time.
// Run: go test -run XXX -bench OCRPage -benchtime 4x ./internal/document
func BenchmarkOCRPage(b *testing.B) {
	o := ocrForTest(b, OCROptions{})
	img := a4OCRPage(b)
	for b.Loop() {
		page, err := o.Page(context.Background(), img, 1, 300)
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Words) < 500 {
			b.Fatalf("%d words recognised, want the page's 600", len(page.Words))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkOCRPageParallel measures throughput with pages recognised from
// GOMAXPROCS goroutines at once, one tesseract process per core: the
// figure for a worker reading scans.
func BenchmarkOCRPageParallel(b *testing.B) {
	o := ocrForTest(b, OCROptions{})
	img := a4OCRPage(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := o.Page(context.Background(), img, 1, 300); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkPrepareOCR measures the conversion of an A4 page at 300 dpi to
// the grey image tesseract reads.
func BenchmarkPrepareOCR(b *testing.B) {
	img := a4OCRPage(b)
	for b.Loop() {
		prepareOCR(img, 300)
	}
}
