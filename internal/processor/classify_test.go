package processor

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// mustProcessor builds a processor of type t or fails the test.
func mustProcessor(t testing.TB, typ Type, config string) Processor {
	t.Helper()
	p, err := New(typ, json.RawMessage(config))
	if err != nil {
		t.Fatalf("New(%s, %s): %v", typ, config, err)
	}
	return p
}

// classify runs a CLASSIFY processor with config on doc.
func classify(t testing.TB, config string, doc *document.Document) *Classification {
	t.Helper()
	out, err := mustProcessor(t, TypeClassify, config).Process(context.Background(), doc)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if out.Type != TypeClassify || out.Class == nil {
		t.Fatalf("Process returned %+v, want a CLASSIFY output with a class", out)
	}
	return out.Class
}

const standardConfig = `{"preset": "standard"}`

func TestClassifyStandard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"invoice", invoicePage, "invoice"},
		{"German invoice", rechnungPage, "invoice"},
		{"receipt", receiptPage, "receipt"},
		{"W-9 form", w9Page, "tax_form"},
		{"contract", contractPage, "contract"},
		{"bank statement", bankStatementPage, "bank_statement"},
		{"payslip", payslipPage, "payslip"},
		{"driver license", driverLicensePage, "id_document"},
		{"business card", businessCardPage, "business_card"},
		{"closing disclosure", closingDisclosurePage, "mortgage_form"},
		{"gibberish", gibberishPage, ClassOther},
		{"meeting notes", meetingNotesPage, ClassOther},
		{"empty", "", ClassOther},
		{"contract with its signature page", contractPage + "\f" + contractSignaturePage, "contract"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := classify(t, standardConfig, document.FromText(tt.text))
			if got.Class != tt.want {
				t.Errorf("class = %q (confidence %.3f, scores %v), want %q", got.Class, got.Confidence, got.Scores, tt.want)
			}
			checkClassification(t, got, 9)
		})
	}
}

// checkClassification checks the invariants of every classification: a
// score for each of n classes, all in 0–1, the confidence in 0–1, evidence
// only for a real class and with boxes on the page.
func checkClassification(t *testing.T, c *Classification, n int) {
	t.Helper()
	if len(c.Scores) != n {
		t.Errorf("%d scores, want %d: %v", len(c.Scores), n, c.Scores)
	}
	for name, s := range c.Scores {
		if s < 0 || s > 1 {
			t.Errorf("score of %s = %v, want 0–1", name, s)
		}
	}
	if c.Confidence < 0 || c.Confidence > 1 {
		t.Errorf("confidence = %v, want 0–1", c.Confidence)
	}
	if c.Class != ClassOther && c.Confidence < DefaultOtherThreshold {
		t.Errorf("class %s chosen with confidence %v below the threshold", c.Class, c.Confidence)
	}
	if c.Class == ClassOther && len(c.Evidence) > 0 {
		t.Errorf("fallback class other has evidence %v", c.Evidence)
	}
	if len(c.Evidence) > maxEvidence {
		t.Errorf("%d evidence words, want at most %d", len(c.Evidence), maxEvidence)
	}
	for _, e := range c.Evidence {
		b := e.BBox
		if e.Page < 1 || b[0] < 0 || b[1] < 0 || b[2] > 1 || b[3] > 1 || b[0] >= b[2] || b[1] >= b[3] || e.Text == "" {
			t.Errorf("evidence %+v is not a box on a page", e)
		}
	}
}

func TestClassifyEvidence(t *testing.T) {
	t.Parallel()
	// A text page is 85 columns × 66 rows: a word at column c, row r, n
	// characters long, has the box [c/85, r/66, (c+n)/85, (r+1)/66].
	text := "INVOICE\nInvoice No: 42\nAmount due: 100 EUR" + "\f" + strings.Repeat("\n", 30) + "Payment terms: 30 days"
	got := classify(t, `{"classes": [
		{"name": "invoice", "titles": ["Invoice"], "keywords": ["invoice no", "amount due", "payment terms"]},
		{"name": "receipt", "titles": ["Receipt"], "keywords": ["change", "cashier"]}
	]}`, document.FromText(text))
	box := func(col, row, n int) [4]float64 {
		return roundBox(document.Box{X0: float64(col) / 85, Y0: float64(row) / 66, X1: float64(col+n) / 85, Y1: float64(row+1) / 66})
	}
	// Ordered by weight: the phrases in page 1's title zone (three times
	// the weight), the title and the two-word phrases weighing 1.5 times a
	// word, in reading order; then the phrase on page 2.
	want := []Provenance{
		{Page: 1, BBox: box(0, 0, 7), Text: "INVOICE"},
		{Page: 1, BBox: box(0, 1, 10), Text: "Invoice No"},
		{Page: 1, BBox: box(0, 2, 10), Text: "Amount due"},
		{Page: 2, BBox: box(0, 30, 13), Text: "Payment terms"},
	}
	if got.Class != "invoice" {
		t.Fatalf("class = %q, want invoice", got.Class)
	}
	if diff := cmp.Diff(want, got.Evidence); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
}

