package document

import (
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// FuzzDecodeImage checks that DecodeImage never panics, fails only with the
// image error codes, and never returns a page over the pixel limit or one
// that cannot be converted to grey.
func FuzzDecodeImage(f *testing.F) {
	pattern := testPattern(12, 9)
	pngData := encodeImage(f, pattern, png.Encode)
	jpegData := encodeImage(f, pattern, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })
	for _, seed := range [][]byte{
		pngData,
		withPNGChunk(pngData, "pHYs", pngPHYs(300)),
		jpegData,
		withJPEGSegment(withJPEGSegment(jpegData, 0xe1, exifAPP1(6, 300)), 0xe0, jfifAPP0(200)),
		withJPEGSegment(jpegData, 0xe1, exifAPP1(8, 0)),
		encodeImage(f, pattern, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }),
		encodeImage(f, pattern, bmp.Encode),
		encodeImage(f, pattern, func(w io.Writer, m image.Image) error {
			return tiff.Encode(w, m, &tiff.Options{Compression: tiff.Deflate})
		}),
		tiffFile(tiffPage{img: pattern}, tiffPage{img: testPattern(3, 4), extra: []tiffEntry{{tagNewSubfileType, tiffLong, 1}}}, tiffPage{img: testPattern(5, 5)}),
		solidWebP(7, 3, 0x40),
		pngHeader(100_000, 100_000),
	} {
		f.Add(seed)
	}
	const maxPixels = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		imgs, _, err := DecodeImage(data, maxPixels)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not an *Error", err)
			}
			switch de.Code {
			case CodeImageCorrupt, CodeImageTooLarge, CodeUnsupportedInput:
			default:
				t.Fatalf("code %s, want an image code", de.Code)
			}
			return
		}
		for _, img := range imgs {
			b := img.Bounds()
			if b.Empty() || int64(b.Dx())*int64(b.Dy()) > maxPixels {
				t.Fatalf("page of %v; want 1–%d pixels", b, maxPixels)
			}
			if g := toGray(img); len(g.Pix) != b.Dx()*b.Dy() {
				t.Fatalf("grey image of %d pixels for a page of %v", len(g.Pix), b)
			}
		}
	})
}
