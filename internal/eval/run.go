package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// Options configures an evaluation.
type Options struct {
	// Dir is the corpus: a folder with manifest.csv and the dataset
	// folders it names.
	Dir string
	// Only limits the evaluation to one set (see the Set constants) or
	// one manifest dataset; "" runs everything.
	Only string
	// Concurrency is the number of documents parsed and processed at
	// once; 0 means GOMAXPROCS.
	Concurrency int
	// JSON makes Run write the Report as JSON instead of tables.
	JSON bool
	// Verbose makes Run's tables list every document.
	Verbose bool
	// Parser parses the files; nil means the engine's parser.
	Parser Parser
	// OCRPages, when above 0, adds the OCR variant of the human-labelled
	// sets (zugferd and labeled-*, named with SetOCRSuffix): the first
	// OCRPages pages of each PDF are rendered at 300 dpi, encoded as PNG
	// and parsed as images (OCR), then scored with the same configs. The
	// Parser must implement PageRenderer.
	OCRPages int
	// OCRLang are the tesseract languages of the engine's parser, joined
	// by "+" ("" means the OCR default, eng).
	OCRLang string
}

// Run evaluates the corpus and writes the report to w: tables, or JSON
// with Options.JSON. Missed targets are reported, not errors; an error
// means the corpus could not be read or ctx ended.
func Run(ctx context.Context, opts Options, w io.Writer) error {
	rep, err := Evaluate(ctx, opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(w, opts.Verbose)
}

// Evaluate runs every selected document of the corpus through the parser
// and its set's processor and scores the outputs. Documents are run set by
// set, and within a set by text kind, Concurrency at a time, so that each
// group's wall time gives its pages per second.
func Evaluate(ctx context.Context, opts Options) (*Report, error) {
	if opts.Dir == "" {
		return nil, errors.New("no corpus directory given")
	}
	entries, err := readManifest(opts.Dir)
	if err != nil {
		return nil, err
	}
	jobs, err := selectJobs(entries, opts.Only, opts.OCRPages)
	if err != nil {
		return nil, err
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = runtime.GOMAXPROCS(0)
	}
	parser := opts.Parser
	if parser == nil {
		p, closeParser, err := newParser(conc, opts.OCRLang)
		if err != nil {
			return nil, fmt.Errorf("starting the parser: %w", err)
		}
		defer closeParser()
		parser = p
	}
	start := time.Now()
	evs, notes := prepare(opts.Dir, jobs)
	results := make([]DocResult, len(jobs))
	var groups []group
	for _, g := range groupJobs(jobs) {
		t0 := time.Now()
		runGroup(ctx, conc, g.jobs, func(i int) {
			results[i] = runOne(ctx, opts.Dir, parser, evs[jobs[i].set], jobs[i])
		})
		g.seconds = time.Since(t0).Seconds()
		groups = append(groups, g)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Corpus: opts.Dir, Concurrency: conc, OCRPages: opts.OCRPages, Seconds: time.Since(start).Seconds(), Notes: notes}
	return buildReport(rep, results, groups), nil
}

// selectJobs assigns entries to sets, adds the OCR variant jobs when
// ocrPages is above 0, and keeps the jobs only selects.
func selectJobs(entries []entry, only string, ocrPages int) ([]job, error) {
	var jobs []job
	names := map[string]bool{}
	for _, e := range entries {
		j := assign(e)
		all := []job{j}
		if ocrPages > 0 && hasOCRVariant(j.set) && e.Format == "pdf" {
			all = append(all, ocrVariant(j, ocrPages))
		}
		for _, j := range all {
			names[j.set], names[e.Dataset] = true, true
			if only == "" || only == j.set || only == e.Dataset {
				jobs = append(jobs, j)
			}
		}
	}
	if len(jobs) == 0 {
		known := make([]string, 0, len(names))
		for n := range names {
			known = append(known, n)
		}
		sort.Strings(known)
		if only != "" {
			return nil, fmt.Errorf("no document in set or dataset %q; choose one of %s", only, strings.Join(known, ", "))
		}
		return nil, errors.New("the manifest lists no document")
	}
	return jobs, nil
}

// setupFailed is the evaluator of a set whose processor could not be
// built: its documents fail with SETUP_FAILED.
type setupFailed struct{ err error }

// evaluate records the setup failure.
func (s setupFailed) evaluate(_ context.Context, _ job, _ *document.Document, r *DocResult) {
	setFailure(r, "setup", "SETUP_FAILED", s.err)
}

// prepare builds the evaluator of every set the jobs use; a set that
// cannot be built fails its documents, and the notes say why.
func prepare(dir string, jobs []job) (map[string]evaluator, []string) {
	evs := map[string]evaluator{}
	var notes []string
	i2d := &i2dTemplates{dir: dir}
	for _, j := range jobs {
		if _, ok := evs[j.set]; ok {
			continue
		}
		ev, skipped, err := newEvaluator(dir, j.set, i2d)
		for _, s := range skipped {
			notes = append(notes, fmt.Sprintf("invoice2data template %s left out: %s", s.Path, s.Reason))
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: setup failed: %v", j.set, err))
			ev = setupFailed{err}
		}
		evs[j.set] = ev
	}
	return evs, notes
}

// newEvaluator builds the evaluator of one set.
func newEvaluator(dir, set string, i2d *i2dTemplates) (evaluator, []processor.Invoice2DataSkipped, error) {
	switch {
	case set == SetInvoice2Data || set == SetInvoice2DataCustom:
		return newI2DEvaluator(i2d, set)
	case baseSet(set) == SetZUGFeRD:
		ev, err := newSpecEvaluator(dir, baseSet(set), readFlatTruth)
		return ev, nil, err
	case strings.HasPrefix(set, SetLabeledPrefix):
		ev, err := newSpecEvaluator(dir, baseSet(set), readLabelsTruth)
		return ev, nil, err
	case set == SetClassification:
		ev, err := newClassifyEvaluator(dir)
		return ev, nil, err
	case set == SetSplitting:
		ev, err := newSplitEvaluator(dir)
		return ev, nil, err
	}
	return unscored{}, nil, nil
}

// group is the jobs of one set and text kind, and their wall time.
type group struct {
	set, text string
	jobs      []int // indices into the jobs
	seconds   float64
}

// groupJobs groups jobs by set (in setOrder) and text kind.
func groupJobs(jobs []job) []group {
	var groups []group
	for i, j := range jobs {
		k := slices.IndexFunc(groups, func(g group) bool { return g.set == j.set && g.text == j.e.Text })
		if k < 0 {
			groups = append(groups, group{set: j.set, text: j.e.Text})
			k = len(groups) - 1
		}
		groups[k].jobs = append(groups[k].jobs, i)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		if oa, ob := setOrder(groups[a].set), setOrder(groups[b].set); oa != ob {
			return oa < ob
		}
		return groups[a].set < groups[b].set
	})
	return groups
}

