package batch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/engine"
	"github.com/sheaf-dev/sheaf/worker"
)

// queuedTask returns the task the dispatcher queued for a run.
func (d *domain) queuedTask(t *testing.T, runID string) batch.RunTask {
	t.Helper()
	info, err := asynq.NewInspectorFromRedisClient(d.rdb).GetTaskInfo(worker.QueueLow, runID)
	if err != nil {
		t.Fatalf("task of run %s: %v", runID, err)
	}
	var task batch.RunTask
	if err := json.Unmarshal(info.Payload, &task); err != nil {
		t.Fatalf("decoding task of run %s: %v", runID, err)
	}
	return task
}

// TestDispatchCarriesSmallTextInline pins what a batch run's task carries:
// a raw-text input of at most 64 KiB travels in the task with everything
// processing reads from the row, so the worker reads nothing; a larger
// text, a document to fetch or a run that calls an LLM is read from the
// database. Processed from its task, the run ends with its output, and the
// same task delivered again changes nothing.
func TestDispatchCarriesSmallTextInline(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{DispatchWindow: 8})
	small := "Invoice No: INV-0001\nTotal: 12.00\n"
	big := "Invoice No: INV-0002\n" + strings.Repeat("x", 64<<10)
	url, filename := "http://127.0.0.1:1/invoice.pdf", "scan.txt"
	b, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: []batch.Input{
		{Text: &small, Filename: &filename}, {Text: &big}, {URL: &url}}})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	llm, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, UseLLM: true,
		Inputs: []batch.Input{{Text: &small}}})
	if err != nil {
		t.Fatalf("CreateBatch with useLlm: %v", err)
	}
	queued := 0
	for range 3 {
		n, err := d.svc.Dispatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		queued += n
	}
	if queued != 4 {
		t.Fatalf("Dispatch queued %d runs, want 4", queued)
	}
	llmRun, err := d.db.Run.Query().Where(run.BatchID(llm.ID)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.queuedTask(t, llmRun.ID).Inline != nil {
		t.Error("a run that calls an LLM carries its input in its task")
	}
	runs, err := d.db.Run.Query().Where(run.BatchID(b.ID)).Order(run.ByPosition()).All(ctx)
	if err != nil || len(runs) != 3 {
		t.Fatalf("listing runs: %d, %v", len(runs), err)
	}
	want := batch.RunTask{RunID: runs[0].ID, Inline: &batch.InlineRun{OrganizationID: d.org, BatchID: b.ID,
		ProcessorID: d.proc, ProcessorVersion: 1, ProcessorType: "EXTRACT", Filename: filename, Text: small}}
	task := d.queuedTask(t, runs[0].ID)
	if diff := cmp.Diff(want, task); diff != "" {
		t.Errorf("task of the small text run (-want +got):\n%s", diff)
	}
	for _, r := range runs[1:] {
		if got := d.queuedTask(t, r.ID); got.Inline != nil {
			t.Errorf("run %d (%s input) carries its input in its task", *r.Position, r.InputKind)
		}
	}

	for range 2 { // the second delivery finds the run recorded
		if err := d.svc.ProcessRunAsync(ctx, task, false); err != nil {
			t.Fatalf("ProcessRunAsync: %v", err)
		}
		d.svc.Flush()
	}
	r, err := d.db.Run.Get(ctx, runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != run.StatusPROCESSED || !strings.Contains(string(r.Output), "INV-0001") {
		t.Errorf("run = %s with output %s, want PROCESSED with the invoice number", r.Status, r.Output)
	}
	got, err := d.svc.GetBatch(ctx, d.org, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Processed != 1 || got.Pending != 2 {
		t.Errorf("batch counts processed %d, pending %d; want 1 and 2", got.Processed, got.Pending)
	}
}

// TestDispatchTopsUpAQuarterAtATime pins the window's refill: a pass
// queues nothing until a quarter of the window has left the queue, then
// fills it again, never beyond it.
func TestDispatchTopsUpAQuarterAtATime(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{DispatchWindow: 8})
	if _, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(20)}); err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	take := func() { // what a worker's dequeue does to the waiting list
		t.Helper()
		if err := d.rdb.RPop(ctx, "asynq:{"+worker.QueueLow+"}:pending").Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i, step := range []struct {
		take, queued int
	}{{0, 8}, {1, 0}, {1, 2}, {0, 0}, {8, 8}} {
		for range step.take {
			take()
		}
		if n, err := d.svc.Dispatch(ctx); err != nil || n != step.queued {
			t.Errorf("pass %d, after %d tasks left: Dispatch = %d, %v; want %d", i+1, step.take, n, err, step.queued)
		}
	}
}

