package document

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
		want string // Document.Text()
	}{
		{"UTF-8", []byte("Total:  9,50 €\r\n"), "Total: 9,50 €"},
		{"UTF-8 byte-order mark is dropped", []byte("\xef\xbb\xbfTotal 5"), "Total 5"},
		{"UTF-16LE", []byte("\xff\xfeT\x00o\x00t\x00a\x00l\x00 \x00\xac\x20"), "Total €"},
		{"UTF-16BE with a surrogate pair", []byte("\xfe\xff\x00a\x00 \xd8\x3d\xde\x00"), "a 😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(context.Background(), tt.data, ParseOptions{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff([]any{KindText, tt.want}, []any{doc.Kind, doc.Text()}); diff != "" {
				t.Errorf("Parse Kind, Text mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		data        []byte
		opts        ParseOptions
		wantCode    string
		wantMessage string // a substring of the message
	}{
		{"empty", nil, ParseOptions{}, CodeEmptyInput, "empty"},
		{"white space only", []byte(" \n\t\r\n"), ParseOptions{}, CodeEmptyInput, "no text"},
		{"byte-order mark only", []byte("\xef\xbb\xbf"), ParseOptions{}, CodeEmptyInput, "no text"},
		{"too large", []byte("12345"), ParseOptions{MaxBytes: 4}, CodeInputTooLarge, "limit is 4 bytes"},
		{"at the limit", []byte("1234\x00"), ParseOptions{MaxBytes: 5}, CodeUnsupportedInput, "binary data"},
		{"PDF", []byte("%PDF-1.7\n"), ParseOptions{}, CodeUnsupportedInput, "PDF parsing is not available yet"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n"), ParseOptions{}, CodeUnsupportedInput, "PNG image"},
		{"ZIP", zipOf(t, [2]string{"a", "b"}), ParseOptions{}, CodeUnsupportedInput, "ZIP archive (application/zip)"},
		{"DOCX", zipOf(t, [2]string{"word/document.xml", "<w/>"}), ParseOptions{}, CodeUnsupportedInput, "Word document (DOCX)"},
		{"Latin-1", []byte("ab Gr\xf6\xdfe"), ParseOptions{}, CodeInvalidEncoding, "offset 5"},
		{"broken UTF-8 after a byte-order mark", []byte("\xef\xbb\xbfa\xff"), ParseOptions{}, CodeInvalidEncoding, "offset 4"},
		{"odd UTF-16", []byte("\xff\xfea\x00b"), ParseOptions{}, CodeInvalidEncoding, "odd number of bytes"},
		{"unpaired UTF-16 surrogate", []byte("\xff\xfe\x3d\xd8a\x00"), ParseOptions{}, CodeInvalidEncoding, "unpaired surrogate at offset 2"},
		{"UTF-16 NUL", []byte("\xff\xfea\x00\x00\x00"), ParseOptions{}, CodeInvalidEncoding, "NUL character at offset 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(context.Background(), tt.data, tt.opts)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse = %v, %v; want a *document.Error", doc, err)
			}
			if perr.Code != tt.wantCode || !strings.Contains(perr.Message, tt.wantMessage) {
				t.Errorf("Parse error = %q %q; want code %q and a message containing %q", perr.Code, perr.Message, tt.wantCode, tt.wantMessage)
			}
		})
	}
}

func TestParseHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Parse(ctx, []byte("hello"), ParseOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Parse with a cancelled context = %v, want context.Canceled", err)
	}
}
