package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/sheaf-dev/sheaf/ent"
	entrun "github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/worker"
)

// This file pins the invariants of ARCHITECTURE.md §2 end to end: a run is
// recorded once however often its task is delivered, losing Redis loses no
// work, and cancel / retry races keep the batch counters exact.

// waitDeadline bounds every poll in these tests.
const waitDeadline = 90 * time.Second

// pollUntil calls cond until it holds, failing the test after waitDeadline.
func pollUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// addsUp reports whether c is a consistent snapshot: no negative counter,
// and the counters sum to the total.
func addsUp(c batch.Counts) bool {
	for _, n := range []int{c.Pending, c.Processing, c.Processed, c.NeedsReview, c.Failed, c.Cancelled} {
		if n < 0 {
			return false
		}
	}
	return c.Pending+c.Processing+c.Done() == c.Total
}

// dbBatch reads a batch row straight from the database.
func (h *harness) dbBatch(id string) *ent.Batch {
	h.t.Helper()
	b, err := h.app.DB.Batch.Get(context.Background(), id)
	if err != nil {
		h.t.Fatalf("reading batch %s: %v", id, err)
	}
	return b
}

// runTally counts a batch's run rows per status: what the counters must say.
func (h *harness) runTally(batchID string) batch.Counts {
	h.t.Helper()
	var rows []struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	}
	err := h.app.DB.Run.Query().Where(entrun.BatchID(batchID)).
		GroupBy(entrun.FieldStatus).Aggregate(ent.Count()).Scan(context.Background(), &rows)
	if err != nil {
		h.t.Fatalf("tallying runs of %s: %v", batchID, err)
	}
	var c batch.Counts
	for _, r := range rows {
		c.Total += r.Count
		switch batch.RunStatus(r.Status) {
		case batch.RunPending:
			c.Pending = r.Count
		case batch.RunProcessing:
			c.Processing = r.Count
		case batch.RunProcessed:
			c.Processed = r.Count
		case batch.RunNeedsReview:
			c.NeedsReview = r.Count
		case batch.RunFailed:
			c.Failed = r.Count
		case batch.RunCancelled:
			c.Cancelled = r.Count
		}
	}
	return c
}

// runRows reads a batch's run rows in input order.
func (h *harness) runRows(batchID string) []*ent.Run {
	h.t.Helper()
	rs, err := h.app.DB.Run.Query().Where(entrun.BatchID(batchID)).Order(ent.Asc(entrun.FieldPosition)).
		All(context.Background())
	if err != nil {
		h.t.Fatalf("reading runs of %s: %v", batchID, err)
	}
	return rs
}

