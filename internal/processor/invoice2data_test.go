package processor

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// update rewrites the golden files of the invoice2data tests.
var update = flag.Bool("update", false, "rewrite golden files")

// i2dConfig builds an invoice2data config from templates: strings are
// template texts, anything else is marshalled as a template object.
func i2dConfig(t testing.TB, templates ...any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"invoice2data": map[string]any{"templates": templates}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// i2dRun runs a processor of the templates on a text document.
func i2dRun(t testing.TB, text string, templates ...any) *Output {
	t.Helper()
	p, err := New(TypeExtract, i2dConfig(t, templates...))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	out, err := p.Process(context.Background(), document.FromText(text))
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return out
}

// i2dInvoice is a German-style invoice laid out in columns.
const i2dInvoice = `ACME Bürobedarf GmbH                                   RECHNUNG
USt-IdNr. DE123456789

Rechnungsnr.:   RE-2024-0042              Rechnungsdatum: 01.03.2024
Lieferdatum:    28. Februar 2024

Pos  Artikel                          Menge   Einzelpreis    Gesamt
1    Papier A4, 500 Blatt                 3          4,50     13,50
     Recycling, weiß
2    Toner schwarz                        1      1.089,00  1.089,00
Seite 1 von 1
3    Heftklammern                        10          0,25      2,50

                                      Zwischensumme:      1.105,00
                                      MwSt 7%:                1,12
                                      MwSt 19%:             209,71
                                      Gesamtbetrag:       1.315,83 EUR
`

// i2dLegacyTemplate uses the legacy field syntax and the lines plugin.
const i2dLegacyTemplate = `issuer: ACME Bürobedarf GmbH
keywords:
  - ACME Bürobedarf
  - DE\s?123456789
fields:
  amount: Gesamtbetrag:\s+([\d.]+,\d{2})
  amount_untaxed: Zwischensumme:\s+([\d.]+,\d{2})
  date: Rechnungsdatum:\s+(\d{2}\.\d{2}\.\d{4})
  delivery_date: Lieferdatum:\s+(\d+\. \w+ \d{4})
  invoice_number: Rechnungsnr\.:\s+(\S+)
  sum_amount_tax:
    - MwSt 7%:\s+(\d+,\d{2})
    - MwSt 19%:\s+(\d+,\d{2})
  static_vat: DE123456789
lines:
  start: Pos\s+Artikel
  end: Zwischensumme
  first_line: ^(?P<pos>\d+)\s+(?P<name>.+?)\s{2,}(?P<qty>\d+)\s+(?P<price_unit>[\d.]+,\d{2})\s+(?P<price_subtotal>[\d.]+,\d{2})$
  line: ^\s+(?P<name>\S.*)$
  skip_line: Seite \d+ von \d+
  types:
    pos: int
    qty: float
    price_unit: float
    price_subtotal: float
options:
  currency: EUR
  decimal_separator: ","
  date_formats:
    - "%d.%m.%Y"
    - "%d. %B %Y"
  languages: [de]
`

// i2dParserTemplate uses the parser syntax, as a JSON object.
var i2dParserTemplate = map[string]any{
	"issuer":   "ACME (parsers)",
	"keywords": []string{"ACME", "RECHNUNG"},
	"priority": 6,
	"fields": map[string]any{
		"invoice_number": map[string]any{"parser": "regex", "regex": `Rechnungsnr\.:\s+(\S+)`},
		"amount":         map[string]any{"parser": "regex", "regex": []string{`Gesamtbetrag:\s+([\d.]+,\d{2})`, `Total:\s+(\S+)`}, "type": "float"},
		"date":           map[string]any{"parser": "regex", "regex": `(\d{2}\.\d{2}\.\d{4})`, "type": "date", "group": "first"},
		"max_price":      map[string]any{"parser": "regex", "regex": `(?m)^\d+\s+.+?\s{2,}\d+\s+\S+\s+(\S+)$`, "type": "float", "group": "max"},
		"items":          map[string]any{"parser": "regex", "regex": `(?m)^\d\s+(\w+)`, "group": "join"},
		"country":        map[string]any{"parser": "static", "value": "DE"},
		"lines": map[string]any{
			"parser": "lines", "start": `Pos\s+Artikel`, "end": `Zwischensumme`,
			"line":  `^(?P<pos>\d+)\s+(?P<name>.+?)\s{2,}(?P<qty>\d+)`,
			"types": map[string]any{"qty": "int"},
		},
	},
	"options": map[string]any{"currency": "EUR", "decimal_separator": ",", "date_formats": []string{"%d.%m.%Y"}},
}

// i2dOptionsTemplate exercises remove_whitespace, lowercase and replace.
const i2dOptionsTemplate = `{
  "issuer": "ACME (options)",
  "keywords": ["ACME", "RECHNUNG"],
  "priority": 7,
  "fields": {
    "invoice_number": "rechnungsnr\\.:(re-\\d+-\\d+)",
    "amount": {"parser": "regex", "regex": "gesamtbetrag:([\\d.]+,\\d{2})eur", "type": "float"},
    "date": {"parser": "regex", "regex": "rechnungsdatum:(\\d+)\\.(?:\\d+)\\.(?:\\d+)", "type": "int"},
    "month": {"parser": "regex", "regex": "rechnungsdatum:\\d+\\.(\\d+)", "type": "int"},
    "vat_rate": {"parser": "regex", "regex": "mwst(\\d+)pct:1,12", "type": "int"}
  },
  "required_fields": ["invoice_number", "amount"],
  "options": {"remove_whitespace": true, "lowercase": true, "decimal_separator": ",",
              "replace": [["mwst(\\d+)%", "mwst\\1pct"]]}
}`

// i2dTablesTemplate exercises the tables plugin.
const i2dTablesTemplate = `issuer: ACME (tables)
keywords: [ACME, RECHNUNG]
priority: 8
fields:
  invoice_number: Rechnungsnr\.:\s+(\S+)
tables:
  - start: Zwischensumme
    end: Gesamtbetrag
    body: MwSt (?P<rate>\d+)%:\s+(?P<amount_tax>[\d.,]+)
    types: {rate: int}
    fields:
      rate: {group: max}
      amount_tax: {group: sum}
required_fields: [invoice_number, amount_tax]
options:
  decimal_separator: ","
`

// TestInvoice2DataGolden runs each template on i2dInvoice and compares the
// whole output, provenance included, with a golden file (go test -update
// rewrites them).
func TestInvoice2DataGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		template any
	}{
		{"legacy", i2dLegacyTemplate},
		{"parsers", i2dParserTemplate},
		{"options", i2dOptionsTemplate},
		{"tables", i2dTablesTemplate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := i2dRun(t, i2dInvoice, tc.template)
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "invoice2data", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// fieldValues returns the output's field values by name.
func fieldValues(out *Output) map[string]any {
	m := map[string]any{}
	for _, f := range out.Fields {
		m[f.Name] = f.Value
	}
	return m
}

func TestInvoice2DataValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		template any
		want     map[string]any
	}{
		{"legacy", i2dLegacyTemplate, map[string]any{
			"issuer": "ACME Bürobedarf GmbH", "amount": Money{Amount: 1315.83, Currency: "EUR"},
			"amount_untaxed": Money{Amount: 1105, Currency: "EUR"}, "date": "2024-03-01", "delivery_date": "2024-02-28",
			"invoice_number": "RE-2024-0042", "amount_tax": Money{Amount: 210.83, Currency: "EUR"}, "vat": "DE123456789", "currency": "EUR",
		}},
		{"parsers", i2dParserTemplate, map[string]any{
			"issuer": "ACME (parsers)", "invoice_number": "RE-2024-0042", "amount": Money{Amount: 1315.83, Currency: "EUR"},
			"date": "2024-03-01", "max_price": 1089.0, "items": "Papier Toner Heftklammern", "country": "DE", "currency": "EUR",
		}},
		{"options", i2dOptionsTemplate, map[string]any{
			"issuer": "ACME (options)", "invoice_number": "re-2024-0042", "amount": Money{Amount: 1315.83, Currency: "EUR"},
			"date": 1.0, "month": 3.0, "vat_rate": 7.0, "currency": "EUR",
		}},
		{"tables", i2dTablesTemplate, map[string]any{
			"issuer": "ACME (tables)", "invoice_number": "RE-2024-0042", "currency": "EUR", "rate": 19.0,
			"amount_tax": Money{Amount: 210.83, Currency: "EUR"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := i2dRun(t, i2dInvoice, tc.template)
			if diff := cmp.Diff(tc.want, fieldValues(out)); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if out.NeedsReview {
				t.Errorf("output needs review: %+v", out)
			}
		})
	}
}

func TestInvoice2DataLines(t *testing.T) {
	t.Parallel()
	out := i2dRun(t, i2dInvoice, i2dLegacyTemplate)
	if len(out.Tables) != 1 {
		t.Fatalf("got %d tables, want 1", len(out.Tables))
	}
	tb := out.Tables[0]
	var got []map[string]any
	for _, r := range tb.Rows {
		row := map[string]any{}
		for _, c := range r.Cells {
			row[c.Name] = c.Value
		}
		got = append(got, row)
	}
	want := []map[string]any{
		{"pos": 1.0, "name": "Papier A4, 500 Blatt\nRecycling, weiß", "qty": 3.0, "price_unit": 4.5, "price_subtotal": 13.5},
		{"pos": 2.0, "name": "Toner schwarz", "qty": 1.0, "price_unit": 1089.0, "price_subtotal": 1089.0},
		{"pos": 3.0, "name": "Heftklammern", "qty": 10.0, "price_unit": 0.25, "price_subtotal": 2.5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pos", "name", "qty", "price_unit", "price_subtotal"}, tb.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if tb.Name != "lines" || tb.NeedsReview {
		t.Errorf("table %q needs review %v, want lines, false", tb.Name, tb.NeedsReview)
	}
}

func TestInvoice2DataLineRules(t *testing.T) {
	t.Parallel()
	const text = "Issuer: Rules Test\nItems\nA: 1\nB: 2\nEnd\n\nItems\nC: 3\nEnd\nOther\nx = 9\nDone\n"
	tpl := `keywords: [Rules Test]
fields:
  items:
    parser: lines
    types: {n: int}
    rules:
      - start: Items
        end: End
        line: '^(?P<k>\w): (?P<n>\d)$'
      - start: Other
        end: Done
        line: '^(?P<k>\w) = (?P<n>\d)$'
required_fields: [items]
`
	out := i2dRun(t, text, tpl)
	var got []string
	for _, r := range out.Tables[0].Rows {
		got = append(got, r.Cells[0].Value.(string)+"="+formatI2DValue(r.Cells[1].Value))
	}
	if diff := cmp.Diff([]string{"A=1", "B=2", "C=3", "x=9"}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if out.Template != "Rules Test" || out.NeedsReview {
		t.Errorf("template %q, needs review %v; want the first keyword as issuer and no review", out.Template, out.NeedsReview)
	}
}

func TestInvoice2DataSelect(t *testing.T) {
	t.Parallel()
	tpl := func(issuer string, keywords []string, exclude []string, priority int) map[string]any {
		return map[string]any{
			"issuer": issuer, "keywords": keywords, "exclude_keywords": exclude, "priority": priority,
			"fields": map[string]any{"invoice_number": `No\.? (\d+)`}, "required_fields": []string{"invoice_number"},
		}
	}
	set := []any{
		tpl("generic", []string{"Invoice"}, nil, 5),
		tpl("acme", []string{"Invoice", "ACME"}, nil, 5),
		tpl("acme credit", []string{"ACME", "(?i)credit note"}, []string{"Invoice"}, 5),
		tpl("software", []string{"Generated by Invoicer"}, nil, 2),
		tpl("receipt software", []string{"Receipt", "by Tool"}, nil, 2),
		tpl("acme shop", []string{"ACME", "Shop"}, nil, 6),
	}
	tests := []struct {
		text string
		want string
	}{
		{"Invoice No 1", "generic"},
		{"ACME Invoice No 2", "acme"},                                // the one with more keywords wins a tie
		{"Invoice No 3\fACME, page 2", "acme"},                       // keywords anywhere, on any page
		{"ACME CREDIT NOTE No 4", "acme credit"},                     // keywords are regexes
		{"ACME credit note, not an Invoice No 5", "acme"},            // exclude_keywords
		{"Generated by Invoicer No 6", "generic"},                    // "Invoice" is in "Invoicer": priority 5 beats 2
		{"Shop receipt by ACME, Generated by Invoicer", "acme shop"}, // priority 6
		{"Receipt No 8", ""},                                         // nothing matches
		{"Receipt No 11 by Tool", "receipt software"},                // the only match, whatever its priority
		{"acme invoice No 9", ""},                                    // keywords are case-sensitive
		{"Shop", ""},                                                 // a partial match is no match
	}
	set = append(set, tpl("generic too", []string{"Invoice"}, nil, 5)) // a tie in everything: the first wins
	p, err := New(TypeExtract, i2dConfig(t, set...))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		out, err := p.Process(context.Background(), document.FromText(tc.text))
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if out.Template != tc.want {
			t.Errorf("%q: template %q, want %q", tc.text, out.Template, tc.want)
		}
	}
}

func TestInvoice2DataNoTemplate(t *testing.T) {
	t.Parallel()
	out := i2dRun(t, "a shopping list", i2dLegacyTemplate)
	reason := []string{ReasonNoTemplate}
	want := &Output{Type: TypeExtract, NeedsReview: true, Fields: []Field{
		{Name: "issuer", Type: FieldString, NeedsReview: true, ReviewReasons: reason},
		{Name: "amount", Type: FieldMoney, NeedsReview: true, ReviewReasons: reason},
		{Name: "date", Type: FieldDate, NeedsReview: true, ReviewReasons: reason},
		{Name: "invoice_number", Type: FieldString, NeedsReview: true, ReviewReasons: reason},
	}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestInvoice2DataReview(t *testing.T) {
	t.Parallel()
	const text = "Review Test\nTotal: 12,50 EUR\nTotal: 13,00 EUR\nDate: 31.02.2024\nRef: A-1\n"
	tpl := `keywords: [Review Test]
fields:
  amount: Total:\s+(\S+)
  date: Date:\s+(\S+)
  reference: {parser: regex, regex: 'Ref: (\S+)'}
  po_number: {parser: regex, regex: 'PO: (\S+)'}
options: {decimal_separator: ",", date_formats: ["%d.%m.%Y"]}
`
	out := i2dRun(t, text, tpl)
	type review struct {
		Value   any
		Reasons []string
	}
	got := map[string]review{}
	for _, f := range out.Fields {
		got[f.Name] = review{f.Value, f.ReviewReasons}
	}
	want := map[string]review{
		"issuer":         {"Review Test", nil},
		"amount":         {Money{Amount: 12.5, Currency: "EUR"}, []string{ReasonAmbiguous}},
		"date":           {nil, []string{ReasonParseFailed, ReasonMissingRequired}},
		"reference":      {"A-1", nil},
		"po_number":      {nil, nil},
		"currency":       {"EUR", nil},
		"invoice_number": {nil, []string{ReasonMissingRequired}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if !out.NeedsReview {
		t.Error("output does not need review")
	}
}

func TestInvoice2DataConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		field  string
		msg    string
	}{
		{"no templates", `{"invoice2data": {"templates": []}}`, "invoice2data.templates", "at least one"},
		{"unknown setting", `{"invoice2data": {"templates": ["keywords: [a]"], "x": 1}}`, "invoice2data.x", "unknown setting"},
		{"template not an object", `{"invoice2data": {"templates": [1]}}`, "invoice2data.templates[0]", "template object"},
		{"bad YAML", `{"invoice2data": {"templates": ["keywords: [a\nfields: {"]}}`, "invoice2data.templates[0]", "invalid YAML"},
		{"YAML list", `{"invoice2data": {"templates": ["- a\n- b"]}}`, "invoice2data.templates[0]", "must be a mapping"},
		{"YAML aliases", `{"invoice2data": {"templates": ["keywords: &k [a]\nexclude_keywords: *k"]}}`, "invoice2data.templates[0]", "anchors or aliases"},
		{"two documents", `{"invoice2data": {"templates": ["keywords: [a]\n---\nkeywords: [b]"]}}`, "invoice2data.templates[0]", "several YAML documents"},
		{"no keywords", `{"invoice2data": {"templates": [{"issuer": "X", "fields": {}}]}}`, "invoice2data.templates[0].keywords", "is required"},
		{"bad keyword", `{"invoice2data": {"templates": [{"keywords": ["a("]}]}}`, "invoice2data.templates[0].keywords[0]", "missing closing"},
		{"lookahead", `{"invoice2data": {"templates": [{"issuer": "Look", "keywords": ["a"], "fields": {"x": "a(?=b)c(\\d)"}}]}}`, "invoice2data.templates[0].fields.x", `template "Look": lookaround "(?="`},
		{"negative lookbehind", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"parser": "regex", "regex": ["(?<!b)(\\d)"]}}}]}}`, "invoice2data.templates[0].fields.x.regex[0]", "lookaround"},
		{"backreference", `{"invoice2data": {"templates": [{"keywords": ["(a)\\1"]}]}}`, "invoice2data.templates[0].keywords[0]", "backreference"},
		{"atomic group", `{"invoice2data": {"templates": [{"keywords": ["(?>a)"]}]}}`, "invoice2data.templates[0].keywords[0]", "atomic"},
		{"possessive", `{"invoice2data": {"templates": [{"keywords": ["a++"]}]}}`, "invoice2data.templates[0].keywords[0]", "possessive"},
		{"verbose flag", `{"invoice2data": {"templates": [{"keywords": ["(?x) a"]}]}}`, "invoice2data.templates[0].keywords[0]", "verbose"},
		{"unknown parser", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"parser": "ai"}}}]}}`, "invoice2data.templates[0].fields.x.parser", "unknown parser"},
		{"no parser", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"regex": "a"}}}]}}`, "invoice2data.templates[0].fields.x.parser", "is required"},
		{"unknown type", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"parser": "regex", "regex": "a", "type": "money"}}}]}}`, "invoice2data.templates[0].fields.x.type", "unknown type"},
		{"sum of strings", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"parser": "regex", "regex": "a", "group": "sum"}}}]}}`, "invoice2data.templates[0].fields.x.group", "int or float"},
		{"unknown group", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"x": {"parser": "regex", "regex": "a", "group": "avg"}}}]}}`, "invoice2data.templates[0].fields.x.group", "unknown group"},
		{"lines without end", `{"invoice2data": {"templates": [{"keywords": ["a"], "lines": {"start": "a", "line": "b"}}]}}`, "invoice2data.templates[0].lines.end", "is required"},
		{"unsupported lines setting", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"l": {"parser": "lines", "start": "a", "end": "b", "line": "c", "append_on_line": true}}}]}}`, "invoice2data.templates[0].fields.l.append_on_line", "not supported"},
		{"bad decimal separator", `{"invoice2data": {"templates": [{"keywords": ["a"], "options": {"decimal_separator": ";"}}]}}`, "invoice2data.templates[0].options.decimal_separator", "not a decimal separator"},
		{"bad date format", `{"invoice2data": {"templates": [{"keywords": ["a"], "options": {"date_formats": ["%d.%Q"]}}]}}`, "invoice2data.templates[0].options.date_formats[0]", "%Q"},
		{"bad replace", `{"invoice2data": {"templates": [{"keywords": ["a"], "options": {"replace": [["a", "b", "c"]]}}]}}`, "invoice2data.templates[0].options.replace[0]", "pair"},
		{"replace group", `{"invoice2data": {"templates": [{"keywords": ["a"], "options": {"replace": [["(a)", "\\2"]]}}]}}`, "invoice2data.templates[0].options.replace[0][1]", "group 2"},
		{"bad name", `{"invoice2data": {"templates": [{"keywords": ["a"], "fields": {"a b": "x"}}]}}`, "invoice2data.templates[0].fields.a b", "output name"},
		{"camelot", `{"invoice2data": {"templates": [{"keywords": ["a"], "camelot": {}}]}}`, "invoice2data.templates[0].camelot", "not supported"},
		{"second template", `{"invoice2data": {"templates": ["keywords: [a]", {"issuer": "B", "keywords": ["b"], "fields": {"x": "("}}]}}`, "invoice2data.templates[1].fields.x", `template "B": invalid regular expression`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateConfig(TypeExtract, json.RawMessage(tc.config))
			var cerr *ConfigError
			if !errors.As(err, &cerr) {
				t.Fatalf("ValidateConfig = %v, want a *ConfigError", err)
			}
			if cerr.Field != tc.field || !strings.Contains(cerr.Message, tc.msg) {
				t.Errorf("ConfigError{%q, %q}, want field %q and a message with %q", cerr.Field, cerr.Message, tc.field, tc.msg)
			}
		})
	}
}

func TestInvoice2DataProvenance(t *testing.T) {
	t.Parallel()
	const text = "Prov Test\n\nInvoice number:   A 1 2\n          Total:   1 234,50 EUR"
	tpl := `keywords: [Prov Test]