// TestConcurrentPassesKeepTheWindow pins that passes started together in
// one process (a worker starting runs its dispatch loop, a queued dispatch
// task and a sweep at once) fill the window once between them, not once
// each.
func TestConcurrentPassesKeepTheWindow(t *testing.T) {
	ctx := context.Background()
	const window = 8
	d := newDomain(t, batch.Options{DispatchWindow: window})
	if _, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(50)}); err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		queued int
	)
	start := make(chan struct{})
	for range 5 {
		wg.Go(func() {
			<-start
			n, err := d.svc.Dispatch(ctx)
			if err != nil {
				t.Errorf("Dispatch: %v", err)
			}
			mu.Lock()
			queued += n
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	waiting, err := d.rdb.LLen(ctx, "asynq:{"+worker.QueueLow+"}:pending").Result()
	if err != nil {
		t.Fatal(err)
	}
	if queued != window || waiting != window {
		t.Errorf("5 passes at once queued %d runs and left %d waiting, want %d and %d", queued, waiting, window, window)
	}
}

// TestTakenTasksWakeTheDispatcherWhenARefillIsDue pins when workers wake
// the dispatcher: once the tasks they took since the last pass make a
// refill's worth of the window free, not at every task (each wake costs a
// pass), and not later.
func TestTakenTasksWakeTheDispatcherWhenARefillIsDue(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{DispatchWindow: 12}) // refills of 3
	if _, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(40)}); err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	const dirty = "sheaf:dispatch:dirty" // set by each wake of a process without a dispatch loop
	woken := func() bool {
		t.Helper()
		n, err := d.rdb.Del(ctx, dirty).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	take := func(n int) { // workers dequeue tasks and handle them
		t.Helper()
		for range n {
			id, err := d.rdb.RPop(ctx, "asynq:{"+worker.QueueLow+"}:pending").Result()
			if err != nil {
				t.Fatal(err)
			}
			if err := d.svc.ProcessRunAsync(ctx, d.queuedTask(t, id), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	dispatch := func(want int) {
		t.Helper()
		if n, err := d.svc.Dispatch(ctx); err != nil || n != want {
			t.Fatalf("Dispatch = %d, %v; want %d", n, err, want)
		}
		woken()
	}
	dispatch(12)
	for i, step := range []struct {
		take     int
		wake     bool
		dispatch int // a pass after the step, -1 for none
	}{
		{take: 2, wake: false, dispatch: -1},
		{take: 1, wake: true, dispatch: -1}, // 3 free
		{take: 1, wake: true, dispatch: 4},  // a late pass refills 4
		{take: 2, wake: false, dispatch: 0}, // counted from that pass: 2 of 3; the pass says 1 more is due
		{take: 1, wake: true, dispatch: -1},
	} {
		take(step.take)
		if got := woken(); got != step.wake {
			t.Errorf("step %d: %d more tasks taken woke the dispatcher: %v, want %v", i+1, step.take, got, step.wake)
		}
		if step.dispatch >= 0 {
			dispatch(step.dispatch)
		}
	}
	d.svc.Flush()
}

// TestDispatchSeesNewBatches pins how soon the dispatcher, which reuses the
// batches it found active while only one runs, sees a new one: at once when
// it was created in the same process, within 100 ms when another process
// created it.
func TestDispatchSeesNewBatches(t *testing.T) {
	for _, sameProcess := range []bool{true, false} {
		t.Run(fmt.Sprintf("same process %v", sameProcess), func(t *testing.T) {
			ctx := context.Background()
			var mu sync.Mutex
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return now
			}
			d := newDomain(t, batch.Options{DispatchWindow: 8, Now: clock})
			creator := d.svc
			if !sameProcess { // an API process on the same database and Redis
				creator = batch.New(batch.Deps{DB: d.db.Client, FastDB: d.db.Fast, FastSQL: d.db.FastSQL, Dialect: d.db.Dialect,
					Queue: worker.NewQueue(d.rdb), Engine: engine.New(nil, engine.Options{})}, batch.Options{Now: clock})
			}
			create := func(svc *batch.Service) string {
				t.Helper()
				b, err := svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(20)})
				if err != nil {
					t.Fatalf("CreateBatch: %v", err)
				}
				return b.ID
			}
			pass := func() {
				t.Helper()
				if err := d.rdb.Del(ctx, "asynq:{"+worker.QueueLow+"}:pending").Err(); err != nil {
					t.Fatal(err) // the workers took every queued task
				}
				if _, err := d.svc.Dispatch(ctx); err != nil {
					t.Fatal(err)
				}
			}

			create(d.svc)
			pass() // one batch active: the dispatcher keeps it in mind
			second := create(creator)
			if !sameProcess {
				mu.Lock()
				now = now.Add(100 * time.Millisecond)
				mu.Unlock()
			}
			pass()
			n, err := d.db.Run.Query().Where(run.BatchID(second), run.Dispatched(true)).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("the new batch got no run in the pass")
			}
		})
	}
}

