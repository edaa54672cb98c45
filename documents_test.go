package main

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestDocumentsEndToEnd sends real files through the whole pipeline: a PDF
// with a text layer and a PNG scan (OCR) come back with their fields and
// the page and box each value was read from.
func TestDocumentsEndToEnd(t *testing.T) {
	h := setup(t)
	lines := []string{"ACME Corp", "Invoice No: INV-4711", "Total: 99.50 EUR"}
	pdf := h.apiMustUpload(h.key, "invoice.pdf", "application/pdf", testutil.PDF(lines, []string{"Page 2"}))
	inputs := []map[string]any{{"fileId": pdf.ID}}
	_, ocrErr := exec.LookPath("tesseract")
	if ocrErr == nil {
		img := h.apiMustUpload(h.key, "scan.png", "image/png", testutil.PNG(lines...))
		inputs = append(inputs, map[string]any{"fileId": img.ID})
	} else {
		t.Log("tesseract is not installed: only the PDF is checked")
	}
	b := h.createBatch(h.key, h.invoice, inputs, nil)
	h.startWorker()
	got := h.waitBatch(h.key, b.ID, terminal)
	if got.Status != "PROCESSED" || got.Counts.Failed != 0 {
		t.Fatalf("batch = %+v, want PROCESSED without failures", got)
	}
	for _, r := range h.apiAllRuns(h.key, b.ID) {
		if r.outField("invoice_number") != "INV-4711" {
			t.Errorf("%s: invoice_number = %v, want INV-4711; output %s", *r.Filename, r.outField("invoice_number"), r.Output)
		}
		// The value is drawn on the second line of page 1, right of its
		// label: its box's vertical centre must be that line's.
		wantY := map[string]float64{
			"invoice.pdf": (792 - 704 + 4) / 792.0, // baseline 704 pt, 12 pt text
			"scan.png":    (190 - 17) / 360.0,      // baseline 190 px, 48 px text
		}[*r.Filename]
		prov := r.provenance("invoice_number")
		if prov == nil || prov.Page != 1 || prov.Text != "INV-4711" {
			t.Fatalf("%s: invoice_number provenance = %+v, want page 1 with its text", *r.Filename, prov)
		}
		if cy := (prov.BBox[1] + prov.BBox[3]) / 2; cy < wantY-0.04 || cy > wantY+0.04 || prov.BBox[0] < 0.15 {
			t.Errorf("%s: invoice_number box = %v (centre y %.3f), want centre y %.3f and right of the label",
				*r.Filename, prov.BBox, cy, wantY)
		}
	}
}

// runProvenance is where a field's value was read.
type runProvenance struct {
	Page int
	BBox [4]float64
	Text string
}

// provenance returns the first provenance of the named output field.
func (r apiRun) provenance(name string) *runProvenance {
	var out struct {
		Fields []struct {
			Name       string
			Provenance []runProvenance
		}
	}
	if json.Unmarshal(r.Output, &out) != nil {
		return nil
	}
	for _, f := range out.Fields {
		if f.Name == name && len(f.Provenance) > 0 {
			return &f.Provenance[0]
		}
	}
	return nil
}
