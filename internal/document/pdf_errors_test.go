package document

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium/requests"
	"go.uber.org/goleak"
)

// invoicePDF is a one-page PDF whose text is "Invoice No: INV-1".
var invoicePDF = buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1")})

// randomBytes returns n bytes from a fixed seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// badPDF is a PDF input that fails with wantCode.
type badPDF struct {
	name     string
	data     []byte
	opts     PDFParseOptions
	wantCode string
}

// badPDFs returns PDF inputs each failing with its own code.
func badPDFs() []badPDF {
	var empty pdfWriter
	tree := empty.add("<< /Type /Pages /Kids [] /Count 0 >>")
	noPages := empty.bytes(empty.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree)), "")
	threePages := buildPDF(pdfPage{Content: pdfText(72, 720, 12, "a")}, pdfPage{}, pdfPage{})
	return []badPDF{
		{"password-protected", buildEncryptedPDF("secret", pdfPage{Content: pdfText(72, 720, 12, "Secret")}), PDFParseOptions{}, CodePDFEncrypted},
		{"garbage after the header", append([]byte("%PDF-1.7\n"), randomBytes(1, 4000)...), PDFParseOptions{}, CodePDFCorrupt},
		{"garbage with an end marker", append(append([]byte("%PDF-1.4\n"), randomBytes(2, 500)...), "\n%%EOF\n"...), PDFParseOptions{}, CodePDFCorrupt},
		{"cut short", invoicePDF[:len(invoicePDF)*6/10], PDFParseOptions{}, CodePDFTruncated},
		{"no pages", noPages, PDFParseOptions{}, CodeEmptyInput},
		{"more pages than the limit", threePages, PDFParseOptions{MaxPages: 2}, CodeTooManyPages},
		{"a scan larger than the pixel limit", buildPDF(scanPage), PDFParseOptions{MaxPixels: 700_000}, CodeImageTooLarge},
		{"a scan without OCR", buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1")}, scanPage), PDFParseOptions{}, CodeOCRUnavailable},
	}
}

func TestPDFErrors(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	for _, tt := range badPDFs() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if f := Detect(tt.data); f.Kind != KindPDF {
				t.Fatalf("the input is detected as %s, not a PDF", f.Name)
			}
			doc, err := e.Parse(context.Background(), tt.data, tt.opts)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse = %v, %v; want a *document.Error", doc, err)
			}
			if perr.Code != tt.wantCode || perr.Message == "" {
				t.Errorf("Parse error = %q %q; want code %q and a message", perr.Code, perr.Message, tt.wantCode)
			}
		})
	}
}

// TestEncryptedFixtureOpensWithItsPassword proves the password-protected
// fixture is a valid encrypted PDF, not a broken one: PDFium decrypts its
// text with the password.
func TestEncryptedFixtureOpensWithItsPassword(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	inst, err := e.pool.GetInstance(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = inst.Kill() }()
	data, pw := buildEncryptedPDF("secret", pdfPage{Content: pdfText(72, 720, 12, "Secret text")}), "secret"
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data, Password: &pw})
	if err != nil {
		t.Fatalf("opening with the password: %v", err)
	}
	text, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: 0}}})
	if err != nil || strings.TrimSpace(text.Text) != "Secret text" {
		t.Errorf("page text = %v, %v; want %q", text, err, "Secret text")
	}
}

func TestPDFFailuresDoNotPoisonTheInstance(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{Instances: 1, RecycleAfter: 3})
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := &pageRecorder{onPage: cancel} // the context ends during OCR
	inputs := []struct {
		data []byte
		opts PDFParseOptions
	}{
		{invoicePDF[:len(invoicePDF)/2], PDFParseOptions{}},
		{append([]byte("%PDF-1.7\n"), randomBytes(3, 2000)...), PDFParseOptions{}},
		{buildEncryptedPDF("pw", pdfPage{}), PDFParseOptions{}},
		{buildPDF(scanPage, pdfPage{}), PDFParseOptions{Recognizer: cancelled}},
	}
	for i, in := range inputs {
		pctx := context.Background()
		if in.opts.Recognizer != nil {
			pctx = ctx
		}
		if _, err := e.Parse(pctx, in.data, in.opts); err == nil {
			t.Fatalf("input %d parsed; want an error", i)
		}
		doc := mustParsePDF(t, e, invoicePDF, PDFParseOptions{})
		if got := doc.Text(); got != "Invoice No: INV-1" {
			t.Errorf("after bad input %d: Text() = %q", i, got)
		}
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("the OCR page was not reached")
	}
}

