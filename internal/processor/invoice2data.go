package processor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// MaxInvoice2DataTemplates is the most templates one processor may hold.
const MaxInvoice2DataTemplates = 2000

// ReasonNoTemplate means none of the processor's invoice2data templates
// matched the document, so nothing was extracted.
const ReasonNoTemplate = "no_template"

// Confidence of invoice2data values.
const (
	i2dScoreMatch     = 0.95 // a value a template's regex matched
	i2dScoreStatic    = 1.0  // a value the template states (static, currency)
	i2dScoreAmbiguous = 0.6  // the first of several different matches
	i2dScoreFailed    = 0.2  // a match that is not a value of the field's type
)

// i2dDefaultRequired are the fields an invoice2data template requires
// unless it says otherwise, with the type of each.
var i2dDefaultRequired = []struct {
	name string
	typ  FieldType
}{{"issuer", FieldString}, {"amount", FieldMoney}, {"date", FieldDate}, {"invoice_number", FieldString}}

// Invoice2DataConfig is the config of an EXTRACT processor built from
// invoice2data templates (https://github.com/invoice-x/invoice2data):
//
//	{"invoice2data": {"templates": [
//	  {"issuer": "ACME", "keywords": ["ACME"], "fields": {"amount": "Total:\\s+([\\d.]+)"}},
//	  "issuer: Other\nkeywords: [Other]\nfields:\n  invoice_number: No\\. (\\d+)\n"
//	]}}
//
// Each template is a JSON object in invoice2data's shape or a string with
// its YAML or JSON text (YAML anchors and aliases are refused). New
// compiles every template; a template that cannot run is a *ConfigError
// naming its index, its issuer and the setting.
//
// # Choosing the template
//
// A template applies when all its keywords and none of its
// exclude_keywords (regexes) match the document's layout text: the words
// placed on a fixed-pitch grid as `pdftotext -layout` prints them, pages
// separated by "\f" (document.Document.LayoutText; a text input is its
// own layout). Among those, the highest priority (default 5) wins, then the
// one with more keywords, then the first in the config. When none applies
// the output needs review: the fields issuer, amount, date and
// invoice_number without values and with reason ReasonNoTemplate, and
// Output.Template empty.
//
// # Reading the fields
//
// The options remove_whitespace (runs of spaces), remove_accents, lowercase
// and replace ([[regex, replacement], …], Python re.sub syntax) transform
// the text, in that order, before the fields are read; currency (default
// EUR), decimal_separator ("." or ",", default "."), date_formats (Python
// strptime; month names in English, German, French, Spanish, Italian, Dutch
// and Portuguese) and languages apply to values. Fields, in template order:
//
//   - legacy "name: regex" or "name: [regexes]": names starting or ending
//     with "date" are dates, names starting with "amount" floats,
//     "sum_amount…: [regexes]" the sum of their matches, "static_name: value"
//     a value;
//   - {parser: regex, regex: …, type: int|float|date, group:
//     sum|min|max|first|last|join}, {parser: static, value: …} and
//     {parser: lines, start, end, line, first_line, last_line, skip_line,
//     types, line_separator, end_match, rules: […]};
//   - area: {f, l, x, y, W, H, r} reads only the words inside that part of
//     the pages (in pixels at r dpi), for file inputs, as pdftotext does.
//
// The top-level lines plugin is the table "lines"; the tables plugin
// (start, end, body, types, fields.<name>.group) gives fields named by the
// body's groups. required_fields (default: date, amount, invoice_number,
// issuer) that have no value need review with ReasonMissingRequired.
//
// # Output
//
// Output.Template is the issuer. The fields are issuer (with the first
// keyword's match as provenance), the template's fields and currency:
// strings, numbers (int and float), ISO dates, and Money in the template's
// currency for numbers named "amount" or "amount_…". A value is the regex's
// group 1, or its whole match. Several different matches without a group
// setting keep the first and need review (ReasonAmbiguous, confidence 0.6),
// where invoice2data returns a list; a match that is not a value of the
// type needs review (ReasonParseFailed). Regex values have confidence 0.95,
// static ones 1. Lines fields are Tables named after the field, one column
// per named group, one cell per group of the row. Provenance maps each
// match back through the options to the words of the page it covers.
//
// # Regexes
//
// Templates are written for Python's re; they run on RE2
// (https://github.com/google/re2/wiki/Syntax) after translation: \w and \s
// keep Python's Unicode meaning, {,n} is {0,n}, \Z is \z, \uXXXX a code
// point, (?#…) is dropped. Lookarounds, backreferences, atomic groups,
// possessive quantifiers, conditionals and verbose mode have no RE2
// equivalent and make a *ConfigError, except a leading positive lookbehind
// and a trailing positive lookahead in a field regex, which are matched
// instead of asserted. \b and \d stay ASCII.
//
// Not supported: the camelot plugin; the lines settings alternatives,
// append_on_line, no_newline_fields, replace, static and defaults;
// invoice2data 1.x's renaming of line fields to its canonical vocabulary.
type Invoice2DataConfig struct {
	// Invoice2Data holds the templates.
	Invoice2Data Invoice2DataTemplates `json:"invoice2data"`
}

