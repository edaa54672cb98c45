package processor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// maxI2DMatches bounds the matches of one field regex in a document.
const maxI2DMatches = 1000

// Ranks of an output field: a later field of the same name replaces an
// earlier one of the same or a lower rank, like invoice2data's output dict
// where only found values are stored.
const (
	rankMissing = iota
	rankFailed
	rankFound
)

// i2dOutput collects a template's output fields by name, in first-set
// order.
type i2dOutput struct {
	fields []Field
	ranks  []int
	pos    map[string]int
	tables []Table
}

// put stores f unless a field of the same name has a higher rank.
func (o *i2dOutput) put(f Field, rank int) {
	if i, ok := o.pos[f.Name]; ok {
		if rank >= o.ranks[i] {
			o.fields[i], o.ranks[i] = f, rank
		}
		return
	}
	o.pos[f.Name] = len(o.fields)
	o.fields, o.ranks = append(o.fields, f), append(o.ranks, rank)
}

// putTable stores a lines table; a later table of the same name replaces
// an earlier one when it has rows.
func (o *i2dOutput) putTable(t Table) {
	for i := range o.tables {
		if o.tables[i].Name == t.Name {
			if len(t.Rows) > 0 {
				o.tables[i] = t
			}
			return
		}
	}
	o.tables = append(o.tables, t)
}

// extract runs the template on the prepared text: issuer, the fields in
// order (the lines plugin last), currency, the tables plugin, then the
// check of the required fields.
func (t *i2dTemplate) extract(ctx context.Context, doc *document.Document, text *i2dText, kw []int) (*Output, error) {
	o := &i2dOutput{pos: map[string]int{}}
	issuer := Field{Name: "issuer", Type: FieldString, Value: t.issuer, Confidence: i2dScoreMatch}
	if kw != nil {
		issuer.Text = text.layout.text[kw[0]:kw[1]]
		issuer.Provenance = text.layout.provenance(kw[0], kw[1])
	}
	o.put(issuer, rankFound)
	for i := range t.fields {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("extracting field %s: %w", t.fields[i].name, err)
		}
		f := &t.fields[i]
		t.evalField(f, t.fieldText(f, doc, text), o)
	}
	o.put(Field{Name: "currency", Type: FieldString, Value: t.opts.currency, Confidence: i2dScoreStatic}, rankFound)
	for i := range t.tables {
		t.evalTable(&t.tables[i], text, o)
	}
	t.checkRequired(o)
	out := &Output{Type: TypeExtract, Template: t.issuer, Fields: o.fields, Tables: o.tables}
	for _, f := range out.Fields {
		out.NeedsReview = out.NeedsReview || f.NeedsReview
	}
	for _, tb := range out.Tables {
		out.NeedsReview = out.NeedsReview || tb.NeedsReview
	}
	return out, nil
}

// fieldText returns the text a field reads: the prepared text, or for a
// field with an area on a file input the raw layout text of the words in
// the area (invoice2data applies no options to area text, and ignores
// areas for text inputs).
func (t *i2dTemplate) fieldText(f *i2dField, doc *document.Document, text *i2dText) *i2dText {
	if f.area == nil || doc.Kind == document.KindText {
		return text
	}
	layout := newI2DLayout(doc, f.area.pageFilter(doc))
	return &i2dText{text: layout.text, layout: layout}
}

// evalField stores the output of one field.
func (t *i2dTemplate) evalField(f *i2dField, text *i2dText, o *i2dOutput) {
	switch f.kind {
	case i2dStatic:
		o.put(staticField(f.name, f.static), rankFound)
	case i2dLinesK:
		o.putTable(t.linesTable(f.name, f.lines, text))
	default:
		var found, failed []i2dValue
		for _, re := range f.regexes {
			for _, loc := range re.FindAllStringSubmatchIndex(text.text, maxI2DMatches) {
				s, e := loc[0], loc[1]
				if len(loc) >= 4 {
					s, e = max(loc[2], 0), max(loc[3], 0)
				}
				v := t.value(text.text[s:e], f.typ, text, span{s, e})
				if len(loc) > 4 { // invoice2data takes no value from a regex with several groups
					v = i2dValue{text: text.text[loc[0]:loc[1]], prov: text.provenance(loc[0], loc[1]), err: errSeveralGroups}
				}
				if v.err != nil {
					failed = append(failed, v)
				} else {
					found = append(found, v)
				}
			}
		}
		o.put(t.resolve(f.name, f.typ, f.group, found, failed))
	}
}

// errSeveralGroups is a match of a field regex with several capturing
// groups, of which invoice2data takes no value.
var errSeveralGroups = errors.New("the regex has several capturing groups")

// i2dValue is a matched, typed value.
type i2dValue struct {
	v    any
	text string
	prov []Provenance
	err  error
}

// value coerces a matched text to typ.
func (t *i2dTemplate) value(raw, typ string, text *i2dText, sp span) i2dValue {
	v, err := t.opts.coerce(raw, typ)
	return i2dValue{v: v, text: raw, prov: text.provenance(sp.start, sp.end), err: err}
}

