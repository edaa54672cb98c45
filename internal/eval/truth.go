package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// readFlatTruth reads a flat JSON object of field → value (the zugferd
// corpus's expected/*.expected.json), fields in name order.
func readFlatTruth(dir string, e entry) ([]truthField, error) {
	raw, err := os.ReadFile(e.path(dir, e.Truth))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path.Base(e.Truth), err)
	}
	fields := make([]truthField, 0, len(m))
	for k, v := range m {
		fields = append(fields, truthField{Name: k, Value: v})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	return fields, nil
}

// labelsFile is an Azure Form Recognizer labels.json (v2).
type labelsFile struct {
	Labels []struct {
		Label string `json:"label"`
		Value []struct {
			Page          int         `json:"page"`
			Text          string      `json:"text"`
			BoundingBoxes [][]float64 `json:"boundingBoxes"`
		} `json:"value"`
	} `json:"labels"`
}

// fieldsFile is the fields.json next to labels files: each label's type.
type fieldsFile struct {
	Fields []struct {
		Key  string `json:"fieldKey"`
		Type string `json:"fieldType"`
	} `json:"fields"`
}

// readLabelsTruth reads a labels.json: each label's value is its words'
// texts joined with spaces; its box is the union of the words' quads on
// the value's first page. The quads are normalised to the page with the
// origin at the top-left, like document.Box (checked against the PDFs'
// text layer). Types come from fields.json when the folder has one.
func readLabelsTruth(dir string, e entry) ([]truthField, error) {
	raw, err := os.ReadFile(e.path(dir, e.Truth))
	if err != nil {
		return nil, err
	}
	var lf labelsFile
	if err := json.Unmarshal(raw, &lf); err != nil {
		return nil, fmt.Errorf("%s: %w", path.Base(e.Truth), err)
	}
	types := labelTypes(e.path(dir, path.Join(path.Dir(e.Truth), "fields.json")))
	var fields []truthField
	for _, l := range lf.Labels {
		if len(l.Value) == 0 {
			continue
		}
		t := truthField{Name: l.Label, Type: types[l.Label], Page: l.Value[0].Page}
		var texts []string
		var box document.Box
		boxed := true
		for _, v := range l.Value {
			texts = append(texts, v.Text)
			for _, q := range v.BoundingBoxes {
				b, ok := quadBox(q)
				boxed = boxed && ok
				if v.Page == t.Page {
					box = box.Union(b)
				}
			}
		}
		t.Value = strings.Join(texts, " ")
		if boxed && !box.IsZero() {
			t.Box = &box
		}
		fields = append(fields, t)
	}
	return fields, nil
}

// labelTypes reads a fields.json; a missing or unreadable file gives no
// types.
func labelTypes(file string) map[string]string {
	types := map[string]string{}
	raw, err := os.ReadFile(file)
	if err != nil {
		return types
	}
	var ff fieldsFile
	if json.Unmarshal(raw, &ff) == nil {
		for _, f := range ff.Fields {
			types[f.Key] = f.Type
		}
	}
	return types
}

// quadBox turns a normalised 8-point quad (x1,y1 … x4,y4) into the
// axis-aligned box holding it; ok is false for a malformed quad or one
// outside the page.
func quadBox(q []float64) (document.Box, bool) {
	if len(q) != 8 {
		return document.Box{}, false
	}
	b := document.Box{X0: q[0], Y0: q[1], X1: q[0], Y1: q[1]}
	for i := 0; i < 8; i += 2 {
		x, y := q[i], q[i+1]
		if x < -0.01 || y < -0.01 || x > 1.01 || y > 1.01 {
			return document.Box{}, false
		}
		b.X0, b.X1 = min(b.X0, x), max(b.X1, x)
		b.Y0, b.Y1 = min(b.Y0, y), max(b.Y1, y)
	}
	return b, true
}
