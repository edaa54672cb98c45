package processor

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// corpusDir returns the shared corpus (env SHEAF_CORPUS, else ../shared/corpus
// next to the repository) or skips the test when it is absent.
func corpusDir(t *testing.T) string { return testutil.CorpusDir(t) }

// i2dUnsupported are the corpus templates this package refuses, with the
// reason; everything else must compile.
var i2dUnsupported = map[string]string{
	"de/de.digikey.com.yml": "lookaround",        // a tempered token (?:(?!\s{2}).)+
	"nl/nl.anwb.yml":        "lookaround",        // an IBAN check (?=…{9,30}$) mid-pattern
	"nl/nl.gulf.yml":        "missing closing )", // "(BTW type" is not a valid regex in Python either
}

// TestInvoice2DataCorpus loads every invoice2data template of the corpus
// into one processor, runs every text invoice of tests/compare and
// tests/custom through it and compares the output with the expected JSON.
// Opt-in: it skips when the corpus is absent.
func TestInvoice2DataCorpus(t *testing.T) {
	base := filepath.Join(corpusDir(t), "invoice2data")
	cfg, skipped, err := Invoice2DataTemplatesFromDir(filepath.Join(base, "templates"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range skipped {
		t.Logf("unsupported template %s: %s", s.Path, s.Reason)
		if want, ok := i2dUnsupported[s.Path]; !ok || !strings.Contains(s.Reason, want) {
			t.Errorf("template %s does not compile: %s", s.Path, s.Reason)
		}
	}
	p, err := New(TypeExtract, cfg)
	if err != nil {
		t.Fatalf("New(corpus templates): %v", err)
	}
	var total corpusScore
	for _, pattern := range []string{"tests/compare/*.txt", "tests/custom/*.txt"} {
		files, _ := filepath.Glob(filepath.Join(base, pattern))
		for _, f := range files {
			s := scoreCorpusDocument(t, p, f)
			total.add(s)
		}
	}
	t.Logf("templates: %d compiled, %d unsupported", countTemplates(t, cfg), len(skipped))
	t.Logf("TOTAL documents %d, with a template %d, exact %d; fields %d/%d exact (%.1f%%); table cells %d/%d",
		total.docs, total.matched, total.exactDocs, total.exact, total.fields, pct(total.exact, total.fields), total.cellsExact, total.cells)
}

// countTemplates returns the number of templates of a config.
func countTemplates(t *testing.T, cfg json.RawMessage) int {
	var c struct {
		Invoice2Data struct {
			Templates []json.RawMessage `json:"templates"`
		} `json:"invoice2data"`
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		t.Fatal(err)
	}
	return len(c.Invoice2Data.Templates)
}

// corpusScore counts exact matches.
type corpusScore struct {
	docs, matched, exactDocs int
	fields, exact            int
	cells, cellsExact        int
}

// add accumulates s.
func (c *corpusScore) add(s corpusScore) {
	c.docs, c.matched, c.exactDocs = c.docs+s.docs, c.matched+s.matched, c.exactDocs+s.exactDocs
	c.fields, c.exact = c.fields+s.fields, c.exact+s.exact
	c.cells, c.cellsExact = c.cells+s.cells, c.cellsExact+s.cellsExact
}

// pct returns n/d in percent.
func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

// scoreCorpusDocument runs one text invoice and compares it with its
// expected JSON, field by field. A document whose template is not in the
// corpus (the custom tests' templates live elsewhere upstream) must come
// back as needing review with ReasonNoTemplate.
func scoreCorpusDocument(t *testing.T, p Processor, path string) corpusScore {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []map[string]any
	if b, err := os.ReadFile(strings.TrimSuffix(path, ".txt") + ".json"); err != nil || json.Unmarshal(b, &want) != nil || len(want) != 1 {
		t.Errorf("%s: no expected JSON", path)
		return corpusScore{}
	}
	out, err := p.Process(context.Background(), document.FromText(string(text)))
	if err != nil {
		t.Fatalf("%s: Process: %v", path, err)
	}
	name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
	s := corpusScore{docs: 1}
	if out.Template == "" {
		if !out.NeedsReview || len(out.Fields) == 0 || !slices.Contains(out.Fields[0].ReviewReasons, ReasonNoTemplate) {
			t.Errorf("%s: no template matched, but the output does not say so: %+v", name, out)
		}
		s.fields = len(want[0]) - 1
		t.Logf("%-40s no template (expected %q)", name, want[0]["issuer"])
		return s
	}
	s.matched = 1
	var misses []string
	keys := make([]string, 0, len(want[0]))
	for k := range want[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "desc" { // "Invoice from <issuer>": derived, not extracted
			continue
		}
		s.fields++
		ok, cells, cellsOK := compareCorpusField(out, k, want[0][k])
		s.cells, s.cellsExact = s.cells+cells, s.cellsExact+cellsOK
		if ok {
			s.exact++
		} else {
			misses = append(misses, fmt.Sprintf("%s: want %v, got %v", k, compact(want[0][k]), compact(corpusGot(out, k))))
		}
	}
	if s.exact == s.fields {
		s.exactDocs = 1
	}
	var review []string
	for _, f := range out.Fields {
		if f.NeedsReview {
			review = append(review, f.Name+":"+strings.Join(f.ReviewReasons, ","))
		}
	}
	for _, tb := range out.Tables {
		if tb.NeedsReview {
			review = append(review, tb.Name+":"+strings.Join(tb.ReviewReasons, ","))
		}
	}
	if len(review) > 0 {
		t.Logf("%-40s needs review: %s", name, strings.Join(review, " "))
	}
	t.Logf("%-40s template %q: %d/%d fields exact %s", name, out.Template, s.exact, s.fields, strings.Join(misses, "; "))
	return s
}

// compareCorpusField compares one expected key with the output: a list of
// objects with the table of that name (all rows and cells), anything else
// with the field. It also returns the table's cell counts.
func compareCorpusField(out *Output, key string, want any) (bool, int, int) {
	if rows, ok := want.([]any); ok && len(rows) > 0 {
		if _, isObj := rows[0].(map[string]any); isObj {
			return compareCorpusTable(out, key, rows)
		}
	}
	for _, f := range out.Fields {
		if f.Name == key {
			return corpusEqual(want, f.Value), 0, 0
		}
	}
	return false, 0, 0
}

// compareCorpusTable compares expected rows with the table named key.
func compareCorpusTable(out *Output, key string, rows []any) (bool, int, int) {
	var tb *Table
	for i := range out.Tables {
		if out.Tables[i].Name == key {
			tb = &out.Tables[i]
		}
	}
	cells, exact := 0, 0
	for i, r := range rows {
		for k, v := range r.(map[string]any) {
			cells++
			if tb != nil && i < len(tb.Rows) {
				for _, c := range tb.Rows[i].Cells {
					if c.Name == k && corpusEqual(v, c.Value) {
						exact++
					}
				}
			}
		}
	}
	return tb != nil && len(tb.Rows) == len(rows) && exact == cells, cells, exact
}

// corpusEqual compares an expected value with an output value after
// normalisation: numbers (and money amounts) as decimals, strings trimmed
// and case-folded; dates are ISO on both sides.
func corpusEqual(want, got any) bool {
	if m, ok := got.(Money); ok {
		got = m.Amount
	}
	wf, wNum := want.(float64)
	gf, gNum := got.(float64)
	switch {
	case wNum && gNum:
		return math.Abs(wf-gf) < 1e-6
	case wNum || gNum:
		return normString(fmt.Sprint(want)) == normString(fmt.Sprint(got)) ||
			wNum && normString(fmt.Sprint(got)) == normString(formatI2DValue(wf))
	}
	ws, wStr := want.(string)
	gs, gStr := got.(string)
	return wStr && gStr && normString(ws) == normString(gs)
}

// normString trims and case-folds a string.
func normString(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// corpusGot returns what the output holds for key, for messages.
func corpusGot(out *Output, key string) any {
	for _, f := range out.Fields {
		if f.Name == key {
			return f.Value
		}
	}
	for _, tb := range out.Tables {
		if tb.Name == key {
			var rows []map[string]any
			for _, r := range tb.Rows {
				row := map[string]any{}
				for _, c := range r.Cells {
					row[c.Name] = c.Value
				}
				rows = append(rows, row)
			}
			return rows
		}
	}
	return nil
}

// compact renders a value as short JSON.
func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// BenchmarkInvoice2DataCorpus measures compiling every corpus template and
// choosing among them for one invoice.
func BenchmarkInvoice2DataCorpus(b *testing.B) {
	dir := os.Getenv("SHEAF_CORPUS")
	if dir == "" {
		dir = "../../../shared/corpus"
	}
	cfg, _, err := Invoice2DataTemplatesFromDir(filepath.Join(dir, "invoice2data", "templates"))
	if err != nil {
		b.Skipf("corpus: %v", err)
	}
	text, err := os.ReadFile(filepath.Join(dir, "invoice2data", "tests", "compare", "Orlen.txt"))
	if err != nil {
		b.Skipf("corpus: %v", err)
	}
	b.Run("New", func(b *testing.B) {
		for b.Loop() {
			if _, err := New(TypeExtract, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Process", func(b *testing.B) {
		p, err := New(TypeExtract, cfg)
		if err != nil {
			b.Fatal(err)
		}
		doc := document.FromText(string(text))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Process(context.Background(), doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
