package processor

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// bundle builds a multi-page file, as the PDF parser would, from the text
// of each page: every page laid out by document.FromText, numbered in
// order, the document's kind a PDF.
func bundle(pages ...string) *document.Document {
	doc := &document.Document{Kind: document.KindPDF}
	for i, text := range pages {
		p := document.FromText(text).Pages[0]
		p.Number = i + 1
		doc.Pages = append(doc.Pages, p)
	}
	return doc
}

// split runs a SPLIT processor with config on doc.
func split(t testing.TB, config string, doc *document.Document) *Output {
	t.Helper()
	out, err := mustProcessor(t, TypeSplit, config).Process(context.Background(), doc)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if out.Type != TypeSplit {
		t.Fatalf("output type %s, want SPLIT", out.Type)
	}
	return out
}

// seg is a segment without its confidence and output.
func seg(class string, start, end int) Segment {
	return Segment{Class: class, StartPage: start, EndPage: end}
}

// ignoreSegmentScores compares segments by class and pages.
var ignoreSegmentScores = cmpopts.IgnoreFields(Segment{}, "Confidence", "Output")

// checkSegments checks that segs cover the pages 1..n in order, without
// gaps or overlaps, with confidences in 0–1.
func checkSegments(t *testing.T, segs []Segment, n int) {
	t.Helper()
	next := 1
	for _, s := range segs {
		if s.StartPage != next || s.EndPage < s.StartPage || s.Confidence < 0 || s.Confidence > 1 {
			t.Errorf("segment %+v does not continue at page %d with a confidence in 0–1", s, next)
		}
		next = s.EndPage + 1
	}
	if next != n+1 {
		t.Errorf("segments %+v end at page %d, want %d", segs, next-1, n)
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pages []string
		want  []Segment
	}{
		{
			name: "page 1 of N numbering",
			pages: []string{
				withFooter(invoiceFirstPage, "Page 1 of 2"), withFooter(invoiceContinuationPage, "Page 2 of 2"),
				withFooter(contractPage, "Page 1 of 2"), withFooter(contractSignaturePage, "Page 2 of 2"),
				w9Page,
			},
			want: []Segment{seg("invoice", 1, 2), seg("contract", 3, 4), seg("tax_form", 5, 5)},
		},
		{
			name:  "bare k/N numbering",
			pages: []string{withFooter(bankStatementPage, "1/2"), withFooter(bankStatementSecondPage, "2/2"), withFooter(payslipPage, "1/1")},
			want:  []Segment{seg("bank_statement", 1, 2), seg("payslip", 3, 3)},
		},
		{
			name:  "title page then body",
			pages: []string{contractTitlePage, contractBodyPage, contractSignaturePage, invoicePage, payslipPage},
			want:  []Segment{seg("contract", 1, 3), seg("invoice", 4, 4), seg("payslip", 5, 5)},
		},
		{
			name:  "one-word cover page",
			pages: []string{invoicePage, "\n\n\n          AGREEMENT", contractBodyPage},
			want:  []Segment{seg("invoice", 1, 1), seg("contract", 2, 3)},
		},
		{
			name:  "continuation page",
			pages: []string{invoiceFirstPage, invoiceContinuationPage, receiptPage},
			want:  []Segment{seg("invoice", 1, 2), seg("receipt", 3, 3)},
		},
		{
			name:  "consecutive invoices with different numbers",
			pages: []string{invoiceWithNumber("NW-10401"), invoiceWithNumber("NW-10402"), invoiceWithNumber("NW-10403")},
			want:  []Segment{seg("invoice", 1, 1), seg("invoice", 2, 2), seg("invoice", 3, 3)},
		},
		{
			name:  "two-page invoice with its header repeated",
			pages: []string{invoiceFirstPage, invoiceRepeatedHeaderPage},
			want:  []Segment{seg("invoice", 1, 2)},
		},
		{
			name:  "consecutive pay slips",
			pages: []string{payslipPage, secondPayslipPage, driverLicensePage},
			want:  []Segment{seg("payslip", 1, 1), seg("payslip", 2, 2), seg("id_document", 3, 3)},
		},
		{
			name:  "blank page stays with the document before",
			pages: []string{invoicePage, "", receiptPage},
			want:  []Segment{seg("invoice", 1, 2), seg("receipt", 3, 3)},
		},
		{
			name:  "class change without cues",
			pages: []string{closingDisclosurePage, bankStatementPage, rechnungPage, gibberishPage},
			want:  []Segment{seg("mortgage_form", 1, 1), seg("bank_statement", 2, 2), seg("invoice", 3, 4)},
		},
		{
			name:  "one page",
			pages: []string{receiptPage},
			want:  []Segment{seg("receipt", 1, 1)},
		},
	}
	var tp, fp, fn int
	for _, tt := range tests {
		out := split(t, `{"classify": "standard"}`, bundle(tt.pages...))
		checkSegments(t, out.Segments, len(tt.pages))
		if diff := cmp.Diff(tt.want, out.Segments, ignoreSegmentScores); diff != "" {
			t.Errorf("%s: segments (-want +got):\n%s", tt.name, diff)
		}
		a, b, c := BoundaryCounts(out.Segments, tt.want)
		tp, fp, fn = tp+a, fp+b, fn+c
	}
	p, r, f1 := PrecisionRecallF1(tp, fp, fn)
	t.Logf("boundaries: precision %.3f, recall %.3f, F1 %.3f (%d true, %d false, %d missed)", p, r, f1, tp, fp, fn)
	if f1 < 1 {
		t.Errorf("boundary F1 = %.3f over the bundles, want 1", f1)
	}
}