// checkFinished asserts that a finished batch has the given status and counts
// through the API, that its counters match its run rows, and that no run
// was attempted more than once (no retry happened, so attempts must be 1).
func checkFinished(t *testing.T, h *harness, key, batchID, status string, want batch.Counts) {
	t.Helper()
	got := h.batch(key, batchID)
	if got.Status != status || got.CompletedAt == nil {
		t.Errorf("batch status = %s, completedAt = %v; want %s with a completion time", got.Status, got.CompletedAt, status)
	}
	if diff := cmp.Diff(want, got.Counts); diff != "" {
		t.Errorf("batch counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, h.runTally(batchID)); diff != "" {
		t.Errorf("run rows per status (-want +got):\n%s", diff)
	}
	for _, r := range h.runRows(batchID) {
		if r.Attempts != 1 || r.LeaseExpiresAt != nil {
			t.Errorf("run %d: attempts %d, lease %v; want attempts 1 and no lease", *r.Position, r.Attempts, r.LeaseExpiresAt)
		}
	}
}

// countWatcher re-reads batch counters from the database in a loop and
// fails the test on any snapshot that does not add up.
type countWatcher struct {
	stop  chan struct{}
	done  chan struct{}
	seen  atomic.Int64
	bad   atomic.Int64
	close sync.Once
}

func (h *harness) watchCounts(t *testing.T, ids ...string) *countWatcher {
	w := &countWatcher{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case <-w.stop:
				return
			default:
			}
			for _, id := range ids {
				b, err := h.app.DB.Batch.Get(context.Background(), id)
				if err != nil {
					t.Errorf("watching batch %s: %v", id, err)
					return
				}
				if c := batch.CountsOf(b); !addsUp(c) && w.bad.Add(1) == 1 {
					t.Errorf("batch %s (%s, version %d): counts do not add up: %+v", id, b.Status, b.Version, c)
				}
				w.seen.Add(1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { w.Stop(t) })
	return w
}

// Stop ends the watch and returns how many snapshots it checked.
func (w *countWatcher) Stop(t *testing.T) int64 {
	t.Helper()
	w.close.Do(func() {
		close(w.stop)
		<-w.done
		if bad := w.bad.Load(); bad > 0 {
			t.Errorf("%d of %d counter snapshots did not add up", bad, w.seen.Load())
		}
	})
	return w.seen.Load()
}

// lowQueueEmpty reports whether no batch run task is waiting or running.
func (h *harness) lowQueueEmpty() bool {
	h.t.Helper()
	sizes, err := h.app.Queue.Sizes()
	if err != nil {
		h.t.Fatalf("reading queue sizes: %v", err)
	}
	return sizes[worker.QueueLow] == 0
}

// TestDuplicateDeliveryCountsOnce delivers every run task of a batch at
// least twice — the dispatcher's task plus a second task under another id;
// the first ten also as a copy of the dispatcher's task, which carries the
// run's text — and races direct ProcessRun calls against the worker on some
// runs. Each run must still be recorded once: exact counts, attempts 1,
// and duplicates delivered after the batch finished change nothing.
func TestDuplicateDeliveryCountsOnce(t *testing.T) {
	t.Parallel()
	const n = 40
	h := setup(t, func(c *config.Config) { c.DispatchWindow = 10 })
	ctx := context.Background()
	b := h.createBatch(h.key, h.invoice, invoiceTexts(n), nil)

	queued, err := h.app.Svc.Dispatch(ctx)
	if err != nil || queued != 10 {
		t.Fatalf("Dispatch = %d, %v; want 10 runs queued", queued, err)
	}
	rs := h.runRows(b.ID)
	client := asynq.NewClientFromRedisClient(h.app.RDB)
	inspector := asynq.NewInspectorFromRedisClient(h.app.RDB)
	for i, r := range rs {
		payload, _ := json.Marshal(worker.RunPayload{RunID: r.ID})
		_, err := client.Enqueue(asynq.NewTask(worker.TypeRun, payload), asynq.TaskID(r.ID+"-dup"), asynq.Queue(worker.QueueLow))
		if err != nil {
			t.Fatalf("enqueueing duplicate task: %v", err)
		}
		if i >= queued {
			continue
		}
		// And a copy of the dispatcher's own task, which carries the run.
		info, err := inspector.GetTaskInfo(worker.QueueLow, r.ID)
		if err != nil {
			t.Fatalf("reading the dispatched task of run %d: %v", i, err)
		}
		_, err = client.Enqueue(asynq.NewTask(worker.TypeRun, info.Payload), asynq.TaskID(r.ID+"-copy"), asynq.Queue(worker.QueueLow))
		if err != nil {
			t.Fatalf("enqueueing copied task: %v", err)
		}
	}

	w := h.watchCounts(t, b.ID)
	// Three callers race the worker on each of the first ten runs.
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, r := range rs[:10] {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := h.app.Svc.ProcessRun(ctx, r.ID)
				if err != nil && !errors.Is(err, batch.ErrNotClaimable) && !errors.Is(err, batch.ErrStaleLease) {
					t.Errorf("ProcessRun(%s) = %v", r.ID, err)
				}
			}()
		}
	}
	h.startWorker()
	close(start)
	wg.Wait()

	h.waitBatch(h.key, b.ID, terminal)
	// Every duplicate task is delivered (and acknowledged) eventually; the
	// batch must not move once it has finished.
	pollUntil(t, "the duplicate tasks to be delivered", h.lowQueueEmpty)
	t.Logf("checked %d counter snapshots", w.Stop(t))
	checkFinished(t, h, h.key, b.ID, "PROCESSED", batch.Counts{Total: n, Processed: n})
	for _, r := range h.runRows(b.ID) {
		if r.Status != entrun.StatusPROCESSED || len(r.Output) == 0 {
			t.Errorf("run %d = %s with %d bytes of output, want PROCESSED with output", *r.Position, r.Status, len(r.Output))
		}
	}
}

