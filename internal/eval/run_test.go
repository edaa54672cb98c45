package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// tinyManifest lists the documents of the corpus tinyCorpus builds.
const tinyManifest = `dataset,document,format,pages,text,task,ground_truth,ground_truth_format
invoice2data,tests/compare/acme.txt,txt,1,plain-text (pre-extracted),extraction,tests/compare/acme.json,invoice2data output JSON
invoice2data,tests/custom/basic.txt,txt,1,plain-text (pre-extracted),extraction,tests/custom/basic.json,invoice2data output JSON
zugferd-corpus,FX/rechnung.txt,txt,1,plain-text,extraction (invoice header + totals),expected/rechnung.expected.json,flat JSON
cs,labeled/invoices/statement.txt,txt,1,plain-text,"extraction (custom template, label anchors, bbox)",labeled/invoices/statement.txt.labels.json,labels.json v2
di,by_class/invoice/invoice.txt,txt,1,plain-text,classification,labels.csv,"CSV path,class"
tx,fixtures/payslip.txt,txt,1,plain-text,classification (paystub),,none
split,bundle.txt,txt,2,plain-text,splitting+classification,bundle.expected.json,documents[]
tx,fixtures/empty.txt,txt,1,plain-text,robustness,,none
tx,fixtures/gone.pdf,pdf,1,text-layer,robustness,,none
`

// statementText is the labelled document; tinyCorpus boxes its labels
// where document.FromText lays its words out.
const statementText = `Contoso, Ltd.                          Project Statement
                                       Receipt # No.: 2468
   Sold To    Fabrikam Residences
              ID#: 1197531
`

// tinyCorpus writes a corpus of text documents, one or two per set, with
// their truths.
func tinyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"manifest.csv": tinyManifest,
		"invoice2data/templates/com/com.acme.yml": "issuer: ACME Corp\nkeywords:\n  - ACME Corp\nfields:\n" +
			"  amount: Total:\\s+([\\d.]+)\n  date: Date:\\s+(\\d{4}-\\d{2}-\\d{2})\n  invoice_number: Invoice No\\.\\s+(\\d+)\noptions:\n  currency: USD\n",
		"invoice2data/tests/compare/acme.txt": "ACME Corp\nInvoice No. 1001\nDate: 2024-03-01\nTotal: 12.50\n",
		// amount_untaxed is in the truth but not in the template: a miss.
		"invoice2data/tests/compare/acme.json": `[{"issuer": "ACME Corp", "amount": 12.5, "amount_untaxed": 10.0, "date": "2024-03-01",
			"invoice_number": "1001", "currency": "USD", "desc": "Invoice from ACME Corp"}]`,
		"invoice2data/tests/custom/basic.txt":  "Basic Test\nInvoice 0999/09/2022\n",
		"invoice2data/tests/custom/basic.json": `[{"issuer": "Basic Test", "invoice_number": "0999/09/2022", "desc": "x"}]`,
		"zugferd-corpus/FX/rechnung.txt": "Handelsrechnung (380) Nr. 4711 vom 05.03.2018\nWährung: EUR\n\nVerkäufer\nName: Lieferant GmbH\n\n" +
			"Käufer\nName: Kunden AG\n\nBruttosumme 1.234,56\nZahlbetrag 1.234,56\n",
		"zugferd-corpus/expected/rechnung.expected.json": `{"source_xml": "x.xml", "invoice_number": "4711", "issue_date": "2018-03-05",
			"seller_name": "Lieferant GmbH", "buyer_name": "Kunden AG Mitte", "currency": "EUR", "grand_total": "1234.56",
			"due_payable_amount": "1234.56", "line_count": 2}`,
		"cs/labeled/invoices/statement.txt":             statementText,
		"cs/labeled/invoices/statement.txt.labels.json": labelsJSON(t, statementText, map[string]string{"Receipt No": "2468", "Sold To": "Fabrikam Residences"}),
		"di/labels.csv": "path,class\nby_class/invoice/invoice.txt,invoice\n",
		"di/by_class/invoice/invoice.txt": "INVOICE\nInvoice number: 4711   Invoice date: 2024-03-01\nBill to: Fabrikam\n" +
			"Qty  Unit price  Line total\n2  10.00  20.00\nSubtotal 20.00\nVAT 3.80\nTotal due 23.80\nPayment terms: net 30\n",
		"tx/fixtures/payslip.txt": "PAYSLIP\nEmployee name: Jane Doe   Employee ID: 42\nPay period: March 2024   Pay date: 2024-03-31\n" +
			"Gross pay 4,000.00\nFederal income tax 600.00\nSocial security tax 248.00\nNet pay 3,152.00\nYTD gross 12,000.00\n",
		"split/bundle.txt":           "INVOICE\nTotal 1.00\n\fINVOICE\nTotal 2.00\n",
		"split/bundle.expected.json": `{"file": "bundle.txt", "documents": [{"first_page": 1, "last_page": 1, "class": "invoice"}, {"first_page": 2, "last_page": 2, "class": "invoice"}]}`,
		"tx/fixtures/empty.txt":      "",
	}
	for name, content := range files {
		write(t, dir, name, content)
	}
	return dir
}

