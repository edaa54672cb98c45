package eval

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// configs holds the EXTRACT configs of the sets whose truth is not
// invoice2data's, each wrapped in a spec.
//
//go:embed configs/*.json
var configs embed.FS

// spec is an EXTRACT config with what it means for a set's truth:
//
//	{
//	  "about": "what the config is for",
//	  "truth": {"<truth field>": {"field": "<output field>", "compare": "string|date|amount|id", "date_order": "DMY|MDY"}},
//	  "not_attempted": {"<truth field>": "why it is not extracted"},
//	  "ignore": ["<truth field that is metadata, not printed>"],
//	  "extract": { EXTRACT config }
//	}
//
// "field" defaults to the truth field's name and "compare" to "string".
// Truth fields in neither "truth" nor "ignore" count as not attempted.
type spec struct {
	About        string               `json:"about"`
	Truth        map[string]fieldSpec `json:"truth"`
	NotAttempted map[string]string    `json:"not_attempted"`
	Ignore       []string             `json:"ignore"`
	Extract      json.RawMessage      `json:"extract"`
}

// fieldSpec maps one truth field to an output field.
type fieldSpec struct {
	Field     string `json:"field"`
	Compare   string `json:"compare"`
	DateOrder string `json:"date_order"`
}

// loadSpec reads configs/<name>.json; ok is false when there is none.
func loadSpec(name string) (s *spec, ok bool, err error) {
	raw, err := configs.ReadFile("configs/" + name + ".json")
	if err != nil {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	s = &spec{}
	if err := dec.Decode(s); err != nil {
		return nil, true, fmt.Errorf("configs/%s.json: %w", name, err)
	}
	for k, f := range s.Truth {
		if f.Field == "" {
			f.Field = k
		}
		if f.Compare == "" {
			f.Compare = compareString
		}
		switch f.Compare {
		case compareString, compareDate, compareAmount, compareID:
		default:
			return nil, true, fmt.Errorf("configs/%s.json: truth %q: unknown compare %q", name, k, f.Compare)
		}
		s.Truth[k] = f
	}
	return s, true, nil
}

// truthField is one field of a document's truth.
type truthField struct {
	Name  string
	Value any
	// Type is the truth's own type of the field, e.g. "selectionMark".
	Type string
	// Page and Box locate the value, when the truth has a box.
	Page int
	Box  *document.Box
}

// specEvaluator scores a set whose truth is a list of named fields with
// an EXTRACT processor built from a spec.
type specEvaluator struct {
	dir  string
	spec *spec
	proc processor.Processor
	// read reads one document's truth.
	read func(dir string, e entry) ([]truthField, error)
}

// newSpecEvaluator compiles the spec's EXTRACT config. Without a spec
// (proc nil) every truth field counts as not attempted.
func newSpecEvaluator(dir, name string, read func(string, entry) ([]truthField, error)) (*specEvaluator, error) {
	s, ok, err := loadSpec(name)
	if err != nil {
		return nil, err
	}
	ev := &specEvaluator{dir: dir, spec: s, read: read}
	if !ok {
		ev.spec = &spec{}
		return ev, nil
	}
	if ev.proc, err = processor.New(processor.TypeExtract, s.Extract); err != nil {
		return nil, fmt.Errorf("configs/%s.json: %w", name, err)
	}
	return ev, nil
}

// evaluate scores every truth field the spec maps.
func (ev *specEvaluator) evaluate(ctx context.Context, j job, doc *document.Document, r *DocResult) {
	truth, err := ev.read(ev.dir, j.e)
	if err != nil {
		setFailure(r, "truth", "BAD_TRUTH", err)
		return
	}
	var out *processor.Output
	if ev.proc != nil {
		out = process(ctx, ev.proc, doc, r)
	}
	ignore := map[string]bool{}
	for _, k := range ev.spec.Ignore {
		ignore[k] = true
	}
	for _, t := range truth {
		fs, ok := ev.spec.Truth[t.Name]
		switch {
		case ignore[t.Name]:
		case !ok:
			r.NotAttempted = append(r.NotAttempted, t.Name+": "+ev.notAttempted(t))
		default:
			r.Fields = append(r.Fields, scoreTruthField(t, fs, out))
		}
	}
}

// notAttempted says why a truth field is not extracted.
func (ev *specEvaluator) notAttempted(t truthField) string {
	switch {
	case ev.spec.NotAttempted[t.Name] != "":
		return ev.spec.NotAttempted[t.Name]
	case ev.proc == nil:
		return "no EXTRACT config for this set"
	case t.Type == "selectionMark":
		return "check box: EXTRACT reads text, not selection marks"
	}
	return "no extraction rule"
}

// scoreTruthField compares one truth field with the output field fs maps
// it to, and its box with the value's provenance when the truth has one.
func scoreTruthField(t truthField, fs fieldSpec, out *processor.Output) FieldResult {
	var f *processor.Field
	if out != nil {
		f = findField(out.Fields, fs.Field)
	}
	var got any
	if f != nil {
		got = f.Value
	}
	w, g, exact := compareValues(fs.Compare, fs.DateOrder, t.Value, got)
	r := FieldResult{Name: t.Name, Want: w, Got: g, Exact: exact}
	if t.Box != nil {
		iou := 0.0
		if f != nil && got != nil {
			iou = provenanceBox(f.Provenance, t.Page).IoU(*t.Box)
		}
		r.IoU = &iou
	}
	return r
}

// provenanceBox returns the union of the provenance boxes on page.
func provenanceBox(prov []processor.Provenance, page int) document.Box {
	var b document.Box
	for _, p := range prov {
		if p.Page == page {
			b = b.Union(document.Box{X0: p.BBox[0], Y0: p.BBox[1], X1: p.BBox[2], Y1: p.BBox[3]})
		}
	}
	return b
}
