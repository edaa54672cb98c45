package document

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// gridBox is the box of a word of n columns at row, col on a text page of
// cols × rows cells.
func gridBox(row, col, n, cols, rows int) Box {
	return Box{
		X0: float64(col) / float64(cols), Y0: float64(row) / float64(rows),
		X1: float64(col+n) / float64(cols), Y1: float64(row+1) / float64(rows),
	}
}

// textWord is a word of a text page on a Letter-sized grid.
func textWord(text string, row, col, line int) Word {
	return Word{Text: text, Box: gridBox(row, col, len([]rune(text)), 85, 66), Source: SourceText, Confidence: 1, Line: line}
}

func TestFromTextLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want Page
	}{
		{
			name: "words and lines",
			text: "Invoice No: 42\nTotal   9.50",
			want: Page{Number: 1, Width: 612, Height: 792,
				Words: []Word{
					textWord("Invoice", 0, 0, 0), textWord("No:", 0, 8, 0), textWord("42", 0, 12, 0),
					textWord("Total", 1, 0, 1), textWord("9.50", 1, 8, 1),
				},
				Lines: []Line{
					{Text: "Invoice No: 42", Box: gridBox(0, 0, 14, 85, 66), Words: []int{0, 1, 2}},
					{Text: "Total 9.50", Box: gridBox(1, 0, 12, 85, 66), Words: []int{3, 4}},
				},
			},
		},
		{
			name: "tabs advance to the next multiple of eight columns",
			text: "a\tb\t\tc\n\td",
			want: Page{Number: 1, Width: 612, Height: 792,
				Words: []Word{textWord("a", 0, 0, 0), textWord("b", 0, 8, 0), textWord("c", 0, 24, 0), textWord("d", 1, 8, 1)},
				Lines: []Line{
					{Text: "a b c", Box: gridBox(0, 0, 25, 85, 66), Words: []int{0, 1, 2}},
					{Text: "d", Box: gridBox(1, 8, 1, 85, 66), Words: []int{3}},
				},
			},
		},
		{
			name: "CRLF, lone CR and blank lines keep their rows",
			text: "a\r\n\r\n  b\rc",
			want: Page{Number: 1, Width: 612, Height: 792,
				Words: []Word{textWord("a", 0, 0, 0), textWord("b", 2, 2, 1), textWord("c", 3, 0, 2)},
				Lines: []Line{
					{Text: "a", Box: gridBox(0, 0, 1, 85, 66), Words: []int{0}},
					{Text: "b", Box: gridBox(2, 2, 1, 85, 66), Words: []int{1}},
					{Text: "c", Box: gridBox(3, 0, 1, 85, 66), Words: []int{2}},
				},
			},
		},
		{
			name: "characters are columns, not bytes",
			text: "Größe: 5 €",
			want: Page{Number: 1, Width: 612, Height: 792,
				Words: []Word{textWord("Größe:", 0, 0, 0), textWord("5", 0, 7, 0), textWord("€", 0, 9, 0)},
				Lines: []Line{{Text: "Größe: 5 €", Box: gridBox(0, 0, 10, 85, 66), Words: []int{0, 1, 2}}},
			},
		},
		{
			name: "white space only",
			text: " \t \n\n",
			want: Page{Number: 1, Width: 612, Height: 792},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := FromText(tt.text)
			want := &Document{Kind: KindText, Pages: []Page{tt.want}}
			if diff := cmp.Diff(want, doc, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FromText(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestFromTextPageSize(t *testing.T) {
	t.Parallel()
	long := make([]byte, 100)
	for i := range long {
		long[i] = 'x'
	}
	many := make([]byte, 80)
	for i := range many {
		many[i] = '\n'
	}
	tests := []struct {
		name                string
		text                string
		wantWidth, wantHigh float64
		wantFirstBox        Box
	}{
		{"a short text is a Letter page", "hi", 612, 792, gridBox(0, 0, 2, 85, 66)},
		{"a long line widens the page", string(long), 720, 792, gridBox(0, 0, 100, 100, 66)},
		{"many lines lengthen the page", "hi" + string(many), 612, 81 * 12, gridBox(0, 0, 2, 85, 81)},
		{"trailing spaces do not widen the page", "hi" + string(long[:90]) + "                                       ", 92 * 7.2, 792, gridBox(0, 0, 92, 92, 66)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := FromText(tt.text).Pages[0]
			got := []any{p.Width, p.Height, p.Words[0].Box}
			want := []any{tt.wantWidth, tt.wantHigh, tt.wantFirstBox}
			if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("width, height, first box mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromTextPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string // each page's text
	}{
		{"one page", "a b\nc", []string{"a b\nc"}},
		{"form feed starts a page", "one\ftwo\n2", []string{"one", "two\n2"}},
		{"a final form feed adds no page", "one\ftwo\f", []string{"one", "two"}},
		{"an empty page in the middle stays", "one\f\fthree", []string{"one", "", "three"}},
		{"empty text is one empty page", "", []string{""}},
		{"byte-order mark is dropped", "\uFEFFhello", []string{"hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := FromText(tt.text)
			var got []string
			for i, p := range doc.Pages {
				if p.Number != i+1 {
					t.Errorf("page %d has Number %d", i, p.Number)
				}
				got = append(got, p.Text())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pages of FromText(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestDocumentTextRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want string
	}{
		{"Invoice   No:  42\n\n\tTotal 9.50", "Invoice No: 42\nTotal 9.50"},
		{"page one\fpage two", "page one\fpage two"},
		{"a\r\nb", "a\nb"},
	}
	for _, tt := range tests {
		got := FromText(tt.text).Text()
		if got != tt.want {
			t.Errorf("FromText(%q).Text() = %q, want %q", tt.text, got, tt.want)
		}
		if again := FromText(got).Text(); again != got {
			t.Errorf("FromText(%q).Text() = %q, want it unchanged", got, again)
		}
	}
}

func TestFromTextGeometry(t *testing.T) {
	t.Parallel()
	// A label and the values right of it and below it, as on an invoice.
	doc := FromText("Invoice No        Date\nINV-001           2024-03-01")
	p := doc.Pages[0]
	label, date, below, belowDate := p.Words[0].Box, p.Words[2].Box, p.Words[3].Box, p.Words[4].Box
	if !(date.X0 > label.X1 && date.Y0 == label.Y0) {
		t.Errorf("Date %v is not right of Invoice %v on the same row", date, label)
	}
	if below.Y0 != label.Y1 {
		t.Errorf("INV-001 %v does not start where Invoice %v ends vertically", below, label)
	}
	if below.HOverlap(label) == 0 || belowDate.HOverlap(label) != 0 || belowDate.HOverlap(date) == 0 {
		t.Errorf("column overlaps are wrong: INV-001 %v, 2024-03-01 %v, Invoice %v, Date %v", below, belowDate, label, date)
	}
}