func TestSplitConfidence(t *testing.T) {
	t.Parallel()
	// Strong cues (numbering resets, new invoice numbers) make surer
	// segments than a bare class change.
	numbered := split(t, `{}`, bundle(withFooter(invoiceFirstPage, "Page 1 of 2"), withFooter(invoiceContinuationPage, "Page 2 of 2"), withFooter(contractPage, "Page 1 of 1")))
	weak := split(t, `{}`, bundle(invoicePage, meetingNotesPage))
	for _, s := range numbered.Segments {
		if s.Confidence < 0.8 {
			t.Errorf("numbered bundle: segment %+v, want a confidence ≥ 0.8", s)
		}
	}
	if len(weak.Segments) != 1 || weak.Segments[0].Confidence >= numbered.Segments[0].Confidence {
		t.Errorf("cue-less bundle: segments %+v, want one less sure than %+v", weak.Segments, numbered.Segments[0])
	}
}

func TestSplitMinConfidence(t *testing.T) {
	t.Parallel()
	pages := []string{invoiceWithNumber("NW-1"), invoiceWithNumber("NW-2"), receiptPage}
	tests := []struct {
		config string
		want   []Segment
	}{
		{`{"min_confidence": 0}`, []Segment{seg("invoice", 1, 1), seg("invoice", 2, 2), seg("receipt", 3, 3)}},
		{`{"min_confidence": 0.5}`, []Segment{seg("invoice", 1, 1), seg("invoice", 2, 2), seg("receipt", 3, 3)}},
		{`{"min_confidence": 1}`, []Segment{seg("invoice", 1, 3)}},
	}
	for _, tt := range tests {
		got := split(t, tt.config, bundle(pages...))
		if diff := cmp.Diff(tt.want, got.Segments, ignoreSegmentScores); diff != "" {
			t.Errorf("%s: segments (-want +got):\n%s", tt.config, diff)
		}
	}
	// With no confidence needed, every page starts a document.
	got := split(t, `{"min_confidence": 0}`, bundle(invoiceFirstPage, invoiceContinuationPage))
	if len(got.Segments) != 2 {
		t.Errorf("min_confidence 0: segments %+v, want one per page", got.Segments)
	}
}

func TestSplitExtractsSegments(t *testing.T) {
	t.Parallel()
	config := `{
		"classify": {"preset": "standard"},
		"extract": {
			"invoice": {"fields": [
				{"name": "invoice_number", "labels": ["Invoice No"], "required": true},
				{"name": "total", "type": "money", "labels": ["Amount Due"]}
			]},
			"other": {"fields": []}
		}
	}`
	out := split(t, config, bundle(receiptPage, withFooter(invoiceFirstPage, "Page 1 of 2"), withFooter(invoiceContinuationPage, "Page 2 of 2"), gibberishPage))
	want := []Segment{seg("receipt", 1, 1), seg("invoice", 2, 3), seg("other", 4, 4)}
	if diff := cmp.Diff(want, out.Segments, ignoreSegmentScores); diff != "" {
		t.Fatalf("segments (-want +got):\n%s", diff)
	}
	if out.Segments[0].Output != nil {
		t.Errorf("receipt segment has output %+v; no extraction is configured for receipts", out.Segments[0].Output)
	}
	if o := out.Segments[2].Output; o == nil || len(o.Fields) != 0 {
		t.Errorf("other segment output = %+v, want the empty extraction", o)
	}
	got := out.Segments[1].Output
	if got == nil || got.Type != TypeExtract {
		t.Fatalf("invoice segment output = %+v, want an extraction", got)
	}
	// The values keep the page numbers of the file: the invoice number on
	// page 2, the total on page 3.
	wantFields := []Field{
		{Name: "invoice_number", Type: FieldString, Value: "NW-10377", Text: "NW-10377", Confidence: 0.85,
			Provenance: []Provenance{{Page: 2, BBox: roundBox(pageBox(invoiceFirstPage, "NW-10377")), Text: "NW-10377"}}},
		{Name: "total", Type: FieldMoney, Value: Money{Amount: 575.04, Currency: "GBP"}, Text: "GBP 575.04", Confidence: 0.85,
			Provenance: []Provenance{{Page: 3, BBox: roundBox(pageBox(invoiceContinuationPage, "GBP 575.04")), Text: "GBP 575.04"}}},
	}
	if diff := cmp.Diff(wantFields, got.Fields); diff != "" {
		t.Errorf("invoice fields (-want +got):\n%s", diff)
	}
	if got.NeedsReview || out.NeedsReview {
		t.Errorf("needs review: segment %v, output %v; want false", got.NeedsReview, out.NeedsReview)
	}
}

