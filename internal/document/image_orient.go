package document

import (
	"image"
	"image/color"
)

// orient returns img turned upright according to an EXIF/TIFF orientation
// (1 upright, 2 mirrored, 3 upside down, 4 flipped, 5 transposed, 6 needs a
// quarter turn clockwise, 7 transversed, 8 needs a quarter turn
// counter-clockwise): a view, so no pixels are copied until OCR converts it
// to grey.
func orient(img image.Image, orientation int) image.Image {
	if orientation <= 1 || orientation > 8 {
		return img
	}
	return &orientedImage{src: img, orientation: orientation}
}

// orientedImage is an image seen through an orientation.
type orientedImage struct {
	src         image.Image
	orientation int
}

// ColorModel returns the source's colour model.
func (o *orientedImage) ColorModel() color.Model { return o.src.ColorModel() }

// Bounds returns the upright size, with the origin at (0, 0).
func (o *orientedImage) Bounds() image.Rectangle {
	w, h := o.src.Bounds().Dx(), o.src.Bounds().Dy()
	if o.orientation >= 5 {
		w, h = h, w
	}
	return image.Rect(0, 0, w, h)
}

// At returns the colour of the upright image at (x, y).
func (o *orientedImage) At(x, y int) color.Color {
	b := o.src.Bounds()
	sx, sy := orientedSource(o.orientation, x, y, b.Dx(), b.Dy())
	return o.src.At(b.Min.X+sx, b.Min.Y+sy)
}

// orientedSource maps (x, y) of the upright image to the pixel of a w×h
// source image stored with the given orientation.
func orientedSource(orientation, x, y, w, h int) (int, int) {
	switch orientation {
	case 2:
		return w - 1 - x, y
	case 3:
		return w - 1 - x, h - 1 - y
	case 4:
		return x, h - 1 - y
	case 5:
		return y, x
	case 6:
		return y, h - 1 - x
	case 7:
		return w - 1 - y, h - 1 - x
	case 8:
		return w - 1 - y, x
	}
	return x, y
}
