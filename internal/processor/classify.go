package processor

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// classifier is the CLASSIFY processor; ClassifyConfig documents its model.
type classifier struct {
	m         *model
	threshold float64
	margin    float64
}

// newClassifier validates a CLASSIFY config and compiles it.
func newClassifier(raw json.RawMessage) (*classifier, error) {
	cfg, err := decodeClassifyConfig(raw, "")
	if err != nil {
		return nil, err
	}
	return compileClassifier(cfg, "")
}

// compileClassifier validates a decoded CLASSIFY config found at path and
// compiles it.
func compileClassifier(cfg ClassifyConfig, path string) (*classifier, error) {
	classes, err := resolveClasses(cfg, path)
	if err != nil {
		return nil, err
	}
	c := &classifier{m: newModel(classes), threshold: DefaultOtherThreshold, margin: DefaultMinMargin}
	if cfg.OtherThreshold != nil {
		c.threshold = *cfg.OtherThreshold
	}
	if cfg.MinMargin != nil {
		c.margin = *cfg.MinMargin
	}
	return c, nil
}

// Process classifies doc as a whole: page 1's title zone weighs more.
func (c *classifier) Process(ctx context.Context, doc *document.Document) (*Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("classifying document: %w", err)
	}
	if doc == nil {
		return nil, &Error{Code: CodeProcessorError, Message: "no document to classify"}
	}
	ix := newIndex(doc)
	ts := docTerms(ix, c.m.vocab)
	ev := c.m.evidence(ts, 0)
	v := c.decide(ev.raw)
	return &Output{Type: TypeClassify, Class: c.classification(ix, ts, ev, v)}, nil
}

// evidence is what a run of terms says about each class.
type evidence struct {
	raw     []float64 // evidence per class
	matches []match   // keyword and title occurrences, in reading order
}

// match is an occurrence of a phrase: terms first..last of the scored run.
type match struct {
	phrase      int
	first, last int
	weight      float64 // position weight: titleWeight in the title zone of the first page
}

// evidence scores the terms ts, whose first page is firstPage (the page
// whose title zone weighs more).
func (m *model) evidence(ts []term, firstPage int32) evidence {
	ev := evidence{raw: make([]float64, len(m.names))}
	wtf := make([]float64, len(m.phrases))
	cover := make([]int, len(m.names)) // per class: terms before this are in a match
	for i := range ts {
		if ts[i].id < 0 {
			continue
		}
		for _, pi := range m.byFirst[ts[i].id] {
			p := &m.phrases[pi]
			if cover[p.class] > i || !phraseAt(ts, i, p.ids) {
				continue
			}
			w := 1.0
			if ts[i].title && ts[i].page == firstPage {
				w = titleWeight
			}
			wtf[pi] += w
			ev.matches = append(ev.matches, match{phrase: pi, first: i, last: i + len(p.ids) - 1, weight: w})
			cover[p.class] = i + len(p.ids)
		}
	}
	for pi, p := range m.phrases {
		if wtf[pi] > 0 {
			ev.raw[p.class] += p.weight * sat(wtf[pi])
		}
	}
	m.addSimilarity(ts, ev.raw)
	return ev
}

// phraseAt reports whether the phrase ids occurs at term i, on one page.
func phraseAt(ts []term, i int, ids []int32) bool {
	if i+len(ids) > len(ts) {
		return false
	}
	for j, id := range ids {
		if ts[i+j].id != id || ts[i+j].page != ts[i].page {
			return false
		}
	}
	return true
}

// addSimilarity adds to raw the evidence of each class's description
// (covered share) and examples (best cosine).
func (m *model) addSimilarity(ts []term, raw []float64) {
	tf := make([]int32, len(m.idf))
	var seen []int32
	var unknownKeys []string
	var unknown map[string]int32
	if m.anyExam {
		unknown = map[string]int32{}
	}
	for i := range ts {
		t := &ts[i]
		switch {
		case !t.content:
		case t.id >= 0:
			if tf[t.id] == 0 {
				seen = append(seen, t.id)
			}
			tf[t.id]++
		case unknown != nil:
			if unknown[t.key] == 0 {
				unknownKeys = append(unknownKeys, t.key)
			}
			unknown[t.key]++
		}
	}
	for ci, p := range m.desc {
		cov := 0.0
		for _, id := range p.ids {
			if tf[id] > 0 {
				cov += m.idf[id]
			}
		}
		if p.sum > 0 {
			raw[ci] += descWeight * cov / p.sum
		}
	}
	if m.anyExam {
		m.addExamples(tf, seen, unknownKeys, unknown, raw)
	}
}

