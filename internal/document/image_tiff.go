package document

import (
	"encoding/binary"
	"fmt"
	"io"
)

// TIFF tags sheaf reads itself; golang.org/x/image/tiff decodes the pixels.
const (
	tagNewSubfileType = 254
	tagOrientation    = 274
	tagXResolution    = 282
	tagResolutionUnit = 296
)

// tiffReader reads the IFDs (image file directories) of a TIFF file or of
// the TIFF structure inside a JPEG's EXIF segment.
type tiffReader struct {
	data  []byte
	order binary.ByteOrder
	// first is the offset of the first IFD.
	first int64
}

// ifdEntry is one field of an IFD: its type, count and the 4 bytes holding
// its value or the offset of its value.
type ifdEntry struct {
	typ   uint16
	count uint32
	value []byte
}

// TIFF field types sheaf reads.
const (
	tiffShort    = 3
	tiffLong     = 4
	tiffRational = 5
)

// newTIFFReader reads the header of a TIFF structure.
func newTIFFReader(data []byte) (*tiffReader, bool) {
	if len(data) < 8 {
		return nil, false
	}
	t := &tiffReader{data: data}
	switch string(data[:4]) {
	case "II*\x00":
		t.order = binary.LittleEndian
	case "MM\x00*":
		t.order = binary.BigEndian
	default:
		return nil, false
	}
	t.first = int64(t.order.Uint32(data[4:]))
	return t, true
}

// ifd reads the IFD at off: its entries by tag and the offset of the next
// IFD (0 at the end of the chain).
func (t *tiffReader) ifd(off int64) (map[uint16]ifdEntry, int64, bool) {
	if off < 8 || off+2 > int64(len(t.data)) {
		return nil, 0, false
	}
	n := int64(t.order.Uint16(t.data[off:]))
	end := off + 2 + 12*n
	if end+4 > int64(len(t.data)) {
		return nil, 0, false
	}
	entries := make(map[uint16]ifdEntry, n)
	for p := off + 2; p < end; p += 12 {
		e := t.data[p : p+12]
		entries[t.order.Uint16(e)] = ifdEntry{typ: t.order.Uint16(e[2:]), count: t.order.Uint32(e[4:]), value: e[8:12]}
	}
	return entries, int64(t.order.Uint32(t.data[end:])), true
}

// uint returns the first value of a SHORT or LONG entry.
func (t *tiffReader) uint(e ifdEntry) (uint32, bool) {
	switch {
	case e.count == 0:
		return 0, false
	case e.typ == tiffShort:
		return uint32(t.order.Uint16(e.value)), true
	case e.typ == tiffLong:
		return t.order.Uint32(e.value), true
	}
	return 0, false
}

// rational returns the value of a RATIONAL entry, stored at an offset.
func (t *tiffReader) rational(e ifdEntry) (float64, bool) {
	if e.typ != tiffRational || e.count == 0 {
		return 0, false
	}
	off := int64(t.order.Uint32(e.value))
	if off+8 > int64(len(t.data)) {
		return 0, false
	}
	num, den := t.order.Uint32(t.data[off:]), t.order.Uint32(t.data[off+4:])
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// meta reads the resolution and orientation of the IFD at off.
func (t *tiffReader) meta(off int64) imageMeta {
	entries, _, ok := t.ifd(off)
	if !ok {
		return imageMeta{}
	}
	var m imageMeta
	if o, ok := t.uint(entries[tagOrientation]); ok && o <= 8 {
		m.orientation = int(o)
	}
	res, ok := t.rational(entries[tagXResolution])
	if !ok {
		return m
	}
	unit, ok := t.uint(entries[tagResolutionUnit])
	switch {
	case !ok || unit == 2: // inches, the default
		m.dpi = res
	case unit == 3: // centimetres
		m.dpi = res * 2.54
	}
	return m
}

// openTIFF lists the pages of a TIFF file: the IFDs of its chain, less the
// reduced-resolution images (thumbnails), and reads each page's metadata.
// A chain that breaks after the first page ends there.
func (f *imageFile) openTIFF() error {
	t, ok := newTIFFReader(f.data)
	if !ok {
		return imageCorrupt(f.format, fmt.Errorf("malformed header"))
	}
	visited := map[int64]bool{}
	for off := t.first; off != 0 && !visited[off]; {
		if len(visited) >= 2*MaxImagePages || len(f.ifds) >= MaxImagePages {
			return &Error{Code: CodeImageTooLarge, Message: fmt.Sprintf(
				"the TIFF image has more than %d pages", MaxImagePages)}
		}
		visited[off] = true
		entries, next, ok := t.ifd(off)
		if !ok {
			break
		}
		if kind, _ := t.uint(entries[tagNewSubfileType]); kind&1 == 0 {
			f.ifds = append(f.ifds, off)
			f.meta = append(f.meta, t.meta(off))
		}
		off = next
	}
	if len(f.ifds) == 0 {
		// No IFD could be read, or every one is a thumbnail: let the
		// decoder read (or reject) the first.
		f.ifds, f.meta = []int64{t.first}, []imageMeta{t.meta(t.first)}
	}
	return nil
}

// ifdReader reads a TIFF file as if its header pointed at another IFD, so
// the decoder, which reads the first IFD only, decodes any page.
type ifdReader struct {
	data []byte
	ifd  int64
	pos  int64
}

// ReadAt reads the file with the first-IFD offset replaced.
func (r *ifdReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	var header [4]byte
	if r.data[0] == 'I' {
		binary.LittleEndian.PutUint32(header[:], uint32(r.ifd))
	} else {
		binary.BigEndian.PutUint32(header[:], uint32(r.ifd))
	}
	for i := range 4 {
		if at := 4 + int64(i) - off; at >= 0 && at < int64(n) {
			p[at] = header[i]
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Read reads the file sequentially (the decoder uses ReadAt).
func (r *ifdReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}
