package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/database"
	"github.com/sheaf-dev/sheaf/internal/engine"
	"github.com/sheaf-dev/sheaf/internal/testutil"
	"github.com/sheaf-dev/sheaf/worker"
)

// domain is a batch.Service on the test's own database and Redis database,
// with the real engine and queue and no worker.
type domain struct {
	svc  *batch.Service
	db   *database.DB
	rdb  redis.UniversalClient
	org  string
	proc string
}

func newDomain(t *testing.T, opts batch.Options) *domain {
	t.Helper()
	ctx := context.Background()
	db := testutil.DB(t)
	rdb := testutil.Redis(t)
	q := worker.NewQueue(rdb)
	log := slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := batch.New(batch.Deps{DB: db.Client, FastDB: db.Fast, FastSQL: db.FastSQL, Dialect: db.Dialect, Queue: q, Logger: log,
		Engine: engine.New(nil, engine.Options{AllowPrivateURLs: true})}, opts)
	org, err := db.Organization.Create().SetName("acme").Save(ctx)
	if err != nil {
		t.Fatalf("creating organization: %v", err)
	}
	p, err := svc.CreateProcessor(ctx, org.ID, batch.ProcessorInput{Name: "invoices", Type: "EXTRACT",
		Config: json.RawMessage(`{"fields": [{"name": "invoice_number", "type": "string", "labels": ["Invoice No"]}]}`)})
	if err != nil {
		t.Fatalf("creating processor: %v", err)
	}
	return &domain{svc: svc, db: db, rdb: rdb, org: org.ID, proc: p.ID}
}

// logWriter sends log lines to t.Log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func textInputs(n int) []batch.Input {
	out := make([]batch.Input, n)
	for i := range out {
		s := fmt.Sprintf("Invoice No: INV-%04d\nTotal: %d.00\n", i, i+1)
		out[i] = batch.Input{Text: &s}
	}
	return out
}

// raceProcessRun calls ProcessRun on each run from `callers` goroutines at
// once and returns, per run, how many calls returned nil. Any error other
// than ErrNotClaimable / ErrStaleLease fails the test.
func raceProcessRun(t *testing.T, svc *batch.Service, runIDs []string, callers int) map[string]int {
	t.Helper()
	var (
		mu   sync.Mutex
		wins = map[string]int{}
		wg   sync.WaitGroup
	)
	start := make(chan struct{})
	for _, id := range runIDs {
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := svc.ProcessRun(context.Background(), id)
				switch {
				case err == nil:
					mu.Lock()
					wins[id]++
					mu.Unlock()
				case errors.Is(err, batch.ErrNotClaimable), errors.Is(err, batch.ErrStaleLease):
				default:
					t.Errorf("ProcessRun(%s) = %v, want nil, ErrNotClaimable or ErrStaleLease", id, err)
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	return wins
}

// TestProcessRunConcurrentCallersClaimOnce pins invariant 3: many deliveries
// of one run task racing each other change the run's state once and count
// it once. Exactly one ProcessRun call wins per run; the others are told
// the run is not claimable (or that they lost the lease).
func TestProcessRunConcurrentCallersClaimOnce(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{})
	const runs, callers = 12, 6

	b, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(runs)})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	single, err := d.svc.CreateRun(ctx, d.org, batch.CreateRunInput{ProcessorID: d.proc, Input: textInputs(1)[0]})
	if err != nil {
		t.Fatalf("CreateRun: %v", err)
	}
	ids, err := d.db.Run.Query().Where(run.BatchID(b.ID)).IDs(ctx)
	if err != nil || len(ids) != runs {
		t.Fatalf("listing runs: %d ids, %v", len(ids), err)
	}
	ids = append(ids, single.ID)

	wins := raceProcessRun(t, d.svc, ids, callers)
	for _, id := range ids {
		if wins[id] != 1 {
			t.Errorf("run %s: %d ProcessRun calls succeeded, want exactly 1", id, wins[id])
		}
	}

	got, err := d.svc.GetBatch(ctx, d.org, b.ID)
	if err != nil {
		t.Fatalf("GetBatch: %v", err)
	}
	if diff := cmp.Diff(batch.Counts{Total: runs, Processed: runs}, batch.CountsOf(got)); diff != "" {
		t.Errorf("batch counts (-want +got):\n%s", diff)
	}
	if got.Status != "PROCESSED" || got.CompletedAt == nil {
		t.Errorf("batch status = %s, completedAt = %v; want PROCESSED with a completion time", got.Status, got.CompletedAt)
	}
	rows, err := d.db.Run.Query().Where(run.IDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatalf("reading runs: %v", err)
	}
	for _, r := range rows {
		if r.Status != run.StatusPROCESSED || r.Attempts != 1 || r.LeaseExpiresAt != nil || len(r.Output) == 0 {
			t.Errorf("run %s = %s, attempts %d, lease %v, output %dB; want PROCESSED once with output and no lease",
				r.ID, r.Status, r.Attempts, r.LeaseExpiresAt, len(r.Output))
		}
	}

	// A late duplicate after the batch completed changes nothing.
	wins = raceProcessRun(t, d.svc, ids[:1], callers)
	if wins[ids[0]] != 0 {
		t.Errorf("a duplicate delivery of a finished run succeeded %d times, want 0", wins[ids[0]])
	}
	again, err := d.svc.GetBatch(ctx, d.org, b.ID)
	if err != nil {
		t.Fatalf("GetBatch: %v", err)
	}
	if diff := cmp.Diff(batch.CountsOf(got), batch.CountsOf(again)); diff != "" || again.Version != got.Version {
		t.Errorf("late duplicate changed the batch: version %d → %d, counts (-before +after):\n%s", got.Version, again.Version, diff)
	}
}

