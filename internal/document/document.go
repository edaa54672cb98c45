package document

import "strings"

// Kind is the type of input a Document was parsed from.
type Kind string

const (
	// KindText is plain text, laid out on a nominal character grid.
	KindText Kind = "text"
	// KindPDF is a PDF file; its words come from the text layer or from OCR
	// of the rendered page.
	KindPDF Kind = "pdf"
	// KindImage is a raster image (a photo or a scan); its words come from OCR.
	KindImage Kind = "image"
)

// Source says how the text of a Word was obtained.
type Source string

const (
	// SourceText is a word of a plain-text input.
	SourceText Source = "text"
	// SourceTextLayer is a word read from a PDF's text layer.
	SourceTextLayer Source = "text_layer"
	// SourceOCR is a word recognised by OCR; its Confidence is the engine's.
	SourceOCR Source = "ocr"
)

// Document is a parsed input: its pages in order.
type Document struct {
	// Kind is the type of input the document was parsed from.
	Kind Kind
	// Pages holds at least one page for a parsed input.
	Pages []Page
}

// Page is one page of a Document.
type Page struct {
	// Number is the 1-based page number.
	Number int
	// Width and Height are the page size in points (1/72 inch). Text pages
	// use a nominal layout; see FromText.
	Width, Height float64
	// Words holds every word of the page. Each word belongs to one line.
	Words []Word
	// Lines holds the lines of the page in reading order.
	Lines []Line
}

// Word is a run of non-space characters on a page.
type Word struct {
	// Text is the word, without spaces.
	Text string
	// Box is where the word is on the page.
	Box Box
	// Source says how the text was obtained.
	Source Source
	// Confidence is 1 for text and text-layer words and the OCR engine's
	// confidence, 0–1, for OCR words.
	Confidence float64
	// Line is the index in Page.Lines of the line holding the word.
	Line int
}

// Line is a line of words on a page.
type Line struct {
	// Text is the line's words in reading order, separated by single spaces.
	Text string
	// Box is the union of the boxes of the line's words.
	Box Box
	// Words are indices into Page.Words, in reading order.
	Words []int
}

// Text returns the page's lines in reading order, separated by "\n".
func (p *Page) Text() string {
	var b strings.Builder
	for i, l := range p.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Text)
	}
	return b.String()
}

// Text returns the document's text in reading order: lines separated by "\n"
// and pages by "\f" (form feed). Words are separated by single spaces, so the
// text of a plain-text input is its words, not its original spacing.
func (d *Document) Text() string {
	var b strings.Builder
	for i := range d.Pages {
		if i > 0 {
			b.WriteByte('\f')
		}
		b.WriteString(d.Pages[i].Text())
	}
	return b.String()
}
