package processor

import (
	"math"
	"slices"
	"strings"
)

// Constants of the classification model; ClassifyConfig's documentation
// explains them.
const (
	titleWeight   = 3.0  // weight of a keyword occurrence in page 1's title zone
	satK1         = 1.2  // BM25 term-frequency saturation
	lengthBonus   = 0.5  // extra weight per additional word of a phrase…
	maxBonusLen   = 4    // …counted up to this many words
	titleBonus    = 1.5  // weight of a title relative to a keyword
	descWeight    = 6.0  // evidence of a fully covered description
	exampleWeight = 8.0  // evidence of a document identical to an example
	strengthTau   = 4.0  // evidence that makes a class's strength 1 − 1/e
	maxEvidence   = 5    // evidence words reported
	maxExampleTF  = 1000 // example terms counted per example (bounds work)
)

// model is a compiled class set: the vocabulary of its keywords,
// descriptions and examples, with their weights.
type model struct {
	names   []string
	vocab   map[string]int32
	idf     []float64 // per vocabulary id, normalised so that 1 is specific to one class
	unknown float64   // idf of a term no class mentions
	phrases []phrase
	byFirst map[int32][]int // phrase indices by first term id, longest first
	desc    []profile       // per class
	exams   [][]vector      // per class
	anyExam bool
}

// phrase is a keyword or title of a class as vocabulary ids.
type phrase struct {
	ids    []int32
	class  int
	weight float64 // normalised idf × length bonus
	title  bool
}

// profile is the distinct content terms of a class description.
type profile struct {
	ids []int32
	sum float64 // Σ idf of ids
}

// vector is a tf-idf vector of an example text.
type vector struct {
	ids     []int32
	weights []float64
	norm    float64
}

// classTexts are one class's configured texts as term lists.
type classTexts struct {
	phrases [][]string
	titles  []bool
	desc    []string
	exams   [][]string
}

// newModel compiles validated classes.
func newModel(classes []ClassConfig) *model {
	m := &model{vocab: map[string]int32{}, byFirst: map[int32][]int{}}
	texts := make([]classTexts, len(classes))
	df, phraseDF := map[string]int{}, map[string]int{}
	for i, c := range classes {
		m.names = append(m.names, c.Name)
		texts[i] = splitClassTexts(c)
		for _, k := range classTermSet(texts[i]) {
			df[k]++
		}
		for _, p := range texts[i].phrases {
			phraseDF[strings.Join(p, " ")]++
		}
	}
	n := float64(len(classes))
	idf := func(df int) float64 {
		return math.Log1p((n+1)/float64(df+1)) / math.Log1p((n+1)/2)
	}
	m.unknown = idf(0)
	for _, k := range sortedKeys(df) {
		m.vocab[k] = int32(len(m.idf))
		m.idf = append(m.idf, idf(df[k]))
	}
	for i, t := range texts {
		m.addPhrases(i, t, func(key string) float64 { return idf(phraseDF[key]) })
		m.desc = append(m.desc, m.newProfile(t.desc))
		var vs []vector
		for _, e := range t.exams {
			vs = append(vs, m.newVector(e))
		}
		m.exams = append(m.exams, vs)
		m.anyExam = m.anyExam || len(vs) > 0
	}
	for id := range m.byFirst {
		slices.SortStableFunc(m.byFirst[id], func(a, b int) int { return len(m.phrases[b].ids) - len(m.phrases[a].ids) })
	}
	return m
}

// splitClassTexts turns a class's texts into terms; a phrase given twice
// counts once, as a title when it is one.
func splitClassTexts(c ClassConfig) classTexts {
	var t classTexts
	seen := map[string]int{}
	add := func(s string, title bool) {
		terms := textTerms(s)
		key := strings.Join(terms, " ")
		if i, ok := seen[key]; ok {
			t.titles[i] = t.titles[i] || title
			return
		}
		seen[key] = len(t.phrases)
		t.phrases, t.titles = append(t.phrases, terms), append(t.titles, title)
	}
	for _, s := range c.Titles {
		add(s, true)
	}
	for _, s := range c.Keywords {
		add(s, false)
	}
	t.desc = contentTerms(textTerms(c.Description))
	for _, e := range c.Examples {
		t.exams = append(t.exams, contentTerms(textTerms(e)))
	}
	return t
}

// contentTerms keeps the terms that count for text similarity.
func contentTerms(keys []string) []string {
	return slices.DeleteFunc(keys, func(k string) bool { return !isContent(k) })
}

// classTermSet returns the distinct terms a class mentions anywhere.
func classTermSet(t classTexts) []string {
	set := map[string]bool{}
	for _, p := range t.phrases {
		for _, k := range p {
			set[k] = true
		}
	}
	for _, k := range t.desc {
		set[k] = true
	}
	for _, e := range t.exams {
		for _, k := range e {
			set[k] = true
		}
	}
	return sortedKeys(set)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// addPhrases adds class i's keywords and titles.
func (m *model) addPhrases(i int, t classTexts, idf func(string) float64) {
	for j, p := range t.phrases {
		ids := make([]int32, len(p))
		for k, key := range p {
			ids[k] = m.vocab[key]
		}
		w := idf(strings.Join(p, " ")) * (1 + lengthBonus*float64(min(len(p), maxBonusLen)-1))
		if t.titles[j] {
			w *= titleBonus
		}
		m.byFirst[ids[0]] = append(m.byFirst[ids[0]], len(m.phrases))
		m.phrases = append(m.phrases, phrase{ids: ids, class: i, weight: w, title: t.titles[j]})
	}
}

// newProfile builds a description profile.
func (m *model) newProfile(keys []string) profile {
	var p profile
	seen := map[int32]bool{}
	for _, k := range keys {
		id := m.vocab[k]
		if !seen[id] {
			seen[id] = true
			p.ids = append(p.ids, id)
			p.sum += m.idf[id]
		}
	}
	return p
}

// newVector builds the tf-idf vector of an example, with sublinear term
// frequency 1 + ln tf.
func (m *model) newVector(keys []string) vector {
	tf := map[int32]int{}
	var v vector
	for _, k := range keys[:min(len(keys), maxExampleTF)] {
		id := m.vocab[k]
		if tf[id] == 0 {
			v.ids = append(v.ids, id)
		}
		tf[id]++
	}
	slices.Sort(v.ids)
	for _, id := range v.ids {
		w := (1 + math.Log(float64(tf[id]))) * m.idf[id]
		v.weights = append(v.weights, w)
		v.norm += w * w
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

// sat is BM25's saturation of a term frequency: 1 at tf 1, at most
// satK1+1.
func sat(tf float64) float64 { return tf * (satK1 + 1) / (tf + satK1) }