// labelsJSON returns a labels.json whose values are boxed where FromText
// puts their words.
func labelsJSON(t *testing.T, text string, values map[string]string) string {
	t.Helper()
	page := document.FromText(text).Pages[0]
	type value struct {
		Page  int         `json:"page"`
		Text  string      `json:"text"`
		Boxes [][]float64 `json:"boundingBoxes"`
	}
	type label struct {
		Label string  `json:"label"`
		Value []value `json:"value"`
	}
	var labels []label
	for name, v := range values {
		l := label{Label: name}
		for _, w := range strings.Fields(v) {
			i := indexWord(page, w)
			if i < 0 {
				t.Fatalf("word %q is not in the text", w)
			}
			b := page.Words[i].Box
			l.Value = append(l.Value, value{Page: 1, Text: w, Boxes: [][]float64{{b.X0, b.Y0, b.X1, b.Y0, b.X1, b.Y1, b.X0, b.Y1}}})
		}
		labels = append(labels, l)
	}
	raw, err := json.Marshal(map[string]any{"document": "statement.txt", "labels": labels})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// indexWord returns the index of the first word w on page, or -1.
func indexWord(page document.Page, w string) int {
	for i := range page.Words {
		if page.Words[i].Text == w {
			return i
		}
	}
	return -1
}

func TestEvaluateTinyCorpus(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(context.Background(), Options{Dir: tinyCorpus(t), Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	one := 1.0
	ratio := func(n, d float64) *float64 { r := n / d; return &r }
	want := []SetSummary{
		{Set: SetInvoice2Data, Documents: 1, Fields: 6, Exact: 5, ExactRate: ratio(5, 6), Pages: 1},
		{Set: SetInvoice2DataCustom, Documents: 1, NoTemplate: 1, Fields: 2, ExactRate: ratio(0, 2), Pages: 1},
		{Set: SetZUGFeRD, Documents: 1, Fields: 7, Exact: 6, ExactRate: ratio(6, 7), Pages: 1,
			NotAttempted: map[string]int{"line_count": 1}},
		{Set: "labeled-invoices", Documents: 1, Fields: 2, Exact: 2, ExactRate: &one, Boxed: 2, IoUHits: 2, IoURate: &one, Pages: 1},
		{Set: SetClassification, Documents: 2, Classified: 2, Correct: 2, Accuracy: &one, Pages: 2},
		// SPLIT refuses raw text: the file fails, and both documents and the boundary are missed.
		{Set: SetSplitting, Documents: 1, Failed: 1, FN: 1, Precision: &one, Recall: new(float64), F1: new(float64), Segments: 2,
			Pages: 2, Failures: map[string]int{processor.CodeSplitNeedsFile: 1}},
		{Set: SetUnscored, Documents: 2, Failed: 2, Failures: map[string]int{document.CodeEmptyInput: 1, "MISSING_FILE": 1}},
	}
	ignore := cmpopts.IgnoreFields(SetSummary{}, "About", "Seconds", "PagesPerSecond")
	if diff := cmp.Diff(want, rep.Sets, ignore, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("sets (-want +got):\n%s", diff)
	}
	var status []string
	for _, tg := range rep.Targets {
		status = append(status, tg.Status+" "+tg.Name)
	}
	wantStatus := []string{
		"MISS text-layer field exact match", // 13/15: the ACME template has no amount_untaxed, the buyer name is short
		"N/A OCR field exact match",
		"PASS boxed fields with IoU ≥ 0.5",
		"MISS split boundary F1",
		"PASS classification accuracy",
	}
	if diff := cmp.Diff(wantStatus, status); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	for _, d := range rep.Documents {
		if d.Set == SetInvoice2DataCustom && d.Note != "no template available: tests/custom/templates is not in the corpus" {
			t.Errorf("custom document note = %q", d.Note)
		}
	}
}

func TestRunWritesTablesAndJSON(t *testing.T) {
	t.Parallel()
	dir := tinyCorpus(t)
	var text bytes.Buffer
	if err := Run(context.Background(), Options{Dir: dir, Verbose: true}, &text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"basic.txt [invoice2data-custom, plain-text, 1p, ",
		"0/2 fields exact; no template available: tests/custom/templates is not in the corpus",
		"PASS  classification accuracy ≥ 90.0%: 100.0% (2/2 documents)",
		"MISS  split boundary F1 ≥ 0.950: 0.000",
		"zugferd: line_count (1 docs): counting line items needs a line-item table",
		"split/bundle.txt [splitting] process SPLIT_NEEDS_FILE: the split processor needs a multi-page file",
		"tx/fixtures/empty.txt [unscored] parse EMPTY_INPUT: the input is empty",
		`MISS  buyer_name: want "kunden ag mitte", got "kunden ag"`,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, text.String())
		}
	}
	var out bytes.Buffer
	if err := Run(context.Background(), Options{Dir: dir, JSON: true, Only: SetZUGFeRD}, &out); err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("the JSON report does not decode: %v\n%s", err, out.String())
	}
	if len(rep.Documents) != 1 || len(rep.Sets) != 1 || rep.Sets[0].Exact != 6 {
		t.Errorf("JSON report of --only zugferd = %+v", rep.Sets)
	}
}

