package processor

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// TestLabelsMatchWithoutAccents: OCR drops umlauts ("Wahrung" for
// "Währung") and configs may leave them out; labels still match, and the
// value and its provenance are the document's own text.
func TestLabelsMatchWithoutAccents(t *testing.T) {
	for _, tc := range []struct {
		label, text, want string
	}{
		{"Währung", "Rechnung 12\nWahrung: EUR\n", "EUR"},
		{"Wahrung", "Rechnung 12\nWährung: EUR\n", "EUR"},
		{"Fälligkeitsdatum", "FALLIGKEITSDATUM: 2024-03-01", "2024-03-01"},
		{"Käufer", "Kaufer Müller GmbH\nVerkäufer Schmidt AG", "Müller GmbH"},
	} {
		cfg, _ := json.Marshal(map[string]any{"fields": []map[string]any{{"name": "v", "type": "string", "labels": []string{tc.label}}}})
		p, err := New(TypeExtract, cfg)
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Process(context.Background(), document.FromText(tc.text))
		if err != nil {
			t.Fatal(err)
		}
		if f := out.Fields[0]; f.Value != tc.want || len(f.Provenance) == 0 || f.Provenance[0].Text != tc.want {
			t.Errorf("label %q in %q: value %v (provenance %+v), want %q", tc.label, tc.text, f.Value, f.Provenance, tc.want)
		}
	}
}

func TestPlainTextOffsets(t *testing.T) {
	text := "Größe: ÄÖÜ é"
	p := newPlainText(text)
	for _, sp := range p.find("aou", 5) {
		if got := text[sp.start:sp.end]; got != "ÄÖÜ" {
			t.Errorf("found %q, want ÄÖÜ", got)
		}
	}
	if len(p.find("grosse", 5)) != 0 {
		t.Error("ß must not match ss: it is a letter, not an accent")
	}
}