// addExamples adds to raw exampleWeight times each class's best cosine
// similarity between the document and one of its examples.
func (m *model) addExamples(tf []int32, seen []int32, unknownKeys []string, unknown map[string]int32, raw []float64) {
	w := func(tf int32, idf float64) float64 { return (1 + math.Log(float64(tf))) * idf }
	norm := 0.0
	for _, id := range seen {
		norm += math.Pow(w(tf[id], m.idf[id]), 2)
	}
	for _, k := range unknownKeys {
		norm += math.Pow(w(unknown[k], m.unknown), 2)
	}
	norm = math.Sqrt(norm)
	if norm == 0 {
		return
	}
	for ci, vs := range m.exams {
		best := 0.0
		for _, v := range vs {
			dot := 0.0
			for j, id := range v.ids {
				if tf[id] > 0 {
					dot += v.weights[j] * w(tf[id], m.idf[id])
				}
			}
			if v.norm > 0 {
				best = max(best, dot/(norm*v.norm))
			}
		}
		raw[ci] += exampleWeight * best
	}
}

// verdict is a classification decision.
type verdict struct {
	best   int       // class index, or -1 for ClassOther
	scores []float64 // per class
	conf   float64
}

// decide turns evidence into scores and picks the class. A class's score
// is its strength, 1 − e^(−r/strengthTau), times its share of the
// evidence, r² / Σ r² over all classes.
func (c *classifier) decide(raw []float64) verdict {
	v := verdict{best: -1, scores: make([]float64, len(raw))}
	z := 0.0
	for _, r := range raw {
		z += r * r
	}
	best, second := 0, 0.0
	for i, r := range raw {
		if z > 0 {
			v.scores[i] = (1 - math.Exp(-r/strengthTau)) * r * r / z
		}
		if v.scores[i] > v.scores[best] {
			best = i
		}
	}
	for i, s := range v.scores {
		if i != best {
			second = max(second, s)
		}
	}
	s := 0.0
	if len(raw) > 0 {
		s = v.scores[best]
	}
	if s > 0 && s >= c.threshold && s-second >= c.margin {
		v.best, v.conf = best, s
	} else {
		v.conf = 1 - s
	}
	return v
}

// classification is the output of a verdict on the terms ts of ix.
func (c *classifier) classification(ix *index, ts []term, ev evidence, v verdict) *Classification {
	out := &Classification{Class: ClassOther, Confidence: round(v.conf, 3), Scores: make(map[string]float64, len(v.scores))}
	for i, name := range c.m.names {
		out.Scores[name] = round(v.scores[i], 3)
	}
	if v.best >= 0 {
		out.Class = c.m.names[v.best]
		out.Evidence = c.m.evidenceWords(ix, ts, ev, v.best)
	}
	return out
}

// evidenceWords returns where the strongest keyword and title occurrences
// of class ci are: at most maxEvidence, one per phrase, strongest first
// (position weight × phrase weight), then in reading order.
func (m *model) evidenceWords(ix *index, ts []term, ev evidence, ci int) []Provenance {
	var ms []match
	for _, mt := range ev.matches {
		if m.phrases[mt.phrase].class == ci {
			ms = append(ms, mt)
		}
	}
	slices.SortStableFunc(ms, func(a, b match) int {
		return cmp.Compare(b.weight*m.phrases[b.phrase].weight, a.weight*m.phrases[a.phrase].weight)
	})
	var out []Provenance
	done := map[int]bool{}
	for _, mt := range ms {
		if done[mt.phrase] || len(out) == maxEvidence {
			continue
		}
		done[mt.phrase] = true
		if p := ix.provenance(int(ts[mt.first].start), int(ts[mt.last].end)); len(p) > 0 {
			out = append(out, p[0])
		}
	}
	return out
}