// TestDispatchComesBackForShortPasses pins the cases where the countdown
// alone would leave work waiting: a pass that queued less than it had room
// for is followed by a pass at the next task taken, and the periodic
// DispatchIfTaken runs a pass once this process's workers took any task,
// whoever drained the rest of the queue, and only then.
func TestDispatchComesBackForShortPasses(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, runs, queued int) *domain {
		t.Helper()
		d := newDomain(t, batch.Options{DispatchWindow: 8})
		if _, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(runs)}); err != nil {
			t.Fatal(err)
		}
		if n, err := d.svc.Dispatch(ctx); err != nil || n != queued {
			t.Fatalf("Dispatch = %d, %v; want %d", n, err, queued)
		}
		if err := d.rdb.Del(ctx, "sheaf:dispatch:dirty").Err(); err != nil { // CreateBatch's wake
			t.Fatal(err)
		}
		t.Cleanup(d.svc.Flush)
		return d
	}
	take := func(t *testing.T, d *domain, process bool) {
		t.Helper()
		id, err := d.rdb.RPop(ctx, "asynq:{"+worker.QueueLow+"}:pending").Result()
		if err != nil {
			t.Fatal(err)
		}
		if process {
			if err := d.svc.ProcessRunAsync(ctx, d.queuedTask(t, id), false); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("short pass", func(t *testing.T) {
		d := setup(t, 3, 3)
		take(t, d, true)
		// Set by each wake of a process without a dispatch loop.
		if n, err := d.rdb.Del(ctx, "sheaf:dispatch:dirty").Result(); err != nil || n == 0 {
			t.Errorf("after a pass that queued 3 runs with room for 8, a task taken did not wake the dispatcher (%v)", err)
		}
	})
	t.Run("other processes drain the queue", func(t *testing.T) {
		d := setup(t, 20, 8)
		for range 4 {
			take(t, d, false) // another process's workers
		}
		if n, err := d.svc.DispatchIfTaken(ctx); err != nil || n != 0 {
			t.Errorf("DispatchIfTaken with no task taken here = %d, %v; want 0", n, err)
		}
		take(t, d, true)
		if n, err := d.svc.DispatchIfTaken(ctx); err != nil || n != 5 {
			t.Errorf("DispatchIfTaken after a task taken here = %d, %v; want 5", n, err)
		}
	})
}
