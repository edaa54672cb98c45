package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// CodeImageCorrupt means the bytes start like an image of a supported
// format but cannot be decoded. DecodeImage (and so OCR.Image) also fails
// with CodeImageTooLarge when an image, or one page of a multi-page TIFF,
// declares more pixels than the limit, or a TIFF has more than
// MaxImagePages pages; it checks the headers before decoding any pixel, so
// a small file cannot make sheaf allocate gigabytes.
const CodeImageCorrupt = "IMAGE_CORRUPT"

// MaxImagePages is the most pages DecodeImage reads from a multi-page TIFF.
const MaxImagePages = 1000

// imageFile is an image input whose headers have been checked: its pages can
// be decoded one at a time, so OCR holds only the pages it is working on.
type imageFile struct {
	data   []byte
	format Format
	// ifds holds the offset of each page's IFD for a TIFF; nil otherwise.
	ifds []int64
	// meta holds each page's metadata.
	meta []imageMeta
}

// imageMeta is what an image's metadata says about how to show it.
type imageMeta struct {
	// dpi is the horizontal resolution in dots per inch, or 0 when unknown.
	dpi float64
	// orientation is the EXIF/TIFF orientation, 1–8; 0 or 1 means upright.
	orientation int
}

// DecodeImage decodes every page of an image input: PNG, JPEG, GIF (its
// first frame), BMP, WebP, and TIFF — every page of a multi-page TIFF
// (reduced-resolution thumbnails are skipped). The format is detected from
// the content. JPEG and TIFF pages are turned upright according to their
// EXIF/TIFF orientation.
//
// The returned dpi is the horizontal resolution the metadata declares (PNG
// pHYs, JFIF density, EXIF or TIFF XResolution, BMP pixels per metre) for
// the first page (OCR.Image uses each TIFF page's own), or 0 when the image does not say (GIF and WebP never do)
// or says something implausible (below 50 or above 4800). DecodeImage does
// not guess: OCR.Image lets tesseract estimate the resolution of such
// images from the size of their text.
//
// maxPixels bounds width × height of each page (0 or less means
// DefaultMaxPixels); sizes are read from the headers before decoding,
// and a larger page fails with CodeImageTooLarge. Data that is not a
// supported image fails with CodeUnsupportedInput, and a supported image
// that cannot be decoded with CodeImageCorrupt. Every page is held in memory
// at once; OCR.Image decodes the pages one by one instead.
func DecodeImage(data []byte, maxPixels int64) ([]image.Image, float64, error) {
	f, err := openImage(data, maxPixels)
	if err != nil {
		return nil, 0, err
	}
	imgs := make([]image.Image, f.pages())
	for i := range imgs {
		if imgs[i], err = f.decode(i); err != nil {
			return nil, 0, err
		}
	}
	return imgs, f.meta[0].dpi, nil
}

// openImage detects the format of data, reads its metadata and checks the
// size of every page against maxPixels.
func openImage(data []byte, maxPixels int64) (*imageFile, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	f := &imageFile{data: data, format: Detect(data)}
	if imageCodecs[f.format.MIME].decode == nil {
		return nil, &Error{Code: CodeUnsupportedInput, Message: fmt.Sprintf(
			"%s is not an image sheaf can read; send PNG, JPEG, TIFF, GIF, BMP or WebP", f.format.Name)}
	}
	if f.format.MIME == "image/tiff" {
		if err := f.openTIFF(); err != nil {
			return nil, err
		}
	} else {
		f.meta = []imageMeta{readMeta(data, f.format.MIME)}
	}
	for i := range f.pages() {
		cfg, err := f.decodeConfig(i)
		if err != nil {
			return nil, err
		}
		if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels || cfg.Width <= 0 || cfg.Height <= 0 {
			return nil, imageTooLarge(f.format, i, cfg, maxPixels)
		}
	}
	for i := range f.meta {
		if f.meta[i].dpi < 50 || f.meta[i].dpi > 4800 {
			f.meta[i].dpi = 0
		}
	}
	return f, nil
}

// imageTooLarge is the error for page i declaring cfg's size.
func imageTooLarge(format Format, i int, cfg image.Config, maxPixels int64) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return &Error{Code: CodeImageCorrupt, Message: fmt.Sprintf(
			"the %s declares an empty size (%d×%d pixels)", format.Name, cfg.Width, cfg.Height)}
	}
	page := ""
	if format.MIME == "image/tiff" {
		page = fmt.Sprintf(" (page %d)", i+1)
	}
	return &Error{Code: CodeImageTooLarge, Message: fmt.Sprintf(
		"the %s%s is %d×%d pixels; the limit is %d pixels", format.Name, page, cfg.Width, cfg.Height, maxPixels)}
}

// pages returns the number of pages of f.
func (f *imageFile) pages() int {
	if f.ifds != nil {
		return len(f.ifds)
	}
	return 1
}

// reader returns a reader of page i of f: for a TIFF, the file as if its
// first IFD were page i's.
func (f *imageFile) reader(i int) io.Reader {
	if f.ifds != nil {
		return &ifdReader{data: f.data, ifd: f.ifds[i]}
	}
	return bytes.NewReader(f.data)
}

// decodeConfig reads the size of page i.
func (f *imageFile) decodeConfig(i int) (image.Config, error) {
	cfg, err := imageCodecs[f.format.MIME].config(f.reader(i))
	if err != nil {
		return cfg, imageCorrupt(f.format, err)
	}
	return cfg, nil
}

// decode decodes page i and turns it upright.
func (f *imageFile) decode(i int) (image.Image, error) {
	img, err := imageCodecs[f.format.MIME].decode(f.reader(i))
	if err != nil {
		return nil, imageCorrupt(f.format, err)
	}
	return orient(img, f.meta[i].orientation), nil
}

// imageCorrupt is the error for an image of format that failed to decode.
func imageCorrupt(format Format, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &Error{Code: CodeImageCorrupt, Message: fmt.Sprintf("the %s cannot be decoded: %v", format.Name, err)}
}

// imageCodec decodes one image format.
type imageCodec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// imageCodecs maps the media types Detect returns to their decoders.
var imageCodecs = map[string]imageCodec{
	"image/png":  {png.DecodeConfig, png.Decode},
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"image/gif":  {gif.DecodeConfig, gif.Decode},
	"image/bmp":  {bmp.DecodeConfig, bmp.Decode},
	"image/tiff": {tiff.DecodeConfig, tiff.Decode},
	"image/webp": {webp.DecodeConfig, webp.Decode},
}
