package processor

import (
	"context"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// BenchmarkExtractText extracts five fields from a one-page invoice-like
// text, as a worker does for each run (parsing excluded).
func BenchmarkExtractText(b *testing.B) {
	p := mustNew(b, invoiceConfig)
	doc := document.FromText(invoiceText)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndExtractText adds laying out the text to
// BenchmarkExtractText.
func BenchmarkParseAndExtractText(b *testing.B) {
	p := mustNew(b, invoiceConfig)
	ctx := context.Background()
	data := []byte(invoiceText)
	b.ReportAllocs()
	for b.Loop() {
		doc, err := document.Parse(ctx, data, document.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractNoFields is the no-op processor used to measure the
// pipeline's throughput.
func BenchmarkExtractNoFields(b *testing.B) {
	p := mustNew(b, `{"fields": []}`)
	doc := document.FromText(invoiceText)
	ctx := context.Background()
	for b.Loop() {
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}
