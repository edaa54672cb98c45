package document

import (
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// ocrForTest returns an OCR with opts, skipping the test when tesseract is
// not installed.
func ocrForTest(t testing.TB, opts OCROptions) *OCR {
	t.Helper()
	o := NewOCR(opts)
	if !o.Available() {
		t.Skip("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng); skipping OCR tests")
	}
	return o
}

// drawnWord is a word drawn by renderText and where its ink is, in pixels.
type drawnWord struct {
	text string
	box  image.Rectangle
}

// renderOCRText draws lines of text in Go Regular, black on white, on a w×h
// image, with the x-height tesseract likes at size pixels per em. A tab in a
// line moves the pen to the middle of the page, making two columns. It
// returns the image and the words drawn, line by line.
func renderOCRText(t testing.TB, w, h int, size float64, lines ...string) (*image.RGBA, [][]drawnWord) {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: face}
	margin, space := fixed.I(int(2*size)), font.MeasureString(face, " ")
	var drawn [][]drawnWord
	for i, line := range lines {
		d.Dot = fixed.Point26_6{X: margin, Y: margin + fixed.I(int(float64(i+1)*1.6*size))}
		var words []drawnWord
		for j, column := range strings.Split(line, "\t") {
			if j > 0 {
				d.Dot.X = fixed.I(w / 2)
			}
			for _, word := range strings.Fields(column) {
				b, _ := font.BoundString(face, word)
				box := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil()).
					Add(image.Pt(d.Dot.X.Round(), d.Dot.Y.Round()))
				words = append(words, drawnWord{text: word, box: box})
				d.DrawString(word)
				d.Dot.X += space
			}
		}
		drawn = append(drawn, words)
	}
	return img, drawn
}

// pixelBox normalises a pixel rectangle of a w×h image.
func pixelBox(r image.Rectangle, w, h int) Box {
	return Box{X0: float64(r.Min.X) / float64(w), Y0: float64(r.Min.Y) / float64(h),
		X1: float64(r.Max.X) / float64(w), Y1: float64(r.Max.Y) / float64(h)}
}

func TestOCRPageReadsRenderedText(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	// Two columns on the first rows: tesseract reads them as separate
	// blocks, and OCR joins each row back into one line.
	img, drawn := renderOCRText(t, 1700, 800, 48,
		"Invoice Number:\tINV-2024-0042",
		"Invoice Date:\t15 March 2024",
		"The quick brown fox jumps over the lazy dog",
		"Total amount due 1,234.56 EUR",
	)
	page, err := o.Page(context.Background(), img, 3, 300)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, line := range drawn {
		var texts []string
		for _, w := range line {
			texts = append(texts, w.text)
		}
		want = append(want, strings.ToLower(strings.Join(texts, " ")))
	}
	for _, l := range page.Lines {
		got = append(got, strings.ToLower(l.Text))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("lines (-want +got):\n%s", diff)
	}
	if page.Number != 3 || page.Width != 1700*72/300.0 || page.Height != 800*72/300.0 {
		t.Errorf("page %d is %v×%v points, want page 3 of 408×192", page.Number, page.Width, page.Height)
	}
	checkOCRWords(t, page, drawn, 1700, 800)
}

// checkOCRWords checks that page's words are the drawn ones, in one line
// each, with boxes over the drawn ink and confidences in 0–1.
func checkOCRWords(t *testing.T, page Page, drawn [][]drawnWord, w, h int) {
	t.Helper()
	seen := map[int]int{}
	for li, line := range page.Lines {
		for k, wi := range line.Words {
			seen[wi]++
			word := page.Words[wi]
			want := drawn[li][k]
			if iou := word.Box.IoU(pixelBox(want.box, w, h)); iou <= 0.5 {
				t.Errorf("%q: box %+v has IoU %.2f with the drawn %v", word.Text, word.Box, iou, want.box)
			}
			if word.Line != li || word.Source != SourceOCR || word.Confidence < 0.5 || word.Confidence > 1 {
				t.Errorf("%q: line %d, source %s, confidence %v; want line %d, ocr, in 0.5–1",
					word.Text, word.Line, word.Source, word.Confidence, li)
			}
		}
		if u := wordsUnion(page, line.Words); line.Box != u {
			t.Errorf("line %d box %+v, want the union of its words %+v", li, line.Box, u)
		}
	}
	for wi := range page.Words {
		if seen[wi] != 1 {
			t.Errorf("word %d (%q) is in %d lines, want 1", wi, page.Words[wi].Text, seen[wi])
		}
	}
}

