package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassifyConfigErrors(t *testing.T) {
	t.Parallel()
	classes := func(n int) string {
		var cs []string
		for i := range n {
			cs = append(cs, fmt.Sprintf(`{"name": "c%d", "keywords": ["k"]}`, i))
		}
		return `{"classes": [` + strings.Join(cs, ",") + `]}`
	}
	many := func(n int, s string) string { return `["` + strings.Repeat(s+`", "`, n-1) + s + `"]` }
	tests := []struct {
		name, config string
		want         ConfigError
	}{
		{"no config", ``, ConfigError{"", "a JSON object is required"}},
		{"null", `null`, ConfigError{"", "must be a JSON object"}},
		{"array", `[]`, ConfigError{"", "must be a JSON object"}},
		{"invalid JSON", `{"classes": [}`, ConfigError{"", "invalid JSON: invalid character '}' looking for beginning of value"}},
		{"empty object", `{}`, ConfigError{"classes", "needs at least one class, or a preset"}},
		{"empty classes", `{"classes": []}`, ConfigError{"classes", "needs at least one class, or a preset"}},
		{"unknown setting", `{"preset": "standard", "threshold": 0.5}`, ConfigError{"threshold", "unknown setting; want one of [preset classes other_threshold min_margin]"}},
		{"unknown preset", `{"preset": "legal"}`, ConfigError{"preset", `unknown preset "legal"; want "standard"`}},
		{"preset is a number", `{"preset": 1}`, ConfigError{"preset", "must be a string, not number"}},
		{"classes is an object", `{"classes": {}}`, ConfigError{"classes", "must be an array, not object"}},
		{"class is a string", `{"classes": ["invoice"]}`, ConfigError{"classes[0]", "must be a JSON object"}},
		{"unknown class setting", `{"classes": [{"name": "a", "keyword": ["x"]}]}`, ConfigError{"classes[0].keyword", "unknown setting; want one of [name description titles keywords examples]"}},
		{"missing name", `{"classes": [{"keywords": ["x"]}]}`, ConfigError{"classes[0].name", "is required"}},
		{"bad name", `{"classes": [{"name": "tax form", "keywords": ["x"]}]}`, ConfigError{"classes[0].name", `"tax form" must start with a letter or _ and hold only letters, digits and _`}},
		{"duplicate names", `{"classes": [{"name": "a", "keywords": ["x"]}, {"name": "a", "keywords": ["y"]}]}`, ConfigError{"classes[1].name", `duplicate name "a" (also classes[0])`}},
		{"nothing to match", `{"classes": [{"name": "a"}]}`, ConfigError{"classes[0]", "needs titles, keywords, a description or examples"}},
		{"empty lists", `{"classes": [{"name": "a", "keywords": [], "titles": [], "examples": [], "description": ""}]}`, ConfigError{"classes[0]", "needs titles, keywords, a description or examples"}},
		{"keywords is a string", `{"classes": [{"name": "a", "keywords": "x"}]}`, ConfigError{"classes[0].keywords", "must be an array, not string"}},
		{"keyword is a number", `{"classes": [{"name": "a", "keywords": [1]}]}`, ConfigError{"classes[0].keywords", "must be a string, not number"}},
		{"punctuation keyword", `{"classes": [{"name": "a", "keywords": ["x", " #: "]}]}`, ConfigError{"classes[0].keywords[1]", "has no letters or digits to match"}},
		{"empty title", `{"classes": [{"name": "a", "titles": [""]}]}`, ConfigError{"classes[0].titles[0]", "has no letters or digits to match"}},
		{"long keyword", `{"classes": [{"name": "a", "keywords": ["` + strings.Repeat("x", 101) + `"]}]}`, ConfigError{"classes[0].keywords[0]", "is longer than 100 characters"}},
		{"keyword with many words", `{"classes": [{"name": "a", "keywords": ["a b c d e f g h i"]}]}`, ConfigError{"classes[0].keywords[0]", "has 9 words; the limit is 8"}},
		{"too many keywords", `{"classes": [{"name": "a", "keywords": ` + many(MaxKeywords+1, "k") + `}]}`, ConfigError{"classes[0].keywords", "has 201 keywords and titles; the limit is 200"}},
		{"long description", `{"classes": [{"name": "a", "description": "` + strings.Repeat("x", MaxDescriptionLength+1) + `"}]}`, ConfigError{"classes[0].description", "is longer than 2000 characters"}},
		{"only stop words", `{"classes": [{"name": "a", "description": "the and of", "examples": ["1 2 3", "--"]}]}`, ConfigError{"classes[0]", "has nothing to match: its description and examples hold only stop words and numbers"}},
		{"empty example", `{"classes": [{"name": "a", "examples": ["x", ""]}]}`, ConfigError{"classes[0].examples[1]", "must not be empty"}},
		{"too many examples", `{"classes": [{"name": "a", "examples": ` + many(MaxExamples+1, "e") + `}]}`, ConfigError{"classes[0].examples", "has 21 examples; the limit is 20"}},
		{"too many classes", classes(MaxClasses + 1), ConfigError{"classes", "has 51 classes with the preset's; the limit is 50"}},
		{"too many classes with the preset", `{"preset": "standard", ` + classes(MaxClasses - 8)[1:], ConfigError{"classes", "has 51 classes with the preset's; the limit is 50"}},
		{"threshold above 1", `{"preset": "standard", "other_threshold": 1.5}`, ConfigError{"other_threshold", "must be between 0 and 1"}},
		{"negative margin", `{"preset": "standard", "min_margin": -0.1}`, ConfigError{"min_margin", "must be between 0 and 1"}},
		{"threshold is a string", `{"preset": "standard", "other_threshold": "high"}`, ConfigError{"other_threshold", "must be a number, not string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(TypeClassify, json.RawMessage(tt.config))
			var got *ConfigError
			if !errors.As(err, &got) {
				t.Fatalf("New(%.80s) = %v, want a *ConfigError", tt.config, err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("ConfigError (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassifyValidConfigs(t *testing.T) {
	t.Parallel()
	for _, config := range []string{
		`{"preset": "standard"}`,
		`"standard"`,
		`{"classes": [{"name": "a", "keywords": ["x"]}]}`,
		`{"classes": [{"name": "a", "description": "Anything about apples."}]}`,
		`{"classes": [{"name": "a", "examples": ["An apple a day."]}], "other_threshold": 0, "min_margin": 1}`,
		`{"classes": [{"name": "other", "titles": ["Memo"]}, {"name": "invoice", "titles": ["Invoice"]}]}`,
		`{"preset": "standard", "classes": [{"name": "invoice", "titles": ["Rechnung"]}]}`,
		`{"classes": [{"name": "a", "keywords": ["x", "X", "x."]}]}`,
	} {
		if err := ValidateConfig(TypeClassify, json.RawMessage(config)); err != nil {
			t.Errorf("ValidateConfig(%s) = %v, want nil", config, err)
		}
	}
}
