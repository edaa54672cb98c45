package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

func TestScoreI2DKey(t *testing.T) {
	t.Parallel()
	out := &processor.Output{
		Fields: []processor.Field{
			{Name: "amount", Type: processor.FieldMoney, Value: processor.Money{Amount: 4.11, Currency: "USD"}},
			{Name: "date", Type: processor.FieldDate, Value: "2014-08-03"},
			{Name: "issuer", Type: processor.FieldString, Value: "Amazon Web Services"},
			{Name: "siren", Type: processor.FieldNumber, Value: 530848134.0},
			{Name: "narration", Type: processor.FieldString, Value: "SCONL03"},
		},
		Tables: []processor.Table{{Name: "lines", Rows: []processor.Row{
			{Cells: []processor.Field{{Name: "name", Value: "AWS Data Transfer"}, {Name: "price_unit", Type: processor.FieldNumber, Value: 0.01}}},
			{Cells: []processor.Field{{Name: "name", Value: "EC2"}, {Name: "price_unit", Type: processor.FieldNumber, Value: 0.5}}},
		}}},
	}
	tests := []struct {
		key         string
		want        any
		wantResult  FieldResult
		cells, good int
	}{
		{"amount", 4.11, FieldResult{Name: "amount", Want: "4.11", Got: "4.11", Exact: true}, 0, 0},
		{"date", "2014-08-03", FieldResult{Name: "date", Want: "2014-08-03", Got: "2014-08-03", Exact: true}, 0, 0},
		{"issuer", "amazon web services ", FieldResult{Name: "issuer", Want: "amazon web services", Got: "amazon web services", Exact: true}, 0, 0},
		{"siren", "530848134", FieldResult{Name: "siren", Want: "530848134", Got: "530848134", Exact: true}, 0, 0},
		{"currency", "USD", FieldResult{Name: "currency", Want: "usd"}, 0, 0},
		// invoice2data lists a value matched several times; one distinct value is that value.
		{"narration", []any{"SCONL03", "SCONL03"}, FieldResult{Name: "narration", Want: "sconl03", Got: "sconl03", Exact: true}, 0, 0},
		{"lines", []any{
			map[string]any{"name": "AWS Data Transfer", "price_unit": "0.01"},
			map[string]any{"name": "EC2", "price_unit": "0.50"},
		}, FieldResult{Name: "lines", Want: "2 rows, 4 cells", Got: "2 rows, 4/4 cells exact", Exact: true}, 4, 4},
		{"lines", []any{
			map[string]any{"name": "AWS Data Transfer", "price_unit": "0.01"},
			map[string]any{"name": "EC2", "price_unit": "0.60"},
			map[string]any{"name": "S3"},
		}, FieldResult{Name: "lines", Want: "3 rows, 5 cells", Got: "2 rows, 3/5 cells exact"}, 5, 3},
	}
	for _, tt := range tests {
		got, cells, good := scoreI2DKey(tt.key, tt.want, out)
		if diff := cmp.Diff(tt.wantResult, got); diff != "" {
			t.Errorf("scoreI2DKey(%q) (-want +got):\n%s", tt.key, diff)
		}
		if cells != tt.cells || good != tt.good {
			t.Errorf("scoreI2DKey(%q) cells = %d/%d, want %d/%d", tt.key, good, cells, tt.good, tt.cells)
		}
	}
	// Without an output (the document failed) every key is a miss.
	if got, _, _ := scoreI2DKey("amount", 4.11, nil); got.Exact || got.Got != "" {
		t.Errorf("scoreI2DKey without output = %+v, want a miss", got)
	}
}

