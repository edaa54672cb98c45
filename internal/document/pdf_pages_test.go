package document

import (
	"context"
	"errors"
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParserRenderPages(t *testing.T) {
	t.Parallel()
	p, err := NewParser(ParserOptions{PDFInstances: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	data := buildPDF(scanPage, pdfPage{Width: 144, Height: 72, Content: pdfText(10, 30, 12, "two")})
	sizes := func(imgs []image.Image) []image.Point {
		out := []image.Point{}
		for _, img := range imgs {
			out = append(out, img.Bounds().Size())
		}
		return out
	}
	tests := []struct {
		name     string
		dpi      float64
		maxPages int
		want     []image.Point
	}{
		{"all pages", 72, 0, []image.Point{{288, 144}, {144, 72}}},
		{"first page", 150, 1, []image.Point{{600, 300}}},
		{"more pages than the PDF has", 36, 5, []image.Point{{144, 72}, {72, 36}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			imgs, err := p.RenderPages(context.Background(), data, tt.dpi, tt.maxPages)
			if err != nil {
				t.Fatalf("RenderPages: %v", err)
			}
			if diff := cmp.Diff(tt.want, sizes(imgs)); diff != "" {
				t.Errorf("page sizes mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The scan page's black bar is at x 72–272, y 24–44 points from the top.
	imgs, err := p.RenderPages(context.Background(), data, 72, 1)
	if err != nil {
		t.Fatal(err)
	}
	if luma := gray(imgs[0], 170, 34); luma > 100 {
		t.Errorf("pixel in the black bar has luma %d, want dark", luma)
	}
	var derr *Error
	if _, err := p.RenderPages(context.Background(), []byte("plain text"), 72, 0); !errors.As(err, &derr) || derr.Code != CodeUnsupportedInput {
		t.Errorf("RenderPages(text) error = %v, want %s", err, CodeUnsupportedInput)
	}
}
