package document

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Codes of the errors OCR returns besides CodeOCRUnavailable and the image
// codes of DecodeImage.
const (
	// CodeOCRTimeout means tesseract did not finish a page within
	// OCROptions.Timeout and was killed.
	CodeOCRTimeout = "OCR_TIMEOUT"
	// CodeOCRFailed means tesseract exited with an error; the message holds
	// an excerpt of what it printed.
	CodeOCRFailed = "OCR_FAILED"
)

// OCR defaults.
const (
	// DefaultOCRTimeout is the time tesseract gets for one page.
	DefaultOCRTimeout = 60 * time.Second
	// DefaultOCRLang is the tesseract language OCR reads.
	DefaultOCRLang = "eng"
	// DefaultOCRPSM is tesseract's page segmentation mode 3: fully
	// automatic, without orientation detection.
	DefaultOCRPSM = 3
)

// ocrUnavailableMessage tells the user how to install tesseract.
const ocrUnavailableMessage = "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-eng"

// OCROptions configures OCR. The zero value is ready to use.
type OCROptions struct {
	// Tesseract is the path of the tesseract binary; "" looks "tesseract"
	// up on PATH.
	Tesseract string
	// Lang is the tesseract language, e.g. "eng" or "eng+deu"; "" means
	// DefaultOCRLang.
	Lang string
	// Timeout bounds the recognition of one page; 0 means
	// DefaultOCRTimeout. Waiting for a free process slot does not count.
	Timeout time.Duration
	// Concurrency is the most tesseract processes run at once; 0 means
	// runtime.NumCPU(). Each runs single-threaded (OMP_THREAD_LIMIT=1).
	Concurrency int
	// PSM is tesseract's page segmentation mode; 0 means DefaultOCRPSM.
	PSM int
}

// OCR recognises text in images with the tesseract command. It is safe for
// concurrent use; OCROptions.Concurrency bounds the processes of all calls
// together. It implements Recognizer.
type OCR struct {
	path    string
	lang    string
	timeout time.Duration
	psm     int
	slots   chan struct{}
	// unavailable is the error every call returns when tesseract or its
	// language data is missing; nil when OCR is available.
	unavailable error
}

// NewOCR returns an OCR configured by opts. It never fails: when tesseract or
// the language data is missing, Available reports false and every call
// returns an *Error with Code CodeOCRUnavailable that says what to install.
// It runs `tesseract --list-langs` once to check.
func NewOCR(opts OCROptions) *OCR {
	o := &OCR{
		path: opts.Tesseract, lang: cmpOr(opts.Lang, DefaultOCRLang),
		timeout: cmpOr(opts.Timeout, DefaultOCRTimeout), psm: cmpOr(opts.PSM, DefaultOCRPSM),
		slots: make(chan struct{}, cmpOr(opts.Concurrency, runtime.NumCPU())),
	}
	o.unavailable = o.probe()
	return o
}

// cmpOr returns v, or def when v is zero or negative.
func cmpOr[T int | time.Duration | string](v, def T) T {
	var zero T
	if v <= zero {
		return def
	}
	return v
}

// probe finds the tesseract binary and checks that it has every language of
// o.lang. It returns the unavailable error, or nil.
func (o *OCR) probe() error {
	path, err := exec.LookPath(cmpOr(o.path, "tesseract"))
	if err != nil {
		return &Error{Code: CodeOCRUnavailable, Message: ocrUnavailableMessage}
	}
	o.path = path
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--list-langs").Output()
	if err != nil {
		return &Error{Code: CodeOCRUnavailable, Message: ocrUnavailableMessage}
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range strings.Split(o.lang, "+") {
		if !have[l] {
			return &Error{Code: CodeOCRUnavailable, Message: fmt.Sprintf(
				"tesseract has no %q language data: apt-get install tesseract-ocr-%s", l, l)}
		}
	}
	return nil
}

// Available reports whether tesseract and its language data are installed.
func (o *OCR) Available() bool { return o.unavailable == nil }

// Page recognises the text of img, page number of its document, rendered or
// scanned at dpi dots per inch. The page's size in points is its size in
// pixels × 72 / dpi; a dpi of 0 or less means unknown, and the image is
// taken as 300 dpi, or as 150 dpi when it is narrower than 1300 pixels (a
// screenshot or a photo of a page).
//
// Before tesseract reads it, the image is converted to grey (transparent
// areas to white), enlarged twice when it is under 200 dpi (or narrower
// than 1300 pixels at an unknown resolution) and shrunk when a side is
// longer than tesseract accepts (32767 pixels), and thin rules at least a
// quarter inch long are painted out: the walls of form boxes and of comb
// fields, and the lines values are typed on, which tesseract would read as
// characters (vertical ones only up to half an inch tall: longer ones
// divide columns, and tesseract keeps columns apart by them). Tesseract
// binarises the image with Sauvola's local threshold, which copes with
// photos and uneven lighting.
//
// Words carry their tesseract confidence (0–1) and Source SourceOCR; lines
// are tesseract's lines, those side by side on one row joined into one, in
// reading order: top to bottom, then left to right.
//
// Errors are *Error with Code CodeOCRUnavailable, CodeOCRTimeout or
// CodeOCRFailed, or ctx.Err() when ctx ends first.
func (o *OCR) Page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error) {
	if o.unavailable != nil {
		return Page{}, o.unavailable
	}
	if err := o.acquire(ctx); err != nil {
		return Page{}, err
	}
	defer o.release()
	return o.page(ctx, img, number, dpi)
}