// TestRedisLossMidBatch flushes the test's Redis database twice while a
// batch is being processed: every queued task, the dispatcher's state and
// the sweeper's schedule vanish. The database is the source of truth, so
// the sweeper must restore the work and the batch must finish with exact
// counts, each run recorded once.
func TestRedisLossMidBatch(t *testing.T) {
	t.Parallel()
	const n = 200
	h := setup(t, func(c *config.Config) { c.RunLease = 2 * time.Second })
	b := h.createBatch(h.key, h.invoice, invoiceTexts(n), nil)
	w := h.watchCounts(t, b.ID)
	h.startWorker()

	for _, after := range []int{20, 100} {
		got := h.waitBatch(h.key, b.ID, func(b gqlBatch) bool { return b.Counts.Done() >= after })
		if err := h.app.RDB.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("FLUSHDB: %v", err)
		}
		t.Logf("flushed Redis with %d of %d runs done", got.Counts.Done(), n)
	}

	h.waitBatch(h.key, b.ID, terminal)
	t.Logf("checked %d counter snapshots", w.Stop(t))
	checkFinished(t, h, h.key, b.ID, "PROCESSED", batch.Counts{Total: n, Processed: n})
}

// TestCancelRaces races cancelBatch with the worker finishing runs, and
// retryBatch with cancelBatch, while a watcher checks that the counters add
// up in every snapshot it reads.
func TestCancelRaces(t *testing.T) {
	t.Parallel()
	t.Run("cancel while processing", func(t *testing.T) {
		t.Parallel()
		const n = 150
		h := setup(t)
		b := h.createBatch(h.key, h.invoice, invoiceTexts(n), nil)
		w := h.watchCounts(t, b.ID)
		h.startWorker()
		h.waitBatch(h.key, b.ID, func(b gqlBatch) bool { return b.Counts.Done() >= 10 })
		cancelled := h.mustCancel(h.key, b.ID)
		if cancelled.Status != "CANCELLED" || cancelled.Counts.Pending != 0 || !addsUp(cancelled.Counts) {
			t.Fatalf("cancelBatch = %+v, want CANCELLED with no pending run", cancelled)
		}
		final := h.waitBatch(h.key, b.ID, func(b gqlBatch) bool { return b.CompletedAt != nil })
		// Tasks already queued for cancelled runs are delivered and must be
		// ignored.
		pollUntil(t, "the queued tasks to be delivered", h.lowQueueEmpty)
		t.Logf("checked %d counter snapshots; cancelled %d runs", w.Stop(t), final.Counts.Cancelled)
		if final.Counts.Cancelled == 0 || final.Counts.Processed == 0 {
			t.Errorf("final counts %+v: want both processed and cancelled runs", final.Counts)
		}
		want := batch.Counts{Total: n, Processed: final.Counts.Processed, Cancelled: n - final.Counts.Processed}
		checkFinished(t, h, h.key, b.ID, "CANCELLED", want)
	})

	t.Run("retry racing cancel", func(t *testing.T) {
		t.Parallel()
		const n = 80
		h := setup(t)
		b := h.createBatch(h.key, h.invoice, invoiceTexts(n), nil)
		w := h.watchCounts(t, b.ID)
		h.startWorker()
		for round := 1; round <= 4; round++ {
			h.driveBatch(t, b.ID, fmt.Sprintf("%d runs processed", 8*round),
				func(b gqlBatch) bool { return b.Counts.Processed >= 8*round })
			// Cancel and retry at once from two clients, twice over;
			// either may lose with CONFLICT, nothing else is allowed.
			var wg sync.WaitGroup
			for _, mutation := range []string{"cancelBatch", "retryBatch", "cancelBatch", "retryBatch"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h.tryCancelOrRetry(t, mutation, b.ID)
				}()
			}
			wg.Wait()
		}
		h.driveBatch(t, b.ID, "the batch to be PROCESSED", func(b gqlBatch) bool { return b.Status == "PROCESSED" })
		pollUntil(t, "the queued tasks to be delivered", h.lowQueueEmpty)
		t.Logf("checked %d counter snapshots", w.Stop(t))
		got := h.batch(h.key, b.ID)
		want := batch.Counts{Total: n, Processed: n}
		if diff := cmp.Diff(want, got.Counts); diff != "" {
			t.Errorf("batch counts (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, h.runTally(b.ID)); diff != "" {
			t.Errorf("run rows per status (-want +got):\n%s", diff)
		}
	})

	for _, loseRedis := range []bool{false, true} {
		name := "worker stops after cancel"
		if loseRedis {
			name += " and Redis is lost"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Runs in flight when the batch is cancelled lose their worker
			// (its shutdown times out) and possibly their tasks. The batch
			// must still complete: a cancelled batch never leaves a run
			// behind.
			docs := newGateDocs(t)
			h := setup(t, func(c *config.Config) {
				c.Concurrency, c.ShutdownTimeout = 2, 200*time.Millisecond
			})
			b := h.createBatch(h.key, h.invoice, docs.inputs(20), nil)
			w := h.watchCounts(t, b.ID)
			h.startWorker()
			pollUntil(t, "two runs in flight", func() bool {
				return docs.waiting() == 2 && h.dbBatch(b.ID).Processing == 2
			})
			if got := h.mustCancel(h.key, b.ID); got.Counts.Processing != 2 || got.Counts.Cancelled != 18 {
				t.Fatalf("cancelBatch counts = %+v, want 2 processing and 18 cancelled", got.Counts)
			}
			h.stopWorker()
			if loseRedis {
				if err := h.app.RDB.FlushDB(context.Background()).Err(); err != nil {
					t.Fatalf("FLUSHDB: %v", err)
				}
			}
			docs.release()
			h.startWorker()
			final := h.waitBatch(h.key, b.ID, func(b gqlBatch) bool { return b.CompletedAt != nil })
			t.Logf("checked %d counter snapshots; final counts %+v", w.Stop(t), final.Counts)
			want := batch.Counts{Total: 20, Processed: final.Counts.Processed, Cancelled: 20 - final.Counts.Processed}
			checkFinished(t, h, h.key, b.ID, "CANCELLED", want)
		})
	}
}

