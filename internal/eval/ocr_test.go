package eval

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// minimalPDF returns a PDF of US Letter pages, each showing its lines in
// 14-point Helvetica from the top-left, 24 points apart.
func minimalPDF(pages ...[]string) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	var kids []string
	for _, lines := range pages {
		var content strings.Builder
		for i, l := range lines {
			fmt.Fprintf(&content, "BT /F1 14 Tf 72 %d Td (%s) Tj ET\n", 720-24*i, l)
		}
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", len(objs)))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

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
	pdf := minimalPDF([]string{"Contoso Project Statement", "Receipt # No.: 2468", "Sold To: Fabrikam Residences"}, []string{"Page two"}, []string{"Page three"})
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
