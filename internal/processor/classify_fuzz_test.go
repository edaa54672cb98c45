package processor

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

func FuzzClassifyConfig(f *testing.F) {
	f.Add([]byte(standardConfig))
	f.Add([]byte(`"standard"`))
	f.Add([]byte(`{"classes": [{"name": "a", "titles": ["Form W-9"], "keywords": ["x", "ß"], "description": "d", "examples": ["e"]}], "other_threshold": 0.2, "min_margin": 0}`))
	f.Add([]byte(`{"preset": "standard", "classes": [{"name": "other", "keywords": [" . "]}]}`))
	f.Add([]byte(`{"classes": [{"name": "a", "keywords": ["\u0301", "İ"]}, {"name": "a"}]}`))
	f.Fuzz(func(t *testing.T, config []byte) {
		p, err := New(TypeClassify, config)
		var cerr *ConfigError
		if err != nil {
			if !errors.As(err, &cerr) {
				t.Fatalf("New(%q) = %v, want nil or a *ConfigError", config, err)
			}
			return
		}
		// A valid config classifies a document of its own keywords.
		out, err := p.Process(context.Background(), document.FromText(string(config)))
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("json.Marshal(output): %v", err)
		}
	})
}

func FuzzClassify(f *testing.F) {
	f.Add(invoicePage)
	f.Add("Form W-9\fPage 2 of 2\n(continued)")
	f.Add("İnvoice Nº 5 ﬁ Straße\u0301 é\xff")
	p := mustProcessor(f, TypeClassify, standardConfig)
	f.Fuzz(func(t *testing.T, text string) {
		doc := document.FromText(text)
		out, err := p.Process(context.Background(), doc)
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		checkClassification(t, out.Class, 9)
	})
}
