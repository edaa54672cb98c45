package processor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// CodeSplitNeedsFile is the error code of a SPLIT run on raw text: there are
// no pages to split.
const CodeSplitNeedsFile = "SPLIT_NEEDS_FILE"

// DefaultMinConfidence is the boundary probability at which a SPLIT
// processor that sets no min_confidence starts a new document.
const DefaultMinConfidence = 0.5

// Weights of the first-page cues, in log-odds of "a document starts on this
// page"; SplitConfig documents them.
const (
	cueBias         = -1.0 // no cue: pages go on
	cueFirstOfN     = 3.5  // "Page 1 of N"
	cueFirstPage    = 2.0  // "Page 1" without a total
	cueLaterPage    = -4.0 // "Page k", k > 1
	cuePrevUnended  = -2.0 // the previous page was "k of N", k < N
	cuePrevEnded    = 1.5  // the previous page was "N of N"
	cueNewID        = 3.0  // document numbers differ from the previous page's
	cueSameID       = -3.0 // a document number of the previous page recurs
	cueTitle        = 2.0  // a title at the top of the page
	cueClassChange  = 3.0  // × the lower page confidence, when the page classes differ
	cueContinued    = -3.0 // "continued" at the top, or "continued on next page" before
	cueNearlyEmpty  = -2.0 // a page with fewer than minPageTerms terms
	minPageTerms    = 3
	classChangeConf = 0.5 // page confidence both pages need for a class change to count
)

// SplitConfig is the config of a SPLIT processor:
//
//	{
//	  "classify": {"preset": "standard"},
//	  "extract": {"invoice": {"fields": [{"name": "total", "type": "money", "labels": ["Total"]}]}},
//	  "min_confidence": 0.5
//	}
//
// classify is a CLASSIFY config (see ClassifyConfig), or the name of a
// preset as a string ("standard"); without it the standard preset is used.
// extract optionally maps a class (or "other") to an EXTRACT config (field
// templates or invoice2data templates), run on each segment of that class; the segment's Output holds the result, with
// the page numbers of the original file in its provenance. min_confidence
// (0–1, default 0.5) is the boundary probability at which a new document
// starts: lower splits more eagerly, higher more reluctantly.
//
// The split works page by page. Each page is classified on its own (its
// title zone weighing more) and read for first-page cues; the cues add up
// to the log-odds b that a document starts on the page:
//
//	no cue (bias)                                          -1.0
//	"Page 1 of N", "Seite 1 von N", "1/N" (header/footer)   +3.5
//	"Page 1" without a total                               +2.0
//	"Page k" or "k of N" with k > 1                        -4.0
//	the previous page was "k of N" with k < N              -2.0
//	the previous page was "N of N"                         +1.5
//	document numbers (invoice no. …) differ from the       +3.0
//	  previous page's / one of them recurs                 -3.0
//	a heading in the title zone: a class title in a run    +2.0
//	  of at most 4 words between column gaps (or starting
//	  a run of at most 8), or a keyword filling at least
//	  half of a line of at most 6 words
//	the page's class differs from that of the last page    +3.0 × the lower
//	  before it with a class, both with confidence ≥ 0.5      page confidence
//	"continued" at the top, or "continued on next page"    -3.0
//	  at the bottom of the previous page
//	a nearly empty page (fewer than 3 words, no heading)   -2.0
//
// A document starts where σ(b) = 1/(1+e^-b) ≥ min_confidence. A segment's
// class comes from classifying its pages together (its first page's title
// zone weighing more). Its confidence is the lowest of: the probability of
// its start boundary (1 on page 1), the probability that each of its inner
// page breaks is no boundary, that its end is one (1 on the last page), and
// its class confidence.
type SplitConfig struct {
	// Classify is a CLASSIFY config or a preset name.
	Classify json.RawMessage `json:"classify,omitempty"`
	// Extract maps class names to EXTRACT configs.
	Extract map[string]json.RawMessage `json:"extract,omitempty"`
	// MinConfidence is the boundary probability that starts a document.
	MinConfidence *float64 `json:"min_confidence,omitempty"`
}