func TestClassifyEvidenceIsTheWinnersTopFive(t *testing.T) {
	t.Parallel()
	got := classify(t, standardConfig, document.FromText(invoicePage))
	if len(got.Evidence) != maxEvidence {
		t.Fatalf("%d evidence words, want %d: %+v", len(got.Evidence), maxEvidence, got.Evidence)
	}
	// The title "INVOICE" and "Invoice No" sit in the title zone; the
	// phrases of two or more words there weigh the most.
	texts := make([]string, len(got.Evidence))
	for i, e := range got.Evidence {
		texts[i] = e.Text
	}
	for _, w := range []string{"Invoice No", "INVOICE"} {
		if !strings.Contains(strings.Join(texts, "|"), w) {
			t.Errorf("evidence %q lacks %q", texts, w)
		}
	}
}

func TestClassifyCustomClasses(t *testing.T) {
	t.Parallel()
	config := `{"classes": [
		{"name": "recipe", "description": "A cooking recipe: ingredients with quantities, oven temperature, baking or cooking time, and numbered preparation steps."},
		{"name": "poem", "examples": ["The woods are lovely, dark and deep, but I have promises to keep, and miles to go before I sleep.", "Shall I compare thee to a summer's day? Thou art more lovely and more temperate."]},
		{"name": "invoice", "titles": ["Invoice"], "keywords": ["amount due", "invoice no"]}
	]}`
	tests := []struct {
		name, text, want string
	}{
		{"by description", "Banana bread\nIngredients: 3 ripe bananas, 250 g flour, 2 eggs, 100 g sugar.\nPreparation: 1. Heat the oven to a temperature of 180 C. 2. Mash the bananas. 3. Bake for 60 minutes.", "recipe"},
		{"by example", "Over the dark woods the evening falls;\nthe lovely deep silence keeps its promises\nand I have miles to walk before I sleep.", "poem"},
		{"by keywords", invoicePage, "invoice"},
		{"none", meetingNotesPage, ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := classify(t, config, document.FromText(tt.text))
			if got.Class != tt.want {
				t.Errorf("class = %q (scores %v), want %q", got.Class, got.Scores, tt.want)
			}
			checkClassification(t, got, 3)
		})
	}
}

func TestClassifyThresholds(t *testing.T) {
	t.Parallel()
	// One keyword in running text is weak evidence: "other" by default,
	// the class when the threshold is 0.
	const text = "Please find the agreement we talked about attached to this note."
	const classes = `"classes": [{"name": "contract", "keywords": ["agreement"]}, {"name": "invoice", "keywords": ["invoice"]}]`
	tests := []struct {
		name, config, want string
	}{
		{"default threshold", `{` + classes + `}`, ClassOther},
		{"no threshold", `{` + classes + `, "other_threshold": 0}`, "contract"},
		{"threshold 1", `{` + classes + `, "other_threshold": 1}`, ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := classify(t, tt.config, document.FromText(text))
			if got.Class != tt.want {
				t.Errorf("class = %q (scores %v), want %q", got.Class, got.Scores, tt.want)
			}
		})
	}
}

func TestClassifyMargin(t *testing.T) {
	t.Parallel()
	// Two classes with the same evidence tie: "other", unless no margin is
	// required, when the first class wins.
	const classes = `"classes": [{"name": "a", "titles": ["Statement"]}, {"name": "b", "titles": ["Statement"]}], "other_threshold": 0`
	text := "STATEMENT\n\nStatement of the board"
	if got := classify(t, `{`+classes+`}`, document.FromText(text)); got.Class != ClassOther {
		t.Errorf("tie: class = %q (scores %v), want other", got.Class, got.Scores)
	}
	if got := classify(t, `{`+classes+`, "min_margin": 0}`, document.FromText(text)); got.Class != "a" {
		t.Errorf("tie without margin: class = %q (scores %v), want a", got.Class, got.Scores)
	}
}

func TestClassifyExplicitOther(t *testing.T) {
	t.Parallel()
	config := `{"preset": "standard", "classes": [{"name": "other", "titles": ["Lorem ipsum"], "keywords": ["dolor sit amet"]}]}`
	got := classify(t, config, document.FromText(gibberishPage))
	if got.Class != ClassOther || len(got.Evidence) == 0 {
		t.Errorf("class = %q with evidence %v, want other with evidence", got.Class, got.Evidence)
	}
	if _, ok := got.Scores[ClassOther]; !ok {
		t.Errorf("scores %v lack the explicit class other", got.Scores)
	}
}

