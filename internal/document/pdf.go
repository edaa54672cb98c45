package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	gopdfium "github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
)

// Codes of the errors of PDF inputs and of rendering. Like the other codes
// they are stable.
const (
	// CodePDFEncrypted means the PDF is password-protected (or uses an
	// encryption sheaf cannot open) and no password was given.
	CodePDFEncrypted = "PDF_ENCRYPTED"
	// CodePDFCorrupt means the file starts like a PDF but PDFium cannot
	// read it.
	CodePDFCorrupt = "PDF_CORRUPT"
	// CodePDFTruncated means the PDF is incomplete: it has PDF objects but
	// ends before its end-of-file marker, as a cut-off download does.
	CodePDFTruncated = "PDF_TRUNCATED"
	// CodeTooManyPages means the PDF has more pages than the limit.
	CodeTooManyPages = "TOO_MANY_PAGES"
	// CodeImageTooLarge means a page or image would take more pixels than
	// the limit to render or decode.
	CodeImageTooLarge = "IMAGE_TOO_LARGE"
)

// Defaults of PDFOptions.
const (
	// DefaultPDFRecycleAfter is how many documents a PDFium instance parses
	// before it is replaced by a fresh one.
	DefaultPDFRecycleAfter = 1000
	// DefaultPDFRecycleMemory is the memory size above which an instance is
	// replaced after its document.
	DefaultPDFRecycleMemory = 256 << 20
	// DefaultPDFMaxMemory is the memory size above which a document is
	// abandoned with CodeInputTooLarge.
	DefaultPDFMaxMemory = 1 << 30
)

// PDFOptions configures a PDF engine. Zero values take the defaults.
type PDFOptions struct {
	// Instances is the number of PDFium instances, one per document parsed
	// at the same time: one per worker slot. Default runtime.NumCPU().
	Instances int
	// CacheDir holds the compiled PDFium module between runs (wazero's
	// compilation cache: a cold start compiles for seconds, a warm one loads
	// in tens of milliseconds). Default <os.UserCacheDir>/sheaf/wazero, or
	// an in-memory cache when there is no user cache directory.
	CacheDir string
	// RecycleAfter replaces an instance after this many documents; default
	// DefaultPDFRecycleAfter.
	RecycleAfter int
	// RecycleMemory replaces an instance after a document that left its
	// memory larger than this many bytes (WebAssembly memory never
	// shrinks); default DefaultPDFRecycleMemory.
	RecycleMemory int64
	// MaxMemory abandons a document, with CodeInputTooLarge, once its
	// instance's memory exceeds this many bytes; default DefaultPDFMaxMemory.
	// pdfium.wasm itself cannot grow beyond 2 GiB.
	MaxMemory int64
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o PDFOptions) withDefaults() PDFOptions {
	if o.Instances <= 0 {
		o.Instances = runtime.NumCPU()
	}
	if o.RecycleAfter <= 0 {
		o.RecycleAfter = DefaultPDFRecycleAfter
	}
	if o.RecycleMemory <= 0 {
		o.RecycleMemory = DefaultPDFRecycleMemory
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultPDFMaxMemory
	}
	return o
}

// PDF reads PDFs with PDFium compiled to WebAssembly (go-pdfium, no cgo):
// a fixed pool of instances, each used by one document at a time. An
// instance that failed, was interrupted, grew too large or served
// RecycleAfter documents is replaced, so one document never affects the
// next. A PDF is safe for concurrent use.
type PDF struct {
	opts  PDFOptions
	cache wazero.CompilationCache
	pool  gopdfium.Pool
	slots chan *pdfSlot // idle slots; an in-use slot is held by its document
	done  chan struct{} // closed by Close
	once  sync.Once
}

// pdfSlot is one place in the pool; lib is nil until first used and after
// the instance was recycled.
type pdfSlot struct {
	inst gopdfium.Pdfium
	lib  *pdfium
	docs int
}

// errPDFClosed is returned by a PDF engine after Close.
var errPDFClosed = errors.New("document: the PDF engine is closed")

// NewPDF compiles PDFium (or loads it from the compilation cache) and
// returns an engine with opts.Instances instances, started on first use.
func NewPDF(opts PDFOptions) (*PDF, error) {
	opts = opts.withDefaults()
	cache, err := compilationCache(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	pool, err := webassembly.Init(webassembly.Config{
		MaxIdle:  opts.Instances,
		MaxTotal: opts.Instances,
		// No host file system: PDFium reads documents from memory only.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
		RuntimeConfig: wazero.NewRuntimeConfigCompiler().
			WithCompilationCache(cache).
			WithCloseOnContextDone(true),
	})
	if err != nil {
		_ = cache.Close(context.Background())
		return nil, fmt.Errorf("starting pdfium: %w", err)
	}
	e := &PDF{opts: opts, cache: cache, pool: pool, slots: make(chan *pdfSlot, opts.Instances), done: make(chan struct{})}
	for range opts.Instances {
		e.slots <- &pdfSlot{}
	}
	return e, nil
}

// compilationCache opens wazero's compilation cache in dir, or in the
// default directory when dir is empty.
func compilationCache(dir string) (wazero.CompilationCache, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return wazero.NewCompilationCache(), nil
		}
		dir = filepath.Join(base, "sheaf", "wazero")
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the compilation cache %s: %w", dir, err)
	}
	return cache, nil
}

// Close waits for the documents being parsed, then releases every
// instance. Parse calls after Close fail.
func (e *PDF) Close() error {
	var err error
	e.once.Do(func() {
		close(e.done)
		for range e.opts.Instances {
			if s := <-e.slots; s.inst != nil {
				wasmMu.Lock()
				_ = s.inst.Close()
				wasmMu.Unlock()
			}
		}
		err = errors.Join(e.pool.Close(), e.cache.Close(context.Background()))
	})
	return err
}

// acquire takes an idle slot, starting its instance if needed.
func (e *PDF) acquire(ctx context.Context) (*pdfSlot, error) {
	var s *pdfSlot
	select {
	case <-e.done:
		return nil, errPDFClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case s = <-e.slots:
	}
	select {
	case <-e.done: // Close is waiting for this slot
		e.slots <- s
		return nil, errPDFClosed
	default:
	}
	if s.lib != nil {
		return s, nil
	}
	wasmMu.Lock() // a new instance runs PDFium's initialisation
	inst, err := e.pool.GetInstanceWithContext(ctx)
	wasmMu.Unlock()
	if err != nil {
		e.slots <- s
		return nil, fmt.Errorf("starting a pdfium instance: %w", err)
	}
	lib, err := bindPDFium(inst.GetImplementation())
	if err != nil {
		wasmMu.Lock()
		_ = inst.Kill()
		wasmMu.Unlock()
		e.slots <- s
		return nil, err
	}
	s.inst, s.lib, s.docs = inst, lib, 0
	return s, nil
}

// release returns a slot after one document, replacing its instance when
// it is broken or worn (see PDFOptions). A document PDFium rejected cleanly
// (encrypted, unparsable) leaves the instance as it was.
func (e *PDF) release(s *pdfSlot, broken bool) {
	s.docs++
	if broken || s.docs >= e.opts.RecycleAfter || s.lib.mod.IsClosed() ||
		int64(s.lib.memorySize()) > e.opts.RecycleMemory {
		wasmMu.Lock()
		_ = s.inst.Kill() // closes the module; the pool creates a fresh one
		wasmMu.Unlock()
		s.inst, s.lib, s.docs = nil, nil, 0
	}
	e.slots <- s
}
