package document

import (
	"bytes"
	"encoding/binary"
)

// Metadata readers: each walks the structure of one format just far enough
// to find the resolution (and, for JPEG, the EXIF orientation). They never
// fail: whatever they cannot read is unknown.

// metersPerInch converts a density per metre to one per inch.
const metersPerInch = 0.0254

// readMeta reads the metadata of an image of the given media type (TIFF has
// its own reader, openTIFF).
func readMeta(data []byte, mime string) imageMeta {
	switch mime {
	case "image/png":
		return imageMeta{dpi: pngDPI(data)}
	case "image/jpeg":
		return jpegMeta(data)
	case "image/bmp":
		return imageMeta{dpi: bmpDPI(data)}
	}
	return imageMeta{}
}

// pngDPI reads the pHYs chunk of a PNG, which comes before the image data.
func pngDPI(data []byte) float64 {
	for pos := 8; pos+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[pos:]))
		typ := string(data[pos+4 : pos+8])
		if typ == "IDAT" || n < 0 || n > len(data)-pos-12 {
			return 0
		}
		if chunk := data[pos+8 : pos+8+n]; typ == "pHYs" && n == 9 && chunk[8] == 1 {
			return float64(binary.BigEndian.Uint32(chunk)) * metersPerInch
		}
		pos += 12 + n
	}
	return 0
}

// bmpDPI reads the horizontal pixels per metre of a BMP's info header.
func bmpDPI(data []byte) float64 {
	if len(data) < 42 || binary.LittleEndian.Uint32(data[14:]) < 40 {
		return 0
	}
	return float64(int32(binary.LittleEndian.Uint32(data[38:]))) * metersPerInch
}

// jpegMeta reads the JFIF density (APP0) and the EXIF resolution and
// orientation (APP1) of a JPEG; the JFIF density wins when it has units.
func jpegMeta(data []byte) imageMeta {
	var jfif float64
	var exif imageMeta
	for pos := 2; pos+4 <= len(data) && data[pos] == 0xff; {
		marker := data[pos+1]
		switch {
		case marker == 0xff: // fill byte
			pos++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // no payload
			pos += 2
			continue
		case marker == 0xda || marker == 0xd9: // image data follows
			pos = len(data)
			continue
		}
		n := int(binary.BigEndian.Uint16(data[pos+2:]))
		if n < 2 || pos+2+n > len(data) {
			break
		}
		seg := data[pos+4 : pos+2+n]
		switch {
		case marker == 0xe0 && jfif == 0:
			jfif = jfifDPI(seg)
		case marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			if t, ok := newTIFFReader(seg[6:]); ok {
				exif = t.meta(t.first)
			}
		}
		pos += 2 + n
	}
	if jfif > 0 {
		exif.dpi = jfif
	}
	return exif
}

// jfifDPI reads the density of a JFIF APP0 segment; 0 when it has no units.
func jfifDPI(seg []byte) float64 {
	if len(seg) < 12 || !bytes.HasPrefix(seg, []byte("JFIF\x00")) {
		return 0
	}
	density := float64(binary.BigEndian.Uint16(seg[8:]))
	switch seg[7] {
	case 1: // dots per inch
		return density
	case 2: // dots per centimetre
		return density * 2.54
	}
	return 0
}