func TestClassifyPresetOverride(t *testing.T) {
	t.Parallel()
	// A class named like a preset class replaces it: this "receipt" only
	// knows the word "Quittung".
	config := `{"preset": "standard", "classes": [{"name": "receipt", "titles": ["Quittung"]}, {"name": "purchase_order", "titles": ["Purchase Order"], "keywords": ["PO number", "ship to", "delivery date"]}]}`
	if got := classify(t, config, document.FromText(receiptPage)); got.Class == "receipt" {
		t.Errorf("receipt classified as the replaced class receipt (scores %v)", got.Scores)
	}
	po := "PURCHASE ORDER\nPO number: 7781\nShip to: Warehouse 3\nDelivery date: 2024-05-01\n"
	got := classify(t, config, document.FromText(po))
	if got.Class != "purchase_order" {
		t.Errorf("class = %q (scores %v), want purchase_order", got.Class, got.Scores)
	}
	checkClassification(t, got, 10)
}

func TestClassifyTitleZoneWeighsMore(t *testing.T) {
	t.Parallel()
	config := `{"classes": [{"name": "invoice", "titles": ["Invoice"]}, {"name": "receipt", "titles": ["Receipt"]}], "min_margin": 0, "other_threshold": 0}`
	// Both words once: the one at the top of page 1 decides.
	body := strings.Repeat("lorem ipsum dolor\n", 20)
	for _, tt := range []struct{ text, want string }{
		{"Receipt\n" + body + "invoice", "receipt"},
		{"Invoice\n" + body + "receipt", "invoice"},
	} {
		if got := classify(t, config, document.FromText(tt.text)); got.Class != tt.want {
			t.Errorf("%q…: class = %q (scores %v), want %q", tt.text[:8], got.Class, got.Scores, tt.want)
		}
	}
}

func TestClassifyMatching(t *testing.T) {
	t.Parallel()
	// Keywords match whole words, across case, plurals, diacritics and
	// punctuation, but not inside other words.
	config := `{"classes": [{"name": "c", "keywords": ["invoice", "numéro de facture", "form w-9", "Straße"]}], "other_threshold": 0}`
	tests := []struct {
		text string
		want []string
	}{
		{"INVOICES", []string{"INVOICES"}},
		{"Numero de Facture: 12", []string{"Numero de Facture"}},
		{"Form W9 and FORM W-9", []string{"FORM W-9"}},
		{"Strasse", []string{"Strasse"}},
		{"reinvoice invoiced", nil},
	}
	for _, tt := range tests {
		got := classify(t, config, document.FromText(tt.text))
		var texts []string
		for _, e := range got.Evidence {
			texts = append(texts, e.Text)
		}
		if diff := cmp.Diff(tt.want, texts); diff != "" {
			t.Errorf("%q: evidence (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestClassifyDeterministic(t *testing.T) {
	t.Parallel()
	p := mustProcessor(t, TypeClassify, standardConfig)
	doc := document.FromText(invoicePage + "\f" + receiptPage + "\f" + w9Page)
	first, err := p.Process(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := p.Process(context.Background(), doc)
			if err != nil {
				t.Error(err)
				return
			}
			if diff := cmp.Diff(first, got); diff != "" {
				t.Errorf("second run differs (-first +second):\n%s", diff)
			}
		})
	}
	wg.Wait()
}

func TestClassifyErrors(t *testing.T) {
	t.Parallel()
	p := mustProcessor(t, TypeClassify, standardConfig)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Process(ctx, document.FromText(invoicePage)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	var perr *Error
	if _, err := p.Process(context.Background(), nil); !errors.As(err, &perr) || perr.Code != CodeProcessorError {
		t.Errorf("nil document: err = %v, want a %s *Error", err, CodeProcessorError)
	}
}

func TestClassifyOCRWordsKeepTheirSource(t *testing.T) {
	t.Parallel()
	// Evidence from a scanned page points at the OCR words' boxes.
	doc := document.FromText("RECEIPT\nCash 20.00\nChange 3.50")
	doc.Kind = document.KindImage
	for i := range doc.Pages[0].Words {
		doc.Pages[0].Words[i].Source, doc.Pages[0].Words[i].Confidence = document.SourceOCR, 0.6
	}
	got := classify(t, standardConfig, doc)
	if got.Class != "receipt" || len(got.Evidence) == 0 || got.Evidence[0].Page != 1 {
		t.Errorf("got %+v, want receipt with evidence on page 1", got)
	}
}

func TestStandardClassesCompile(t *testing.T) {
	t.Parallel()
	classes := StandardClasses()
	for i, c := range classes {
		if err := checkClass(c, "standard"); err != nil {
			t.Errorf("class %d: %v", i, err)
		}
	}
	// A fresh copy each time: callers may change it.
	classes[0].Name = "changed"
	if StandardClasses()[0].Name != "invoice" {
		t.Error("StandardClasses returned a shared slice")
	}
}
