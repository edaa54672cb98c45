package eval

import (
	"context"
	"path"
	"strings"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Names of the evaluation sets; Options.Only takes one of them (or a
// manifest dataset name). The labeled sets are named after their folder:
// "labeled-invoices", "labeled-w9", "labeled-w8ben".
const (
	// SetInvoice2Data is invoice2data's tests/compare: vendor invoices
	// whose templates are in the corpus.
	SetInvoice2Data = "invoice2data"
	// SetInvoice2DataCustom is invoice2data's tests/custom: invoice texts
	// whose templates live upstream in tests/custom/templates, which the
	// corpus does not hold unless that folder is present.
	SetInvoice2DataCustom = "invoice2data-custom"
	// SetZUGFeRD is German e-invoices scored against their embedded XML.
	SetZUGFeRD = "zugferd"
	// SetLabeledPrefix starts the names of the human-labelled form sets.
	SetLabeledPrefix = "labeled-"
	// SetClassification is documents with a known class.
	SetClassification = "classification"
	// SetSplitting is multi-document PDFs with known boundaries.
	SetSplitting = "splitting"
	// SetUnscored is documents without human ground truth: they are only
	// parsed, for robustness and speed.
	SetUnscored = "unscored"
)

// job is one manifest entry assigned to a set.
type job struct {
	e     entry
	set   string
	class string // the class a classification entry names in its task
	note  string // why an unscored entry is not scored
	// ocrPages, above 0 for a job of an OCR variant set, is how many
	// pages of the PDF are rendered and read by OCR.
	ocrPages int
}

// assign puts a manifest entry into its evaluation set by its task and
// ground-truth file.
func assign(e entry) job {
	j := job{e: e}
	truth := path.Base(e.Truth)
	switch {
	case strings.HasPrefix(e.Task, "splitting") && e.Truth != "":
		j.set = SetSplitting
	case e.Dataset == "invoice2data" && e.Truth != "" && strings.HasPrefix(e.Document, "tests/compare/"):
		j.set = SetInvoice2Data
	case e.Dataset == "invoice2data" && e.Truth != "" && strings.HasPrefix(e.Document, "tests/custom/"):
		j.set = SetInvoice2DataCustom
	case strings.HasPrefix(e.Task, "extraction") && strings.HasSuffix(truth, ".expected.json"):
		j.set = SetZUGFeRD
	case strings.HasSuffix(truth, ".labels.json"):
		j.set = SetLabeledPrefix + path.Base(path.Dir(e.Document))
	case e.Task == "classification" && e.Truth != "":
		j.set = SetClassification
	case strings.HasPrefix(e.Task, "classification (") && strings.HasSuffix(e.Task, ")"):
		j.set = SetClassification
		j.class = strings.TrimSuffix(strings.TrimPrefix(e.Task, "classification ("), ")")
	default:
		j.set = SetUnscored
		j.note = "not scored: " + e.Task
		switch {
		case e.Truth == "":
			j.note += "; no ground truth"
		case e.TruthFormat != "":
			j.note += "; truth is " + e.TruthFormat
		}
	}
	return j
}

// evaluator scores the documents of one set.
type evaluator interface {
	// evaluate runs the set's processor on doc and scores the output
	// against the truth of j into r. doc is nil when parsing failed
	// (r.Failure says why); the truth then counts as missed.
	evaluate(ctx context.Context, j job, doc *document.Document, r *DocResult)
}

// unscored parses documents without scoring them.
type unscored struct{}

// evaluate records why the document is not scored.
func (unscored) evaluate(_ context.Context, j job, _ *document.Document, r *DocResult) {
	r.Note = j.note
}

// setDescriptions say in a few words what each set scores.
var setDescriptions = map[string]string{
	SetInvoice2Data:       "invoice2data tests/compare with the corpus's 214 templates",
	SetInvoice2DataCustom: "invoice2data tests/custom (their templates are not in the corpus)",
	SetZUGFeRD:            "ZUGFeRD/XRechnung visualisations vs their XML (configs/zugferd.json)",
	SetClassification:     `CLASSIFY preset "standard"`,
	SetSplitting:          `SPLIT {"classify": "standard"}`,
	SetUnscored:           "no human truth: parsed only",
}

// describe returns the description of a set.
func describe(set string) string {
	if d, ok := setDescriptions[set]; ok {
		return d
	}
	if base := baseSet(set); base != set {
		return describe(base) + "; pages rendered at 300 dpi and read by OCR"
	}
	if strings.HasPrefix(set, SetLabeledPrefix) {
		return "human labels with boxes (configs/" + set + ".json)"
	}
	return ""
}
