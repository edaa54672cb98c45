package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestEvaluateOCRVariant scores a labelled PDF twice: from its text layer
// and, in the labeled-invoices-ocr set, rendered and read by tesseract.
func TestEvaluateOCRVariant(t *testing.T) {
	t.Parallel()
	if !document.NewOCR(document.OCROptions{}).Available() {
		t.Skip("tesseract is not installed")
	}
	dir := t.TempDir()
	write(t, dir, "manifest.csv", "dataset,document,format,pages,text,task,ground_truth,ground_truth_format\n"+
		"cs,labeled/invoices/statement.pdf,pdf,2,text-layer,extraction,labeled/invoices/statement.pdf.labels.json,labels.json v2\n")
	pdf := testutil.PDF([]string{"Contoso Project Statement", "Receipt # No.: 2468", "Sold To: Fabrikam Residences"}, []string{"Page two"}, []string{"Page three"})
	write(t, dir, "cs/labeled/invoices/statement.pdf", string(pdf))
	write(t, dir, "cs/labeled/invoices/statement.pdf.labels.json",
		`{"document": "statement.pdf", "labels": [{"label": "Receipt No", "value": [{"page": 1, "text": "2468", "boundingBoxes": []}]},
		{"label": "Sold To", "value": [{"page": 1, "text": "Fabrikam Residences", "boundingBoxes": []}]}]}`)
	rep, err := Evaluate(context.Background(), Options{Dir: dir, Concurrency: 2, OCRPages: 2})
	if err != nil {
		t.Fatal(err)
	}
	type doc struct {
		Set, Text string
		Pages     int
		Exact     []bool
	}
	var got []doc
	for _, r := range rep.Documents {
		d := doc{Set: r.Set, Text: r.Text, Pages: r.Pages}
		for _, f := range r.Fields {
			d.Exact = append(d.Exact, f.Exact)
		}
		if r.Failure != nil {
			t.Errorf("%s: %+v", r.Set, r.Failure)
		}
		got = append(got, d)
	}
	want := []doc{
		{Set: "labeled-invoices", Text: TextLayer, Pages: 3, Exact: []bool{true, true}},
		{Set: "labeled-invoices-ocr", Text: TextOCR, Pages: 2, Exact: []bool{true, true}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	for _, tg := range rep.Targets {
		if tg.Name == "OCR field exact match" && (tg.Status != StatusPass || !strings.Contains(tg.Basis, "first 2 pages")) {
			t.Errorf("OCR target = %+v, want PASS over the first 2 pages", tg)
		}
	}
}