// TestProcessRunAfterLosingItsLease pins what happens to a worker that
// outlives its lease: the sweeper hands the run back (PENDING), the late
// worker's result is discarded with ErrStaleLease and counted nowhere, and
// the next delivery processes the run once. The clock is the service's
// own; the document is a real download held open by the test.
func TestProcessRunAfterLosingItsLease(t *testing.T) {
	ctx := context.Background()
	var skew atomic.Int64
	d := newDomain(t, batch.Options{RunLease: time.Hour,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	gate, arrived := make(chan struct{}), make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "Invoice No: INV-0001\nTotal: 1.00\n")
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	})

	url := srv.URL + "/invoice.txt"
	b, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: []batch.Input{{URL: &url}}})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	id, err := d.db.Run.Query().Where(run.BatchID(b.ID)).OnlyID(ctx)
	if err != nil {
		t.Fatalf("reading run: %v", err)
	}
	counts := func() batch.Counts {
		t.Helper()
		got, err := d.svc.GetBatch(ctx, d.org, b.ID)
		if err != nil {
			t.Fatalf("GetBatch: %v", err)
		}
		return batch.CountsOf(got)
	}

	late := make(chan error, 1)
	go func() { late <- d.svc.ProcessRun(ctx, id) }()
	select {
	case <-arrived: // the run is PROCESSING, its download under way
	case err := <-late:
		t.Fatalf("ProcessRun returned %v before downloading", err)
	}
	skew.Store(int64(2 * time.Hour))
	rep, err := d.svc.Sweep(ctx)
	if err != nil || rep.Expired != 1 {
		t.Fatalf("Sweep = %+v, %v; want one expired lease", rep, err)
	}
	if diff := cmp.Diff(batch.Counts{Total: 1, Pending: 1}, counts()); diff != "" {
		t.Errorf("counts after the lease expired (-want +got):\n%s", diff)
	}

	close(gate)
	if err := <-late; !errors.Is(err, batch.ErrStaleLease) {
		t.Errorf("ProcessRun of the worker that lost its lease = %v, want ErrStaleLease", err)
	}
	if diff := cmp.Diff(batch.Counts{Total: 1, Pending: 1}, counts()); diff != "" {
		t.Errorf("counts after the late worker finished (-want +got):\n%s", diff)
	}

	if err := d.svc.ProcessRun(ctx, id); err != nil {
		t.Fatalf("ProcessRun of the next delivery = %v", err)
	}
	if diff := cmp.Diff(batch.Counts{Total: 1, Processed: 1}, counts()); diff != "" {
		t.Errorf("final counts (-want +got):\n%s", diff)
	}
	r, err := d.db.Run.Get(ctx, id)
	if err != nil || r.Status != run.StatusPROCESSED || r.Attempts != 1 {
		t.Errorf("run = %+v, %v; want PROCESSED with attempts 1", r, err)
	}
}