func TestScoreTruthField(t *testing.T) {
	t.Parallel()
	box := document.Box{X0: 0.5, Y0: 0.1, X1: 0.7, Y1: 0.2}
	out := &processor.Output{Fields: []processor.Field{
		{Name: "receipt_no", Value: "2468", Provenance: []processor.Provenance{
			{Page: 1, BBox: [4]float64{0.5, 0.1, 0.6, 0.2}}, {Page: 1, BBox: [4]float64{0.6, 0.1, 0.7, 0.2}},
		}},
		{Name: "elsewhere", Value: "2468", Provenance: []processor.Provenance{{Page: 2, BBox: [4]float64{0.5, 0.1, 0.7, 0.2}}}},
		{Name: "empty"},
	}}
	one, zero := 1.0, 0.0
	tests := []struct {
		name  string
		field string
		want  FieldResult
	}{
		{"provenance boxes are united", "receipt_no", FieldResult{Name: "No", Want: "2468", Got: "2468", Exact: true, IoU: &one}},
		{"a box on another page does not count", "elsewhere", FieldResult{Name: "No", Want: "2468", Got: "2468", Exact: true, IoU: &zero}},
		{"no value scores IoU 0", "empty", FieldResult{Name: "No", Want: "2468", IoU: &zero}},
		{"a missing field scores IoU 0", "absent", FieldResult{Name: "No", Want: "2468", IoU: &zero}},
	}
	for _, tt := range tests {
		got := scoreTruthField(truthField{Name: "No", Value: "2468", Page: 1, Box: &box}, fieldSpec{Field: tt.field, Compare: compareID}, out)
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestQuadBox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		quad []float64
		want document.Box
		ok   bool
	}{
		{[]float64{0.1, 0.2, 0.3, 0.2, 0.3, 0.25, 0.1, 0.25}, document.Box{X0: 0.1, Y0: 0.2, X1: 0.3, Y1: 0.25}, true},
		{[]float64{0.1, 0.2, 0.32, 0.19, 0.31, 0.26, 0.09, 0.25}, document.Box{X0: 0.09, Y0: 0.19, X1: 0.32, Y1: 0.26}, true}, // skewed
		{[]float64{10, 20, 30, 20, 30, 25, 10, 25}, document.Box{}, false},                                                    // pixels, not normalised
		{[]float64{0.1, 0.2}, document.Box{}, false},
	}
	for _, tt := range tests {
		got, ok := quadBox(tt.quad)
		if diff := cmp.Diff(tt.want, got); diff != "" || ok != tt.ok {
			t.Errorf("quadBox(%v) = %v, want %v, %v (-want +got):\n%s", tt.quad, ok, tt.ok, tt.want, diff)
		}
	}
}

func TestReadLabelsTruth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "ds/labeled/forms/a.pdf.labels.json", `{"document": "a.pdf", "labels": [
		{"label": "Sold To", "value": [
			{"page": 1, "text": "Fabrikam", "boundingBoxes": [[0.24, 0.14, 0.30, 0.14, 0.30, 0.15, 0.24, 0.15]]},
			{"page": 1, "text": "Residences", "boundingBoxes": [[0.31, 0.14, 0.38, 0.14, 0.38, 0.15, 0.31, 0.15]]}]},
		{"label": "Video?", "value": [{"page": 2, "text": "selected", "boundingBoxes": [[0.7, 0.3, 0.8, 0.3, 0.8, 0.4, 0.7, 0.4]]}]},
		{"label": "Unlabelled", "value": []}]}`)
	write(t, dir, "ds/labeled/forms/fields.json", `{"fields": [{"fieldKey": "Video?", "fieldType": "selectionMark"}]}`)
	got, err := readLabelsTruth(dir, entry{Dataset: "ds", Truth: "labeled/forms/a.pdf.labels.json"})
	if err != nil {
		t.Fatal(err)
	}
	want := []truthField{
		{Name: "Sold To", Value: "Fabrikam Residences", Page: 1, Box: &document.Box{X0: 0.24, Y0: 0.14, X1: 0.38, Y1: 0.15}},
		{Name: "Video?", Value: "selected", Type: "selectionMark", Page: 2, Box: &document.Box{X0: 0.7, Y0: 0.3, X1: 0.8, Y1: 0.4}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readLabelsTruth (-want +got):\n%s", diff)
	}
}

func TestAssign(t *testing.T) {
	t.Parallel()
	type assigned struct{ Set, Class string }
	tests := []struct {
		e    entry
		want assigned
	}{
		{entry{Dataset: "invoice2data", Document: "tests/compare/a.pdf", Task: "extraction", Truth: "tests/compare/a.json"}, assigned{SetInvoice2Data, ""}},
		{entry{Dataset: "invoice2data", Document: "tests/custom/b.txt", Task: "extraction", Truth: "tests/custom/b.json"}, assigned{SetInvoice2DataCustom, ""}},
		{entry{Dataset: "invoice2data", Document: "tests/files/c.pdf", Task: "robustness"}, assigned{SetUnscored, ""}},
		{entry{Dataset: "zugferd-corpus", Document: "FX/x.pdf", Task: "extraction (invoice header + totals)", Truth: "expected/x.expected.json"}, assigned{SetZUGFeRD, ""}},
		{entry{Dataset: "cs", Document: "labeled/w9/fw9_1.pdf", Task: "extraction (custom template)", Truth: "labeled/w9/fw9_1.pdf.labels.json"}, assigned{"labeled-w9", ""}},
		{entry{Dataset: "di", Document: "by_class/receipt/r.png", Task: "classification", Truth: "labels.csv"}, assigned{SetClassification, ""}},
		{entry{Dataset: "tx", Document: "fixtures/paystub.jpg", Task: "classification (paystub)"}, assigned{SetClassification, "paystub"}},
		{entry{Dataset: "cs", Document: "prebuilt/x.png", Task: "classification/robustness"}, assigned{SetUnscored, ""}},
		{entry{Dataset: "cs", Document: "prebuilt/s.pdf", Task: "extraction", Truth: "prebuilt/s-output.json"}, assigned{SetUnscored, ""}},
		{entry{Dataset: "split", Document: "bundle.pdf", Task: "splitting+classification", Truth: "bundle.expected.json"}, assigned{SetSplitting, ""}},
	}
	for _, tt := range tests {
		j := assign(tt.e)
		if diff := cmp.Diff(tt.want, assigned{j.set, j.class}); diff != "" {
			t.Errorf("assign(%s) (-want +got):\n%s", tt.e.ID(), diff)
		}
	}
	if got := presetClass("paystub"); got != "payslip" {
		t.Errorf("presetClass(paystub) = %q, want payslip", got)
	}
}

