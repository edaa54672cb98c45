package document

import (
	"archive/zip"
	"bytes"
	"strings"
	"unicode/utf8"
)

// Format is what Detect found an input to be.
type Format struct {
	// MIME is the media type, e.g. "application/pdf" or
	// "text/plain; charset=utf-8". Text that is not valid UTF-8 is
	// "text/plain" with no charset; unrecognised binary data is
	// "application/octet-stream".
	MIME string
	// Name names the format for people, e.g. "PDF document" or "ZIP archive".
	Name string
	// Kind is the kind of Document the format parses into, or "" when sheaf
	// cannot parse it.
	Kind Kind
}

// Formats Detect tells apart by their text encoding.
var (
	formatUTF8    = Format{MIME: "text/plain; charset=utf-8", Name: "UTF-8 text", Kind: KindText}
	formatUTF16LE = Format{MIME: "text/plain; charset=utf-16le", Name: "UTF-16 text", Kind: KindText}
	formatUTF16BE = Format{MIME: "text/plain; charset=utf-16be", Name: "UTF-16 text", Kind: KindText}
	formatText    = Format{MIME: "text/plain", Name: "text in an unknown encoding", Kind: KindText}
	formatBinary  = Format{MIME: "application/octet-stream", Name: "binary data"}
	formatZip     = Format{MIME: "application/zip", Name: "ZIP archive"}
)

// signature is a format recognised by the bytes it starts with.
type signature struct {
	prefix string
	format Format
}

// signatures lists the formats with a magic prefix at offset 0.
var signatures = []signature{
	{"%PDF-", Format{MIME: "application/pdf", Name: "PDF document", Kind: KindPDF}},
	{"\x89PNG\r\n\x1a\n", Format{MIME: "image/png", Name: "PNG image", Kind: KindImage}},
	{"\xff\xd8\xff", Format{MIME: "image/jpeg", Name: "JPEG image", Kind: KindImage}},
	{"II*\x00", Format{MIME: "image/tiff", Name: "TIFF image", Kind: KindImage}},
	{"MM\x00*", Format{MIME: "image/tiff", Name: "TIFF image", Kind: KindImage}},
	{"GIF87a", Format{MIME: "image/gif", Name: "GIF image", Kind: KindImage}},
	{"GIF89a", Format{MIME: "image/gif", Name: "GIF image", Kind: KindImage}},
	{"\x00\x00\x00\x0cjP  \r\n\x87\n", Format{MIME: "image/jp2", Name: "JPEG 2000 image"}},
	{"\x1f\x8b", Format{MIME: "application/gzip", Name: "gzip archive"}},
	{"7z\xbc\xaf\x27\x1c", Format{MIME: "application/x-7z-compressed", Name: "7-Zip archive"}},
	{"Rar!\x1a\x07", Format{MIME: "application/vnd.rar", Name: "RAR archive"}},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Format{MIME: "application/x-ole-storage", Name: "legacy Microsoft Office document (DOC, XLS or PPT)"}},
	{"{\\rtf", Format{MIME: "application/rtf", Name: "RTF document"}},
	{"%!PS", Format{MIME: "application/postscript", Name: "PostScript document"}},
	{"\x7fELF", Format{MIME: "application/x-executable", Name: "executable"}},
}

// sniffLen bounds how much of an input the binary-or-text test looks at.
const sniffLen = 8 << 10

// Detect says what data is from its content alone: magic bytes first, then
// byte-order marks, then whether the bytes look like text and are valid
// UTF-8. It never looks at a file name.
func Detect(data []byte) Format {
	if f, ok := detectMagic(data); ok {
		return f
	}
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return formatUTF8
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		return formatUTF16LE
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		return formatUTF16BE
	case looksBinary(data[:min(len(data), sniffLen)]):
		return formatBinary
	case utf8.Valid(data):
		return formatUTF8
	}
	return formatText
}

// detectMagic recognises the formats that start with a signature.
func detectMagic(data []byte) (Format, bool) {
	// A PDF may start with white space (or a UTF-8 byte-order mark) that
	// readers skip.
	if trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"); bytes.HasPrefix(trimmed, []byte("%PDF-")) {
		return signatures[0].format, true
	}
	for _, s := range signatures {
		if bytes.HasPrefix(data, []byte(s.prefix)) {
			return s.format, true
		}
	}
	switch {
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return Format{MIME: "image/webp", Name: "WebP image", Kind: KindImage}, true
	case isBMP(data):
		return Format{MIME: "image/bmp", Name: "BMP image", Kind: KindImage}, true
	case len(data) >= 12 && data[0] == 0 && data[1] == 0 && string(data[4:8]) == "ftyp":
		return detectISOMedia(data), true
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return detectZip(data), true
	}
	return Format{}, false
}

// isBMP recognises a Windows bitmap: "BM" followed by the file size and two
// reserved zero words, which text never has.
func isBMP(data []byte) bool {
	return len(data) >= 26 && data[0] == 'B' && data[1] == 'M' &&
		bytes.Equal(data[6:10], []byte{0, 0, 0, 0})
}

// detectISOMedia names an ISO base media file (HEIC/AVIF photos, MP4 video)
// by its brand.
func detectISOMedia(data []byte) Format {
	switch brand := string(data[8:12]); brand {
	case "heic", "heix", "heim", "heis", "mif1", "msf1":
		return Format{MIME: "image/heic", Name: "HEIC image"}
	case "avif", "avis":
		return Format{MIME: "image/avif", Name: "AVIF image"}
	}
	return Format{MIME: "video/mp4", Name: "MP4 media file"}
}

// detectZip names the common formats that are ZIP archives (Office Open
// XML, OpenDocument, EPUB) and falls back to a plain ZIP archive.
func detectZip(data []byte) Format {
	// OpenDocument and EPUB store their media type uncompressed as the first
	// entry, named "mimetype".
	if len(data) > 38 && string(data[30:38]) == "mimetype" {
		rest := string(data[38:min(len(data), 38+80)])
		switch {
		case strings.HasPrefix(rest, "application/epub+zip"):
			return Format{MIME: "application/epub+zip", Name: "EPUB e-book"}
		case strings.HasPrefix(rest, "application/vnd.oasis.opendocument."):
			return Format{MIME: "application/vnd.oasis.opendocument", Name: "OpenDocument file"}
		}
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return formatZip
	}
	for _, f := range r.File {
		switch {
		case strings.HasPrefix(f.Name, "word/"):
			return Format{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Name: "Word document (DOCX)"}
		case strings.HasPrefix(f.Name, "xl/"):
			return Format{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Name: "Excel workbook (XLSX)"}
		case strings.HasPrefix(f.Name, "ppt/"):
			return Format{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Name: "PowerPoint presentation (PPTX)"}
		}
	}
	return formatZip
}

// looksBinary reports whether a sample of an input holds bytes that text
// does not: any NUL, or more than 1% of C0 control characters other than
// tab, line feed, vertical tab, form feed, carriage return and escape.
func looksBinary(sample []byte) bool {
	controls := 0
	for _, c := range sample {
		switch {
		case c == 0:
			return true
		case c < 0x20 && !strings.ContainsRune("\t\n\v\f\r\x1b", rune(c)), c == 0x7f:
			controls++
		}
	}
	return controls*100 > len(sample)
}