// setOrder ranks sets for running and reporting.
func setOrder(set string) int {
	switch {
	case set == SetInvoice2Data:
		return 0
	case set == SetInvoice2DataCustom:
		return 1
	case set == SetZUGFeRD:
		return 2
	case strings.HasSuffix(set, SetOCRSuffix):
		return 4
	case strings.HasPrefix(set, SetLabeledPrefix):
		return 3
	case set == SetClassification:
		return 5
	case set == SetSplitting:
		return 6
	}
	return 7
}

// runGroup calls do for every index, conc at a time, and returns when all
// calls have returned. After ctx ends no new call starts.
func runGroup(ctx context.Context, conc int, idx []int, do func(int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(conc, len(idx)) {
		wg.Go(func() {
			for i := range work {
				do(i)
			}
		})
	}
feed:
	for _, i := range idx {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// runOne reads, parses and scores one document.
func runOne(ctx context.Context, dir string, p Parser, ev evaluator, j job) (r DocResult) {
	r = DocResult{Set: j.set, Document: j.e.ID(), Text: j.e.Text}
	start := time.Now()
	defer func() { r.Seconds = time.Since(start).Seconds() }()
	var doc *document.Document
	data, err := os.ReadFile(j.e.path(dir, j.e.Document))
	if err != nil {
		setFailure(&r, "read", "MISSING_FILE", err)
	} else if doc, err = parse(ctx, p, data, j.ocrPages); err != nil {
		setFailure(&r, "parse", errorCode(err), err)
		doc = nil
	} else {
		r.Pages = len(doc.Pages)
	}
	ev.evaluate(ctx, j, doc, &r)
	return r
}

// parse parses data, or for a job of an OCR variant set its first pages as
// images.
func parse(ctx context.Context, p Parser, data []byte, ocrPages int) (*document.Document, error) {
	if ocrPages > 0 {
		return parseAsImages(ctx, p, data, ocrPages)
	}
	return p.Parse(ctx, data)
}

// process runs proc on doc; it returns nil when doc is nil or the
// processor fails, which it records in r.
func process(ctx context.Context, proc processor.Processor, doc *document.Document, r *DocResult) *processor.Output {
	if doc == nil {
		return nil
	}
	out, err := proc.Process(ctx, doc)
	if err != nil {
		setFailure(r, "process", errorCode(err), err)
		return nil
	}
	return out
}

// setFailure records the first failure of a document.
func setFailure(r *DocResult, stage, code string, err error) {
	if r.Failure == nil {
		r.Failure = &Failure{Stage: stage, Code: code, Message: errorMessage(err)}
	}
}

// errorMessage returns the message of an engine error without its code,
// or err's text.
func errorMessage(err error) string {
	var derr *document.Error
	var perr *processor.Error
	switch {
	case errors.As(err, &derr):
		return derr.Message
	case errors.As(err, &perr):
		return perr.Message
	}
	return err.Error()
}

// errorCode returns the engine's code of err: document.Error and
// processor.Error codes, CANCELLED when a context ended, else ERROR.
func errorCode(err error) string {
	var derr *document.Error
	var perr *processor.Error
	switch {
	case errors.As(err, &derr):
		return derr.Code
	case errors.As(err, &perr):
		return perr.Code
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "CANCELLED"
	}
	return "ERROR"
}
