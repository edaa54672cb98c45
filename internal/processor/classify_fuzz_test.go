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

func FuzzSplitConfig(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"classify": "standard", "min_confidence": 0.7}`))
	f.Add([]byte(`{"classify": {"classes": [{"name": "memo", "titles": ["Memo"]}]}, "extract": {"memo": {"fields": [{"name": "to", "labels": ["To"]}]}, "other": {"fields": []}}}`))
	f.Add([]byte(`{"extract": {"invoice": {"fields": [{"name": "a", "regex": "("}]}}}`))
	f.Fuzz(func(t *testing.T, config []byte) {
		p, err := New(TypeSplit, config)
		var cerr *ConfigError
		if err != nil {
			if !errors.As(err, &cerr) {
				t.Fatalf("New(%q) = %v, want nil or a *ConfigError", config, err)
			}
			return
		}
		if _, err := p.Process(context.Background(), bundle(string(config), invoicePage)); err != nil {
			t.Fatalf("Process: %v", err)
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

func FuzzSplit(f *testing.F) {
	f.Add(invoiceFirstPage, invoiceContinuationPage, receiptPage)
	f.Add("Page 1 of 2\nInvoice No: A-1", "Page 2 of 2\nInvoice No: A-1", "- 1 -")
	f.Add("", "\n\n\n", "Rechnung\nSeite 1 von 1")
	p := mustProcessor(f, TypeSplit, `{"extract": {"invoice": {"fields": [{"name": "n", "labels": ["Invoice No"]}]}}}`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		doc := bundle(a, b, c)
		out, err := p.Process(context.Background(), doc)
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		checkSegments(t, out.Segments, 3)
		for _, s := range out.Segments {
			if s.Output == nil {
				continue
			}
			for _, f := range s.Output.Fields {
				for _, p := range f.Provenance {
					if p.Page < s.StartPage || p.Page > s.EndPage {
						t.Errorf("segment %d-%d: field %s on page %d", s.StartPage, s.EndPage, f.Name, p.Page)
					}
				}
			}
		}
	})
}