// pageBox returns the box of the first occurrence of s, a run of words on
// one line, on the page laid out from text.
func pageBox(text, s string) document.Box {
	ix := newIndex(document.FromText(text))
	i := indexOf(ix.text, s)
	var b document.Box
	for t := ix.tokenAt(i); t < len(ix.tokens) && ix.tokens[t].start < i+len(s); t++ {
		b = b.Union(ix.word(t).Box)
	}
	return b
}

// indexOf is strings.Index that fails loudly in a fixture.
func indexOf(text, s string) int {
	for i := 0; i+len(s) <= len(text); i++ {
		if text[i:i+len(s)] == s {
			return i
		}
	}
	panic("fixture text lacks " + s)
}

func TestSplitExtractsWithInvoice2Data(t *testing.T) {
	t.Parallel()
	config := `{"extract": {"invoice": {"invoice2data": {"templates": [
		{"issuer": "Northwind", "keywords": ["Northwind Office Supply"], "fields": {"invoice_number": "Invoice No:\\s+(NW-\\d+)"}}
	]}}}}`
	out := split(t, config, bundle(receiptPage, invoiceWithNumber("NW-555")))
	if len(out.Segments) != 2 || out.Segments[1].Output == nil {
		t.Fatalf("segments %+v, want a receipt and an extracted invoice", out.Segments)
	}
	got := out.Segments[1].Output
	var number any
	for _, f := range got.Fields {
		if f.Name == "invoice_number" {
			number = f.Value
		}
	}
	if got.Template != "Northwind" || number != "NW-555" {
		t.Errorf("invoice output: template %q, invoice_number %v; want Northwind, NW-555", got.Template, number)
	}
}

func TestSplitNeedsReviewFromSegments(t *testing.T) {
	t.Parallel()
	config := `{"extract": {"invoice": {"fields": [{"name": "po_number", "labels": ["PO Number"], "required": true}]}}}`
	out := split(t, config, bundle(invoicePage, receiptPage))
	if !out.NeedsReview || out.Segments[0].Output == nil || !out.Segments[0].Output.NeedsReview {
		t.Errorf("output needs review %v, segment output %+v; want the missing PO number to need review", out.NeedsReview, out.Segments[0].Output)
	}
}

