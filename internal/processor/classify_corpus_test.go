package processor

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/document"
)

// Floors of the opt-in corpus tests: the engine's scores on the public
// corpus must not fall below them. The targets are higher (split
// boundary F1 ≥ 0.95, classification ≥ 90%); the floors leave room for
// differences between OCR engines.
const (
	corpusMinBoundaryF1 = 0.9
	corpusMinAccuracy   = 0.75
)

// corpusParser is the worker's parser (PDFium, tesseract), shared by the
// corpus tests and never closed: the test binary exits after them.
var corpusParser = sync.OnceValues(func() (*document.Parser, error) {
	return document.NewParser(document.ParserOptions{Recognizer: document.NewOCR(document.OCROptions{})})
})

// parseCorpusFile parses a corpus file like the worker does; it skips the
// test when this machine cannot read its type (tesseract missing).
func parseCorpusFile(t *testing.T, path string) *document.Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parser, err := corpusParser()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parser.Parse(context.Background(), data)
	var derr *document.Error
	if errors.As(err, &derr) && (derr.Code == document.CodeUnsupportedInput || derr.Code == "OCR_UNAVAILABLE") {
		t.Skipf("%s: %v", filepath.Base(path), err)
	}
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return doc
}

func TestCorpusSplit(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "constructed-splitting")
	files, err := filepath.Glob(filepath.Join(dir, "*.expected.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expected splits in %s: %v", dir, err)
	}
	p := mustProcessor(t, TypeSplit, `{"classify": "standard"}`)
	var tp, fp, fn, classOK, docs int
	for _, f := range files {
		var truth struct {
			File      string `json:"file"`
			Documents []struct {
				First int    `json:"first_page"`
				Last  int    `json:"last_page"`
				Class string `json:"class"`
			} `json:"documents"`
		}
		raw, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(raw, &truth) != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		out, err := p.Process(context.Background(), parseCorpusFile(t, filepath.Join(dir, truth.File)))
		if err != nil {
			t.Fatalf("splitting %s: %v", truth.File, err)
		}
		var want []Segment
		for _, d := range truth.Documents {
			want = append(want, Segment{Class: d.Class, StartPage: d.First, EndPage: d.Last})
		}
		a, b, c := BoundaryCounts(out.Segments, want)
		tp, fp, fn = tp+a, fp+b, fn+c
		for _, w := range want {
			docs++
			for _, g := range out.Segments {
				if g.StartPage == w.StartPage && g.EndPage == w.EndPage && g.Class == w.Class {
					classOK++
				}
			}
		}
		t.Logf("%s: got %v", truth.File, out.Segments)
	}
	precision, recall, f1 := PrecisionRecallF1(tp, fp, fn)
	t.Logf("split boundaries: precision %.3f, recall %.3f, F1 %.3f; documents found with their class: %d/%d", precision, recall, f1, classOK, docs)
	if f1 < corpusMinBoundaryF1 {
		t.Errorf("boundary F1 %.3f, want ≥ %.2f", f1, corpusMinBoundaryF1)
	}
}

func TestCorpusClassify(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "document-intelligence-code-samples")
	f, err := os.Open(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("reading labels.csv: %v", err)
	}
	p := mustProcessor(t, TypeClassify, standardConfig)
	right := 0
	for _, row := range rows[1:] {
		out, err := p.Process(context.Background(), parseCorpusFile(t, filepath.Join(dir, row[0])))
		if err != nil {
			t.Fatalf("classifying %s: %v", row[0], err)
		}
		if out.Class.Class == row[1] {
			right++
		} else {
			t.Logf("%s: %s (%.2f), want %s", row[0], out.Class.Class, out.Class.Confidence, row[1])
		}
	}
	accuracy := float64(right) / float64(len(rows)-1)
	t.Logf("classification accuracy %d/%d = %.3f", right, len(rows)-1, accuracy)
	if accuracy < corpusMinAccuracy {
		t.Errorf("accuracy %.3f, want ≥ %.2f", accuracy, corpusMinAccuracy)
	}
}
