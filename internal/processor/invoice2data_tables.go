package processor

import (
	"slices"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// linesTable reads a lines parser into a table named name: one row per
// item, one cell per named group the item has, typed by the rule's types.
func (t *i2dTemplate) linesTable(name string, l *i2dLines, text *i2dText) Table {
	tb := Table{Name: name, Columns: slices.Clone(l.columns), Rows: []Row{}}
	for ri := range l.rules {
		for _, r := range l.rules[ri].parse(text.text) {
			row := Row{Provenance: mergeProvenance(text, r.lines)}
			for _, n := range r.names {
				c := t.cell(n, r.cells[n], l.rules[ri].types[n], text)
				row.Cells = append(row.Cells, c)
				if c.NeedsReview && !slices.Contains(tb.ReviewReasons, ReasonParseFailed) {
					tb.NeedsReview, tb.ReviewReasons = true, append(tb.ReviewReasons, ReasonParseFailed)
				}
			}
			tb.Rows = append(tb.Rows, row)
		}
	}
	return tb
}

// cell is one typed value of a row.
func (t *i2dTemplate) cell(name string, c *i2dCell, typ string, text *i2dText) Field {
	f := Field{Name: name, Type: i2dFieldType(name, typ), Text: c.text, Provenance: mergeProvenance(text, c.spans)}
	v, err := t.opts.coerce(c.text, typ)
	if err != nil {
		f.Confidence, f.NeedsReview, f.ReviewReasons = i2dScoreFailed, true, []string{ReasonParseFailed}
		return f
	}
	f.Value, f.Confidence = t.typedValue(v, f.Type), i2dScoreMatch
	return f
}

// mergeProvenance returns the provenance of several ranges of the text,
// one box per page.
func mergeProvenance(text *i2dText, spans []span) []Provenance {
	var out []Provenance
	for _, sp := range spans {
		for _, p := range text.provenance(sp.start, sp.end) {
			i := slices.IndexFunc(out, func(o Provenance) bool { return o.Page == p.Page })
			if i < 0 {
				out = append(out, p)
				continue
			}
			b := document.Box{X0: out[i].BBox[0], Y0: out[i].BBox[1], X1: out[i].BBox[2], Y1: out[i].BBox[3]}
			b = b.Union(document.Box{X0: p.BBox[0], Y0: p.BBox[1], X1: p.BBox[2], Y1: p.BBox[3]})
			out[i].BBox = roundBox(b)
			out[i].Text += "\n" + p.Text
		}
	}
	return out
}

// evalTable stores the fields of one block of the tables plugin: each
// named group of body is a field; "date…" and "…date" names are dates and
// "amount…" names numbers, as in invoice2data, else the types apply.
// Several values of a field are grouped by its group setting. A date
// that does not parse drops the whole block, as in invoice2data.
func (t *i2dTemplate) evalTable(tb *i2dTable, text *i2dText, o *i2dOutput) {
	raws, ok := tb.values(text.text)
	if !ok {
		return
	}
	var fields []Field
	var ranks []int
	for _, name := range tb.columns {
		typ := tb.types[name]
		switch {
		case strings.HasPrefix(name, "date") || strings.HasSuffix(name, "date"):
			typ = "date"
		case strings.HasPrefix(name, "amount"):
			typ = "float"
		}
		var found, failed []i2dValue
		for _, r := range raws[name] {
			v := t.value(r.text, typ, text, r.sp)
			if v.err != nil && typ == "date" {
				return
			}
			if v.err != nil {
				failed = append(failed, v)
			} else {
				found = append(found, v)
			}
		}
		if len(found)+len(failed) == 0 {
			continue
		}
		f, rank := t.resolve(name, typ, tb.groups[name], found, failed)
		fields, ranks = append(fields, f), append(ranks, rank)
	}
	for i, f := range fields {
		o.put(f, ranks[i])
	}
}

// checkRequired marks the required fields without a value: the field, or
// the lines table, needs review with ReasonMissingRequired; a required field
// the template does not define is added.
func (t *i2dTemplate) checkRequired(o *i2dOutput) {
	for _, name := range t.required {
		if i := slices.IndexFunc(o.tables, func(tb Table) bool { return tb.Name == name }); i >= 0 {
			if tb := &o.tables[i]; len(tb.Rows) == 0 {
				tb.NeedsReview, tb.ReviewReasons = true, append(tb.ReviewReasons, ReasonMissingRequired)
			}
			continue
		}
		i, ok := o.pos[name]
		if !ok {
			o.put(Field{Name: name, Type: i2dRequiredType(name)}, rankMissing)
			i = o.pos[name]
		}
		if o.ranks[i] == rankFound {
			continue
		}
		f := &o.fields[i]
		f.NeedsReview, f.ReviewReasons = true, append(f.ReviewReasons, ReasonMissingRequired)
	}
}

// i2dRequiredType guesses the type of a required field the template does
// not define, by invoice2data's naming conventions.
func i2dRequiredType(name string) FieldType {
	switch {
	case strings.HasPrefix(name, "date") || strings.HasSuffix(name, "date"):
		return FieldDate
	case name == "amount" || strings.HasPrefix(name, "amount_"):
		return FieldMoney
	}
	return FieldString
}