func TestParseManifest(t *testing.T) {
	t.Parallel()
	const header = "dataset,document,format,pages,text,task,ground_truth,ground_truth_format,license\n"
	got, err := parseManifest(strings.NewReader(header +
		`ds,a/b.pdf,pdf,3,text-layer,extraction,a/b.json,"JSON, flat",MIT` + "\n" +
		`ds,c.png,png,1,image (needs OCR),classification,labels.csv,csv,MIT` + "\n" +
		`ds,d.txt,txt,1,plain-text (pre-extracted),extraction,,none,MIT` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{Dataset: "ds", Document: "a/b.pdf", Format: "pdf", Pages: 3, Text: TextLayer, Task: "extraction", Truth: "a/b.json", TruthFormat: "JSON, flat"},
		{Dataset: "ds", Document: "c.png", Format: "png", Pages: 1, Text: TextOCR, Task: "classification", Truth: "labels.csv", TruthFormat: "csv"},
		{Dataset: "ds", Document: "d.txt", Format: "txt", Pages: 1, Text: TextPlain, Task: "extraction", TruthFormat: "none"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(entry{})); diff != "" {
		t.Errorf("parseManifest (-want +got):\n%s", diff)
	}
	for name, bad := range map[string]string{
		"missing column": "dataset,document\nds,a.pdf\n",
		"escaping path":  header + "ds,../../etc/passwd,txt,1,plain-text,extraction,,,\n",
		"absolute truth": header + "ds,a.txt,txt,1,plain-text,extraction,/etc/passwd,,\n",
		"no dataset":     header + ",a.txt,txt,1,plain-text,extraction,,,\n",
	} {
		if _, err := parseManifest(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: parseManifest accepted it", name)
		}
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	ok, miss := 0.9, 0.1
	docs := []DocResult{
		{Set: SetZUGFeRD, Text: TextLayer, Fields: []FieldResult{{Exact: true}, {Exact: true}, {Exact: false}}},
		{Set: "labeled-w9", Text: TextLayer, Fields: []FieldResult{{Exact: true, IoU: &ok}, {Exact: true, IoU: &miss}}},
		{Set: SetInvoice2DataCustom, Text: TextPlain, Fields: []FieldResult{{Exact: false}, {Exact: false}}},
		{Set: SetInvoice2Data, Text: TextOCR, Fields: []FieldResult{{Exact: true}}},
	}
	rep := &Report{Documents: docs, Sets: []SetSummary{finishSet(&SetSummary{Set: SetSplitting, Segments: 3, TP: 2, FN: 0, FP: 0})}}
	got := targets(rep)
	type status struct {
		Name, Status string
		Value        float64
	}
	var gotStatus []status
	for _, tg := range got {
		v := -1.0
		if tg.Value != nil {
			v = *tg.Value
		}
		gotStatus = append(gotStatus, status{tg.Name, tg.Status, v})
	}
	want := []status{
		{"text-layer field exact match", StatusMiss, 0.8}, // 4/5: custom excluded, the OCR document counted apart
		{"OCR field exact match", StatusPass, 1},
		{"boxed fields with IoU ≥ 0.5", StatusMiss, 0.5},
		{"split boundary F1", StatusPass, 1},
		{"classification accuracy", StatusNA, -1},
	}
	if diff := cmp.Diff(want, gotStatus, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// write creates a file under dir with its folders.
func write(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