func TestPDFCancelledContext(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Parse(ctx, invoicePDF, PDFParseOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Parse with a cancelled context = %v, want context.Canceled", err)
	}
	rec := &pageRecorder{}
	ctx, cancel = context.WithCancel(context.Background())
	rec.onPage = cancel
	if _, err := e.Parse(ctx, buildPDF(scanPage, scanPage), PDFParseOptions{Recognizer: rec}); !errors.Is(err, context.Canceled) {
		t.Errorf("Parse cancelled during OCR = %v, want context.Canceled", err)
	}
	if len(rec.numbers) != 1 {
		t.Errorf("OCR ran on pages %v after the cancel; want only page 1", rec.numbers)
	}
}

func TestPDFConcurrentParses(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{Instances: 2, RecycleAfter: 2})
	docs := [][]byte{invoicePDF, buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Total 12.50")}, pdfPage{Content: pdfText(72, 720, 12, "Page 2")})}
	want := []string{"Invoice No: INV-1", "Total 12.50\fPage 2"}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 4 {
				k := (g + i) % len(docs)
				doc, err := e.Parse(context.Background(), docs[k], PDFParseOptions{})
				if err != nil {
					t.Errorf("Parse: %v", err)
					return
				}
				if got := doc.Text(); got != want[k] {
					t.Errorf("Text() = %q, want %q", got, want[k])
				}
			}
		})
	}
	wg.Wait()
}

// TestPDFClose is not parallel: it checks that Close leaves no goroutine
// behind.
func TestPDFClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e, err := NewPDF(PDFOptions{Instances: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Parse(context.Background(), invoicePDF, PDFParseOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := e.Parse(context.Background(), invoicePDF, PDFParseOptions{}); !errors.Is(err, errPDFClosed) {
		t.Errorf("Parse after Close = %v, want errPDFClosed", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func TestPDFReplacesAClosedInstance(t *testing.T) {
	t.Parallel()
	e := newTestPDF(t, PDFOptions{Instances: 1})
	s, err := e.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// What a trap or a context ending inside PDFium leaves behind.
	if err := s.lib.mod.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.release(s, false)
	doc := mustParsePDF(t, e, invoicePDF, PDFParseOptions{})
	if got := doc.Text(); got != "Invoice No: INV-1" {
		t.Errorf("Text() = %q", got)
	}
}

func TestBindPDFiumRejectsOtherImplementations(t *testing.T) {
	t.Parallel()
	for _, impl := range []any{nil, 42, struct{ Module int }{1}, &struct{ module int }{}} {
		if _, err := bindPDFium(impl); err == nil {
			t.Errorf("bindPDFium(%#v) succeeded; want an error", impl)
		}
	}
}

func TestPDFMemoryLimit(t *testing.T) {
	t.Parallel()
	// pdfium.wasm starts with 18 MiB, so a 16 MiB limit fails any document.
	e := newTestPDF(t, PDFOptions{MaxMemory: 16 << 20})
	_, err := e.Parse(context.Background(), invoicePDF, PDFParseOptions{})
	var perr *Error
	if !errors.As(err, &perr) || perr.Code != CodeInputTooLarge || !strings.Contains(perr.Message, "16 MiB") {
		t.Errorf("Parse = %v; want %s naming the 16 MiB limit", err, CodeInputTooLarge)
	}
}

func TestPDFCompilationCache(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("compiling PDFium without a cache takes seconds, and a minute with -race")
	}
	t.Parallel()
	dir := t.TempDir()
	e := newTestPDF(t, PDFOptions{CacheDir: dir})
	mustParsePDF(t, e, invoicePDF, PDFParseOptions{})
	var files int
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	})
	if err != nil || files == 0 {
		t.Errorf("the compilation cache %s holds %d files (%v); want the compiled module", dir, files, err)
	}
}
