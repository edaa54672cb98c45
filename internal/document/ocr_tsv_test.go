package document

import (
	"image"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tsvOutput joins rows of tesseract TSV output under its header.
func tsvOutput(rows ...string) []byte {
	return []byte(tsvColumns + "\n" + strings.Join(rows, "\n") + "\n")
}

func TestParseTSV(t *testing.T) {
	t.Parallel()
	out := tsvOutput(
		"1\t1\t0\t0\t0\t0\t0\t0\t1000\t500\t-1\t",
		"2\t1\t1\t0\t0\t0\t100\t100\t300\t40\t-1\t",
		"3\t1\t1\t1\t0\t0\t100\t100\t300\t40\t-1\t",
		"4\t1\t1\t1\t1\t0\t100\t100\t300\t40\t-1\t",
		"5\t1\t1\t1\t1\t1\t100\t100\t120\t40\t96.5\tInvoice",
		"5\t1\t1\t1\t1\t2\t230\t100\t20\t40\t95\t ",
		"5\t1\t1\t1\t1\t3\t260\t102\t140\t38\t0\t#42",
		"5\t1\t1\t1\t1\t4\t410\t95\t4\t50\t60\t||",
		"5\t1\t1\t1\t1\t5\t420\t102\t40\t38\t91\ta|b",
	)
	got, err := parseTSV(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []ocrWord{
		{block: 1, par: 1, line: 1, box: image.Rect(100, 100, 220, 140), conf: 0.965, text: "Invoice"},
		{block: 1, par: 1, line: 1, box: image.Rect(260, 102, 400, 140), conf: 0, text: "#42"},
		{block: 1, par: 1, line: 1, box: image.Rect(420, 102, 460, 140), conf: 0.91, text: "a|b"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(ocrWord{}), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
}

func TestParseTSVRejectsMalformedOutput(t *testing.T) {
	t.Parallel()
	for name, out := range map[string][]byte{
		"no header":      []byte("5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tx\n"),
		"empty":          nil,
		"short row":      tsvOutput("5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90"),
		"bad number":     tsvOutput("5\t1\t1\t1\t1\t1\tx\t0\t1\t1\t90\tword"),
		"bad confidence": tsvOutput("5\t1\t1\t1\t1\t1\t0\t0\t1\t1\thigh\tword"),
	} {
		if _, err := parseTSV(out); err == nil {
			t.Errorf("%s: parseTSV succeeded, want an error", name)
		}
	}
}

func TestBuildPageJoinsRowsInReadingOrder(t *testing.T) {
	t.Parallel()
	// Tesseract's blocks: a left column of labels (block 1), a right
	// column of values (block 2) and a heading found last (block 3).
	words := []ocrWord{
		{block: 1, par: 1, line: 1, box: image.Rect(100, 200, 180, 230), conf: 0.9, text: "Invoice:"},
		{block: 1, par: 1, line: 2, box: image.Rect(100, 300, 160, 330), conf: 0.9, text: "Date:"},
		{block: 2, par: 1, line: 1, box: image.Rect(600, 202, 700, 232), conf: 0.8, text: "INV-1"},
		{block: 2, par: 1, line: 2, box: image.Rect(600, 298, 680, 328), conf: 0.7, text: "2024-03-01"},
		{block: 3, par: 1, line: 1, box: image.Rect(100, 50, 250, 90), conf: 1, text: "ACME"},
		{block: 3, par: 1, line: 1, box: image.Rect(260, 50, 400, 90), conf: 1, text: "Corp"},
	}
	page := ocrPage(words, 1000, 500)
	var lines []string
	for _, l := range page.Lines {
		lines = append(lines, l.Text)
	}
	if diff := cmp.Diff([]string{"ACME Corp", "Invoice: INV-1", "Date: 2024-03-01"}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	wantWords := []Word{
		{Text: "ACME", Box: Box{0.1, 0.1, 0.25, 0.18}, Source: SourceOCR, Confidence: 1, Line: 0},
		{Text: "Corp", Box: Box{0.26, 0.1, 0.4, 0.18}, Source: SourceOCR, Confidence: 1, Line: 0},
		{Text: "Invoice:", Box: Box{0.1, 0.4, 0.18, 0.46}, Source: SourceOCR, Confidence: 0.9, Line: 1},
		{Text: "INV-1", Box: Box{0.6, 0.404, 0.7, 0.464}, Source: SourceOCR, Confidence: 0.8, Line: 1},
		{Text: "Date:", Box: Box{0.1, 0.6, 0.16, 0.66}, Source: SourceOCR, Confidence: 0.9, Line: 2},
		{Text: "2024-03-01", Box: Box{0.6, 0.596, 0.68, 0.656}, Source: SourceOCR, Confidence: 0.7, Line: 2},
	}
	if diff := cmp.Diff(wantWords, page.Words, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]int{{0, 1}, {2, 3}, {4, 5}}, lineWords(page)); diff != "" {
		t.Errorf("line words (-want +got):\n%s", diff)
	}
}

func TestBuildPageKeepsStackedLinesApart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		words []ocrWord
		want  []string
	}{{
		// Lines overlapping by less than half the smaller height are
		// different rows.
		name: "slight vertical overlap",
		words: []ocrWord{
			{block: 1, par: 1, line: 1, box: image.Rect(0, 0, 100, 40), text: "upper"},
			{block: 2, par: 1, line: 1, box: image.Rect(200, 25, 300, 65), text: "lower"},
		},
		want: []string{"upper", "lower"},
	}, {
		// Two tesseract lines on one row that overlap horizontally stay
		// apart (a superscript, a struck-through word).
		name: "horizontal overlap",
		words: []ocrWord{
			{block: 1, par: 1, line: 1, box: image.Rect(0, 0, 100, 40), text: "one"},
			{block: 2, par: 1, line: 1, box: image.Rect(50, 5, 150, 45), text: "two"},
		},
		want: []string{"one", "two"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, l := range ocrPage(tc.words, 1000, 1000).Lines {
				got = append(got, l.Text)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// lineWords returns the word indices of each line of page.
func lineWords(page Page) [][]int {
	var out [][]int
	for _, l := range page.Lines {
		out = append(out, l.Words)
	}
	return out
}

// FuzzParseTSV checks that any tesseract output either fails to parse or
// lays out into a page whose every word is in exactly one line.
func FuzzParseTSV(f *testing.F) {
	f.Add(tsvOutput("5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t91.2\tword", "5\t1\t2\t1\t1\t1\t100\t12\t50\t20\t80\tnext"))
	f.Add(tsvOutput("4\t1\t1\t1\t1\t0\t0\t0\t9\t9\t-1\t", "5\t1\t1\t1\t1\t1\t-5\t-5\t0\t0\t-1\tx"))
	f.Add([]byte(tsvColumns))
	f.Fuzz(func(t *testing.T, out []byte) {
		words, err := parseTSV(out)
		if err != nil {
			return
		}
		page := ocrPage(words, 640, 480)
		seen := make([]int, len(page.Words))
		for li, l := range page.Lines {
			for _, wi := range l.Words {
				seen[wi]++
				if page.Words[wi].Line != li {
					t.Errorf("word %d says line %d, listed in line %d", wi, page.Words[wi].Line, li)
				}
			}
		}
		for wi, n := range seen {
			w := page.Words[wi]
			if n != 1 || w.Text == "" || w.Confidence < 0 || w.Confidence > 1 || w.Box.X0 < 0 || w.Box.Y1 > 1 {
				t.Errorf("word %d %+v is in %d lines", wi, w, n)
			}
		}
	})
}
