package document

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// labeledWord is a word of a human label in the corpus: its text, page and
// box.
type labeledWord struct {
	doc, label, text string
	page             int
	box              Box
}

// labeledWords reads the human labels of the corpus's labeled forms and
// invoices (Azure labels.json: per label, words with 8-point quads).
func labeledWords(t *testing.T, dir string) []labeledWord {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "cognitive-services-REST-api-samples", "labeled", "*", "*.labels.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("no labeled documents in the corpus: %v", err)
	}
	var words []labeledWord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Labels []struct {
				Label string
				Value []struct {
					Page          int
					Text          string
					BoundingBoxes [][]float64
				}
			}
		}
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, l := range file.Labels {
			for _, v := range l.Value {
				if v.Text == "selected" || v.Text == "unselected" || len(v.BoundingBoxes) == 0 || len(v.BoundingBoxes[0]) != 8 {
					continue // check boxes are not words
				}
				q := v.BoundingBoxes[0]
				words = append(words, labeledWord{
					doc: strings.TrimSuffix(f, ".labels.json"), label: l.Label, text: v.Text, page: v.Page,
					box: Box{X0: min(q[0], q[6]), Y0: min(q[1], q[3]), X1: max(q[2], q[4]), Y1: max(q[5], q[7])},
				})
			}
		}
	}
	return words
}

// TestPDFCorpusLabelBoxes checks words and boxes against people's: for
// each labeled word of the corpus's filled forms and invoices, the parsed
// word overlapping it most must have its text and an IoU of at least 0.5,
// for at least 90% of the labeled words (the labels have a few typos).
func TestPDFCorpusLabelBoxes(t *testing.T) {
	dir := pdfCorpusDir(t)
	p := newTestParser(t, ParserOptions{})
	docs := map[string]*Document{}
	good, all := 0, 0
	for _, lw := range labeledWords(t, dir) {
		doc, ok := docs[lw.doc]
		if !ok {
			data, err := os.ReadFile(lw.doc)
			if err != nil {
				t.Fatal(err)
			}
			if doc, err = p.Parse(context.Background(), data); err != nil {
				t.Fatalf("%s: %v", lw.doc, err)
			}
			docs[lw.doc] = doc
		}
		best, text := 0.0, ""
		for _, w := range doc.Pages[lw.page-1].Words {
			if iou := w.Box.IoU(lw.box); iou > best {
				best, text = iou, w.Text
			}
		}
		all++
		if text == lw.text && best >= 0.5 {
			good++
		} else {
			t.Logf("%s %s: labeled %q, parsed %q with IoU %.2f", filepath.Base(lw.doc), lw.label, lw.text, text, best)
		}
	}
	t.Logf("%d of %d labeled words found with IoU ≥ 0.5 (%.0f%%)", good, all, 100*float64(good)/float64(all))
	if good*10 < all*9 {
		t.Errorf("only %d of %d labeled words found with IoU ≥ 0.5; want 90%%", good, all)
	}
}

// pdfCorpusDir returns the shared corpus of real documents
// ($SHEAF_CORPUS, or ../shared/corpus next to the repository) or skips the
// test when it is absent or the tests run with -short.
func pdfCorpusDir(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("corpus tests do not run with -short")
	}
	return testutil.CorpusDir(t)
}

// corpusPDF is a text-layer PDF listed in the corpus manifest.
type corpusPDF struct {
	path  string // relative to the corpus
	pages int
}

// corpusPDFs lists the manifest's PDFs with a text layer.
func corpusPDFs(t testing.TB, dir string) []corpusPDF {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var pdfs []corpusPDF
	for _, r := range rows[1:] {
		if r[col["format"]] != "pdf" || r[col["text"]] != "text-layer" {
			continue
		}
		pages, _ := strconv.Atoi(r[col["pages"]])
		pdfs = append(pdfs, corpusPDF{path: filepath.Join(r[col["dataset"]], r[col["document"]]), pages: pages})
	}
	return pdfs
}

func TestPDFCorpus(t *testing.T) {
	dir := pdfCorpusDir(t)
	p := newTestParser(t, ParserOptions{})
	pages, start := 0, time.Now()
	for _, c := range corpusPDFs(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, c.path))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := p.Parse(context.Background(), data)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		checkDocument(t, doc)
		if len(doc.Pages) != c.pages || len(doc.Pages[0].Words) == 0 {
			t.Errorf("%s: %d pages, %d words on page 1; want %d pages with words", c.path, len(doc.Pages), len(doc.Pages[0].Words), c.pages)
		}
		pages += len(doc.Pages)
		// invoice2data compares with white space removed, as do its templates
		// (remove_whitespace) where a PDF spaces out "# BLR_WFLD…".
		if want := invoiceNumber(t, dir, c.path); want != "" && !strings.Contains(withoutSpaces(doc.Text()), withoutSpaces(want)) {
			t.Errorf("%s: the text does not contain the invoice number %q", c.path, want)
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d pages in %v: %.0f pages/s (one instance)", pages, elapsed.Round(time.Millisecond), float64(pages)/elapsed.Seconds())
}

// invoiceNumber returns the expected invoice_number of an invoice2data
// comparison PDF, or "" for other documents.
func invoiceNumber(t *testing.T, dir, path string) string {
	t.Helper()
	if !strings.HasPrefix(path, filepath.Join("invoice2data", "tests", "compare")) {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(path, ".pdf")+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		InvoiceNumber string `json:"invoice_number"`
	}
	if err := json.Unmarshal(data, &want); err != nil || len(want) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return want[0].InvoiceNumber
}

// withoutSpaces returns s without white space.
func withoutSpaces(s string) string { return strings.Join(strings.Fields(s), "") }
