package document

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// charsAt lays out s as 10-point characters 6 points wide from x on the
// line whose bottom is at y (points from the top); gap is added after each.
func charsAt(s string, x, y, gap float64) []pdfChar {
	var out []pdfChar
	for _, r := range s {
		if r == ' ' {
			out = append(out, pdfChar{r: ' '})
		} else {
			out = append(out, pdfChar{r: r, box: pdfRect{x, y - 10, x + 6, y}})
		}
		x += 6 + gap
	}
	return out
}

func TestGroupPDFWords(t *testing.T) {
	t.Parallel()
	join := func(parts ...[]pdfChar) []pdfChar {
		var out []pdfChar
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name  string
		chars []pdfChar
		want  []string
	}{
		{"white space", charsAt("ab cd\te", 0, 100, 0), []string{"ab", "cd", "e"}},
		{"abutting letters", charsAt("abc", 0, 100, 0), []string{"abc"}},
		{"tight letter spacing", charsAt("abc", 0, 100, 2), []string{"abc"}},
		{"gaps wider than a quarter of the size", charsAt("abc", 0, 100, 3), []string{"a", "b", "c"}},
		{"a new line", join(charsAt("ab", 0, 100, 0), charsAt("cd", 0, 114, 0)), []string{"ab", "cd"}},
		{"back to the left on the same baseline", join(charsAt("ab", 50, 100, 0), charsAt("cd", 0, 100, 0)), []string{"ab", "cd"}},
		{"a raised digit", join(charsAt("m", 0, 100, 0), charsAt("2", 6, 95, 0)), []string{"m", "2"}},
		{"a small baseline wobble", join(charsAt("ab", 0, 100, 0), charsAt("c", 12, 101, 0)), []string{"abc"}},
		{"control characters vanish", join(charsAt("ab", 0, 100, 0), []pdfChar{{r: 2}}, charsAt("c", 12, 100, 0)), []string{"abc"}},
		{"boxless glyphs vanish", join(charsAt("ab", 0, 100, 0), []pdfChar{{r: 'x'}}), []string{"ab"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, w := range groupPDFWords(tt.chars) {
				got = append(got, w.text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("words mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLayoutPDFPage(t *testing.T) {
	t.Parallel()
	word := func(text string, x0, y0, x1, y1 float64) pdfLayerWord {
		return pdfLayerWord{text: text, box: pdfRect{x0, y0, x1, y1}}
	}
	words := []pdfLayerWord{
		word("12.50", 300, 52, 330, 62), // a smaller font on the row of "Total"
		word("Total", 10, 50, 40, 62),
		word("Page", 10, 10, 40, 22),
		word("off-page", 420, 50, 460, 62),
		word("clipped", 390, 90, 410, 102),
	}
	gotWords, gotLines := layoutPDFPage(words, 400, 100)
	wantWords := []Word{
		{Text: "Page", Box: Box{X0: 0.025, Y0: 0.1, X1: 0.1, Y1: 0.22}, Line: 0},
		{Text: "Total", Box: Box{X0: 0.025, Y0: 0.5, X1: 0.1, Y1: 0.62}, Line: 1},
		{Text: "12.50", Box: Box{X0: 0.75, Y0: 0.52, X1: 0.825, Y1: 0.62}, Line: 1},
		{Text: "clipped", Box: Box{X0: 0.975, Y0: 0.9, X1: 1, Y1: 1}, Line: 2},
	}
	for i := range wantWords {
		wantWords[i].Source, wantWords[i].Confidence = SourceTextLayer, 1
	}
	wantLines := []Line{
		{Text: "Page", Box: wantWords[0].Box, Words: []int{0}},
		{Text: "Total 12.50", Box: Box{X0: 0.025, Y0: 0.5, X1: 0.825, Y1: 0.62}, Words: []int{1, 2}},
		{Text: "clipped", Box: wantWords[3].Box, Words: []int{3}},
	}
	opt := cmpopts.EquateApprox(0, 1e-9)
	if diff := cmp.Diff(wantWords, gotWords, opt); diff != "" {
		t.Errorf("words mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantLines, gotLines, opt); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
}