// wordsUnion returns the union of the boxes of page's words at indices.
func wordsUnion(page Page, indices []int) Box {
	var u Box
	for _, i := range indices {
		u = u.Union(page.Words[i].Box)
	}
	return u
}

func TestOCRImageReadsEveryTIFFPage(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	texts := []string{"first page", "second page", "third page"}
	dpis := []uint32{200, 300, 240} // each page has its own resolution
	var pages []tiffPage
	for i, text := range texts {
		img, _ := renderOCRText(t, 900, 200, 40, text)
		pages = append(pages, tiffPage{img: toGray(img), extra: []tiffEntry{{tagXResolution, tiffRational, dpis[i]}}})
	}
	got, err := o.Image(context.Background(), tiffFile(pages...), 0)
	if err != nil {
		t.Fatal(err)
	}
	var gotTexts []string
	for i, p := range got {
		if want := 900 * 72 / float64(dpis[i]); p.Number != i+1 || p.Width != want {
			t.Errorf("page %d: number %d, width %v; want %d, %v", i, p.Number, p.Width, i+1, want)
		}
		gotTexts = append(gotTexts, strings.ToLower(p.Text()))
	}
	if diff := cmp.Diff(texts, gotTexts); diff != "" {
		t.Errorf("page texts (-want +got):\n%s", diff)
	}
}

func TestOCRImageFailsOnACorruptPage(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{Concurrency: 1})
	img, _ := renderOCRText(t, 600, 150, 40, "page")
	page := tiffPage{img: toGray(img)}
	data := tiffFile(page, page, page)
	// Point page 2's pixels past the end of the file: its header is fine,
	// its pixels cannot be read.
	r, _ := newTIFFReader(data)
	_, second, _ := r.ifd(r.first)
	entries, _, _ := r.ifd(second)
	binary.LittleEndian.PutUint32(entries[273].value, 1<<30)
	_, err := o.Image(context.Background(), data, 0)
	var de *Error
	if !errors.As(err, &de) || de.Code != CodeImageCorrupt {
		t.Errorf("error = %v, want %s", err, CodeImageCorrupt)
	}
}

func TestOCRImageOfTransparentPNG(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	// Black text on a transparent background reads as black on black
	// unless it is composited on white.
	img, _ := renderOCRText(t, 1200, 200, 48, "transparent background")
	clear := image.NewNRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		clear.Pix[i+3] = 0xff - img.Pix[i] // ink is opaque black, paper transparent
	}
	data := encodeImage(t, clear, png.Encode)
	pages, err := o.Image(context.Background(), data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ToLower(pages[0].Text()); got != "transparent background" {
		t.Errorf("text = %q, want %q", got, "transparent background")
	}
}

func TestOCRUnavailable(t *testing.T) {
	t.Parallel()
	img, _ := renderOCRText(t, 200, 100, 20, "x")
	for _, tc := range []struct {
		name    string
		opts    OCROptions
		message string
	}{
		{"missing binary", OCROptions{Tesseract: filepath.Join(t.TempDir(), "tesseract")}, ocrUnavailableMessage},
		{"missing language", OCROptions{Lang: "qqq"}, "apt-get install tesseract-ocr-qqq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.opts.Tesseract == "" {
				ocrForTest(t, OCROptions{}) // needs tesseract to be missing only the language
			}
			o := NewOCR(tc.opts)
			if o.Available() {
				t.Fatal("Available() = true, want false")
			}
			_, pageErr := o.Page(context.Background(), img, 1, 300)
			_, imageErr := o.Image(context.Background(), []byte("not even an image"), 0)
			for _, err := range []error{pageErr, imageErr} {
				var de *Error
				if !errors.As(err, &de) || de.Code != CodeOCRUnavailable || !strings.Contains(de.Message, tc.message) {
					t.Errorf("error = %v, want %s saying %q", err, CodeOCRUnavailable, tc.message)
				}
			}
		})
	}
}