fields:
  invoice_number: invoicenumber:(a12)
  amount: {parser: regex, regex: 'total:([\d,]+)eur', type: float}
options: {remove_whitespace: true, lowercase: true, decimal_separator: ",", replace: [["eur", "EUR"], ["EUR", "eur"]]}
`
	doc := document.FromText(text)
	p, err := New(TypeExtract, i2dConfig(t, tpl))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Process(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	// The values span several words: their boxes are the union of those
	// words' boxes in the document.
	ws := doc.Pages[0].Words
	union := func(idx ...int) [4]float64 {
		var b document.Box
		for _, i := range idx {
			b = b.Union(ws[i].Box)
		}
		return roundBox(b)
	}
	want := map[string][]Provenance{
		"invoice_number": {{Page: 1, BBox: union(4, 5, 6), Text: "A 1 2"}},
		"amount":         {{Page: 1, BBox: union(8, 9), Text: "1 234,50"}},
	}
	got := map[string][]Provenance{}
	for _, f := range out.Fields {
		if _, ok := want[f.Name]; ok {
			got[f.Name] = f.Provenance
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("provenance (-want +got):\n%s", diff)
	}
}

// pdfLikeDoc builds a one-page document with words at given places, as a
// PDF parser would.
func pdfLikeDoc(words []document.Word) *document.Document {
	p := document.Page{Number: 1, Width: 600, Height: 800, Words: words}
	for i, w := range words {
		if i == 0 || w.Box.Y0 != words[i-1].Box.Y0 {
			p.Lines = append(p.Lines, document.Line{})
		}
		l := &p.Lines[len(p.Lines)-1]
		l.Words = append(l.Words, i)
		l.Box = l.Box.Union(w.Box)
		words[i].Line = len(p.Lines) - 1
	}
	return &document.Document{Kind: document.KindPDF, Pages: []document.Page{p}}
}

func TestInvoice2DataArea(t *testing.T) {
	t.Parallel()
	w := func(text string, x, y float64) document.Word {
		return document.Word{Text: text, Box: document.Box{X0: x, Y0: y, X1: x + 0.01*float64(len(text)), Y1: y + 0.015}, Source: document.SourceTextLayer, Confidence: 1}
	}
	doc := pdfLikeDoc([]document.Word{
		w("Area", 0.1, 0.1), w("Test", 0.2, 0.1),
		w("Ref", 0.1, 0.3), w("111", 0.2, 0.3), w("Ref", 0.6, 0.3), w("222", 0.7, 0.3),
	})
	// The right half of the page at 100 dpi: x from 300 pt = 416.7 px.
	tpl := `keywords: ['Area\s+Test']
