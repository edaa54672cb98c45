package document

import (
	"bytes"
	"crypto/md5"
	"crypto/rc4"
	"fmt"
	"image"
	"strings"
)

// pdfPage describes one page of a generated PDF.
type pdfPage struct {
	// Width and Height are the MediaBox size in points; 0 means US Letter.
	Width, Height float64
	// Rotate is the page's /Rotate (0, 90, 180 or 270).
	Rotate int
	// CropBox, when set, is the page's /CropBox [x0 y0 x1 y1].
	CropBox []float64
	// Content is the page's content stream; /F1 is Helvetica.
	Content string
	// Image, when set, draws a gray image XObject named /Im1 of these
	// dimensions (pixels) over the whole page, as a scan does.
	ImageW, ImageH int
	// Field, when set, is a filled text form field on the page.
	Field *pdfField
	// Picture, when set, draws a gray image XObject named /Im2 in a part
	// of the page, as a letterhead picture does.
	Picture *pdfPicture
}

// pdfPicture is a gray image placed at Rect: x0 y0 x1 y1 in PDF
// coordinates.
type pdfPicture struct {
	Rect [4]float64
	Gray *image.Gray
}

// pdfField is a filled text form field: a widget annotation whose
// appearance shows Value in 12-point Helvetica at the bottom-left of Rect.
type pdfField struct {
	Rect  [4]float64 // x0 y0 x1 y1 in PDF coordinates
	Value string
}

// text returns a content stream fragment drawing s at (x, y) in points
// (PDF coordinates: origin bottom-left) in Helvetica of the given size.
func pdfText(x, y, size float64, s string) string {
	s = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
	return fmt.Sprintf("BT /F1 %g Tf %g %g Td (%s) Tj ET\n", size, x, y, s)
}

// pdfWriter builds a PDF file object by object.
type pdfWriter struct {
	objects []string // objects[i] is the body of object i+1
	// encrypt, when set, encrypts strings and streams of each object with
	// the standard security handler (RC4, 40-bit, revision 2).
	key []byte
}

// reserve allocates an object number to fill in later with set.
func (w *pdfWriter) reserve() int {
	w.objects = append(w.objects, "")
	return len(w.objects)
}

// set stores the body of object n.
func (w *pdfWriter) set(n int, body string) { w.objects[n-1] = body }

// add appends an object and returns its number.
func (w *pdfWriter) add(body string) int {
	n := w.reserve()
	w.set(n, body)
	return n
}

// stream returns a stream object body holding data, encrypted for object n
// when the writer encrypts.
func (w *pdfWriter) stream(n int, dict string, data []byte) string {
	data = w.crypt(n, data)
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// crypt encrypts data of object n (generation 0) with RC4 when the writer
// has a key (PDF 1.7, algorithm 3.1).
func (w *pdfWriter) crypt(n int, data []byte) []byte {
	if w.key == nil {
		return data
	}
	h := md5.New()
	h.Write(w.key)
	h.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), 0, 0})
	k := h.Sum(nil)[:min(16, len(w.key)+5)]
	c, _ := rc4.NewCipher(k)
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// bytes serialises the file with root as the catalog. The trailer gets
// extra entries verbatim.
func (w *pdfWriter) bytes(root int, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(w.objects))
	for i, body := range w.objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(w.objects)+1, root, extra, xref)
	return b.Bytes()
}

// addPages adds the page tree, pages and catalog and returns the catalog.
func (w *pdfWriter) addPages(pages []pdfPage) int {
	font := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	tree := w.reserve()
	kids := make([]string, 0, len(pages))
	for _, p := range pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", w.addPage(p, tree, font)))
	}
	w.set(tree, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	return w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree))
}

