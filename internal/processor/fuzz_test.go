package processor

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// fuzzConfig has a field of each type, with labels, regexes and both; the
// fuzzed label is the first label of two of them.
func fuzzConfig(label string) string {
	l, _ := json.Marshal(label)
	return `{"fields": [
		{"name": "s", "labels": [` + string(l) + `, "Invoice No"], "regex": "[A-Z]+-\\d+"},
		{"name": "n", "type": "number", "labels": ["Qty"], "regex": "Qty:?\\s*(\\d[\\d.,]*)"},
		{"name": "d", "type": "date", "labels": ["Date"]},
		{"name": "m", "type": "money", "labels": [` + string(l) + `, "Total"], "currency": "EUR"},
		{"name": "r", "regex": "(?i)ref[: ]+(\\S+)", "required": true}
	]}`
}

// checkOutput reports every broken invariant of an EXTRACT output.
func checkOutput(t *testing.T, doc *document.Document, out *Output) {
	t.Helper()
	if _, err := json.Marshal(out); err != nil {
		t.Fatalf("json.Marshal(output): %v", err)
	}
	text := doc.Text()
	for _, f := range out.Fields {
		if f.Confidence < 0 || f.Confidence > 1 || math.IsNaN(f.Confidence) {
			t.Errorf("field %s: confidence %v", f.Name, f.Confidence)
		}
		if f.NeedsReview && !out.NeedsReview || f.NeedsReview != (len(f.ReviewReasons) > 0) {
			t.Errorf("field %s: needs review %v with reasons %v, output %v", f.Name, f.NeedsReview, f.ReviewReasons, out.NeedsReview)
		}
		if !strings.Contains(text, f.Text) {
			t.Errorf("field %s: text %q is not in the document", f.Name, f.Text)
		}
		for _, p := range f.Provenance {
			b := p.BBox
			if p.Page < 1 || p.Page > len(doc.Pages) || b[0] < 0 || b[1] < 0 || b[2] > 1 || b[3] > 1 || b[0] > b[2] || b[1] > b[3] {
				t.Errorf("field %s: provenance %+v is not on a page", f.Name, p)
			}
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(invoiceText, "Invoice #")
	f.Add("Qty: 1.234,5\nDate: 29.02.2024\nRef: X\fTotal\n$ (12.00)", "Total:")
	f.Add("Invoice#A-1   Date\n  B-2     1 März 2024", "#")
	f.Add("İnvoice No: 5 €\nTOTAL 1 234,56 zł", "İ")
	f.Fuzz(func(t *testing.T, text, label string) {
		p, err := New(TypeExtract, json.RawMessage(fuzzConfig(label)))
		var cerr *ConfigError
		if errors.As(err, &cerr) {
			t.Skip()
		}
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		doc := document.FromText(text)
		out, err := p.Process(context.Background(), doc)
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		checkOutput(t, doc, out)
	})
}

func FuzzNew(f *testing.F) {
	f.Add([]byte(invoiceConfig))
	f.Add([]byte(`{"fields": [{"name": "a", "labels": ["A"], "date_order": "MDY"}], "review_threshold": -1}`))
	f.Add([]byte(`{"fields": [{"name": "a", "regex": "(", "labels": [1]}]}`))
	f.Fuzz(func(t *testing.T, config []byte) {
		_, err := New(TypeExtract, config)
		var cerr *ConfigError
		if err != nil && !errors.As(err, &cerr) {
			t.Errorf("New(%q) = %v, want nil or a *ConfigError", config, err)
		}
	})
}
