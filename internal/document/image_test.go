package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// testPattern returns a w×h grey image whose pixel (x, y) is (x + 7y) mod 256
// with a black top-left pixel, so a decoded image can be checked pixel by
// pixel.
func testPattern(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			g.SetGray(x, y, color.Gray{Y: uint8((x + 7*y) % 256)})
		}
	}
	return g
}

// encodeImage encodes img with an image package's encoder.
func encodeImage(t testing.TB, img image.Image, encode func(io.Writer, image.Image) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk returns a PNG chunk of type typ.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// withPNGChunk inserts a chunk after the IHDR chunk of a PNG.
func withPNGChunk(data []byte, typ string, payload []byte) []byte {
	const afterIHDR = 8 + 12 + 13
	out := append([]byte{}, data[:afterIHDR]...)
	out = append(out, pngChunk(typ, payload)...)
	return append(out, data[afterIHDR:]...)
}

// pngPHYs is a pHYs payload declaring dpi dots per inch.
func pngPHYs(dpi float64) []byte {
	ppm := uint32(dpi/0.0254 + 0.5)
	p := binary.BigEndian.AppendUint32(nil, ppm)
	p = binary.BigEndian.AppendUint32(p, ppm)
	return append(p, 1)
}

// pngHeader returns a PNG signature and IHDR chunk declaring w×h 8-bit grey
// pixels, followed by no image data.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// withJPEGSegment inserts a segment after the SOI marker of a JPEG.
func withJPEGSegment(data []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xff, marker}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, data[:2]...)
	out = append(out, seg...)
	return append(out, data[2:]...)
}

// jfifAPP0 is a JFIF APP0 payload declaring dpi dots per inch.
func jfifAPP0(dpi uint16) []byte {
	p := []byte("JFIF\x00\x01\x02\x01")
	p = binary.BigEndian.AppendUint16(p, dpi)
	p = binary.BigEndian.AppendUint16(p, dpi)
	return append(p, 0, 0)
}

// tiffEntry is an IFD entry for tiffFile: a SHORT or LONG value, or a
// RATIONAL value num/1.
type tiffEntry struct {
	tag, typ uint16
	value    uint32
}

// tiffPage is one page of tiffFile: 8-bit grey pixels and extra entries.
type tiffPage struct {
	img   *image.Gray
	extra []tiffEntry
}

// tiffFile writes an uncompressed little-endian grey TIFF with one IFD per
// page, chained in order.
func tiffFile(pages ...tiffPage) []byte {
	out := []byte("II*\x00\x00\x00\x00\x00")
	prevNext := 4 // where the offset of the next IFD goes
	for _, p := range pages {
		w, h := p.img.Rect.Dx(), p.img.Rect.Dy()
		pixels := len(out)
		out = append(out, p.img.Pix...)
		entries := append([]tiffEntry{
			{256, tiffLong, uint32(w)}, {257, tiffLong, uint32(h)}, {258, tiffShort, 8},
			{259, tiffShort, 1}, {262, tiffShort, 1}, {273, tiffLong, uint32(pixels)},
			{277, tiffShort, 1}, {278, tiffLong, uint32(h)}, {279, tiffLong, uint32(w * h)},
		}, p.extra...)
		sortTIFFEntries(entries)
		ifd := len(out)
		binary.LittleEndian.PutUint32(out[prevNext:], uint32(ifd))
		out = binary.LittleEndian.AppendUint16(out, uint16(len(entries)))
		rationals := ifd + 2 + 12*len(entries) + 4
		for _, e := range entries {
			out = binary.LittleEndian.AppendUint16(out, e.tag)
			out = binary.LittleEndian.AppendUint16(out, e.typ)
			out = binary.LittleEndian.AppendUint32(out, 1)
			switch e.typ {
			case tiffShort:
				out = binary.LittleEndian.AppendUint16(out, uint16(e.value))
				out = append(out, 0, 0)
			case tiffLong:
				out = binary.LittleEndian.AppendUint32(out, e.value)
			case tiffRational:
				out = binary.LittleEndian.AppendUint32(out, uint32(rationals))
				rationals += 8
			}
		}
		prevNext = len(out)
		out = append(out, 0, 0, 0, 0)
		for _, e := range entries {
			if e.typ == tiffRational {
				out = binary.LittleEndian.AppendUint32(out, e.value)
				out = binary.LittleEndian.AppendUint32(out, 1)
			}
		}
	}
	return out
}

