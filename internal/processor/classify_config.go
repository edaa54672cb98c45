package processor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Defaults of a CLASSIFY config.
const (
	// DefaultOtherThreshold is the score the best class needs to be chosen
	// rather than ClassOther.
	DefaultOtherThreshold = 0.35
	// DefaultMinMargin is how much the best class's score must exceed the
	// runner-up's to be chosen rather than ClassOther.
	DefaultMinMargin = 0.1
)

// ClassOther is the class of a document that fits no class well enough. A
// config may also define a class of this name, to describe documents it
// wants recognised as "none of the above".
const ClassOther = "other"

// Limits of a CLASSIFY config; they keep one processor's work per document
// bounded.
const (
	// MaxClasses is the most classes a config (with its preset) may have.
	MaxClasses = 50
	// MaxKeywords is the most keywords plus titles a class may have.
	MaxKeywords = 200
	// MaxKeywordLength is the longest keyword or title, in characters.
	MaxKeywordLength = 100
	// MaxKeywordTerms is the most words a keyword or title may have.
	MaxKeywordTerms = 8
	// MaxDescriptionLength is the longest class description, in characters.
	MaxDescriptionLength = 2000
	// MaxExamples is the most example texts a class may have.
	MaxExamples = 20
	// MaxExampleLength is the longest example text, in characters.
	MaxExampleLength = 20000
)

// ClassifyConfig is the config of a CLASSIFY processor:
//
//	{
//	  "preset": "standard",
//	  "classes": [
//	    {"name": "purchase_order", "description": "An order a buyer sends to a seller.",
//	     "titles": ["Purchase Order"], "keywords": ["PO number", "ship to", "order date"],
//	     "examples": ["PURCHASE ORDER  PO number 4711 ..."]}
//	  ],
//	  "other_threshold": 0.35,
//	  "min_margin": 0.1
//	}
//
// A config needs a preset, classes or both; a JSON string is short for
// {"preset": <string>}. Class names follow the rules of field names and are
// unique; "other" may be defined like any class (its documents come out as
// ClassOther with evidence). A class needs titles, keywords, a description
// or examples.
//
// # Model
//
// Text is compared as terms: runs of letters and digits, lower-cased,
// without diacritics ("Straße" is "strasse"), with English plurals removed
// (Harman's S-stemmer), so "Invoices:" matches the keyword "invoice" and
// "Form W9" does not match "form w-9". A phrase matches consecutive terms on
// one page. Each class collects evidence r:
//
//   - Keywords and titles: r += Σ w(k) · sat(tf(k)) over the phrases k found.
//     tf(k) counts occurrences, each 3 in page 1's title zone (its first 5
//     lines, its top 20%, or lines set 1.4 times taller than the page's
//     median line) and 1 elsewhere; sat(tf) = tf·2.2/(tf+1.2) is BM25's
//     saturation (1 at one occurrence, at most 2.2). w(k) = idf(k) ·
//     (1 + 0.5·(words−1), up to 4 words) · 1.5 for a title, where
//     idf(k) = ln(1+(N+1)/(df+1)) / ln(1+(N+1)/2) with N classes and df the
//     number of classes having k: 1 for a phrase of one class, less for
//     shared ones. Where phrases of one class overlap, the longest counts.
//   - Description: r += 6 · the idf-weighted share of the description's
//     content words (no stop words, no numbers) found in the document.
//   - Examples: r += 8 · the best cosine similarity between the document's
//     and an example's tf-idf vectors (sublinear tf 1+ln tf, the idf above).
//
// A class's score is its strength 1 − e^(−r/4) (0.63 at r = 4, about
// three keyword hits) times its share of the evidence, r²/Σr² over the
// classes; scores are in 0–1 and a tie halves them. The best class is
// chosen when its score is at least other_threshold and exceeds the
// runner-up's by min_margin; its score is the confidence. Otherwise the
// document is ClassOther with confidence 1 − the best score. The evidence
// is where the chosen class's strongest phrases are: at most 5, one per
// phrase, by weight, then in reading order.
type ClassifyConfig struct {
	// Preset names a built-in class set: "standard" (see StandardClasses).
	// Classes add to it; a class with a preset class's name replaces it.
	Preset string `json:"preset,omitempty"`
	// Classes are the classes to choose from.
	Classes []ClassConfig `json:"classes,omitempty"`
	// OtherThreshold (0–1) is the score the best class needs; below it the
	// document is ClassOther. Nil means DefaultOtherThreshold.
	OtherThreshold *float64 `json:"other_threshold,omitempty"`
	// MinMargin (0–1) is how much the best score must exceed the
	// runner-up's; a closer race is ClassOther. Nil means DefaultMinMargin.
	MinMargin *float64 `json:"min_margin,omitempty"`
}

