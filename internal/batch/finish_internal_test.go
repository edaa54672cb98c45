package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestFinishGroupRecordsEachOutcomeOnce records one group of outcomes that
// spans two batches and holds a duplicate request and a request whose run
// is not in the state it expects. Each run that is written is counted
// once in its batch; the others get ErrStaleLease and change nothing; the
// batch left with no open run completes, the other starts. (On PostgreSQL
// the group is one statement, finishStatement; on SQLite one transaction.)
func TestFinishGroupRecordsEachOutcomeOnce(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	s := New(Deps{DB: db.Client, FastDB: db.Fast, FastSQL: db.FastSQL, Dialect: db.Dialect}, Options{})
	org, err := db.Organization.Create().SetName("acme").Save(ctx)
	if err != nil {
		t.Fatalf("creating organization: %v", err)
	}
	proc, err := s.CreateProcessor(ctx, org.ID, ProcessorInput{Name: "p", Type: "EXTRACT", Config: json.RawMessage(`{"fields": []}`)})
	if err != nil {
		t.Fatalf("creating processor: %v", err)
	}
	newBatch := func() []*ent.Run {
		text := "Invoice No: 1\n"
		b, err := s.CreateBatch(ctx, org.ID, CreateBatchInput{ProcessorID: proc.ID,
			Inputs: []Input{{Text: &text}, {Text: &text}}})
		if err != nil {
			t.Fatalf("CreateBatch: %v", err)
		}
		runs, err := db.Run.Query().Where(run.BatchID(b.ID)).Order(run.ByPosition()).All(ctx)
		if err != nil {
			t.Fatalf("listing runs: %v", err)
		}
		return runs
	}
	a, b := newBatch(), newBatch()
	started := time.Now().Add(-time.Second).UTC().Truncate(time.Millisecond)
	req := func(r *ent.Run, claimed bool, out outcome) *finishReq {
		return &finishReq{ctx: ctx, run: r, claimed: claimed, started: started, out: out}
	}
	processed := outcome{status: RunProcessed, result: Result{Output: json.RawMessage(`{"total": 1}`)}}
	failed := outcome{status: RunFailed, err: &RunError{Code: "UNSUPPORTED_INPUT", Message: "no"}}
	reqs := []*finishReq{
		req(a[0], false, processed),
		req(a[1], false, failed),
		req(a[1], false, failed), // the same task delivered twice
		req(b[0], false, outcome{status: RunNeedsReview, result: Result{Output: json.RawMessage(`{}`), NeedsReview: true}}),
		req(b[1], true, processed), // expects PROCESSING, but the run is PENDING
	}
	versions := map[string]int64{}
	for _, r := range []*ent.Run{a[0], b[0]} {
		got, err := db.Batch.Get(ctx, *r.BatchID)
		if err != nil {
			t.Fatalf("reading batch: %v", err)
		}
		versions[got.ID] = got.Version
	}
	s.finishGroup(reqs)

	var errs []string
	for i, r := range reqs {
		if r.err != nil && !errors.Is(r.err, ErrStaleLease) {
			t.Fatalf("request %d: %v", i, r.err)
		}
		errs = append(errs, fmt.Sprint(r.err))
	}
	if (reqs[1].err == nil) == (reqs[2].err == nil) {
		t.Errorf("duplicate requests ended %v and %v; want one written, one ErrStaleLease", reqs[1].err, reqs[2].err)
	}
	errs[1], errs[2] = "", "" // checked above
	stale := ErrStaleLease.Error()
	if diff := cmp.Diff([]string{"<nil>", "", "", "<nil>", stale}, errs); diff != "" {
		t.Errorf("request errors (-want +got):\n%s", diff)
	}

	type runRow struct {
		Status             run.Status
		Output, Error      string
		Started, Finished  bool
		Dispatched, Leased bool
	}
	row := func(r *ent.Run) runRow {
		got, err := db.Run.Get(ctx, r.ID)
		if err != nil {
			t.Fatalf("reading run: %v", err)
		}
		out := runRow{Status: got.Status, Output: string(got.Output), Started: got.StartedAt != nil && got.StartedAt.Equal(started),
			Finished: got.FinishedAt != nil, Dispatched: got.Dispatched, Leased: got.LeaseExpiresAt != nil}
		if got.ErrorCode != nil {
			out.Error = *got.ErrorCode
		}
		return out
	}
	wantRuns := []runRow{
		{Status: run.StatusPROCESSED, Output: `{"total": 1}`, Started: true, Finished: true},
		{Status: run.StatusFAILED, Error: "UNSUPPORTED_INPUT", Started: true, Finished: true},
		{Status: run.StatusNEEDS_REVIEW, Output: `{}`, Started: true, Finished: true},
		{Status: run.StatusPENDING},
	}
	var gotRuns []runRow
	for _, r := range []*ent.Run{a[0], a[1], b[0], b[1]} {
		gotRuns = append(gotRuns, row(r))
	}
	if diff := cmp.Diff(wantRuns, gotRuns); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}

	type batchRow struct {
		Status                                  entbatch.Status
		Pending, Processed, NeedsReview, Failed int
		Started, Completed, Bumped              bool
	}
	batchOf := func(r *ent.Run) batchRow {
		got, err := db.Batch.Get(ctx, *r.BatchID)
		if err != nil {
			t.Fatalf("reading batch: %v", err)
		}
		return batchRow{Status: got.Status, Pending: got.Pending, Processed: got.Processed,
			NeedsReview: got.NeedsReview, Failed: got.Failed, Started: got.StartedAt != nil,
			Completed: got.CompletedAt != nil, Bumped: got.Version > versions[got.ID]}
	}
	want := []batchRow{
		{Status: entbatch.StatusPROCESSED, Processed: 1, Failed: 1, Started: true, Completed: true, Bumped: true},
		{Status: entbatch.StatusPROCESSING, Pending: 1, NeedsReview: 1, Started: true, Bumped: true},
	}
	if diff := cmp.Diff(want, []batchRow{batchOf(a[0]), batchOf(b[0])}); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}
