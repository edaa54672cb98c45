package eval

import (
	"context"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Parser turns a file's bytes into a Document; *document.Parser
// implements it. It must be safe for concurrent use.
type Parser interface {
	Parse(ctx context.Context, data []byte) (*document.Document, error)
}

// newParser returns the parser Run uses when Options.Parser is nil, and
// the function that releases it. This is the one place that chooses how
// the evaluation parses files; it should be what the worker uses.
//
// Today it is document.Parse, which reads text only: PDFs and images fail
// with UNSUPPORTED_INPUT and count as misses.
func newParser(concurrency int) (Parser, func() error, error) {
	_ = concurrency // the number of PDF instances, once PDFs are parsed
	return textParser{}, func() error { return nil }, nil
}

// textParser is document.Parse with its default limits.
type textParser struct{}

// Parse parses text; other inputs fail with UNSUPPORTED_INPUT.
func (textParser) Parse(ctx context.Context, data []byte) (*document.Document, error) {
	return document.Parse(ctx, data, document.ParseOptions{})
}
