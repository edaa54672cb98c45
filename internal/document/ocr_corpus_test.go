package document

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// ocrCorpusDir returns the shared corpus (env SHEAF_CORPUS, else
// ../shared/corpus beside the repository), skipping the test when it is
// absent.
func ocrCorpusDir(t testing.TB) string {
	t.Helper()
	return testutil.CorpusDir(t)
}

// textractReferences names, per corpus image, the saved Amazon Textract
// response holding its words.
var textractReferences = map[string]string{
	"amazon-textract-textractor/fixtures/form.png":          "amazon-textract-textractor/saved_api_responses/test_detect_no_duplicate_words_form.png.json",
	"amazon-textract-textractor/fixtures/single-page-1.png": "amazon-textract-textractor/saved_api_responses/test_queries_as_strings.json",
}

// TestOCRCorpus recognises every image of the corpus manifest that needs OCR
// and, where a saved Textract response has the page's words, reports the
// word recall against it and how many of the matched words' boxes overlap
// Textract's (IoU > 0.5), failing below 0.9 for either. It skips without
// the corpus and in -short mode.
// Run: go test -run TestOCRCorpus -v ./internal/document
func TestOCRCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of the corpus takes a minute")
	}
	dir := ocrCorpusDir(t)
	o := ocrForTest(t, OCROptions{})
	docs := ocrCorpusImages(t, dir)
	start := time.Now()
	results := make([][]Page, len(docs))
	var wg sync.WaitGroup
	for i, doc := range docs {
		wg.Go(func() {
			data, err := os.ReadFile(filepath.Join(dir, doc))
			if err != nil {
				t.Error(err)
				return
			}
			if results[i], err = o.Image(context.Background(), data, 0); err != nil {
				t.Errorf("%s: %v", doc, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	pages, allWords, sure := 0, 0, 0
	for i, doc := range docs {
		pages += len(results[i])
		words, conf := 0, 0.0
		for _, p := range results[i] {
			words += len(p.Words)
			for _, w := range p.Words {
				conf += w.Confidence
				if w.Confidence >= 0.8 {
					sure++
				}
			}
		}
		allWords += words
		if words == 0 && results[i] != nil {
			t.Logf("%-75s no words recognised", doc)
			continue
		}
		t.Logf("%-75s %4d words, mean confidence %.2f", doc, words, conf/float64(max(words, 1)))
		if ref, ok := textractReferences[doc]; ok && len(results[i]) > 0 {
			recall, boxed := textractRecall(t, filepath.Join(dir, ref), results[i][0])
			t.Logf("    vs Textract: word recall %.3f, matched words with IoU > 0.5: %.3f", recall, boxed)
			if recall < 0.9 || boxed < 0.9 {
				t.Errorf("%s: recall %.3f and IoU > 0.5 share %.3f against Textract, want ≥ 0.9 each", doc, recall, boxed)
			}
		}
	}
	t.Logf("%d words, %d of them with confidence ≥ 0.8", allWords, sure)
	t.Logf("%d pages in %s: %.2f pages/s with %d tesseract processes", pages, elapsed.Round(time.Millisecond),
		float64(pages)/elapsed.Seconds(), runtime.NumCPU())
}

// ocrCorpusImages lists the documents of the manifest that need OCR.
func ocrCorpusImages(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, r := range records[1:] {
		if r[4] == "image (needs OCR)" {
			docs = append(docs, r[0]+"/"+r[1])
		}
	}
	if len(docs) == 0 {
		t.Fatal("the manifest lists no image that needs OCR")
	}
	return docs
}

// textractRecall compares page's words with the WORD blocks of a saved
// Textract response: the share of Textract's words recognised (as a
// multiset of case-folded words without surrounding punctuation), and the
// share of those whose box has IoU > 0.5 with Textract's.
func textractRecall(t *testing.T, path string, page Page) (recall, boxed float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Blocks []struct {
			BlockType, Text string
			Geometry        struct {
				BoundingBox struct{ Left, Top, Width, Height float64 }
			}
		}
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	ours := map[string][]Box{}
	for _, w := range page.Words {
		k := ocrWordKey(w.Text)
		ours[k] = append(ours[k], w.Box)
	}
	total, found, overlapping := 0, 0, 0
	for _, b := range resp.Blocks {
		k := ocrWordKey(b.Text)
		if b.BlockType != "WORD" || k == "" {
			continue
		}
		total++
		boxes := ours[k]
		if len(boxes) == 0 {
			continue
		}
		found++
		g := b.Geometry.BoundingBox
		ref := Box{X0: g.Left, Y0: g.Top, X1: g.Left + g.Width, Y1: g.Top + g.Height}
		best, bestIoU := 0, -1.0
		for i, box := range boxes {
			if iou := box.IoU(ref); iou > bestIoU {
				best, bestIoU = i, iou
			}
		}
		if bestIoU > 0.5 {
			overlapping++
		}
		ours[k] = append(boxes[:best], boxes[best+1:]...)
	}
	return float64(found) / float64(max(total, 1)), float64(overlapping) / float64(max(found, 1))
}

// ocrWordKey folds a word for comparison: lower case, without the
// punctuation around it.
func ocrWordKey(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }))
}