// ClassConfig is one class of a CLASSIFY config. It needs titles, keywords,
// a description or examples; any mix works.
type ClassConfig struct {
	// Name names the class in the output; unique, like a field name.
	Name string `json:"name"`
	// Description says in words what documents of the class are about; its
	// words count as weak evidence.
	Description string `json:"description,omitempty"`
	// Titles are headings that start a document of the class ("Invoice",
	// "Form W-9"). They count as keywords, and the split processor takes one
	// at the top of a page as a sign that a new document starts there.
	Titles []string `json:"titles,omitempty"`
	// Keywords are words and phrases typical of the class ("amount due").
	Keywords []string `json:"keywords,omitempty"`
	// Examples are texts of typical documents of the class.
	Examples []string `json:"examples,omitempty"`
}

// classifyKeys and classKeys are the settings a CLASSIFY config and a class
// may have.
var (
	classifyKeys = []string{"preset", "classes", "other_threshold", "min_margin"}
	classKeys    = []string{"name", "description", "titles", "keywords", "examples"}
)

// decodeClassifyConfig decodes raw strictly, like decodeExtractConfig;
// path prefixes the settings named in errors (the SPLIT config nests a
// CLASSIFY config under "classify"). A JSON string is a preset's name.
func decodeClassifyConfig(raw json.RawMessage, path string) (ClassifyConfig, error) {
	var cfg ClassifyConfig
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return cfg, &ConfigError{Field: path, Message: "a JSON object is required"}
	}
	if raw[0] == '"' {
		err := decodeInto(raw, &cfg.Preset, path)
		return cfg, err
	}
	top, err := objectKeys(raw, path, classifyKeys...)
	if err != nil {
		return cfg, err
	}
	settings := []struct {
		key    string
		target any
	}{{"preset", &cfg.Preset}, {"other_threshold", &cfg.OtherThreshold}, {"min_margin", &cfg.MinMargin}}
	for _, s := range settings {
		if v, ok := top[s.key]; ok {
			if err := decodeInto(v, s.target, join(path, s.key)); err != nil {
				return cfg, err
			}
		}
	}
	if v, ok := top["classes"]; ok {
		cfg.Classes, err = decodeClasses(v, join(path, "classes"))
	}
	return cfg, err
}

