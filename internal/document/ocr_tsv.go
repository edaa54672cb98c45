package document

import (
	"cmp"
	"fmt"
	"image"
	"slices"
	"strconv"
	"strings"
)

// ocrWord is a word row (level 5) of tesseract's TSV output.
type ocrWord struct {
	// block, par and line number the word's line within the page.
	block, par, line int
	// box is in pixels of the image tesseract read.
	box  image.Rectangle
	conf float64
	text string
}

// tsvColumns is the header of tesseract's TSV output.
const tsvColumns = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"

// parseTSV reads the words of tesseract's TSV output, in its order. Rows of
// other levels (page, block, paragraph, line: confidence -1) are skipped,
// and so are words that are blank or only vertical bars: tesseract reads the
// rules of a table as "|", which would split "Qty 2" into "Qty | 2".
func parseTSV(out []byte) ([]ocrWord, error) {
	rows := strings.Split(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n")
	if rows[0] != tsvColumns {
		return nil, fmt.Errorf("unexpected TSV header %.100q", rows[0])
	}
	var words []ocrWord
	for i, row := range rows[1:] {
		f := strings.Split(row, "\t")
		if row == "" || f[0] != "5" {
			continue
		}
		if len(f) != 12 {
			return nil, fmt.Errorf("row %d has %d columns, want 12", i+2, len(f))
		}
		text := strings.Join(strings.Fields(f[11]), "")
		if strings.Trim(text, "|") == "" {
			continue
		}
		var n [7]int
		for j, col := range []int{2, 3, 4, 6, 7, 8, 9} {
			v, err := strconv.Atoi(f[col])
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i+2, err)
			}
			n[j] = v
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+2, err)
		}
		words = append(words, ocrWord{
			block: n[0], par: n[1], line: n[2],
			box:  image.Rect(n[3], n[4], n[3]+n[5], n[4]+n[6]),
			conf: min(max(conf/100, 0), 1), text: text,
		})
	}
	return words, nil
}

// ocrLine is a line of tesseract's output: its words and their extent.
type ocrLine struct {
	words []ocrWord
	box   image.Rectangle
}

// tesseractLines groups words by their block, paragraph and line numbers,
// in the order tesseract gave them.
func tesseractLines(words []ocrWord) []*ocrLine {
	type key struct{ block, par, line int }
	index := map[key]*ocrLine{}
	var lines []*ocrLine
	for _, w := range words {
		k := key{w.block, w.par, w.line}
		l := index[k]
		if l == nil {
			l = &ocrLine{box: w.box}
			index[k] = l
			lines = append(lines, l)
		}
		l.words = append(l.words, w)
		l.box = l.box.Union(w.box)
	}
	return lines
}

// ocrRows joins the tesseract lines that sit side by side on one row of the
// page — a label and its value, the cells of a table row, which tesseract
// puts in different blocks — and orders the rows top to bottom and each
// row's lines left to right. A line joins the row whose first line it
// overlaps vertically by at least half the smaller height, unless it
// overlaps a line of the row horizontally.
func ocrRows(lines []*ocrLine) [][]*ocrLine {
	slices.SortStableFunc(lines, func(a, b *ocrLine) int {
		return cmp.Compare(a.box.Min.Y+a.box.Max.Y, b.box.Min.Y+b.box.Max.Y)
	})
	var out [][]*ocrLine
	for _, l := range lines {
		best, bestOverlap := -1, 0
		for i, row := range out {
			ov := min(row[0].box.Max.Y, l.box.Max.Y) - max(row[0].box.Min.Y, l.box.Min.Y)
			if 2*ov >= min(row[0].box.Dy(), l.box.Dy()) && ov > bestOverlap && !overlapsAny(row, l) {
				best, bestOverlap = i, ov
			}
		}
		if best < 0 {
			out = append(out, []*ocrLine{l})
			continue
		}
		out[best] = append(out[best], l)
	}
	for _, row := range out {
		slices.SortStableFunc(row, func(a, b *ocrLine) int { return cmp.Compare(a.box.Min.X, b.box.Min.X) })
	}
	return out
}

// overlapsAny reports whether l overlaps a line of row horizontally.
func overlapsAny(row []*ocrLine, l *ocrLine) bool {
	for _, r := range row {
		if min(r.box.Max.X, l.box.Max.X) > max(r.box.Min.X, l.box.Min.X) {
			return true
		}
	}
	return false
}

// ocrPage lays out OCR words recognised in a w×h pixel image as a Page's
// words and lines, boxes normalised to the image.
func ocrPage(words []ocrWord, w, h int) Page {
	var p Page
	norm := func(v, size int) float64 { return min(max(float64(v)/float64(size), 0), 1) }
	for _, row := range ocrRows(tesseractLines(words)) {
		line := Line{}
		var text []string
		for _, tl := range row {
			for _, ow := range tl.words {
				word := Word{
					Text: ow.text, Source: SourceOCR, Confidence: ow.conf, Line: len(p.Lines),
					Box: Box{X0: norm(ow.box.Min.X, w), Y0: norm(ow.box.Min.Y, h), X1: norm(ow.box.Max.X, w), Y1: norm(ow.box.Max.Y, h)},
				}
				line.Words = append(line.Words, len(p.Words))
				line.Box = line.Box.Union(word.Box)
				text = append(text, word.Text)
				p.Words = append(p.Words, word)
			}
		}
		line.Text = strings.Join(text, " ")
		p.Lines = append(p.Lines, line)
	}
	return p
}
