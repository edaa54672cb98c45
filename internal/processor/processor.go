package processor

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Type is the kind of work a processor does on a document.
type Type string

const (
	// TypeExtract reads named, typed fields (invoice number, total, date…).
	TypeExtract Type = "EXTRACT"
	// TypeClassify assigns the document one of a set of classes.
	TypeClassify Type = "CLASSIFY"
	// TypeSplit cuts a multi-document input into segments of pages.
	TypeSplit Type = "SPLIT"
)

// Processor runs on one parsed document. Implementations are safe for
// concurrent use, so one Processor built from a processor version can serve
// every run of it.
type Processor interface {
	// Process returns the processor's output for doc. A problem with doc
	// itself is an *Error; ctx ending returns an error wrapping ctx.Err().
	Process(ctx context.Context, doc *document.Document) (*Output, error)
}

// New validates config for a processor of type t and returns the processor.
// An invalid config is a *ConfigError naming the offending field, meant to
// be shown to the user who created the processor.
func New(t Type, config json.RawMessage) (Processor, error) {
	switch t {
	case TypeExtract:
		if isInvoice2DataConfig(config) {
			return newInvoice2Data(config)
		}
		return newExtractor(config)
	case TypeClassify:
		c, err := newClassifier(config)
		if err != nil {
			return nil, err
		}
		return c, nil
	case TypeSplit:
		s, err := newSplitter(config)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, &ConfigError{Field: "type", Message: fmt.Sprintf("unknown processor type %q; want EXTRACT, CLASSIFY or SPLIT", t)}
}

// ValidateConfig reports whether config is a valid configuration for a
// processor of type t, with the same *ConfigError New returns.
func ValidateConfig(t Type, config json.RawMessage) error {
	_, err := New(t, config)
	return err
}
