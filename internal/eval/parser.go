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
// the function that releases it: the same parser the worker uses (PDFium
// for PDFs, tesseract in the given languages for images and scanned
// pages), with one PDFium instance per concurrent document.
func newParser(concurrency int, ocrLang string) (Parser, func() error, error) {
	p, err := document.NewParser(document.ParserOptions{PDFInstances: concurrency,
		Recognizer: document.NewOCR(document.OCROptions{Lang: ocrLang})})
	if err != nil {
		return nil, nil, err
	}
	return p, p.Close, nil
}
