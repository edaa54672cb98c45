package processor

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// FuzzInvoice2DataTemplate compiles arbitrary template text: New must
// answer a processor or a *ConfigError, never panic, and a processor must
// run on a document without panicking and with a well-formed output.
func FuzzInvoice2DataTemplate(f *testing.F) {
	f.Add(i2dLegacyTemplate, i2dInvoice)
	f.Add(i2dTablesTemplate, i2dInvoice)
	f.Add(i2dOptionsTemplate, i2dInvoice)
	f.Add("keywords: [a]\nfields:\n  x: (?<=a)(b)(?=c)\n  y: {parser: lines, start: '', end: '', line: '(?P<z>.*)'}\n", "abc\nd")
	f.Add("keywords: &a [x]\nissuer: *a", "x")
	f.Add("{\"keywords\": \"k\", \"options\": {\"replace\": [[\"(.)\", \"\\\\1\\\\1\"]], \"remove_accents\": true}}", "kéé")
	f.Add("keywords: ['(?i)A']\nlines: [{start: a, end: $, line: '^(?P<n>\\d+)', types: {n: date}}]\n", "a\n1\n2\fa3")
	f.Fuzz(func(t *testing.T, template, text string) {
		raw, _ := json.Marshal(map[string]any{"invoice2data": map[string]any{"templates": []string{template}}})
		p, err := New(TypeExtract, raw)
		var cerr *ConfigError
		if errors.As(err, &cerr) {
			return
		}
		if err != nil {
			t.Fatalf("New = %v, want nil or a *ConfigError", err)
		}
		doc := document.FromText(text)
		out, err := p.Process(context.Background(), doc)
		var perr *Error
		if errors.As(err, &perr) {
			return
		}
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		checkI2DOutput(t, doc, out)
	})
}

// checkI2DOutput reports every broken invariant of an invoice2data output.
func checkI2DOutput(t *testing.T, doc *document.Document, out *Output) {
	t.Helper()
	if _, err := json.Marshal(out); err != nil {
		t.Fatalf("json.Marshal(output): %v", err)
	}
	fields := append([]Field(nil), out.Fields...)
	for _, tb := range out.Tables {
		for _, r := range tb.Rows {
			fields = append(fields, r.Cells...)
			checkProvenance(t, doc, "row of "+tb.Name, r.Provenance)
		}
		if tb.NeedsReview && !out.NeedsReview {
			t.Errorf("table %s needs review, the output does not", tb.Name)
		}
	}
	for _, f := range fields {
		if f.Confidence < 0 || f.Confidence > 1 || math.IsNaN(f.Confidence) {
			t.Errorf("field %s: confidence %v", f.Name, f.Confidence)
		}
		if f.NeedsReview != (len(f.ReviewReasons) > 0) {
			t.Errorf("field %s: needs review %v with reasons %v", f.Name, f.NeedsReview, f.ReviewReasons)
		}
		checkProvenance(t, doc, f.Name, f.Provenance)
	}
}

// checkProvenance reports provenance that is not on a page of doc.
func checkProvenance(t *testing.T, doc *document.Document, name string, ps []Provenance) {
	t.Helper()
	for _, p := range ps {
		b := p.BBox
		if p.Page < 1 || p.Page > len(doc.Pages) || b[0] < 0 || b[1] < 0 || b[2] > 1 || b[3] > 1 || b[0] > b[2] || b[1] > b[3] {
			t.Errorf("%s: provenance %+v is not on a page", name, p)
		}
	}
}