// TestProcessRunRecordsMixedOutcomes runs a batch whose runs end every way
// at once — raw text recorded straight from PENDING, downloads claimed
// first, success, needs-review, failure — so their outcomes are recorded
// together, and checks each run's row and the batch's counts.
func TestProcessRunRecordsMixedOutcomes(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{})
	p, err := d.svc.CreateProcessor(ctx, d.org, batch.ProcessorInput{Name: "strict", Type: "EXTRACT",
		Config: json.RawMessage(`{"fields": [{"name": "invoice_number", "type": "string", "labels": ["Invoice No"], "required": true}]}`)})
	if err != nil {
		t.Fatalf("creating processor: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "Invoice No: INV-7\n")
	}))
	t.Cleanup(srv.Close)
	text := func(s string) batch.Input { return batch.Input{Text: &s} }
	url := func(path string) batch.Input { u := srv.URL + path; return batch.Input{URL: &u} }
	inputs := []batch.Input{text("Invoice No: INV-1\n"), text("nothing to see\n"), url("/invoice.txt"), url("/missing.txt")}
	want := []run.Status{run.StatusPROCESSED, run.StatusNEEDS_REVIEW, run.StatusPROCESSED, run.StatusFAILED}
	for range 3 { // copies of each, so outcomes of every kind share groups
		inputs = append(inputs, inputs[:4]...)
		want = append(want, want[:4]...)
	}
	b, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: p.ID, Inputs: inputs})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	rows, err := d.db.Run.Query().Where(run.BatchID(b.ID)).Order(run.ByPosition()).All(ctx)
	if err != nil {
		t.Fatalf("listing runs: %v", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	wins := raceProcessRun(t, d.svc, ids, 2)
	for i, id := range ids {
		if wins[id] != 1 {
			t.Errorf("run %d: %d ProcessRun calls succeeded, want exactly 1", i, wins[id])
		}
	}

	rows, err = d.db.Run.Query().Where(run.BatchID(b.ID)).Order(run.ByPosition()).All(ctx)
	if err != nil {
		t.Fatalf("reading runs: %v", err)
	}
	for i, r := range rows {
		failed := r.Status == run.StatusFAILED
		switch {
		case r.Status != want[i]:
			t.Errorf("run %d = %s, want %s", i, r.Status, want[i])
		case r.StartedAt == nil || r.FinishedAt == nil || r.FinishedAt.Before(*r.StartedAt):
			t.Errorf("run %d started %v, finished %v; want both, in order", i, r.StartedAt, r.FinishedAt)
		case r.LeaseExpiresAt != nil || r.Dispatched:
			t.Errorf("run %d keeps lease %v, dispatched %v", i, r.LeaseExpiresAt, r.Dispatched)
		case failed && (r.ErrorCode == nil || len(r.Output) != 0):
			t.Errorf("failed run %d: error %v, output %s; want an error code and no output", i, r.ErrorCode, r.Output)
		case !failed && (r.ErrorCode != nil || !strings.Contains(string(r.Output), "invoice_number")):
			t.Errorf("run %d: error %v, output %s; want the extracted fields and no error", i, r.ErrorCode, r.Output)
		}
	}
	got, err := d.svc.GetBatch(ctx, d.org, b.ID)
	if err != nil {
		t.Fatalf("GetBatch: %v", err)
	}
	if diff := cmp.Diff(batch.Counts{Total: 16, Processed: 8, NeedsReview: 4, Failed: 4}, batch.CountsOf(got)); diff != "" {
		t.Errorf("batch counts (-want +got):\n%s", diff)
	}
	if got.Status != "PROCESSED" || got.StartedAt == nil || got.CompletedAt == nil {
		t.Errorf("batch = %s, started %v, completed %v; want PROCESSED with both times", got.Status, got.StartedAt, got.CompletedAt)
	}
}
