package document

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// denseTextPDF returns pages of 50 lines of invoice-like text each.
func denseTextPDF(pages int) []byte {
	var ps []pdfPage
	for range pages {
		content := ""
		for y := 750.0; y > 50; y -= 14 {
			content += pdfText(50, y, 10, "Invoice No: INV-1  Date 2024-03-01  Qty 3 x 12.50 EUR  Total 1.234,56 EUR")
		}
		ps = append(ps, pdfPage{Content: content})
	}
	return buildPDF(ps...)
}

// BenchmarkPDFTextLayer measures text-layer parsing on one instance:
// pages/s on a generated 10-page PDF and over the corpus's text-layer PDFs
// when the corpus is present.
//
//	go test ./internal/document -run '^$' -bench PDFTextLayer -benchtime 20x
func BenchmarkPDFTextLayer(b *testing.B) {
	e := newTestPDF(b, PDFOptions{Instances: 1})
	b.Run("generated-10-pages", func(b *testing.B) {
		benchmarkPDFs(b, e, [][]byte{denseTextPDF(10)})
	})
	b.Run("corpus", func(b *testing.B) {
		dir := pdfCorpusDir(b)
		var docs [][]byte
		for _, c := range corpusPDFs(b, dir) {
			data, err := os.ReadFile(filepath.Join(dir, c.path))
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
		benchmarkPDFs(b, e, docs)
	})
}

// benchmarkPDFs parses docs b.N times and reports pages/s and ms/page.
func benchmarkPDFs(b *testing.B, e *PDF, docs [][]byte) {
	pages := 0
	for b.Loop() {
		for _, data := range docs {
			doc, err := e.Parse(context.Background(), data, PDFParseOptions{})
			if err != nil {
				b.Fatal(err)
			}
			pages += len(doc.Pages)
		}
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(pages)/s, "pages/s")
	b.ReportMetric(s*1000/float64(pages), "ms/page")
	b.ReportMetric(0, "ns/op")
}
