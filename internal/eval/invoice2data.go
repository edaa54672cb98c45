package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// i2dEvaluator scores invoice2data documents against invoice2data's
// expected output, with one EXTRACT processor holding every template.
type i2dEvaluator struct {
	dir  string
	proc processor.Processor
	// noTemplateNote is said of documents no template matched.
	noTemplateNote string
}

// i2dTemplates compiles the corpus's invoice2data templates once for
// the sets that use them.
type i2dTemplates struct {
	dir     string
	done    bool
	cfg     json.RawMessage
	proc    processor.Processor
	skipped []processor.Invoice2DataSkipped
	err     error
}

// load returns the config and processor of invoice2data/templates, and
// the templates left out the first time it is called.
func (t *i2dTemplates) load() (json.RawMessage, processor.Processor, []processor.Invoice2DataSkipped, error) {
	if t.done {
		return t.cfg, t.proc, nil, t.err
	}
	t.done = true
	t.cfg, t.skipped, t.err = processor.Invoice2DataTemplatesFromDir(filepath.Join(t.dir, "invoice2data", "templates"))
	if t.err == nil {
		t.proc, t.err = processor.New(processor.TypeExtract, t.cfg)
	}
	return t.cfg, t.proc, t.skipped, t.err
}

// newI2DEvaluator builds the evaluator of an invoice2data set from the
// dataset's templates; for the custom set, tests/custom/templates joins
// them when the corpus has it.
func newI2DEvaluator(t *i2dTemplates, set string) (*i2dEvaluator, []processor.Invoice2DataSkipped, error) {
	cfg, proc, skipped, err := t.load()
	if err != nil {
		return nil, skipped, err
	}
	ev := &i2dEvaluator{dir: t.dir, proc: proc, noTemplateNote: "no template matched"}
	if set != SetInvoice2DataCustom {
		return ev, skipped, nil
	}
	ev.noTemplateNote = "no template available: tests/custom/templates is not in the corpus"
	custom := filepath.Join(t.dir, "invoice2data", "tests", "custom", "templates")
	if _, err := os.Stat(custom); err != nil {
		return ev, skipped, nil
	}
	extra, more, err := processor.Invoice2DataTemplatesFromDir(custom)
	skipped = append(skipped, more...)
	if err != nil {
		return nil, skipped, err
	}
	if cfg, err = joinI2DConfigs(cfg, extra); err != nil {
		return nil, skipped, err
	}
	ev.noTemplateNote = "no template matched"
	ev.proc, err = processor.New(processor.TypeExtract, cfg)
	return ev, skipped, err
}

// joinI2DConfigs appends the templates of b to those of a.
func joinI2DConfigs(a, b json.RawMessage) (json.RawMessage, error) {
	var x, y processor.Invoice2DataConfig
	if err := json.Unmarshal(a, &x); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return nil, err
	}
	x.Invoice2Data.Templates = append(x.Invoice2Data.Templates, y.Invoice2Data.Templates...)
	return json.Marshal(x)
}

// evaluate compares every key of the expected JSON but "desc" (derived
// from the issuer, not extracted) with the output.
func (ev *i2dEvaluator) evaluate(ctx context.Context, j job, doc *document.Document, r *DocResult) {
	want, err := readI2DTruth(j.e.path(ev.dir, j.e.Truth))
	if err != nil {
		setFailure(r, "truth", "BAD_TRUTH", err)
		return
	}
	out := process(ctx, ev.proc, doc, r)
	if out != nil {
		r.Template = out.Template
		r.NoTemplate = out.Template == ""
		if r.NoTemplate {
			r.Note = ev.noTemplateNote
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		if k != "desc" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, cells, exact := scoreI2DKey(k, want[k], out)
		r.Fields = append(r.Fields, f)
		r.Cells, r.CellsExact = r.Cells+cells, r.CellsExact+exact
	}
}

// readI2DTruth reads invoice2data's expected output: a list of one object.
func readI2DTruth(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("%s: want a list of one object, got %d", filepath.Base(path), len(list))
	}
	return list[0], nil
}

// scoreI2DKey compares one expected key: a list of objects with the table
// of that name (also returning its cell counts), anything else with the
// field of that name.
func scoreI2DKey(key string, want any, out *processor.Output) (FieldResult, int, int) {
	if rows, ok := want.([]any); ok && len(rows) > 0 {
		if _, isObj := rows[0].(map[string]any); isObj {
			return scoreI2DTable(key, rows, out)
		}
		want = singleValue(rows)
	}
	var f *processor.Field
	if out != nil {
		f = findField(out.Fields, key)
	}
	var got any
	var typ processor.FieldType
	if f != nil {
		got, typ = f.Value, f.Type
	}
	w, g, exact := compareValues(i2dMode(key, want, typ), "DMY", want, got)
	return FieldResult{Name: key, Want: w, Got: g, Exact: exact}, 0, 0
}

// singleValue returns the one distinct value of a list (invoice2data
// returns a list when a regex matched several times, often the same
// value), or the list itself.
func singleValue(list []any) any {
	seen := map[string]bool{}
	for _, v := range list {
		s, _ := render(v)
		seen[normString(s)] = true
	}
	if len(seen) == 1 {
		return list[0]
	}
	return list
}

// i2dMode picks the compare mode of an invoice2data value: amounts for
// numbers, dates for date fields, strings otherwise.
func i2dMode(key string, want any, typ processor.FieldType) string {
	_, num := render(want)
	switch {
	case num || typ == processor.FieldNumber || typ == processor.FieldMoney:
		return compareAmount
	case typ == processor.FieldDate || strings.HasPrefix(key, "date") || strings.HasSuffix(key, "date"):
		return compareDate
	}
	return compareString
}

// scoreI2DTable compares expected rows with the output table named key:
// exact when the row counts agree and every expected cell is equal.
func scoreI2DTable(key string, rows []any, out *processor.Output) (FieldResult, int, int) {
	var tb *processor.Table
	if out != nil {
		for i := range out.Tables {
			if out.Tables[i].Name == key {
				tb = &out.Tables[i]
			}
		}
	}
	cells, exact := 0, 0
	for i, row := range rows {
		obj, _ := row.(map[string]any)
		for k, want := range obj {
			cells++
			if tb == nil || i >= len(tb.Rows) {
				continue
			}
			if c := findField(tb.Rows[i].Cells, k); c != nil {
				if _, _, ok := compareValues(i2dMode(k, want, c.Type), "DMY", want, c.Value); ok {
					exact++
				}
			}
		}
	}
	r := FieldResult{Name: key, Want: fmt.Sprintf("%d rows, %d cells", len(rows), cells)}
	if tb != nil {
		r.Got = fmt.Sprintf("%d rows, %d/%d cells exact", len(tb.Rows), exact, cells)
		r.Exact = len(tb.Rows) == len(rows) && exact == cells
	}
	return r, cells, exact
}

// findField returns the field called name, or nil.
func findField(fields []processor.Field, name string) *processor.Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
	}
	return nil
}