func TestOCRTimeout(t *testing.T) {
	t.Parallel()
	// Reading a page of text takes tesseract seconds: it is killed long
	// before it finishes.
	o := ocrForTest(t, OCROptions{Timeout: 100 * time.Millisecond})
	var lines []string
	for range 12 {
		lines = append(lines, "a page of text that takes tesseract a while to read")
	}
	img, _ := renderOCRText(t, 2480, 1200, 50, lines...)
	_, err := o.Page(context.Background(), img, 1, 300)
	var de *Error
	if !errors.As(err, &de) || de.Code != CodeOCRTimeout {
		t.Fatalf("error = %v, want %s", err, CodeOCRTimeout)
	}
}

func TestOCRCancelled(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	img, _ := renderOCRText(t, 800, 200, 40, "cancelled")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.Page(ctx, img, 1, 300); !errors.Is(err, context.Canceled) {
		t.Errorf("Page error = %v, want context.Canceled", err)
	}
	data := encodeImage(t, img, png.Encode)
	if _, err := o.Image(ctx, data, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Image error = %v, want context.Canceled", err)
	}
}

// TestOCRFailedShowsStderr is not parallel: it points every tesseract of
// the process at damaged language data through the environment.
func TestOCRFailedShowsStderr(t *testing.T) {
	ocrForTest(t, OCROptions{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eng.traineddata"), []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TESSDATA_PREFIX", dir)
	o := NewOCR(OCROptions{})
	if !o.Available() {
		t.Fatal("Available() = false, want true: the language data is there, only damaged")
	}
	img, _ := renderOCRText(t, 200, 100, 20, "x")
	_, err := o.Page(context.Background(), img, 1, 300)
	var de *Error
	if !errors.As(err, &de) || de.Code != CodeOCRFailed || !strings.Contains(de.Message, "Failed loading language") {
		t.Errorf("error = %v, want %s with tesseract's message", err, CodeOCRFailed)
	}
}

func TestOCRPageShrinksSidesTesseractRefuses(t *testing.T) {
	t.Parallel()
	o := ocrForTest(t, OCROptions{})
	// tesseract refuses images with a side over 32767 pixels.
	img, drawn := renderOCRText(t, 34000, 200, 40, "very wide")
	page, err := o.Page(context.Background(), img, 1, 300)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ToLower(page.Text()); got != "very wide" {
		t.Fatalf("text = %q, want %q", got, "very wide")
	}
	checkOCRWords(t, page, drawn, 34000, 200)
}

// countingTesseract writes a wrapper around the real tesseract that records,
// in dir/log, how many recognitions are running each time one starts.
func countingTesseract(t *testing.T) (path, log string) {
	t.Helper()
	real, err := exec.LookPath("tesseract")
	if err != nil {
		t.Skip("tesseract is not installed")
	}
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock (util-linux) is not installed")
	}
	dir := t.TempDir()
	script := `#!/bin/sh
dir=$(dirname "$0")
case "$1" in --list-langs) exec ` + real + ` "$@";; esac
count() { (flock 9; n=$(( $(cat "$dir/n") + $1 )); echo $n > "$dir/n"; [ $1 -gt 0 ] && echo $n >> "$dir/log") 9>"$dir/lock"; }
count 1
` + real + ` "$@"; rc=$?
count -1
exit $rc
`
	path = filepath.Join(dir, "tesseract")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "n"), []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(dir, "log")
}

func TestOCRConcurrencyBound(t *testing.T) {
	t.Parallel()
	path, log := countingTesseract(t)
	o := ocrForTest(t, OCROptions{Tesseract: path, Concurrency: 2})
	img, _ := renderOCRText(t, 600, 150, 40, "bounded")
	var pages []tiffPage
	for range 3 {
		pages = append(pages, tiffPage{img: toGray(img)})
	}
	tiffData := tiffFile(pages...)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			_, err := o.Page(context.Background(), img, 1, 300)
			errs <- err
		})
	}
	for range 2 {
		wg.Go(func() {
			_, err := o.Image(context.Background(), tiffData, 0)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	counts := strings.Fields(string(data))
	if len(counts) != 4+2*3 {
		t.Fatalf("%d tesseract runs, want 10", len(counts))
	}
	for _, c := range counts {
		if n, _ := strconv.Atoi(c); n < 1 || n > 2 {
			t.Errorf("%s tesseract processes ran at once, want at most 2 (log %q)", c, counts)
		}
	}
}
