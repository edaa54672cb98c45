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
// spans two batches and holds a duplicate request, a request whose run is
// not in the state it expects, and runs recorded from PENDING (raw text)
// and from PROCESSING (claimed). Each run that is written is counted once
// in its batch; the others get ErrStaleLease and change nothing; the batch
// left with no open run completes, the other starts. A single run is
// recorded in a group of its own, as the singles grouper does. (On
// PostgreSQL a group is one statement, finishStatement; on SQLite one
// transaction.)
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
	text := "Invoice No: 1\n"
	newBatch := func(n int) []*ent.Run {
		inputs := make([]Input, n)
		for i := range inputs {
			inputs[i] = Input{Text: &text}
		}
		b, err := s.CreateBatch(ctx, org.ID, CreateBatchInput{ProcessorID: proc.ID, Inputs: inputs})
		if err != nil {
			t.Fatalf("CreateBatch: %v", err)
		}
		runs, err := db.Run.Query().Where(run.BatchID(b.ID)).Order(run.ByPosition()).All(ctx)
		if err != nil {
			t.Fatalf("listing runs: %v", err)
		}
		return runs
	}
	a, b := newBatch(2), newBatch(3)
	if err := s.claim(ctx, b[2]); err != nil {
		t.Fatalf("claiming run: %v", err)
	}
	single, err := s.CreateRun(ctx, org.ID, CreateRunInput{ProcessorID: proc.ID, Input: Input{Text: &text}})
	if err != nil {
		t.Fatalf("CreateRun: %v", err)
	}
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
		req(b[2], true, failed),
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
	singleReq := req(single, false, processed)
	s.finishGroup([]*finishReq{singleReq})
	if singleReq.err != nil {
		t.Errorf("single run: %v", singleReq.err)
	}

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
	if diff := cmp.Diff([]string{"<nil>", "", "", "<nil>", stale, "<nil>"}, errs); diff != "" {
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
		out := runRow{Status: got.Status, Output: string(got.Output), Started: got.StartedAt != nil,
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
		{Status: run.StatusFAILED, Error: "UNSUPPORTED_INPUT", Started: true, Finished: true},
		{Status: run.StatusPROCESSED, Output: `{"total": 1}`, Started: true, Finished: true},
	}
	var gotRuns []runRow
	for _, r := range []*ent.Run{a[0], a[1], b[0], b[1], b[2], single} {
		gotRuns = append(gotRuns, row(r))
	}
	if diff := cmp.Diff(wantRuns, gotRuns); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	got, err := db.Run.Get(ctx, a[0].ID)
	if err != nil {
		t.Fatalf("reading run: %v", err)
	}
	if got.StartedAt == nil || !got.StartedAt.Equal(started) {
		t.Errorf("a run recorded from PENDING started at %v, want when its processing began, %v", got.StartedAt, started)
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
		{Status: entbatch.StatusPROCESSING, Pending: 1, NeedsReview: 1, Failed: 1, Started: true, Bumped: true},
	}
	if diff := cmp.Diff(want, []batchRow{batchOf(a[0]), batchOf(b[0])}); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}
