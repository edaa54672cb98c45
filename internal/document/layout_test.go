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

func TestLayoutSpansLocateWords(t *testing.T) {
	doc := FromText("Invoice No:   INV-1\n\n      Total   12,50 €\tEUR")
	p := &doc.Pages[0]
	text, spans := p.LayoutSpans()
	if text != p.LayoutText() {
		t.Errorf("LayoutSpans text = %q, want LayoutText %q", text, p.LayoutText())
	}
	if len(spans) != len(p.Words) {
		t.Fatalf("got %d spans for %d words", len(spans), len(p.Words))
	}
	for i, s := range spans {
		if got, want := text[s.Start:s.End], p.Words[s.Word].Text; got != want {
			t.Errorf("span %d = %q, want word %d %q", i, got, s.Word, want)
		}
		if i > 0 && s.Start < spans[i-1].End {
			t.Errorf("span %d starts at %d, before the previous span ends (%d)", i, s.Start, spans[i-1].End)
		}
	}
}

// TestLayoutTextBounded pins the padding limit: words with tiny boxes far
// apart must not turn into megabytes of spaces.
func TestLayoutTextBounded(t *testing.T) {
	p := Page{Words: []Word{
		{Text: "a", Box: Box{X0: 0, Y0: 0, X1: 1e-9, Y1: 1e-9}},
		{Text: "b", Box: Box{X0: 0.99, Y0: 0.99, X1: 0.99 + 1e-9, Y1: 0.99 + 1e-9}},
	}, Lines: []Line{
		{Text: "a", Box: Box{X0: 0, Y0: 0, X1: 1e-9, Y1: 1e-9}, Words: []int{0}},
		{Text: "b", Box: Box{X0: 0.99, Y0: 0.99, X1: 0.99 + 1e-9, Y1: 0.99 + 1e-9}, Words: []int{1}},
	}}
	if got := len(p.LayoutText()); got > 3*maxLayoutCells {
		t.Errorf("layout text is %d bytes; want at most %d", got, 3*maxLayoutCells)
	}
}
