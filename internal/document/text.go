package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The nominal layout of a text page: a typewriter grid of 10 characters per
// inch and 6 lines per inch, on at least a US Letter page (85 × 66 cells,
// 612 × 792 points). Longer lines or more lines grow the page.
const (
	textColumnWidth = 7.2  // points per character column
	textLineHeight  = 12.0 // points per line
	textMinColumns  = 85
	textMinRows     = 66
	textTabWidth    = 8 // tab stops every 8 columns
)

// gridWord is a word of a text page placed on the character grid.
type gridWord struct {
	text       string
	row, col   int
	columns    int // width in columns
	lineNumber int // index of the line in Page.Lines
}

// FromText lays plain text out as a Document of Kind KindText.
//
// Lines end at "\n", "\r\n" or "\r"; a form feed ("\f") starts a new page,
// but a final form feed (as pdftotext writes) does not add an empty page.
// FromText(d.Text()) therefore keeps d's pages and lines, except an empty
// last page. Words are runs of non-space characters. Each character
// takes one cell of a grid 7.2 points wide and 12 points high (10 characters
// per inch, 6 lines per inch) and tabs advance to the next multiple of 8
// columns, so a word's box says where it was in the text: columns aligned
// with spaces or tabs line up, and "right of" and "below" mean what they
// appear to mean. A page is at least US Letter (85 columns × 66 lines) and
// grows to fit longer or more lines. A leading byte-order mark is dropped.
// The result always has at least one page.
func FromText(text string) *Document {
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	pages := strings.Split(text, "\f")
	if len(pages) > 1 && pages[len(pages)-1] == "" {
		pages = pages[:len(pages)-1]
	}
	doc := &Document{Kind: KindText, Pages: make([]Page, 0, len(pages))}
	for i, p := range pages {
		doc.Pages = append(doc.Pages, textPage(i+1, p))
	}
	return doc
}

// textPage lays out the text of one page.
func textPage(number int, text string) Page {
	rows := strings.Split(text, "\n")
	var words []gridWord
	columns, lines := 0, 0
	for r, row := range rows {
		n := len(words)
		var end int
		words, end = appendGridWords(words, r, lines, row)
		columns = max(columns, end)
		if len(words) > n {
			lines++
		}
	}
	columns = max(columns, textMinColumns)
	nrows := max(len(rows), textMinRows)
	page := Page{
		Number: number,
		Width:  float64(columns) * textColumnWidth,
		Height: float64(nrows) * textLineHeight,
		Words:  make([]Word, 0, len(words)),
		Lines:  make([]Line, 0, lines),
	}
	for _, w := range words {
		page.Words = append(page.Words, Word{
			Text: w.text,
			Box: Box{
				X0: float64(w.col) / float64(columns),
				Y0: float64(w.row) / float64(nrows),
				X1: float64(w.col+w.columns) / float64(columns),
				Y1: float64(w.row+1) / float64(nrows),
			},
			Source:     SourceText,
			Confidence: 1,
			Line:       w.lineNumber,
		})
	}
	page.Lines = groupLines(page.Words, lines)
	return page
}

// groupLines builds the lines of words that are already in reading order and
// numbered by line.
func groupLines(words []Word, n int) []Line {
	lines := make([]Line, 0, n)
	var b strings.Builder
	for i := 0; i < len(words); {
		j := i
		l := Line{Box: words[i].Box}
		b.Reset()
		for ; j < len(words) && words[j].Line == words[i].Line; j++ {
			if j > i {
				b.WriteByte(' ')
			}
			b.WriteString(words[j].Text)
			l.Box = l.Box.Union(words[j].Box)
			l.Words = append(l.Words, j)
		}
		l.Text = b.String()
		lines = append(lines, l)
		i = j
	}
	return lines
}

// appendGridWords appends the words of one text row to words and returns
// them with the column just past the row's last character.
func appendGridWords(words []gridWord, row, line int, text string) ([]gridWord, int) {
	col, start, startCol := 0, -1, 0
	flush := func(end int) {
		if start >= 0 {
			words = append(words, gridWord{text: text[start:end], row: row, col: startCol, columns: col - startCol, lineNumber: line})
			start = -1
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\t':
			flush(i)
			col = (col/textTabWidth + 1) * textTabWidth
		case unicode.IsSpace(r):
			flush(i)
			col++
		default:
			if start < 0 {
				start, startCol = i, col
			}
			col++
		}
		i += size
	}
	flush(len(text))
	if len(words) == 0 || words[len(words)-1].row != row {
		return words, 0
	}
	last := words[len(words)-1]
	return words, last.col + last.columns
}
