package eval

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// classAliases maps class names of the corpus to the names of the
// "standard" preset where they differ. The folders of
// document-intelligence-code-samples/by_class (business_card, contract,
// id_document, invoice, mortgage_form, other, receipt, tax_form) and the
// classes of constructed-splitting (invoice, tax_form) already are preset
// names; a Textract fixture's task says "paystub".
var classAliases = map[string]string{
	"paystub": "payslip",
}

// presetClass returns the preset's name for a corpus class.
func presetClass(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if a, ok := classAliases[c]; ok {
		return a
	}
	return c
}

// classifyEvaluator scores the CLASSIFY preset "standard" on documents
// of known class: from the dataset's labels.csv (path,class) or from the
// manifest task "classification (<class>)".
type classifyEvaluator struct {
	dir  string
	proc processor.Processor

	mu     sync.Mutex
	labels map[string]map[string]string // labels file → document → class
}

// newClassifyEvaluator builds the CLASSIFY processor.
func newClassifyEvaluator(dir string) (*classifyEvaluator, error) {
	proc, err := processor.New(processor.TypeClassify, json.RawMessage(`{"preset": "standard"}`))
	if err != nil {
		return nil, err
	}
	return &classifyEvaluator{dir: dir, proc: proc, labels: map[string]map[string]string{}}, nil
}

// evaluate classifies the document; a failure counts as a wrong class.
func (ev *classifyEvaluator) evaluate(ctx context.Context, j job, doc *document.Document, r *DocResult) {
	want := j.class
	if want == "" {
		var err error
		if want, err = ev.label(j.e); err != nil {
			setFailure(r, "truth", "BAD_TRUTH", err)
			return
		}
	}
	r.Class = &ClassResult{Want: presetClass(want)}
	out := process(ctx, ev.proc, doc, r)
	if out != nil && out.Class != nil {
		r.Class.Got, r.Class.Confidence = out.Class.Class, out.Class.Confidence
		r.Class.Correct = r.Class.Got == r.Class.Want
	}
}

// label looks the document up in its labels file.
func (ev *classifyEvaluator) label(e entry) (string, error) {
	file := e.path(ev.dir, e.Truth)
	ev.mu.Lock()
	defer ev.mu.Unlock()
	m, ok := ev.labels[file]
	if !ok {
		var err error
		if m, err = readLabelsCSV(file); err != nil {
			return "", err
		}
		ev.labels[file] = m
	}
	c, ok := m[e.Document]
	if !ok {
		return "", fmt.Errorf("%s has no class for %s", path.Base(e.Truth), e.Document)
	}
	return c, nil
}

// readLabelsCSV reads a "path,class" CSV with a header.
func readLabelsCSV(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path.Base(file), err)
	}
	m := map[string]string{}
	for i, row := range rows {
		if i == 0 || len(row) < 2 {
			continue
		}
		m[strings.TrimSpace(row[0])] = strings.TrimSpace(row[1])
	}
	return m, nil
}