// Image decodes an image input (see DecodeImage) and recognises each of its
// pages. Pages run concurrently, bounded by OCROptions.Concurrency, and a
// page is decoded only when a tesseract slot is free for it, so a multi-page
// TIFF never sits in memory whole. The first error stops the other pages.
//
// Errors are those of DecodeImage and Page.
func (o *OCR) Image(ctx context.Context, data []byte, maxPixels int64) ([]Page, error) {
	if o.unavailable != nil {
		return nil, o.unavailable
	}
	f, err := openImage(data, maxPixels)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
		cancel()
	}
	pages := make([]Page, f.pages())
	for i := range pages {
		if err := o.acquire(ctx); err != nil {
			fail(err)
			break
		}
		wg.Go(func() {
			defer o.release()
			var err error
			if pages[i], err = o.imagePage(ctx, f, i); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return pages, nil
}

// imagePage decodes and recognises page i of f; the caller holds a slot.
func (o *OCR) imagePage(ctx context.Context, f *imageFile, i int) (Page, error) {
	img, err := f.decode(i)
	if err != nil {
		return Page{}, err
	}
	return o.page(ctx, img, i+1, f.meta[i].dpi)
}

// acquire takes a process slot, or returns ctx.Err() when ctx ends first.
func (o *OCR) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // select would pick a free slot half the time
	}
	select {
	case o.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a slot taken by acquire.
func (o *OCR) release() { <-o.slots }

// page recognises img; the caller holds a slot.
func (o *OCR) page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error) {
	g, scale, gdpi := prepareOCR(img, dpi)
	out, err := o.recognise(ctx, g, gdpi)
	if err != nil {
		return Page{}, err
	}
	words, err := parseTSV(out)
	if err != nil {
		return Page{}, &Error{Code: CodeOCRFailed, Message: fmt.Sprintf("reading tesseract's output: %v", err)}
	}
	b := img.Bounds()
	page := ocrPage(words, g.Rect.Dx(), g.Rect.Dy())
	page.Number = number
	dpi = gdpi / scale // the image's own, assumed when it was 0
	page.Width, page.Height = float64(b.Dx())*72/dpi, float64(b.Dy())*72/dpi
	return page, nil
}

// recognise runs tesseract on g, whose resolution is dpi, and returns its
// TSV output.
func (o *OCR) recognise(ctx context.Context, g *image.Gray, dpi float64) ([]byte, error) {
	runCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, o.path, "stdin", "stdout", "-l", o.lang,
		"--psm", strconv.Itoa(o.psm), "--dpi", strconv.Itoa(int(dpi+0.5)),
		"-c", "thresholding_method=2", // Sauvola
		"tsv")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = pgm(g)
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 2 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case runCtx.Err() != nil:
		return nil, &Error{Code: CodeOCRTimeout, Message: fmt.Sprintf(
			"tesseract did not finish the page in %s", o.timeout)}
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound):
		return nil, &Error{Code: CodeOCRUnavailable, Message: ocrUnavailableMessage}
	}
	return nil, &Error{Code: CodeOCRFailed, Message: fmt.Sprintf(
		"tesseract failed (%v): %s", err, strings.TrimSpace(stderr.String()))}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

// Write appends p, dropping the oldest bytes beyond the limit.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns the bytes kept.
func (t *tailBuffer) String() string { return string(t.buf) }
