package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/worker"
)

const (
	// p2Window is the dispatch window: 4 × concurrency.
	p2Window = 4 * concurrency
	// noopConfig makes an EXTRACT processor that extracts nothing.
	noopConfig = `{"fields": []}`
)

var (
	// p2Runs is the size of the batch (and of the bare task burst).
	p2Runs = 2000
	// p2Rounds alternates pipeline and bare rounds this many times.
	p2Rounds = 2
)

// BenchmarkP2Throughput measures how many no-op runs per second the whole
// pipeline completes — createBatch of 2,000 raw-text inputs with an EXTRACT
// processor of no fields → dispatcher → low queue → worker (claim, engine,
// finish transaction) → progress publish — from the createBatch request to
// the terminal progress event, against bare asynq on the same Redis: the
// same 2,000 tasks (TaskID, low queue, same MaxRetry) enqueued one by one
// into an asynq server of the same concurrency, queues and check interval
// whose handler does nothing, from the first enqueue to the last handler
// call. Rounds alternate. Goal: pipeline ≥ 0.5× bare.
func BenchmarkP2Throughput(b *testing.B) {
	s := newStack(b, func(c *config.Config) { c.DispatchWindow = p2Window })
	org, key := s.tenantOrg("bench")
	proc := s.processor(key, "noop", noopConfig)
	inputs := texts(p2Runs)
	ctx := context.Background()

	// Warm both paths up (connections, compiled processor, asynq scripts).
	s.pipeline(ctx, org, key, proc, texts(100))
	s.flushRedis()
	s.bareAsynq(ctx, 200)

	var pipe, bare time.Duration
	b.ResetTimer()
	for range b.N * p2Rounds {
		s.flushRedis()
		pipe += s.pipeline(ctx, org, key, proc, inputs)
		s.flushRedis()
		bare += s.bareAsynq(ctx, p2Runs)
	}
	b.StopTimer()
	n := float64(b.N * p2Rounds * p2Runs)
	pr, br := n/pipe.Seconds(), n/bare.Seconds()
	ratio := pr / br
	b.ReportMetric(pr, "runs/s")
	b.ReportMetric(br, "bare-runs/s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(0, "ns/op")
	record(row{id: "P2", what: fmt.Sprintf("no-op runs/s, pipeline vs bare asynq (%d×%d, window %d)", b.N*p2Rounds, p2Runs, p2Window),
		figure: fmt.Sprintf("%.0f /s", pr), baseline: fmt.Sprintf("%.0f /s", br), ratio: ratio, goal: "≥ 0.5×", met: ratio >= 0.5})
}

// pipeline runs one batch of inputs through a fresh worker and returns the
// time from createBatch to its terminal progress event.
func (s *stack) pipeline(ctx context.Context, org, key, proc string, inputs []map[string]any) time.Duration {
	s.b.Helper()
	stop := s.startWorker()
	defer stop()
	body := encodeGQL(createBatchQuery, map[string]any{"in": map[string]any{"processorId": proc, "inputs": inputs}})
	start := time.Now()
	var out createdBatch
	if err := s.postGQL(ctx, key, body, &out); err != nil {
		s.b.Fatal(err)
	}
	last := s.watchToEnd(ctx, org, out.CreateBatch.ID)
	d := time.Since(start)
	if last.Counts.Processed != len(inputs) {
		s.b.Fatalf("batch ended %+v, want %d processed", last, len(inputs))
	}
	return d
}

// watchToEnd follows a batch's progress (the domain's own subscription)
// until its terminal state and returns that state.
func (s *stack) watchToEnd(ctx context.Context, org, batchID string) batch.Progress {
	s.b.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	ch, err := s.svc.WatchBatch(ctx, org, batchID)
	if err != nil {
		s.b.Fatal(err)
	}
	var last batch.Progress
	for p := range ch {
		last = *p
	}
	if !last.Status.Terminal() {
		s.b.Fatalf("batch %s: progress ended at %+v", batchID, last)
	}
	return last
}

// bareAsynq enqueues n no-op tasks into a running asynq server configured
// like sheaf's worker and returns the time until the last one was handled.
func (s *stack) bareAsynq(ctx context.Context, n int) time.Duration {
	s.b.Helper()
	var handled atomic.Int64
	done := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("bench:noop", func(context.Context, *asynq.Task) error {
		if handled.Add(1) == int64(n) {
			close(done)
		}
		return nil
	})
	srv := asynq.NewServerFromRedisClient(s.rdb, asynq.Config{Concurrency: concurrency, Queues: worker.Weights,
		TaskCheckInterval: 20 * time.Millisecond, LogLevel: asynq.WarnLevel})
	if err := srv.Start(mux); err != nil {
		s.b.Fatal(err)
	}
	defer srv.Shutdown()
	client := asynq.NewClientFromRedisClient(s.rdb)
	defer client.Close()
	start := time.Now()
	for i := range n {
		id := fmt.Sprintf("run_bare_%d_%d", start.UnixNano(), i)
		_, err := client.EnqueueContext(ctx, asynq.NewTask("bench:noop", []byte(`{"run_id":"`+id+`"}`)),
			asynq.TaskID(id), asynq.Queue(worker.QueueLow), asynq.MaxRetry(10))
		if err != nil {
			s.b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		s.b.Fatalf("bare asynq: %d of %d tasks handled", handled.Load(), n)
	}
	return time.Since(start)
}

// flushRedis empties the benchmark's own Redis database between rounds
// (never FLUSHALL: other packages' tests use other databases).
func (s *stack) flushRedis() {
	if err := s.rdb.FlushDB(context.Background()).Err(); err != nil {
		s.b.Fatal(err)
	}
}
