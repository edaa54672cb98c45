package document

import "testing"

func TestLayoutTextKeepsColumns(t *testing.T) {
	for _, text := range []string{
		"Invoice No:   INV-1\nDate          2024-03-01\n\n      Total   12.50 EUR",
		"single",
		"a\fb  c",
	} {
		if got := FromText(text).LayoutText(); got != text {
			t.Errorf("LayoutText(FromText(%q)) = %q, want the text back", text, got)
		}
	}
}