fields:
  left: {parser: regex, regex: 'Ref\s+(\d+)'}
  right: {parser: regex, regex: 'Ref\s+(\d+)', area: {f: 1, l: 1, x: 417, y: 0, r: 100, W: 417, H: 1111}}
required_fields: []
`
	p, err := New(TypeExtract, i2dConfig(t, tpl))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Process(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got := fieldValues(out)
	if got["left"] != "111" || got["right"] != "222" {
		t.Errorf("left %v, right %v; want 111 (whole page) and 222 (area)", got["left"], got["right"])
	}
	for _, f := range out.Fields {
		if f.Name == "right" && (len(f.Provenance) != 1 || f.Provenance[0].BBox != roundBox(doc.Pages[0].Words[5].Box)) {
			t.Errorf("right provenance %+v, want the box of the word 222", f.Provenance)
		}
	}
}

func TestInvoice2DataFromDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"a/acme.yml":   i2dLegacyTemplate,
		"b/bad.yml":    "keywords: [x]\nfields:\n  y: (?<=a)b(?=c)|d\n",
		"b/other.json": `{"keywords": ["Other"], "fields": {"amount": "Total (\\d+)"}}`,
		"notes.txt":    "not a template",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, skipped, err := Invoice2DataTemplatesFromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0].Path != filepath.Join("b", "bad.yml") || !strings.Contains(skipped[0].Reason, "lookaround") {
		t.Errorf("skipped %+v, want b/bad.yml for its lookaround", skipped)
	}
	if n := countTemplates(t, cfg); n != 2 {
		t.Errorf("config holds %d templates, want 2", n)
	}
	out := i2dRunConfig(t, cfg, i2dInvoice)
	if out.Template != "ACME Bürobedarf GmbH" {
		t.Errorf("template %q, want the ACME one", out.Template)
	}
}

// i2dRunConfig runs a processor of config on a text document.
func i2dRunConfig(t testing.TB, cfg json.RawMessage, text string) *Output {
	t.Helper()
	p, err := New(TypeExtract, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	out, err := p.Process(context.Background(), document.FromText(text))
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return out
}

func TestInvoice2DataCancelled(t *testing.T) {
	t.Parallel()
	p, err := New(TypeExtract, i2dConfig(t, i2dLegacyTemplate))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Process(ctx, document.FromText(i2dInvoice)); !errors.Is(err, context.Canceled) {
		t.Errorf("Process(cancelled) = %v, want context.Canceled", err)
	}
}

func BenchmarkInvoice2Data(b *testing.B) {
	p, err := New(TypeExtract, i2dConfig(b, i2dLegacyTemplate, i2dParserTemplate, i2dOptionsTemplate, i2dTablesTemplate))
	if err != nil {
		b.Fatal(err)
	}
	doc := document.FromText(i2dInvoice)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
	}
}