// sortTIFFEntries sorts entries by tag, as TIFF requires.
func sortTIFFEntries(entries []tiffEntry) {
	for i := 1; i < len(entries); i++ {
		for j := i; j > 0 && entries[j].tag < entries[j-1].tag; j-- {
			entries[j], entries[j-1] = entries[j-1], entries[j]
		}
	}
}

// exifAPP1 is an EXIF APP1 payload with an orientation and a resolution in
// dots per inch, or no resolution when dpi is 0.
func exifAPP1(orientation uint16, dpi uint32) []byte {
	entries := []tiffEntry{{tagOrientation, tiffShort, uint32(orientation)}}
	if dpi > 0 {
		entries = append(entries, tiffEntry{tagXResolution, tiffRational, dpi}, tiffEntry{tagResolutionUnit, tiffShort, 2})
	}
	t := tiffFile(tiffPage{img: image.NewGray(image.Rect(0, 0, 1, 1)), extra: entries})
	return append([]byte("Exif\x00\x00"), t...)
}

// solidWebP returns a lossless WebP of w×h pixels of grey level v: five
// single-symbol prefix codes, so the pixels take no bits at all.
func solidWebP(w, h int, v uint8) []byte {
	var bits []byte
	var n uint
	put := func(value uint32, width uint) {
		for i := range width {
			if n%8 == 0 {
				bits = append(bits, 0)
			}
			bits[n/8] |= byte(value>>i&1) << (n % 8)
			n++
		}
	}
	put(0x2f, 8)                                                          // signature
	put(uint32(w-1), 14)                                                  // width
	put(uint32(h-1), 14)                                                  // height
	put(0, 1+3+1+1+1)                                                     // no alpha, version 0, no transform, no colour cache, no meta codes
	for _, sym := range []uint32{uint32(v), uint32(v), uint32(v), 0xff} { // green, red, blue, alpha
		put(1, 1) // simple code
		put(0, 1) // one symbol
		put(1, 1) // of 8 bits
		put(sym, 8)
	}
	put(1, 1) // distance: simple code
	put(0, 1) // one symbol
	put(0, 1) // of 1 bit
	put(0, 1)
	out := []byte("RIFF\x00\x00\x00\x00WEBPVP8L")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(bits)))
	out = append(out, bits...)
	if len(bits)%2 == 1 {
		out = append(out, 0)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

func TestDecodeImageFormats(t *testing.T) {
	t.Parallel()
	pattern := testPattern(40, 30)
	pngData := encodeImage(t, pattern, func(b io.Writer, m image.Image) error { return png.Encode(b, m) })
	jpegData := encodeImage(t, pattern, func(b io.Writer, m image.Image) error {
		return jpeg.Encode(b, m, &jpeg.Options{Quality: 100})
	})
	for _, tc := range []struct {
		name    string
		data    []byte
		wantDPI float64
		// exact says the pixels survive the encoding unchanged.
		exact bool
	}{
		{"PNG", pngData, 0, true},
		{"PNG with pHYs", withPNGChunk(pngData, "pHYs", pngPHYs(300)), 300, true},
		{"JPEG", jpegData, 0, false},
		{"JPEG with JFIF density", withJPEGSegment(jpegData, 0xe0, jfifAPP0(200)), 200, false},
		{"JPEG with EXIF resolution", withJPEGSegment(jpegData, 0xe1, exifAPP1(1, 144)), 144, false},
		// Phones write EXIF without a resolution (this once panicked).
		{"JPEG with EXIF but no resolution", withJPEGSegment(jpegData, 0xe1, exifAPP1(1, 0)), 0, false},
		{"GIF", encodeImage(t, pattern, func(b io.Writer, m image.Image) error { return gif.Encode(b, m, nil) }), 0, false},
		{"BMP", encodeImage(t, pattern, bmp.Encode), 0, true},
		{"TIFF from x/image", encodeImage(t, pattern, func(b io.Writer, m image.Image) error { return tiff.Encode(b, m, nil) }), 72, true},
		{"TIFF at 400 dpi", tiffFile(tiffPage{img: pattern, extra: []tiffEntry{{tagXResolution, tiffRational, 400}}}), 400, true},
		{"TIFF in dots per cm", tiffFile(tiffPage{img: pattern, extra: []tiffEntry{
			{tagXResolution, tiffRational, 100}, {tagResolutionUnit, tiffShort, 3}}}), 254, true},
		{"implausible resolution", withPNGChunk(pngData, "pHYs", pngPHYs(10)), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			imgs, dpi, err := DecodeImage(tc.data, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(imgs) != 1 || imgs[0].Bounds().Dx() != 40 || imgs[0].Bounds().Dy() != 30 {
				t.Fatalf("got %d images, first %v; want one 40×30 image", len(imgs), imgs[0].Bounds())
			}
			if diff := dpi - tc.wantDPI; diff < -0.5 || diff > 0.5 {
				t.Errorf("dpi = %v, want %v", dpi, tc.wantDPI)
			}
			if g := toGray(imgs[0]); tc.exact && !bytes.Equal(g.Pix, pattern.Pix) {
				t.Error("the decoded pixels differ from the encoded ones")
			}
		})
	}
}

func TestDecodeImageWebP(t *testing.T) {
	t.Parallel()
	imgs, dpi, err := DecodeImage(solidWebP(30, 20, 0x80), 0)
	if err != nil {
		t.Fatal(err)
	}
	if b := imgs[0].Bounds(); len(imgs) != 1 || b != image.Rect(0, 0, 30, 20) || dpi != 0 {
		t.Fatalf("got %d images, first %v, dpi %v; want one 30×20 image of unknown resolution", len(imgs), b, dpi)
	}
	if g := toGray(imgs[0]); g.GrayAt(29, 19).Y != 0x80 {
		t.Errorf("pixel = %#x, want 0x80", g.GrayAt(29, 19).Y)
	}
}

func TestDecodeImageMultiPageTIFF(t *testing.T) {
	t.Parallel()
	thumbnail := tiffPage{img: testPattern(4, 4), extra: []tiffEntry{{tagNewSubfileType, tiffLong, 1}}}
	data := tiffFile(
		tiffPage{img: testPattern(30, 20), extra: []tiffEntry{{tagXResolution, tiffRational, 204}}},
		thumbnail,
		tiffPage{img: testPattern(10, 50)},
		tiffPage{img: testPattern(25, 25)},
	)
	imgs, dpi, err := DecodeImage(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []image.Rectangle
	for _, img := range imgs {
		got = append(got, img.Bounds())
	}
	want := []image.Rectangle{image.Rect(0, 0, 30, 20), image.Rect(0, 0, 10, 50), image.Rect(0, 0, 25, 25)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("page bounds (-want +got):\n%s", diff)
	}
	if dpi != 204 {
		t.Errorf("dpi = %v, want the first page's 204", dpi)
	}
	if g := toGray(imgs[1]); !bytes.Equal(g.Pix, testPattern(10, 50).Pix) {
		t.Error("page 2 has the wrong pixels")
	}
}

func TestDecodeImageOrientation(t *testing.T) {
	t.Parallel()
	// A 60×20 image, black at the top-left corner, stored turned a quarter
	// counter-clockwise (EXIF orientation 6): stored 20 wide, 60 tall,
	// with the black corner at the bottom-left.
	stored := image.NewGray(image.Rect(0, 0, 20, 60))
	for i := range stored.Pix {
		stored.Pix[i] = 0xff
	}
	for y := 50; y < 60; y++ {
		for x := range 10 {
			stored.SetGray(x, y, color.Gray{})
		}
	}
	data := encodeImage(t, stored, func(b io.Writer, m image.Image) error {
		return jpeg.Encode(b, m, &jpeg.Options{Quality: 100})
	})
	imgs, _, err := DecodeImage(withJPEGSegment(data, 0xe1, exifAPP1(6, 300)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if b := imgs[0].Bounds(); b != image.Rect(0, 0, 60, 20) {
		t.Fatalf("bounds = %v, want upright 60×20", b)
	}
	g := toGray(imgs[0])
	if corner, opposite := g.GrayAt(2, 2).Y, g.GrayAt(57, 17).Y; corner > 0x40 || opposite < 0xc0 {
		t.Errorf("top-left = %#x, bottom-right = %#x; want black then white", corner, opposite)
	}
}

func TestOrientAllEight(t *testing.T) {
	t.Parallel()
	upright := [][]uint8{{1, 2, 3}, {4, 5, 6}}
	// How a camera stores the upright image for each orientation.
	stored := map[int][][]uint8{
		1: {{1, 2, 3}, {4, 5, 6}},
		2: {{3, 2, 1}, {6, 5, 4}},
		3: {{6, 5, 4}, {3, 2, 1}},
		4: {{4, 5, 6}, {1, 2, 3}},
		5: {{1, 4}, {2, 5}, {3, 6}},
		6: {{3, 6}, {2, 5}, {1, 4}},
		7: {{6, 3}, {5, 2}, {4, 1}},
		8: {{4, 1}, {5, 2}, {6, 3}},
	}
	for o, rows := range stored {
		src := image.NewGray(image.Rect(10, 20, 10+len(rows[0]), 20+len(rows)))
		for y, row := range rows {
			copy(src.Pix[y*src.Stride:], row)
		}
		view := orient(src, o)
		var viaAt [][]uint8
		b := view.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			var row []uint8
			for x := b.Min.X; x < b.Max.X; x++ {
				row = append(row, color.GrayModel.Convert(view.At(x, y)).(color.Gray).Y)
			}
			viaAt = append(viaAt, row)
		}
		if diff := cmp.Diff(upright, viaAt); diff != "" {
			t.Errorf("orientation %d through At (-want +got):\n%s", o, diff)
		}
		g := toGray(view)
		viaGray := [][]uint8{g.Pix[:3], g.Pix[3:6]}
		if diff := cmp.Diff(upright, viaGray); diff != "" {
			t.Errorf("orientation %d through toGray (-want +got):\n%s", o, diff)
		}
	}
}

func TestDecodeImageErrors(t *testing.T) {
	t.Parallel()
	pattern := testPattern(40, 30)
	pngData := encodeImage(t, pattern, func(b io.Writer, m image.Image) error { return png.Encode(b, m) })
	jpegData := encodeImage(t, pattern, func(b io.Writer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	for _, tc := range []struct {
		name      string
		data      []byte
		maxPixels int64
		want      string
	}{
		{"PNG declaring 100k×100k pixels", pngHeader(100_000, 100_000), 0, CodeImageTooLarge},
		{"PNG over a small limit", pngData, 40*30 - 1, CodeImageTooLarge},
		{"PNG at the limit", pngData, 40 * 30, ""},
		{"TIFF whose second page is too large", tiffFile(tiffPage{img: testPattern(10, 10)}, tiffPage{img: testPattern(100, 100)}), 1000, CodeImageTooLarge},
		{"PNG declaring 0 pixels", pngHeader(0, 10), 0, CodeImageCorrupt},
		{"PNG without image data", pngHeader(10, 10), 0, CodeImageCorrupt},
		{"truncated PNG", pngData[:len(pngData)/2], 0, CodeImageCorrupt},
		{"truncated JPEG", jpegData[:len(jpegData)/2], 0, CodeImageCorrupt},
		{"JPEG signature only", []byte("\xff\xd8\xff\xe0garbage"), 0, CodeImageCorrupt},
		{"GIF signature only", []byte("GIF89a\x01"), 0, CodeImageCorrupt},
		{"TIFF with a bad IFD offset", []byte("II*\x00\xff\xff\xff\x7f"), 0, CodeImageCorrupt},
		{"WebP with no frame", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd"), 0, CodeImageCorrupt},
		{"BMP with a bad header", append([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00"), make([]byte, 30)...), 0, CodeImageCorrupt},
		{"PDF", []byte("%PDF-1.7\n"), 0, CodeUnsupportedInput},
		{"text", []byte("hello"), 0, CodeUnsupportedInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := DecodeImage(tc.data, tc.maxPixels)
			var de *Error
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("DecodeImage: %v", err)
			case tc.want == "":
			case !errors.As(err, &de):
				t.Fatalf("DecodeImage error = %v, want *Error %s", err, tc.want)
			case de.Code != tc.want:
				t.Errorf("code = %s (%s), want %s", de.Code, de.Message, tc.want)
			}
		})
	}
}

func TestToGrayCompositesOnWhite(t *testing.T) {
	t.Parallel()
	nrgba := image.NewNRGBA(image.Rect(0, 0, 3, 1))
	nrgba.SetNRGBA(0, 0, color.NRGBA{}) // transparent
	nrgba.SetNRGBA(1, 0, color.NRGBA{A: 0xff})
	nrgba.SetNRGBA(2, 0, color.NRGBA{A: 0x80})
	rgba := image.NewRGBA(nrgba.Rect)
	pal := image.NewPaletted(nrgba.Rect, color.Palette{color.NRGBA{}, color.NRGBA{A: 0xff}, color.NRGBA{A: 0x80}})
	ycc := image.NewYCbCr(nrgba.Rect, image.YCbCrSubsampleRatio444)
	copy(ycc.Y, []uint8{0xff, 0, 0x7f})
	for x := range 3 {
		rgba.Set(x, 0, nrgba.At(x, 0))
		pal.SetColorIndex(x, 0, uint8(x))
	}
	for name, img := range map[string]image.Image{"NRGBA": nrgba, "RGBA": rgba, "paletted": pal, "YCbCr": ycc} {
		got := toGray(img).Pix
		if got[0] != 0xff || got[1] != 0 || got[2] < 0x7e || got[2] > 0x80 {
			t.Errorf("%s: grey = %v, want white, black, mid-grey", name, got)
		}
	}
}