// resolve turns a field's values into its output field: the group's
// result, or the value when all matches agree, or the first value marked
// ambiguous. Without values, text that did not parse is a parse failure.
func (t *i2dTemplate) resolve(name, typ, group string, found, failed []i2dValue) (Field, int) {
	ft := i2dFieldType(name, typ)
	out := Field{Name: name, Type: ft}
	var kept []i2dValue
	for _, v := range found {
		if v.v != "" {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		if len(failed) == 0 {
			return out, rankMissing
		}
		out.Text, out.Provenance, out.Confidence = failed[0].text, failed[0].prov, i2dScoreFailed
		out.NeedsReview, out.ReviewReasons = true, []string{ReasonParseFailed}
		return out, rankFailed
	}
	out.Confidence = i2dScoreMatch
	if group != "" {
		return t.resolveGroup(out, group, kept)
	}
	first := kept[0]
	out.Value, out.Text = t.typedValue(first.v, ft), first.text
	for _, v := range kept {
		switch {
		case valueKey(v.v) == valueKey(first.v):
			out.Provenance = append(out.Provenance, v.prov...)
		case out.Confidence == i2dScoreMatch:
			out.Confidence = i2dScoreAmbiguous
			out.NeedsReview, out.ReviewReasons = true, []string{ReasonAmbiguous}
		}
	}
	return out, rankFound
}

// resolveGroup sets out's value to the group of the values.
func (t *i2dTemplate) resolveGroup(out Field, group string, kept []i2dValue) (Field, int) {
	vals, texts := make([]any, len(kept)), make([]string, len(kept))
	for i, v := range kept {
		vals[i], texts[i] = v.v, v.text
		out.Provenance = append(out.Provenance, v.prov...)
	}
	g, err := groupValues(vals, group)
	if err != nil {
		return Field{Name: out.Name, Type: out.Type}, rankMissing
	}
	if group == "join" {
		out.Type = FieldString
	}
	out.Value, out.Text = t.typedValue(g, out.Type), strings.Join(texts, "; ")
	return out, rankFound
}

// valueKey tells equal values apart.
func valueKey(v any) string { return fmt.Sprintf("%T %v", v, v) }

// i2dFieldType is the output type of a field by its type setting and, for
// amounts, its name: "amount" and "amount_…" numbers are money.
func i2dFieldType(name, typ string) FieldType {
	switch typ {
	case "date":
		return FieldDate
	case "int", "float":
		if name == "amount" || strings.HasPrefix(name, "amount_") {
			return FieldMoney
		}
		return FieldNumber
	}
	return FieldString
}

// typedValue wraps a number of a money field as Money in the template's
// currency.
func (t *i2dTemplate) typedValue(v any, ft FieldType) any {
	if f, ok := v.(float64); ok && ft == FieldMoney {
		return Money{Amount: f, Currency: t.opts.isoCurrency}
	}
	return v
}

// staticField is a value the template states.
func staticField(name string, v any) Field {
	f := Field{Name: name, Type: FieldString, Value: v, Confidence: i2dScoreStatic}
	switch x := v.(type) {
	case float64:
		f.Type = FieldNumber
	case bool:
		f.Value = map[bool]string{true: "True", false: "False"}[x]
	case nil:
		f.Confidence = 0
	}
	return f
}

// pageFilter returns the pages of the area with only the words whose
// centre is inside it.
func (a *i2dArea) pageFilter(doc *document.Document) func(int) *document.Page {
	return func(pi int) *document.Page {
		p := &doc.Pages[pi]
		n := p.Number
		if n == 0 {
			n = pi + 1
		}
		if n < a.first || n > a.last || p.Width <= 0 || p.Height <= 0 {
			return nil
		}
		box := document.Box{X0: a.x * 72 / a.dpi / p.Width, Y0: a.y * 72 / a.dpi / p.Height, X1: math.Inf(1), Y1: math.Inf(1)}
		if a.hasWidth {
			box.X1 = box.X0 + a.w*72/a.dpi/p.Width
		}
		if a.hasHeight {
			box.Y1 = box.Y0 + a.h*72/a.dpi/p.Height
		}
		return cropPage(p, box)
	}
}

// cropPage returns a copy of p with the lines and words whose centre is in
// box; word indices still refer to p.Words.
func cropPage(p *document.Page, box document.Box) *document.Page {
	out := &document.Page{Number: p.Number, Width: p.Width, Height: p.Height, Words: p.Words}
	for _, l := range p.Lines {
		nl := document.Line{}
		for _, wi := range l.Words {
			if wi < 0 || wi >= len(p.Words) {
				continue
			}
			b := p.Words[wi].Box
			cx, cy := (b.X0+b.X1)/2, (b.Y0+b.Y1)/2
			if cx >= box.X0 && cx <= box.X1 && cy >= box.Y0 && cy <= box.Y1 {
				nl.Words = append(nl.Words, wi)
				nl.Box = nl.Box.Union(b)
			}
		}
		if len(nl.Words) > 0 {
			out.Lines = append(out.Lines, nl)
		}
	}
	return out
}
