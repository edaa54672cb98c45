package processor

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// mustNew builds an EXTRACT processor or fails the test.
func mustNew(t testing.TB, config string) Processor {
	t.Helper()
	p, err := New(TypeExtract, json.RawMessage(config))
	if err != nil {
		t.Fatalf("New(%s): %v", config, err)
	}
	return p
}

// extractText runs an EXTRACT processor with config on a text document.
func extractText(t testing.TB, config, text string) *Output {
	t.Helper()
	out, err := mustNew(t, config).Process(context.Background(), document.FromText(text))
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return out
}

// ignoreProvenance compares fields without their provenance.
var ignoreProvenance = cmpopts.IgnoreFields(Field{}, "Provenance")

func TestExtractField(t *testing.T) {
	t.Parallel()
	const (
		str       = `{"fields": [{"name": "f", "labels": ["Invoice No", "Invoice #"]}]}`
		strRegex  = `{"fields": [{"name": "f", "labels": ["Invoice No"], "regex": "INV-\\d+"}]}`
		greedy    = `{"fields": [{"name": "f", "labels": ["Address"], "regex": "[0-9][0-9A-Za-z-]* [^\\n]+"}]}`
		required  = `{"fields": [{"name": "f", "labels": ["PO Number"], "required": true}]}`
		date      = `{"fields": [{"name": "f", "type": "date", "labels": ["Date"]}]}`
		money     = `{"fields": [{"name": "f", "type": "money", "labels": ["Total"], "currency": "EUR"}]}`
		qty       = `{"fields": [{"name": "f", "type": "number", "regex": "Qty:\\s*(\\d+)"}]}`
		strNoType = `{"fields": [{"name": "f", "labels": ["Bill to", "Customer", "No"]}]}`
	)
	field := func(value any, text string, conf float64, reasons ...string) Field {
		return Field{Name: "f", Type: FieldString, Value: value, Text: text, Confidence: conf, NeedsReview: len(reasons) > 0, ReviewReasons: reasons}
	}
	typed := func(typ FieldType, f Field) Field { f.Type = typ; return f }
	tests := []struct {
		name   string
		config string
		text   string
		want   Field
	}{
		{"label right", str, "Invoice No: 12345\n", field("12345", "12345", 0.85)},
		{"label right, other case and punctuation", str, "INVOICE NO.: 12345", field("12345", "12345", 0.85)},
		{"label right, no space before #", str, "Invoice#: 12345", field("12345", "12345", 0.85)},
		{"label right across a column gap after a colon", str, "Invoice No:        12345", field("12345", "12345", 0.85)},
		{"label right stops at a column gap", str, "Invoice No: F 1234/12      Date: 2021-01-01", field("F 1234/12", "F 1234/12", 0.85)},
		{"label right stops at the next label", str, "Invoice No: 12345 Date: 2021-01-01", field("12345", "12345", 0.85)},
		{"label must be whole words", strNoType, "Note: nothing\nNo: 42", field("42", "42", 0.85)},
		{"label at the end of its line: value below", strNoType, "Bill to:\nACME Corp\n12 Main St", field("ACME Corp", "ACME Corp", 0.8)},
		{"label right is another label: value below", str, "Invoice No:         Date:\nINV-7               2024-01-01", field("INV-7", "INV-7", 0.8)},
		{"value below after a blank line", date, "Invoice No      Date\n\nINV-001         2024-03-01", typed(FieldDate, field("2024-03-01", "2024-03-01", 0.8))},
		{"nothing usable right: value below", date, "Date (dd.mm.yyyy)\n01.03.2024", typed(FieldDate, field("2024-03-01", "01.03.2024", 0.8))},
		{"nothing below within two lines", strNoType, "Bill to:\n\n\n\nACME Corp", field(nil, "", 0)},
		{"header row: below beats right across a gap", str, "Invoice No       Date\nINV-001          2024-03-01",
			field("INV-001", "INV-001", 0.425, ReasonLowConfidence, ReasonAmbiguous)},
		{"label and regex agree", strRegex, "Invoice No: INV-001", field("INV-001", "INV-001", 0.95)},
		{"label and regex agree below", strRegex, "Invoice No\nINV-001", field("INV-001", "INV-001", 0.9)},
		{"a greedy regex stops at the phrase's column gap", greedy, "5 Address                Requester\n100 Test Address         Jamie Doe",
			field("100 Test Address", "100 Test Address", 0.9)},
		{"regex finds what the label did not", strRegex, "Invoice No: 12345\nRef: INV-001", field("INV-001", "INV-001", 0.6, ReasonLowConfidence)},
		{"label value does not match the regex", strRegex, "Invoice No: 12345", field(nil, "12345", 0.2, ReasonParseFailed)},
		{"regex group is the value", qty, "Item A   Qty: 5   12.00", typed(FieldNumber, field(5.0, "5", 0.75))},
		{"regex matches agree", qty, "Qty: 5\nQty: 5", typed(FieldNumber, field(5.0, "5", 0.75))},
		{"regex matches disagree", qty, "Qty: 5\nQty: 7", typed(FieldNumber, field(5.0, "5", 0.375, ReasonLowConfidence, ReasonAmbiguous))},
		{"missing required", required, "Invoice No: 1", field(nil, "", 0, ReasonMissingRequired)},
		{"missing optional", str, "nothing here", field(nil, "", 0)},
		{"date", date, "Date: 1 March 2024", typed(FieldDate, field("2024-03-01", "1 March 2024", 0.85))},
		{"ambiguous date order lowers confidence", date, "Date: 01/03/2024", typed(FieldDate, field("2024-03-01", "01/03/2024", 0.765))},
		{"date does not parse", date, "Date: tomorrow", typed(FieldDate, field(nil, "tomorrow", 0.2, ReasonParseFailed))},
		{"money with the default currency", money, "Total: 1.234,56", typed(FieldMoney, field(Money{1234.56, "EUR"}, "1.234,56", 0.85))},
		{"money with its own currency", money, "Total   $ 99.50", typed(FieldMoney, field(Money{99.5, "USD"}, "$ 99.50", 0.675, ReasonLowConfidence))},
		{"money under a header", money, "Net        Total\n100,00     119,00 EUR", typed(FieldMoney, field(Money{119, "EUR"}, "119,00 EUR", 0.8))},
		{"the same label with different values", money, "Total: 100.00\nTotal: 119.00", typed(FieldMoney, field(Money{100, "EUR"}, "100.00", 0.425, ReasonLowConfidence, ReasonAmbiguous))},
		{"the same value twice", money, "Total: 100.00\nTotal: 100,00 EUR", typed(FieldMoney, field(Money{100, "EUR"}, "100.00", 0.85))},
		{"label inside a word does not match", money, "Subtotal: 100.00\nTotals follow", typed(FieldMoney, field(nil, "", 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := extractText(t, tt.config, tt.text)
			if diff := cmp.Diff([]Field{tt.want}, out.Fields, ignoreProvenance); diff != "" {
				t.Errorf("field mismatch (-want +got):\n%s", diff)
			}
			if out.NeedsReview != tt.want.NeedsReview {
				t.Errorf("Output.NeedsReview = %v, want %v", out.NeedsReview, tt.want.NeedsReview)
			}
		})
	}
}

func TestExtractNestedLabels(t *testing.T) {
	t.Parallel()
	out := extractText(t, `{"fields": [{"name": "due", "type": "money", "labels": ["Total", "Total Due"]}]}`, "Total Due: 7.00 EUR\nPaid: 0")
	want := []Field{{Name: "due", Type: FieldMoney, Value: Money{7, "EUR"}, Text: "7.00 EUR", Confidence: 0.85}}
	if diff := cmp.Diff(want, out.Fields, ignoreProvenance); diff != "" {
		t.Errorf("fields mismatch (-want +got):\n%s", diff)
	}
}

func TestExtractProvenance(t *testing.T) {
	t.Parallel()
	// The page is 85 columns × 66 rows.
	box := func(row, col0, col1 int) [4]float64 {
		return roundBox(document.Box{X0: float64(col0) / 85, Y0: float64(row) / 66, X1: float64(col1) / 85, Y1: float64(row+1) / 66})
	}
	tests := []struct {
		name   string
		config string
		text   string
		want   []Provenance
	}{
		{"words right of a label", `{"fields": [{"name": "f", "labels": ["Customer"]}]}`, "\nCustomer:  ACME Corp", []Provenance{{Page: 1, BBox: box(1, 11, 20), Text: "ACME Corp"}}},
		{"part of a word", `{"fields": [{"name": "f", "labels": ["Invoice #"]}]}`, "Invoice#123", []Provenance{{Page: 1, BBox: box(0, 8, 11), Text: "123"}}},
		{"regex group", `{"fields": [{"name": "f", "type": "number", "regex": "Qty:(\\d+)"}]}`, "    Qty:12", []Provenance{{Page: 1, BBox: box(0, 8, 10), Text: "12"}}},
		{"second page", `{"fields": [{"name": "f", "labels": ["Ref"]}]}`, "page one\f\n\nRef: X-1", []Provenance{{Page: 2, BBox: box(2, 5, 8), Text: "X-1"}}},
		{"across pages", `{"fields": [{"name": "f", "regex": "(?s)A.*B"}]}`, "xx A\fB", []Provenance{{Page: 1, BBox: box(0, 3, 4), Text: "A"}, {Page: 2, BBox: box(0, 0, 1), Text: "B"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := extractText(t, tt.config, tt.text)
			if diff := cmp.Diff(tt.want, out.Fields[0].Provenance); diff != "" {
				t.Errorf("provenance mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ocrDocument is a one-line OCR page: "Total: 12.50" with the amount read at
// confidence conf.
func ocrDocument(conf float64) *document.Document {
	words := []document.Word{
		{Text: "Total:", Box: document.Box{X0: 0.1, Y0: 0.1, X1: 0.2, Y1: 0.12}, Source: document.SourceOCR, Confidence: 0.99},
		{Text: "12.50", Box: document.Box{X0: 0.21, Y0: 0.1, X1: 0.3, Y1: 0.12}, Source: document.SourceOCR, Confidence: conf},
	}
	return &document.Document{Kind: document.KindImage, Pages: []document.Page{{
		Number: 1, Width: 612, Height: 792, Words: words,
		Lines: []document.Line{{Text: "Total: 12.50", Box: document.Box{X0: 0.1, Y0: 0.1, X1: 0.3, Y1: 0.12}, Words: []int{0, 1}}},
	}}}
}

func TestExtractOCRConfidence(t *testing.T) {
	t.Parallel()
	p := mustNew(t, `{"fields": [{"name": "total", "type": "number", "labels": ["Total"]}]}`)
	tests := []struct {
		wordConf float64
		want     Field
	}{
		{1, Field{Name: "total", Type: FieldNumber, Value: 12.5, Text: "12.50", Confidence: 0.85}},
		{0.6, Field{Name: "total", Type: FieldNumber, Value: 12.5, Text: "12.50", Confidence: 0.51, NeedsReview: true, ReviewReasons: []string{ReasonLowConfidence}}},
	}
	for _, tt := range tests {
		out, err := p.Process(context.Background(), ocrDocument(tt.wordConf))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Field{tt.want}, out.Fields, ignoreProvenance); diff != "" {
			t.Errorf("word confidence %v: fields mismatch (-want +got):\n%s", tt.wordConf, diff)
		}
	}
}

// spacedDocument lays out lines of words read from src, each word given
// with the left edge of its box; every character is 0.01 of the page wide.
func spacedDocument(src document.Source, lines ...[]spacedWord) *document.Document {
	page := document.Page{Number: 1, Width: 612, Height: 792}
	for li, words := range lines {
		y := 0.1 * float64(li+1)
		line := document.Line{}
		var texts []string
		for _, w := range words {
			box := document.Box{X0: w.x, Y0: y, X1: w.x + 0.01*float64(len(w.text)), Y1: y + 0.015}
			line.Words = append(line.Words, len(page.Words))
			line.Box = line.Box.Union(box)
			texts = append(texts, w.text)
			page.Words = append(page.Words, document.Word{Text: w.text, Box: box, Source: src, Confidence: 1, Line: li})
		}
		line.Text = strings.Join(texts, " ")
		page.Lines = append(page.Lines, line)
	}
	return &document.Document{Kind: document.KindImage, Pages: []document.Page{page}}
}

// spacedWord is a word and the left edge of its box.
type spacedWord struct {
	text string
	x    float64
}

func TestExtractOCRWordSpacing(t *testing.T) {
	t.Parallel()
	p := mustNew(t, `{"date_order": "DMY", "fields": [{"name": "issued", "type": "date", "labels": ["vom"]}]}`)
	// The title's date is 1.6 characters right of "vom": a column gap
	// between a text layer's boxes, which span each character's advance,
	// but a word space between OCR boxes, which hug the ink and measure
	// the same spacing wider.
	lines := [][]spacedWord{
		{{"Rechnung", 0.1}, {"vom", 0.19}, {"05.03.2018", 0.236}},
		{{"Bestellung", 0.1}, {"vom", 0.21}, {"01.03.2018.", 0.25}},
	}
	for _, tt := range []struct {
		src  document.Source
		want string
	}{
		{document.SourceOCR, "2018-03-05"},
		{document.SourceTextLayer, "2018-03-01"},
	} {
		out, err := p.Process(context.Background(), spacedDocument(tt.src, lines...))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Fields[0].Value; got != tt.want {
			t.Errorf("%s words: issued = %v, want %s", tt.src, got, tt.want)
		}
	}
}

func TestExtractReviewThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		threshold string
		want      bool
	}{
		{`0.7`, false},
		{`0.9`, true},
		{`0`, false},
	}
	for _, tt := range tests {
		out := extractText(t, `{"review_threshold": `+tt.threshold+`, "fields": [{"name": "f", "labels": ["Ref"]}]}`, "Ref: 1")
		if out.NeedsReview != tt.want || out.Fields[0].NeedsReview != tt.want {
			t.Errorf("threshold %s: NeedsReview = %v, field %v; want %v", tt.threshold, out.NeedsReview, out.Fields[0].NeedsReview, tt.want)
		}
	}
}

func TestExtractNoFields(t *testing.T) {
	t.Parallel()
	out := extractText(t, `{"fields": []}`, "Invoice No: 1")
	if diff := cmp.Diff(&Output{Type: TypeExtract}, out); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
}

func TestExtractErrors(t *testing.T) {
	t.Parallel()
	p := mustNew(t, `{"fields": [{"name": "f", "labels": ["Ref"]}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Process(ctx, document.FromText("Ref: 1")); !errors.Is(err, context.Canceled) {
		t.Errorf("Process with a cancelled context = %v, want context.Canceled", err)
	}
	_, err := p.Process(context.Background(), nil)
	var perr *Error
	if !errors.As(err, &perr) || perr.Code != CodeProcessorError {
		t.Errorf("Process(nil) = %v, want a *Error with code %s", err, CodeProcessorError)
	}
}

// TestProcessConcurrently shares one processor between goroutines, as the
// worker does; run it with -race.
func TestProcessConcurrently(t *testing.T) {
	t.Parallel()
	p := mustNew(t, invoiceConfig)
	want, err := p.Process(context.Background(), document.FromText(invoiceText))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := p.Process(context.Background(), document.FromText(invoiceText))
			if err == nil && !cmp.Equal(want, got) {
				err = errors.New("outputs differ:\n" + cmp.Diff(want, got))
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