// splitter is the SPLIT processor.
type splitter struct {
	cls     *classifier
	extract map[string]Processor // EXTRACT processors by class
	minConf float64
}

// newSplitter validates a SPLIT config and compiles it.
func newSplitter(raw json.RawMessage) (*splitter, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &ConfigError{Message: "a JSON object is required"}
	}
	top, err := objectKeys(raw, "", "classify", "extract", "min_confidence")
	if err != nil {
		return nil, err
	}
	s := &splitter{minConf: DefaultMinConfidence, extract: map[string]Processor{}}
	if v, ok := top["min_confidence"]; ok {
		var mc *float64
		if err := decodeInto(v, &mc, "min_confidence"); err != nil {
			return nil, err
		}
		if mc != nil && (*mc < 0 || *mc > 1) {
			return nil, &ConfigError{Field: "min_confidence", Message: "must be between 0 and 1"}
		}
		if mc != nil {
			s.minConf = *mc
		}
	}
	cc := json.RawMessage(`"` + PresetStandard + `"`)
	if v, ok := top["classify"]; ok {
		cc = v
	}
	ccfg, err := decodeClassifyConfig(cc, "classify")
	if err != nil {
		return nil, err
	}
	if s.cls, err = compileClassifier(ccfg, "classify"); err != nil {
		return nil, err
	}
	if v, ok := top["extract"]; ok {
		if err := s.compileExtract(v); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// compileExtract compiles the per-class EXTRACT configs.
func (s *splitter) compileExtract(raw json.RawMessage) error {
	var byClass map[string]json.RawMessage
	if err := decodeInto(raw, &byClass, "extract"); err != nil {
		return err
	}
	if byClass == nil {
		return &ConfigError{Field: "extract", Message: "must be a JSON object"}
	}
	known := append(slices.Clone(s.cls.m.names), ClassOther)
	for _, class := range sortedKeys(byClass) {
		path := "extract." + class
		if !slices.Contains(known, class) {
			return &ConfigError{Field: path, Message: fmt.Sprintf("unknown class %q; want one of %v", class, known)}
		}
		e, err := New(TypeExtract, byClass[class])
		var cerr *ConfigError
		if errors.As(err, &cerr) {
			return &ConfigError{Field: join(path, cerr.Field), Message: cerr.Message}
		}
		if err != nil {
			return err
		}
		s.extract[class] = e
	}
	return nil
}

// page is what the splitter knows about one page.
type page struct {
	lo, hi int // its terms: ts[lo:hi]
	v      verdict
	cues   pageCues
}

// Process cuts doc into segments of pages, classifies each and extracts
// the segments whose class has an EXTRACT config.
func (s *splitter) Process(ctx context.Context, doc *document.Document) (*Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("splitting document: %w", err)
	}
	if doc == nil {
		return nil, &Error{Code: CodeProcessorError, Message: "no document to split"}
	}
	if doc.Kind == document.KindText {
		return nil, &Error{Code: CodeSplitNeedsFile, Message: "the split processor needs a multi-page file (PDF or image), not raw text"}
	}
	out := &Output{Type: TypeSplit}
	if len(doc.Pages) == 0 {
		return out, nil
	}
	ix := newIndex(doc)
	ts := docTerms(ix, s.cls.m.vocab)
	pages := s.readPages(ix, ts)
	probs := s.boundaries(pages)
	for _, seg := range s.segments(ix, ts, pages, probs) {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("splitting document: %w", err)
		}
		if err := s.extractSegment(ctx, doc, &seg); err != nil {
			return nil, err
		}
		out.NeedsReview = out.NeedsReview || seg.Output != nil && seg.Output.NeedsReview
		out.Segments = append(out.Segments, seg)
	}
	return out, nil
}

// readPages classifies each page on its own and reads its cues.
func (s *splitter) readPages(ix *index, ts []term) []page {
	pages := make([]page, len(ix.doc.Pages))
	lo := 0
	for pi := range pages {
		hi := lo
		for hi < len(ts) && ts[hi].page == int32(pi) {
			hi++
		}
		p := &pages[pi]
		p.lo, p.hi = lo, hi
		ev := s.cls.m.evidence(ts[lo:hi], int32(pi))
		p.v = s.cls.decide(ev.raw)
		p.cues = readCues(ix, pi)
		p.cues.terms = hi - lo
		p.cues.title = s.cls.m.titleCue(ix, ts[lo:hi], ev)
		lo = hi
	}
	return pages
}