func TestEvaluateErrors(t *testing.T) {
	t.Parallel()
	dir := tinyCorpus(t)
	for name, opts := range map[string]Options{
		"no directory":   {},
		"no manifest":    {Dir: t.TempDir()},
		"unknown --only": {Dir: dir, Only: "nonesuch"},
	} {
		if _, err := Evaluate(context.Background(), opts); err == nil {
			t.Errorf("%s: Evaluate succeeded", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, Options{Dir: dir}); err == nil {
		t.Error("Evaluate with a cancelled context succeeded")
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want Options
		err  bool
	}{
		{[]string{"corpus"}, Options{Dir: "corpus", OCRPages: DefaultOCRPages}, false},
		{[]string{"--json", "--only", "zugferd", "--concurrency", "4", "corpus"}, Options{Dir: "corpus", JSON: true, Only: "zugferd", Concurrency: 4, OCRPages: DefaultOCRPages}, false},
		{[]string{"corpus", "-v", "--json"}, Options{Dir: "corpus", JSON: true, Verbose: true, OCRPages: DefaultOCRPages}, false},
		{[]string{"--ocr-pages", "0", "corpus"}, Options{Dir: "corpus"}, false},
		{[]string{"--ocr-pages", "-1", "corpus"}, Options{}, true},
		{[]string{}, Options{}, true},
		{[]string{"a", "b"}, Options{}, true},
		{[]string{"--concurrency", "-1", "corpus"}, Options{}, true},
		{[]string{"--nonesuch", "corpus"}, Options{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFlags(tt.args, &bytes.Buffer{})
		if (err != nil) != tt.err {
			t.Errorf("ParseFlags(%q) error = %v, want error %v", tt.args, err, tt.err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseFlags(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
}

// ExampleParseFlags reads the arguments of `sheaf eval`; flags may follow
// the directory.
func ExampleParseFlags() {
	opts, err := ParseFlags([]string{"--only", "zugferd", "../shared/corpus", "--json"}, io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opts.Dir, opts.Only, opts.JSON)
	// Output: ../shared/corpus zugferd true
}
