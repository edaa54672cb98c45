package processor

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOutputJSON pins the JSON the worker stores on a run: its keys, value
// shapes per type, review reasons and provenance. The date is ambiguous
// because the label "Date" also matches in "Due Date".
func TestOutputJSON(t *testing.T) {
	t.Parallel()
	out := extractText(t, invoiceConfig, invoiceText)
	got, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
	  "type": "EXTRACT",
	  "fields": [
	    {"name": "invoice_number", "type": "string", "value": "INV-2024-0042", "text": "INV-2024-0042", "confidence": 0.95, "needs_review": false,
	     "provenance": [{"page": 1, "bbox": [0.1412, 0.0455, 0.2941, 0.0606], "text": "INV-2024-0042"}]},
	    {"name": "date", "type": "date", "value": "2024-03-01", "text": "01.03.2024", "confidence": 0.425, "needs_review": true,
	     "review_reasons": ["low_confidence", "ambiguous"],
	     "provenance": [{"page": 1, "bbox": [0.5765, 0.0455, 0.6941, 0.0606], "text": "01.03.2024"}]},
	    {"name": "total", "type": "money", "value": {"amount": 121.98, "currency": "EUR"}, "text": "121,98 EUR", "confidence": 0.85, "needs_review": false,
	     "provenance": [{"page": 1, "bbox": [0.7412, 0.1818, 0.8588, 0.197], "text": "121,98 EUR"}]},
	    {"name": "qty", "type": "number", "value": 3, "text": "3", "confidence": 0.75, "needs_review": false,
	     "provenance": [{"page": 1, "bbox": [0.4353, 0.0909, 0.4471, 0.1061], "text": "3"}]},
	    {"name": "po_number", "type": "string", "value": null, "confidence": 0, "needs_review": true, "review_reasons": ["missing_required"]}
	  ],
	  "needs_review": true
	}`
	var wantJSON, gotJSON any
	if err := json.Unmarshal([]byte(want), &wantJSON); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &gotJSON); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantJSON, gotJSON); diff != "" {
		t.Errorf("output JSON mismatch (-want +got):\n%s\ngot: %s", diff, got)
	}
}

func TestOutputJSONNoFields(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(&Output{Type: TypeExtract})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"EXTRACT","needs_review":false}`; string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
}