// boundaries returns for each page the probability that a document starts
// on it: 1 for the first page. The class of a page is compared with that of
// the last page before it that has one, so a blank or unclassifiable page
// between two documents does not hide the change.
func (s *splitter) boundaries(pages []page) []float64 {
	probs := make([]float64, len(pages))
	probs[0] = 1
	classed := -1 // the last page with a class
	for i := 1; i < len(pages); i++ {
		if pages[i-1].v.best >= 0 {
			classed = i - 1
		}
		var last *page
		if classed >= 0 {
			last = &pages[classed]
		}
		b := boundaryLogOdds(&pages[i-1], last, &pages[i])
		probs[i] = 1 / (1 + math.Exp(-b))
	}
	return probs
}

// boundaryLogOdds adds up the cues that a document starts on cur, the page
// after prev; classed is the last page before cur with a class, or nil.
func boundaryLogOdds(prev, classed, cur *page) float64 {
	b := cueBias
	pc, cc := &prev.cues, &cur.cues
	switch {
	case cc.num == 1 && cc.of > 0:
		b += cueFirstOfN
	case cc.num == 1:
		b += cueFirstPage
	case cc.num > 1:
		b += cueLaterPage
	}
	switch {
	case pc.of > 0 && pc.num < pc.of:
		b += cuePrevUnended
	case pc.of > 0 && pc.num == pc.of:
		b += cuePrevEnded
	}
	switch {
	case len(pc.ids) == 0 || len(cc.ids) == 0:
	case shareID(pc.ids, cc.ids):
		b += cueSameID
	default:
		b += cueNewID
	}
	if cc.title {
		b += cueTitle
	}
	if classed != nil && cur.v.best >= 0 && classed.v.best != cur.v.best {
		if c := min(classed.v.conf, cur.v.conf); c >= classChangeConf {
			b += cueClassChange * c
		}
	}
	if cc.contTop || pc.contNext {
		b += cueContinued
	}
	if cc.terms < minPageTerms && !cc.title {
		b += cueNearlyEmpty
	}
	return b
}

// segments groups pages into segments where the boundary probability
// reaches min_confidence, and classifies each.
func (s *splitter) segments(ix *index, ts []term, pages []page, probs []float64) []Segment {
	var segs []Segment
	for start := 0; start < len(pages); {
		end := start + 1
		for end < len(pages) && probs[end] < s.minConf {
			end++
		}
		conf := probs[start]
		for i := start + 1; i < end; i++ {
			conf = min(conf, 1-probs[i])
		}
		if end < len(pages) {
			conf = min(conf, probs[end])
		}
		ev := s.cls.m.evidence(ts[pages[start].lo:pages[end-1].hi], int32(start))
		v := s.cls.decide(ev.raw)
		class := ClassOther
		if v.best >= 0 {
			class = s.cls.m.names[v.best]
		}
		segs = append(segs, Segment{Class: class, StartPage: start + 1, EndPage: end, Confidence: round(min(conf, v.conf), 3)})
		start = end
	}
	return segs
}

// extractSegment runs the EXTRACT config of the segment's class, if any, on
// the segment's pages. The pages keep their numbers in the file, so
// provenance points into the original document.
func (s *splitter) extractSegment(ctx context.Context, doc *document.Document, seg *Segment) error {
	e, ok := s.extract[seg.Class]
	if !ok {
		return nil
	}
	sub := &document.Document{Kind: doc.Kind, Pages: slices.Clone(doc.Pages[seg.StartPage-1 : seg.EndPage])}
	for i := range sub.Pages {
		if sub.Pages[i].Number == 0 {
			sub.Pages[i].Number = seg.StartPage + i
		}
	}
	out, err := e.Process(ctx, sub)
	if err != nil {
		return fmt.Errorf("extracting pages %d-%d: %w", seg.StartPage, seg.EndPage, err)
	}
	seg.Output = out
	return nil
}