// driveBatch polls the batch until cond holds, retrying it whenever it
// rests cancelled so that it makes progress.
func (h *harness) driveBatch(t *testing.T, id, what string, cond func(gqlBatch) bool) {
	t.Helper()
	pollUntil(t, what, func() bool {
		got := h.batch(h.key, id)
		if cond(got) {
			return true
		}
		if got.Status == "CANCELLED" {
			h.tryCancelOrRetry(t, "retryBatch", id)
		}
		return false
	})
}

// mustCancel cancels a batch through the API.
func (h *harness) mustCancel(key, id string) gqlBatch {
	h.t.Helper()
	var out struct{ CancelBatch gqlBatch }
	h.mustGQL(key, `mutation($id: ID!) { cancelBatch(id: $id) { `+batchFields+` } }`, map[string]any{"id": id}, &out)
	return out.CancelBatch
}

// tryCancelOrRetry runs cancelBatch or retryBatch (of the cancelled runs) and
// accepts success or CONFLICT (the batch was not in a state to take it).
func (h *harness) tryCancelOrRetry(t *testing.T, mutation, id string) {
	args := ""
	if mutation == "retryBatch" {
		args = ", statuses: [CANCELLED]"
	}
	resp := h.gql(h.key, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id%s) { `+batchFields+` } }`, mutation, args),
		map[string]any{"id": id})
	for _, e := range resp.Errors {
		if e.code() != "CONFLICT" {
			t.Errorf("%s: %s (%s), want success or CONFLICT", mutation, e.Message, e.code())
		}
	}
}

// gateDocs serves invoice documents at /doc/<n>. Until release, every
// request waits (a document that takes a while to download), so a test can
// hold runs in PROCESSING. It counts per document the requests that
// arrived and those it answered in full.
type gateDocs struct {
	srv  *httptest.Server
	gate chan struct{}
	once sync.Once

	mu       sync.Mutex
	arrived  map[string]int
	answered map[string]int
	blocked  int // requests waiting at the gate
	dropped  int // requests whose client went away while waiting
}

func newGateDocs(t testing.TB) *gateDocs {
	d := &gateDocs{gate: make(chan struct{}), arrived: map[string]int{}, answered: map[string]int{}}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(func() {
		d.release()
		d.srv.Close()
	})
	return d
}

func (d *gateDocs) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/doc/")
	d.mu.Lock()
	d.arrived[name]++
	d.blocked++
	d.mu.Unlock()
	select {
	case <-d.gate:
	case <-r.Context().Done():
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.blocked--
	if r.Context().Err() != nil {
		d.dropped++
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "ACME Corp\nInvoice No: INV-%s\nTotal: 12.50 EUR\n", name)
	d.answered[name]++
}

// inputs returns n URL inputs, one per document.
func (d *gateDocs) inputs(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"url": d.srv.URL + "/doc/" + docName(i)}
	}
	return out
}

// release lets every waiting and future request through.
func (d *gateDocs) release() { d.once.Do(func() { close(d.gate) }) }

// waiting is the number of requests held at the gate.
func (d *gateDocs) waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.blocked
}

// counts returns copies of the per-document counters and the number of
// dropped requests.
func (d *gateDocs) counts() (arrived, answered map[string]int, dropped int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.arrived), maps.Clone(d.answered), d.dropped
}