// Invoice2DataTemplates is the "invoice2data" member of an
// Invoice2DataConfig.
type Invoice2DataTemplates struct {
	// Templates are JSON objects in invoice2data's shape, or JSON strings
	// with a template's YAML or JSON text.
	Templates []json.RawMessage `json:"templates"`
}

// invoice2data is the EXTRACT processor of an invoice2data template set.
type invoice2data struct {
	templates []*i2dTemplate
}

// isInvoice2DataConfig reports whether raw is an EXTRACT config of the
// invoice2data shape: a JSON object with an "invoice2data" member.
func isInvoice2DataConfig(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok := m["invoice2data"]
	return ok
}

// newInvoice2Data validates and compiles an invoice2data config:
// {"invoice2data": {"templates": [...]}}, each template a JSON object in
// invoice2data's shape or a string holding its YAML or JSON text.
func newInvoice2Data(raw json.RawMessage) (*invoice2data, error) {
	top, err := objectKeys(raw, "", "invoice2data")
	if err != nil {
		return nil, err
	}
	inner, err := objectKeys(top["invoice2data"], "invoice2data", "templates")
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if v, ok := inner["templates"]; ok {
		if err := decodeInto(v, &list, "invoice2data.templates"); err != nil {
			return nil, err
		}
	}
	switch {
	case len(list) == 0:
		return nil, &ConfigError{Field: "invoice2data.templates", Message: "needs at least one template"}
	case len(list) > MaxInvoice2DataTemplates:
		return nil, &ConfigError{Field: "invoice2data.templates", Message: fmt.Sprintf("has %d templates; the limit is %d", len(list), MaxInvoice2DataTemplates)}
	}
	p := &invoice2data{templates: make([]*i2dTemplate, 0, len(list))}
	for i, t := range list {
		tpl, err := compileI2DTemplateJSON(t, i)
		if err != nil {
			return nil, err
		}
		p.templates = append(p.templates, tpl)
	}
	return p, nil
}

// compileI2DTemplateJSON compiles the template at templates[i] of a config:
// a JSON object, or a string with YAML or JSON text.
func compileI2DTemplateJSON(raw json.RawMessage, i int) (*i2dTemplate, error) {
	path := fmt.Sprintf("invoice2data.templates[%d]", i)
	text := bytes.TrimSpace(raw)
	switch {
	case bytes.HasPrefix(text, []byte(`"`)):
		var s string
		if err := json.Unmarshal(text, &s); err != nil {
			return nil, &ConfigError{Field: path, Message: "invalid JSON string: " + err.Error()}
		}
		text = []byte(s)
	case !bytes.HasPrefix(text, []byte("{")):
		return nil, &ConfigError{Field: path, Message: "must be a template object or a string with its YAML or JSON text"}
	}
	m, err := decodeTemplateText(text)
	if err != nil {
		return nil, &ConfigError{Field: path, Message: err.Error()}
	}
	return compileI2DTemplate(m, path)
}

// Process picks the template whose keywords all match the document's
// layout text and whose exclude_keywords do not — the highest priority,
// then the most keywords, then the first in the config — and extracts its
// fields. Without a matching template the output needs review with reason
// ReasonNoTemplate on the default required fields.
func (p *invoice2data) Process(ctx context.Context, doc *document.Document) (*Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extracting with invoice2data templates: %w", err)
	}
	if doc == nil {
		return nil, &Error{Code: CodeProcessorError, Message: "no document to extract fields from"}
	}
	layout := newI2DLayout(doc, nil)
	t, kw := p.match(layout.text)
	if t == nil {
		return noTemplateOutput(), nil
	}
	text, err := prepareText(layout, &t.opts)
	if err != nil {
		return nil, err
	}
	return t.extract(ctx, doc, text, kw)
}

// match returns the template chosen for text and the range of its first
// keyword's match.
func (p *invoice2data) match(text string) (*i2dTemplate, []int) {
	var best *i2dTemplate
	var bestKW []int
	for _, t := range p.templates {
		kw, ok := t.matches(text)
		if !ok {
			continue
		}
		if best == nil || t.priority > best.priority || t.priority == best.priority && len(t.keywords) > len(best.keywords) {
			best, bestKW = t, kw
		}
	}
	return best, bestKW
}

// matches reports whether every keyword and no exclude keyword matches
// text, and returns the first keyword's match.
func (t *i2dTemplate) matches(text string) ([]int, bool) {
	var first []int
	for i, re := range t.keywords {
		loc := re.FindStringIndex(text)
		if loc == nil {
			return nil, false
		}
		if i == 0 {
			first = loc
		}
	}
	for _, re := range t.exclude {
		if re.MatchString(text) {
			return nil, false
		}
	}
	return first, true
}

// noTemplateOutput is the output for a document no template matches.
func noTemplateOutput() *Output {
	out := &Output{Type: TypeExtract, NeedsReview: true}
	for _, f := range i2dDefaultRequired {
		out.Fields = append(out.Fields, Field{Name: f.name, Type: f.typ, NeedsReview: true, ReviewReasons: []string{ReasonNoTemplate}})
	}
	return out
}
