package processor

import (
	"context"
	"strings"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// benchPages are ten pages of different documents.
var benchPages = []string{
	invoicePage, rechnungPage, receiptPage, w9Page, contractPage,
	contractSignaturePage, bankStatementPage, payslipPage, closingDisclosurePage, driverLicensePage,
}

// BenchmarkClassify classifies a ten-page document with the standard
// preset (parsing excluded) and reports the time per page.
func BenchmarkClassify(b *testing.B) {
	p := mustProcessor(b, TypeClassify, standardConfig)
	doc := document.FromText(strings.Join(benchPages, "\f"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(doc.Pages)), "ns/page")
}
