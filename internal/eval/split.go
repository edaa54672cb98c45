package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// splitEvaluator scores the SPLIT processor {"classify": "standard"} on
// multi-document PDFs whose documents are known.
type splitEvaluator struct {
	dir  string
	proc processor.Processor
}

// newSplitEvaluator builds the SPLIT processor.
func newSplitEvaluator(dir string) (*splitEvaluator, error) {
	proc, err := processor.New(processor.TypeSplit, json.RawMessage(`{"classify": "standard"}`))
	if err != nil {
		return nil, err
	}
	return &splitEvaluator{dir: dir, proc: proc}, nil
}

// splitTruth is constructed-splitting's *.expected.json.
type splitTruth struct {
	Documents []struct {
		First int    `json:"first_page"`
		Last  int    `json:"last_page"`
		Class string `json:"class"`
	} `json:"documents"`
}

// evaluate splits the document and counts boundaries; a failure misses
// every true boundary.
func (ev *splitEvaluator) evaluate(ctx context.Context, j job, doc *document.Document, r *DocResult) {
	want, err := readSplitTruth(j.e.path(ev.dir, j.e.Truth))
	if err != nil {
		setFailure(r, "truth", "BAD_TRUTH", err)
		return
	}
	s := &SplitResult{Want: want}
	r.Split = s
	out := process(ctx, ev.proc, doc, r)
	if out != nil {
		for _, g := range out.Segments {
			s.Got = append(s.Got, Segment{Class: g.Class, First: g.StartPage, Last: g.EndPage})
		}
	}
	s.TP, s.FP, s.FN = processor.BoundaryCounts(toSegments(s.Got), toSegments(want))
	for _, w := range want {
		for _, g := range s.Got {
			if g == w {
				s.Found++
			}
		}
	}
}

// readSplitTruth reads the true documents, classes mapped to preset names.
func readSplitTruth(file string) ([]Segment, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var t splitTruth
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path.Base(file), err)
	}
	if len(t.Documents) == 0 {
		return nil, fmt.Errorf("%s lists no documents", path.Base(file))
	}
	segs := make([]Segment, len(t.Documents))
	for i, d := range t.Documents {
		segs[i] = Segment{Class: presetClass(d.Class), First: d.First, Last: d.Last}
	}
	return segs, nil
}

// toSegments converts segments for processor.BoundaryCounts.
func toSegments(segs []Segment) []processor.Segment {
	out := make([]processor.Segment, len(segs))
	for i, s := range segs {
		out[i] = processor.Segment{Class: s.Class, StartPage: s.First, EndPage: s.Last}
	}
	return out
}
