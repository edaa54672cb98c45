// Package engine does the work of one run for internal/batch: it fetches the
// run's input (raw text, an uploaded file, or a URL), parses it into a
// document.Document and applies the processor, turning every failure into
// a batch.RunError with a stable code.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

// Run failure codes set by the engine (documents and processors add theirs).
const (
	CodeFetchFailed   = "INPUT_FETCH_FAILED"
	CodeURLForbidden  = "URL_FORBIDDEN"
	CodeInputTooLarge = "INPUT_TOO_LARGE"
	CodeFileMissing   = "FILE_NOT_FOUND"
	CodeProcessor     = "PROCESSOR_ERROR"
	CodeBadConfig     = "PROCESSOR_CONFIG_INVALID"
)

// Blobs reads uploaded files.
type Blobs interface {
	NewReader(ctx context.Context, key string) (io.ReadCloser, error)
}

// Options configure an Engine.
type Options struct {
	// MaxInputBytes caps a fetched input (default 50 MiB).
	MaxInputBytes int64
	// AllowPrivateURLs lets URL inputs reach loopback and private addresses.
	AllowPrivateURLs bool
	// Parser configures document parsing (PDF instances, page and pixel
	// limits, OCR); MaxBytes defaults to MaxInputBytes.
	Parser document.ParserOptions
}

// Engine implements batch.Engine.
type Engine struct {
	blobs   Blobs
	fetcher *fetcher
	opts    Options

	mu    sync.Mutex
	cache map[string]processor.Processor // compiled processors by version

	// The parser (and its PDFium instances) is made on first use, so a
	// process that never parses a document never pays for it.
	parserOnce sync.Once
	parser     *document.Parser
	parserErr  error
}

// New returns an Engine.
func New(blobs Blobs, opts Options) *Engine {
	if opts.MaxInputBytes <= 0 {
		opts.MaxInputBytes = 50 << 20
	}
	return &Engine{blobs: blobs, fetcher: newFetcher(opts), opts: opts, cache: map[string]processor.Processor{}}
}

// ValidateConfig checks a processor configuration.
func (e *Engine) ValidateConfig(typ string, config json.RawMessage) error {
	return processor.ValidateConfig(processor.Type(typ), config)
}

// Process fetches, parses and processes one run's input.
func (e *Engine) Process(ctx context.Context, job batch.Job) (batch.Result, error) {
	data, err := e.fetch(ctx, job.Input)
	if err != nil {
		return batch.Result{}, err
	}
	doc, err := e.parse(ctx, data)
	if err != nil {
		return batch.Result{}, err
	}
	p, err := e.processor(job)
	if err != nil {
		return batch.Result{}, err
	}
	out, err := p.Process(ctx, doc)
	if err != nil {
		return batch.Result{}, runError(err, CodeProcessor)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return batch.Result{}, fmt.Errorf("encoding output: %w", err)
	}
	return batch.Result{Output: raw, NeedsReview: out.NeedsReview}, nil
}

// parse turns data into a Document. Only PDFs and images need the
// document parser: text and unsupported inputs are handled without it, so
// a process that only ever sees text never starts PDFium.
func (e *Engine) parse(ctx context.Context, data []byte) (*document.Document, error) {
	var (
		doc *document.Document
		err error
	)
	switch document.Detect(data).Kind {
	case document.KindPDF, document.KindImage:
		parser, perr := e.documentParser()
		if perr != nil {
			return nil, fmt.Errorf("starting the document parser: %w", perr)
		}
		doc, err = parser.Parse(ctx, data)
	default:
		doc, err = document.Parse(ctx, data, document.ParseOptions{MaxBytes: e.parserOptions().MaxBytes})
	}
	if err != nil {
		return nil, runError(err, CodeProcessor)
	}
	return doc, nil
}

// parserOptions are the document parser's options with the engine's
// input limit.
func (e *Engine) parserOptions() document.ParserOptions {
	opts := e.opts.Parser
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = e.opts.MaxInputBytes
	}
	return opts
}

// documentParser returns the shared parser, making it on first use.
func (e *Engine) documentParser() (*document.Parser, error) {
	e.parserOnce.Do(func() {
		e.parser, e.parserErr = document.NewParser(e.parserOptions())
	})
	return e.parser, e.parserErr
}

// Close releases the parser's PDFium instances.
func (e *Engine) Close() error {
	e.parserOnce.Do(func() {}) // no parser may start after Close
	if e.parser == nil {
		return nil
	}
	return e.parser.Close()
}

// processor compiles a processor version once and reuses it.
func (e *Engine) processor(job batch.Job) (processor.Processor, error) {
	key := job.ProcessorType + "\x00" + string(job.ProcessorConfig)
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.cache[key]; ok {
		return p, nil
	}
	p, err := processor.New(processor.Type(job.ProcessorType), job.ProcessorConfig)
	if err != nil {
		return nil, &batch.RunError{Code: CodeBadConfig, Message: err.Error()}
	}
	if len(e.cache) > 256 {
		clear(e.cache)
	}
	e.cache[key] = p
	return p, nil
}

// runError maps a document or processor error to a run failure.
func runError(err error, fallback string) error {
	var de *document.Error
	if errors.As(err, &de) {
		return &batch.RunError{Code: de.Code, Message: de.Message}
	}
	var pe *processor.Error
	if errors.As(err, &pe) {
		return &batch.RunError{Code: pe.Code, Message: pe.Message}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &batch.RunError{Code: fallback, Message: err.Error()}
}

// fetch returns the input's bytes.
func (e *Engine) fetch(ctx context.Context, in batch.JobInput) ([]byte, error) {
	switch in.Kind {
	case "text":
		return []byte(in.Text), nil
	case "file":
		return e.readBlob(ctx, in.BlobKey)
	case "url":
		return e.fetcher.get(ctx, in.URL)
	}
	return nil, &batch.RunError{Code: CodeProcessor, Message: "unknown input kind " + in.Kind}
}

func (e *Engine) readBlob(ctx context.Context, key string) ([]byte, error) {
	r, err := e.blobs.NewReader(ctx, key)
	if err != nil {
		return nil, &batch.RunError{Code: CodeFileMissing, Message: "the uploaded file could not be read: " + err.Error()}
	}
	defer r.Close()
	return readLimited(r, e.opts.MaxInputBytes)
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &batch.RunError{Code: CodeFetchFailed, Message: err.Error(), Transient: true}
	}
	if int64(len(data)) > max {
		return nil, &batch.RunError{Code: CodeInputTooLarge, Message: fmt.Sprintf("input is larger than %d bytes", max)}
	}
	return data, nil
}
