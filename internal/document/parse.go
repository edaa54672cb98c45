package document

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultMaxBytes is the input size limit Parse applies when
// ParseOptions.MaxBytes is 0.
const DefaultMaxBytes = 50 << 20

// ParseOptions tunes Parse.
type ParseOptions struct {
	// MaxBytes is the largest input Parse accepts; 0 means DefaultMaxBytes.
	MaxBytes int64
}

// Parse detects the type of data from its content and parses it.
//
// Text (UTF-8 with or without a byte-order mark, or UTF-16 with one) becomes
// a Document through FromText. Every other outcome a user can fix is an
// *Error: CodeEmptyInput for no bytes or only white space, CodeInputTooLarge
// above the size limit, CodeInvalidEncoding for text that is not valid UTF-8,
// and CodeUnsupportedInput for PDFs and images (until the document engine
// lands) and for every other type, named in the message. Parse returns
// ctx.Err() when ctx is done.
func Parse(ctx context.Context, data []byte, opts ParseOptions) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := opts.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	switch {
	case len(data) == 0:
		return nil, &Error{Code: CodeEmptyInput, Message: "the input is empty"}
	case int64(len(data)) > limit:
		return nil, &Error{Code: CodeInputTooLarge, Message: fmt.Sprintf(
			"the input is %d bytes; the limit is %d bytes", len(data), limit)}
	}
	f := Detect(data)
	switch f.Kind {
	case KindText:
		return parseText(data, f)
	case KindPDF:
		return nil, &Error{Code: CodeUnsupportedInput, Message: "PDF parsing is not available yet"}
	case KindImage:
		return nil, &Error{Code: CodeUnsupportedInput, Message: fmt.Sprintf(
			"image parsing (OCR) is not available yet (%s)", f.Name)}
	}
	return nil, &Error{Code: CodeUnsupportedInput, Message: fmt.Sprintf(
		"unsupported input: %s (%s); send text, a PDF or an image", f.Name, f.MIME)}
}

// parseText decodes text detected as f and lays it out.
func parseText(data []byte, f Format) (*Document, error) {
	text, err := decodeText(data, f)
	if err != nil {
		return nil, err
	}
	doc := FromText(text)
	for _, p := range doc.Pages {
		if len(p.Words) > 0 {
			return doc, nil
		}
	}
	return nil, &Error{Code: CodeEmptyInput, Message: "the input has no text"}
}

// decodeText returns data as a string, dropping its byte-order mark.
func decodeText(data []byte, f Format) (string, error) {
	switch f {
	case formatUTF16LE:
		return decodeUTF16(data[2:], binary.LittleEndian)
	case formatUTF16BE:
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	if !utf8.ValidString(text) {
		return "", &Error{Code: CodeInvalidEncoding, Message: fmt.Sprintf(
			"the input is not valid UTF-8 (first invalid byte at offset %d); send UTF-8 text",
			invalidUTF8Offset(data))}
	}
	return text, nil
}

// invalidUTF8Offset returns the offset of the first byte of b that is not
// part of a valid UTF-8 sequence.
func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// decodeUTF16 decodes UTF-16 text without its byte-order mark. Unpaired
// surrogates, an odd length and NUL characters are encoding errors.
func decodeUTF16(b []byte, order binary.ByteOrder) (string, error) {
	bad := func(why string) error {
		return &Error{Code: CodeInvalidEncoding, Message: "the input is not valid UTF-16: " + why}
	}
	if len(b)%2 != 0 {
		return "", bad("odd number of bytes")
	}
	var sb strings.Builder
	sb.Grow(len(b) / 2)
	for i := 0; i < len(b); i += 2 {
		r := rune(order.Uint16(b[i:]))
		if utf16.IsSurrogate(r) {
			if i+4 > len(b) {
				return "", bad(fmt.Sprintf("unpaired surrogate at offset %d", i+2))
			}
			r = utf16.DecodeRune(r, rune(order.Uint16(b[i+2:])))
			if r == utf8.RuneError {
				return "", bad(fmt.Sprintf("unpaired surrogate at offset %d", i+2))
			}
			i += 2
		}
		if r == 0 {
			return "", bad(fmt.Sprintf("NUL character at offset %d", i+2))
		}
		sb.WriteRune(r)
	}
	return sb.String(), nil
}