func TestSplitRejectsText(t *testing.T) {
	t.Parallel()
	p := mustProcessor(t, TypeSplit, `{}`)
	_, err := p.Process(context.Background(), document.FromText(invoicePage+"\f"+receiptPage))
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	want := Error{Code: CodeSplitNeedsFile, Message: "the split processor needs a multi-page file (PDF or image), not raw text"}
	if diff := cmp.Diff(want, *perr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	p := mustProcessor(t, TypeSplit, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Process(ctx, bundle(invoicePage)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	var perr *Error
	if _, err := p.Process(context.Background(), nil); !errors.As(err, &perr) || perr.Code != CodeProcessorError {
		t.Errorf("nil document: err = %v, want a %s *Error", err, CodeProcessorError)
	}
	out, err := p.Process(context.Background(), &document.Document{Kind: document.KindPDF})
	if err != nil || len(out.Segments) != 0 {
		t.Errorf("no pages: %+v, %v; want no segments", out, err)
	}
}

func TestSplitConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		want         ConfigError
	}{
		{"no config", ``, ConfigError{"", "a JSON object is required"}},
		{"array", `[]`, ConfigError{"", "must be a JSON object"}},
		{"unknown setting", `{"classes": []}`, ConfigError{"classes", "unknown setting; want one of [classify extract min_confidence]"}},
		{"min confidence above 1", `{"min_confidence": 2}`, ConfigError{"min_confidence", "must be between 0 and 1"}},
		{"min confidence is a string", `{"min_confidence": "high"}`, ConfigError{"min_confidence", "must be a number, not string"}},
		{"unknown preset", `{"classify": "legal"}`, ConfigError{"classify.preset", `unknown preset "legal"; want "standard"`}},
		{"classify is a number", `{"classify": 3}`, ConfigError{"classify", "must be a JSON object"}},
		{"empty classify", `{"classify": {}}`, ConfigError{"classify.classes", "needs at least one class, or a preset"}},
		{"bad class", `{"classify": {"classes": [{"name": "a b", "keywords": ["x"]}]}}`, ConfigError{"classify.classes[0].name", `"a b" must start with a letter or _ and hold only letters, digits and _`}},
		{"unknown classify setting", `{"classify": {"preset": "standard", "x": 1}}`, ConfigError{"classify.x", "unknown setting; want one of [preset classes other_threshold min_margin]"}},
		{"extract is an array", `{"extract": []}`, ConfigError{"extract", "must be an object, not array"}},
		{"extract is null", `{"extract": null}`, ConfigError{"extract", "must be a JSON object"}},
		{"extract for an unknown class", `{"classify": {"classes": [{"name": "memo", "titles": ["Memo"]}]}, "extract": {"invoice": {"fields": []}}}`, ConfigError{"extract.invoice", "unknown class \"invoice\"; want one of [memo other]"}},
		{"bad extract config", `{"extract": {"invoice": {"fields": [{"name": "total", "type": "amount", "labels": ["Total"]}]}}}`, ConfigError{"extract.invoice.fields[0].type", `unknown type "amount"; want string, number, date or money`}},
		{"extract config missing fields", `{"extract": {"receipt": {}}}`, ConfigError{"extract.receipt.fields", "is required (an empty list is allowed)"}},
		{"bad invoice2data template", `{"extract": {"invoice": {"invoice2data": {"templates": [{"issuer": "X"}]}}}}`, ConfigError{"extract.invoice.invoice2data.templates[0].keywords", "is required: the texts (regexes) that pick the template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(TypeSplit, json.RawMessage(tt.config))
			var got *ConfigError
			if !errors.As(err, &got) {
				t.Fatalf("New(%s) = %v, want a *ConfigError", tt.config, err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("ConfigError (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitCues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       pageCues
	}{
		{"page k of n", "Invoice\n\nPage 2 of 3", pageCues{num: 2, of: 3}},
		{"German", "Rechnung\nSeite 1 von 4", pageCues{num: 1, of: 4}},
		{"Spanish", "Factura\nPágina 3 de 3", pageCues{num: 3, of: 3}},
		{"p. k/n", "Statement\n\nText\n\nMore text\n\nEnd p. 2/5", pageCues{num: 2, of: 5}},
		{"bare k/n footer", "Report\n\nbody\n\nmore\n\n        3/7", pageCues{num: 3, of: 7}},
		{"bare k/n mid-page is no number", "a\nb\nc\nd\n1/2\ne\nf\ng\nh", pageCues{}},
		{"page k without a total", "Form W-9 (Rev. 10-2018)    Page 2\nbody", pageCues{num: 2}},
		{"dashed number", "body\n\n- 4 -", pageCues{num: 4}},
		{"a date is no page number", "p 01/06/1958", pageCues{}},
		{"k above n is no page number", "Page 5 of 3", pageCues{}},
		{"see page is no page number", "a\nb\nc\nd\nSee page 4 for details\ne\nf\ng\nh", pageCues{}},
		{"invoice numbers", "Invoice No: INV-2024-7\nRechnungsnummer: 2024/0815\nInvoice #A1B2", pageCues{ids: []string{"INV-2024-7", "2024/0815", "A1B2"}}},
		{"customer number is no document number", "Customer No: 4711\nOrder number 99812", pageCues{}},
		{"invoice date is no number", "Invoice Date: 12.03.2024", pageCues{}},
		{"continued at the top", "(continued)\nItem  Qty", pageCues{contTop: true}},
		{"continued on next page", "Items\n\n\nContinued on next page", pageCues{contNext: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readCues(newIndex(document.FromText(tt.text)), 0)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(pageCues{})); diff != "" {
				t.Errorf("cues of %q (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}
