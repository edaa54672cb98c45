package document

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// zipOf returns a ZIP archive holding the named files; a file named
// "mimetype" is stored uncompressed, as OpenDocument and EPUB require.
func zipOf(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f[0], Method: zip.Deflate}
		if f[0] == "mimetype" {
			h.Method = zip.Store
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetect(t *testing.T) {
	t.Parallel()
	bmp := append([]byte("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"), make([]byte, 16)...)
	tests := []struct {
		name     string
		data     []byte
		wantMIME string
		wantKind Kind
	}{
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf", KindPDF},
		{"PDF after white space", []byte("\r\n  %PDF-1.4\n"), "application/pdf", KindPDF},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png", KindImage},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", KindImage},
		{"TIFF little-endian", []byte("II*\x00\x08\x00\x00\x00"), "image/tiff", KindImage},
		{"TIFF big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "image/tiff", KindImage},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), "image/gif", KindImage},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp", KindImage},
		{"BMP", bmp, "image/bmp", KindImage},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), "image/heic", ""},
		{"ZIP", zipOf(t, [2]string{"a.txt", "hello"}), "application/zip", ""},
		{"DOCX", zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w/>"}), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"XLSX", zipOf(t, [2]string{"xl/workbook.xml", "<x/>"}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""},
		{"ODT", zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"}), "application/vnd.oasis.opendocument", ""},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "application/gzip", ""},
		{"legacy Office", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "application/x-ole-storage", ""},
		{"RTF is not plain text", []byte(`{\rtf1\ansi Hello}`), "application/rtf", ""},
		{"binary with NUL", []byte("\x01\x02\x00\x03abc"), "application/octet-stream", ""},
		{"binary with control characters", []byte("\x01\x02\x03\x04\x05abc"), "application/octet-stream", ""},
		{"UTF-8 text", []byte("Invoice No: 42\nTotal: 9,50 €\n"), "text/plain; charset=utf-8", KindText},
		{"UTF-8 with byte-order mark", []byte("\xef\xbb\xbfhello"), "text/plain; charset=utf-8", KindText},
		{"UTF-16LE with byte-order mark", []byte("\xff\xfeh\x00i\x00"), "text/plain; charset=utf-16le", KindText},
		{"UTF-16BE with byte-order mark", []byte("\xfe\xff\x00h\x00i"), "text/plain; charset=utf-16be", KindText},
		{"Latin-1 text", []byte("Gr\xf6\xdfe: 5\n"), "text/plain", KindText},
		{"text mentioning a PDF is text", []byte("see the attached %PDF- file"), "text/plain; charset=utf-8", KindText},
		{"text starting with BM is text", []byte("BMW invoice 2024, total 1.234,00 EUR, thanks"), "text/plain; charset=utf-8", KindText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Detect(tt.data)
			if diff := cmp.Diff([]any{tt.wantMIME, tt.wantKind}, []any{got.MIME, got.Kind}); diff != "" {
				t.Errorf("Detect MIME, Kind mismatch (-want +got):\n%s", diff)
			}
			if got.Name == "" {
				t.Errorf("Detect(%q) has no Name", tt.data)
			}
		})
	}
}
