package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// corpusFiles lists the corpus documents of the given text kinds
// ("text-layer", "plain-text", "image (needs OCR)") from its manifest.
func corpusFiles(tb testing.TB, kinds ...string) []string {
	dir := testutil.CorpusDir(tb)
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		tb.Fatalf("reading the manifest: %v", err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	var files []string
	for _, r := range rows[1:] {
		if want[r[col["text"]]] {
			files = append(files, filepath.Join(dir, r[col["dataset"]], r[col["document"]]))
		}
	}
	return files
}

// BenchmarkCorpusPipeline runs the public corpus's text-layer PDFs and
// plain-text documents (add the OCR images with SHEAF_BENCH_OCR=1) through
// the full pipeline — upload, createBatch, dispatcher, low queue, worker,
// finish transactions, progress — and through the engine's own loop over
// the same files at the same concurrency, and reports both wall times and
// their ratio (goal: pipeline ≤ 1.2 × loop). Both use the same CLASSIFY
// processor, which reads every page of every document.
//
//	go test -run '^$' -bench CorpusPipeline -benchtime 1x .
func BenchmarkCorpusPipeline(b *testing.B) {
	kinds := []string{"text-layer", "plain-text (pre-extracted)"}
	if os.Getenv("SHEAF_BENCH_OCR") == "1" {
		kinds = append(kinds, "image (needs OCR)")
	}
	files := corpusFiles(b, kinds...)
	h := setup(b, func(c *config.Config) { c.Concurrency = 2; c.DispatchWindow = 8 })
	ctx := context.Background()
	proc, err := h.app.Svc.CreateProcessor(ctx, h.org, batch.ProcessorInput{Name: "classes", Type: "CLASSIFY",
		Config: json.RawMessage(`{"preset": "standard"}`)})
	if err != nil {
		b.Fatal(err)
	}
	var inputs []batch.Input
	var jobs []batch.Job
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		f, err := h.app.Svc.UploadFile(ctx, h.org, filepath.Base(path), "", bytesReader(data))
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, batch.Input{FileID: &f.ID})
		jobs = append(jobs, batch.Job{RunID: f.ID, ProcessorType: "CLASSIFY", ProcessorConfig: proc.Config,
			Input: batch.JobInput{Kind: "file", BlobKey: f.BlobKey, Filename: f.Filename}})
	}
	// Warm up: compile PDFium once, outside both timings.
	if _, err := h.app.Engine.Process(ctx, jobs[0]); err != nil {
		b.Fatal(err)
	}
	h.startWorker()
	var loop, pipeline time.Duration
	for range b.N {
		loop += engineLoop(b, h, jobs, h.cfg.Concurrency)
		pipeline += pipelineRun(b, h, proc.ID, inputs)
	}
	n := time.Duration(b.N)
	ratio := float64(pipeline) / float64(loop)
	b.ReportMetric(float64(len(files)), "docs")
	b.ReportMetric((loop / n).Seconds(), "loop-s")
	b.ReportMetric((pipeline / n).Seconds(), "pipeline-s")
	b.ReportMetric(ratio, "ratio")
	fmt.Printf("corpus pipeline vs engine loop: %d documents, concurrency %d: loop %.2fs, pipeline %.2fs, ratio %.2f× (goal ≤ 1.20×)\n",
		len(files), h.cfg.Concurrency, (loop / n).Seconds(), (pipeline / n).Seconds(), ratio)
}

// engineLoop processes the jobs with the engine directly, concurrency at a
// time, and returns the wall time.
func engineLoop(b *testing.B, h *harness, jobs []batch.Job, concurrency int) time.Duration {
	start := time.Now()
	next := make(chan batch.Job)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if _, err := h.app.Engine.Process(context.Background(), j); err != nil {
					b.Errorf("engine: %s: %v", j.Input.Filename, err)
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// pipelineRun submits the inputs as one batch and returns the wall time
// until it is terminal.
func pipelineRun(b *testing.B, h *harness, processorID string, inputs []batch.Input) time.Duration {
	ctx := context.Background()
	start := time.Now()
	bt, err := h.app.Svc.CreateBatch(ctx, h.org, batch.CreateBatchInput{ProcessorID: processorID, Inputs: inputs})
	if err != nil {
		b.Fatal(err)
	}
	for {
		got, err := h.app.Svc.GetBatch(ctx, h.org, bt.ID)
		if err != nil {
			b.Fatal(err)
		}
		if batch.Status(got.Status).Terminal() && got.Pending+got.Processing == 0 {
			if got.Failed > 0 {
				b.Errorf("pipeline: %d of %d runs failed", got.Failed, got.Total)
			}
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