// decodeClasses decodes the classes of a CLASSIFY config found at path.
func decodeClasses(raw json.RawMessage, path string) ([]ClassConfig, error) {
	var classes []json.RawMessage
	if err := decodeInto(raw, &classes, path); err != nil {
		return nil, err
	}
	out := make([]ClassConfig, len(classes))
	for i, c := range classes {
		p := fmt.Sprintf("%s[%d]", path, i)
		if _, err := objectKeys(c, p, classKeys...); err != nil {
			return nil, err
		}
		if err := decodeInto(c, &out[i], p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolveClasses validates cfg and returns its classes: the preset's, then
// the configured ones, a configured class replacing the preset class of the
// same name.
func resolveClasses(cfg ClassifyConfig, path string) ([]ClassConfig, error) {
	var classes []ClassConfig
	switch cfg.Preset {
	case "":
		if len(cfg.Classes) == 0 {
			return nil, &ConfigError{Field: join(path, "classes"), Message: "needs at least one class, or a preset"}
		}
	case PresetStandard:
		classes = StandardClasses()
	default:
		return nil, &ConfigError{Field: join(path, "preset"), Message: fmt.Sprintf("unknown preset %q; want %q", cfg.Preset, PresetStandard)}
	}
	for _, s := range []struct {
		key string
		v   *float64
	}{{"other_threshold", cfg.OtherThreshold}, {"min_margin", cfg.MinMargin}} {
		if s.v != nil && (*s.v < 0 || *s.v > 1) {
			return nil, &ConfigError{Field: join(path, s.key), Message: "must be between 0 and 1"}
		}
	}
	seen := make(map[string]int, len(cfg.Classes))
	for i, c := range cfg.Classes {
		p := join(path, fmt.Sprintf("classes[%d]", i))
		if j, dup := seen[c.Name]; dup {
			return nil, &ConfigError{Field: p + ".name", Message: fmt.Sprintf("duplicate name %q (also classes[%d])", c.Name, j)}
		}
		seen[c.Name] = i
		if err := checkClass(c, p); err != nil {
			return nil, err
		}
		classes = replaceClass(classes, c)
	}
	if len(classes) > MaxClasses {
		return nil, &ConfigError{Field: join(path, "classes"), Message: fmt.Sprintf("has %d classes with the preset's; the limit is %d", len(classes), MaxClasses)}
	}
	return classes, nil
}

// replaceClass replaces the class named like c in classes, or appends c.
func replaceClass(classes []ClassConfig, c ClassConfig) []ClassConfig {
	for i := range classes {
		if classes[i].Name == c.Name {
			classes[i] = c
			return classes
		}
	}
	return append(classes, c)
}

// checkClass validates one configured class.
func checkClass(c ClassConfig, path string) error {
	// A class name may become a column in exports, as a field name does.
	if err := checkIdentifier(c.Name, path+".name"); err != nil {
		return err
	}
	if len(c.Titles) == 0 && len(c.Keywords) == 0 && c.Description == "" && len(c.Examples) == 0 {
		return &ConfigError{Field: path, Message: "needs titles, keywords, a description or examples"}
	}
	if err := checkPhrases(c, path); err != nil {
		return err
	}
	if err := checkText(c.Description, MaxDescriptionLength, path+".description"); err != nil {
		return err
	}
	if err := checkExamples(c.Examples, path+".examples"); err != nil {
		return err
	}
	if len(c.Titles) == 0 && len(c.Keywords) == 0 && !hasContent(c.Description, c.Examples) {
		return &ConfigError{Field: path, Message: "has nothing to match: its description and examples hold only stop words and numbers"}
	}
	return nil
}

// checkPhrases validates a class's titles and keywords.
func checkPhrases(c ClassConfig, path string) error {
	if n := len(c.Titles) + len(c.Keywords); n > MaxKeywords {
		return &ConfigError{Field: path + ".keywords", Message: fmt.Sprintf("has %d keywords and titles; the limit is %d", n, MaxKeywords)}
	}
	for _, list := range []struct {
		key   string
		items []string
	}{{"titles", c.Titles}, {"keywords", c.Keywords}} {
		for i, k := range list.items {
			if err := checkKeyword(k, fmt.Sprintf("%s.%s[%d]", path, list.key, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkExamples validates a class's examples.
func checkExamples(examples []string, path string) error {
	if len(examples) > MaxExamples {
		return &ConfigError{Field: path, Message: fmt.Sprintf("has %d examples; the limit is %d", len(examples), MaxExamples)}
	}
	for i, e := range examples {
		p := fmt.Sprintf("%s[%d]", path, i)
		if e == "" {
			return &ConfigError{Field: p, Message: "must not be empty"}
		}
		if err := checkText(e, MaxExampleLength, p); err != nil {
			return err
		}
	}
	return nil
}

// hasContent reports whether a description or one of the examples has a
// word that counts for text similarity.
func hasContent(description string, examples []string) bool {
	for _, s := range append([]string{description}, examples...) {
		if len(contentTerms(textTerms(s))) > 0 {
			return true
		}
	}
	return false
}

// checkKeyword validates a keyword or title.
func checkKeyword(k, path string) error {
	if utf8.RuneCountInString(k) > MaxKeywordLength {
		return &ConfigError{Field: path, Message: fmt.Sprintf("is longer than %d characters", MaxKeywordLength)}
	}
	n := len(textTerms(k))
	switch {
	case n == 0:
		return &ConfigError{Field: path, Message: "has no letters or digits to match"}
	case n > MaxKeywordTerms:
		return &ConfigError{Field: path, Message: fmt.Sprintf("has %d words; the limit is %d", n, MaxKeywordTerms)}
	}
	return nil
}

// checkText validates a description or an example.
func checkText(s string, limit int, path string) error {
	if utf8.RuneCountInString(s) > limit {
		return &ConfigError{Field: path, Message: fmt.Sprintf("is longer than %d characters", limit)}
	}
	if !utf8.ValidString(s) {
		return &ConfigError{Field: path, Message: "is not valid UTF-8"}
	}
	return nil
}