// addPage adds one page (its content, image and page object) and returns
// the page object's number.
func (w *pdfWriter) addPage(p pdfPage, parent, font int) int {
	width, height := p.Width, p.Height
	if width == 0 {
		width, height = 612, 792
	}
	xobjects := ""
	content := p.Content
	if p.ImageW > 0 {
		img := w.reserve()
		w.set(img, w.stream(img, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", p.ImageW, p.ImageH), pdfGrayPattern(p.ImageW, p.ImageH)))
		xobjects = fmt.Sprintf("/XObject << /Im1 %d 0 R >>", img)
		content = fmt.Sprintf("q %g 0 0 %g 0 0 cm /Im1 Do Q\n", width, height) + content
	}
	if pic := p.Picture; pic != nil {
		img := w.reserve()
		b := pic.Gray.Bounds()
		w.set(img, w.stream(img, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", b.Dx(), b.Dy()), pic.Gray.Pix))
		xobjects += fmt.Sprintf(" /XObject << /Im2 %d 0 R >>", img)
		r := pic.Rect
		content = fmt.Sprintf("q %g 0 0 %g %g %g cm /Im2 Do Q\n", r[2]-r[0], r[3]-r[1], r[0], r[1]) + content
	}
	c := w.reserve()
	w.set(c, w.stream(c, "", []byte(content)))
	extra := ""
	if p.Field != nil {
		extra += fmt.Sprintf(" /Annots [%d 0 R]", w.addField(*p.Field, font))
	}
	if p.Rotate != 0 {
		extra += fmt.Sprintf(" /Rotate %d", p.Rotate)
	}
	if p.CropBox != nil {
		extra += fmt.Sprintf(" /CropBox [%g %g %g %g]", p.CropBox[0], p.CropBox[1], p.CropBox[2], p.CropBox[3])
	}
	return w.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g]%s /Resources << /Font << /F1 %d 0 R >> %s >> /Contents %d 0 R >>",
		parent, width, height, extra, font, xobjects, c))
}

// addField adds a text field's widget annotation and its appearance and
// returns the annotation's number.
func (w *pdfWriter) addField(f pdfField, font int) int {
	ap := w.reserve()
	bbox := fmt.Sprintf("[0 0 %g %g]", f.Rect[2]-f.Rect[0], f.Rect[3]-f.Rect[1])
	w.set(ap, w.stream(ap, fmt.Sprintf("/Type /XObject /Subtype /Form /BBox %s /Resources << /Font << /F1 %d 0 R >> >>", bbox, font),
		[]byte("/Tx BMC "+pdfText(2, 5, 12, f.Value)+"EMC")))
	return w.add(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (field) /V (%s) /F 4 /Rect [%g %g %g %g] /AP << /N %d 0 R >> >>",
		f.Value, f.Rect[0], f.Rect[1], f.Rect[2], f.Rect[3], ap))
}

// pdfGrayPattern returns w×h gray pixels: light stripes, like paper.
func pdfGrayPattern(w, h int) []byte {
	px := make([]byte, w*h)
	for i := range px {
		px[i] = byte(200 + (i/w)%50)
	}
	return px
}

// buildPDF returns a PDF of the given pages.
func buildPDF(pages ...pdfPage) []byte {
	var w pdfWriter
	root := w.addPages(pages)
	return w.bytes(root, "")
}

// pdfPadding is the password padding string of the standard security
// handler (PDF 1.7, algorithm 3.2, step a).
var pdfPadding = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

// pdfPadPassword pads or truncates a password to 32 bytes.
func pdfPadPassword(pw string) []byte {
	return append([]byte(pw), pdfPadding...)[:32]
}

// buildEncryptedPDF returns a PDF of the given pages encrypted with the
// standard security handler, revision 2 (RC4, 40-bit key), that opens only
// with userPassword.
func buildEncryptedPDF(userPassword string, pages ...pdfPage) []byte {
	perms := int32(-4) // every permission
	id := []byte("sheaf-test-id-01")
	// Algorithm 3.3: the O entry, from the owner password (here the user's).
	ok := md5.Sum(pdfPadPassword("owner-" + userPassword))
	c, _ := rc4.NewCipher(ok[:5])
	o := make([]byte, 32)
	c.XORKeyStream(o, pdfPadPassword(userPassword))
	// Algorithm 3.2: the file key.
	h := md5.New()
	h.Write(pdfPadPassword(userPassword))
	h.Write(o)
	p := uint32(perms)
	h.Write([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
	h.Write(id)
	key := h.Sum(nil)[:5]
	// Algorithm 3.4: the U entry.
	c, _ = rc4.NewCipher(key)
	u := make([]byte, 32)
	c.XORKeyStream(u, pdfPadding)

	w := pdfWriter{key: key}
	root := w.addPages(pages)
	w.key = nil // the encryption dictionary itself is not encrypted
	enc := w.add(fmt.Sprintf("<< /Filter /Standard /V 1 /R 2 /Length 40 /O <%x> /U <%x> /P %d >>", o, u, perms))
	return w.bytes(root, fmt.Sprintf("/Encrypt %d 0 R /ID [<%x> <%x>]", enc, id, id))
}
