package processor

import (
	"context"
	"testing"
)

// benchPages are ten pages of different documents.
var benchPages = []string{
	invoiceFirstPage, invoiceContinuationPage, receiptPage, w9Page, contractPage,
	contractSignaturePage, bankStatementPage, payslipPage, closingDisclosurePage, rechnungPage,
}

// BenchmarkClassify classifies a ten-page document with the standard
// preset (parsing excluded) and reports the time per page.
func BenchmarkClassify(b *testing.B) {
	p := mustProcessor(b, TypeClassify, standardConfig)
	doc := bundle(benchPages...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(doc.Pages)), "ns/page")
}

// BenchmarkSplit20Pages splits a twenty-page bundle with the standard
// preset and extracts two fields from each invoice.
func BenchmarkSplit20Pages(b *testing.B) {
	p := mustProcessor(b, TypeSplit, `{"extract": {"invoice": {"fields": [
		{"name": "invoice_number", "labels": ["Invoice No"]}, {"name": "total", "type": "money", "labels": ["Amount Due"]}]}}}`)
	doc := bundle(append(benchPages, benchPages...)...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(doc.Pages)), "ns/page")
}
