package batch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// outcome is how a run ended.
type outcome struct {
	status RunStatus
	result Result
	err    *RunError
}

func outcomeOf(res Result, err error) outcome {
	if err == nil {
		if res.NeedsReview {
			return outcome{status: RunNeedsReview, result: res}
		}
		return outcome{status: RunProcessed, result: res}
	}
	var re *RunError
	if !errors.As(err, &re) {
		re = &RunError{Code: "PROCESSING_ERROR", Message: err.Error()}
	}
	return outcome{status: RunFailed, err: re}
}

// finishReq is one run handler recording its run's outcome.
type finishReq struct {
	ctx context.Context
	run *ent.Run
	// claimed says the run is PROCESSING (claimed before processing);
	// otherwise it is recorded straight from PENDING, and started is when
	// its processing began.
	claimed bool
	started time.Time
	out     outcome
	err     error
}

// from is the state the run leaves.
func (r *finishReq) from() RunStatus {
	if r.claimed {
		return RunProcessing
	}
	return RunPending
}

// finishGroup records a group of outcomes at once — in one statement on
// PostgreSQL (finishRunsPostgres), else in one transaction — then publishes
// progress. (It need not wake the dispatcher: the window counts the tasks
// waiting in the queue, and a finishing run left it already.) Should that
// fail (a bad row; on SQLite also a run that changed state), each outcome
// is recorded alone, so one run cannot fail the others.
func (s *Service) finishGroup(reqs []*finishReq) {
	ctx := groupContext(reqs[0].ctx)
	var batches []*ent.Batch
	var err error
	if s.dialect == dialect.Postgres {
		batches, err = s.finishRunsPostgres(ctx, reqs)
	} else {
		err = s.withFastTx(ctx, func(tx *ent.Tx) error {
			batches, err = s.finishRuns(ctx, tx, reqs)
			return err
		})
	}
	if err != nil && len(reqs) > 1 && !errors.Is(err, errOutcomesUnknown) {
		for _, req := range reqs {
			s.finishGroup([]*finishReq{req})
		}
		return
	}
	if err != nil {
		for _, req := range reqs {
			req.err = err
		}
		return
	}
	// Hints first: subscribers and waiters measure their lag from the commit.
	for _, b := range batches {
		s.publish(ctx, b)
	}
	for _, req := range reqs {
		if req.run.BatchID == nil && req.err == nil {
			s.publishRun(ctx, req.run.ID)
		}
	}
	for _, req := range reqs {
		if req.err == nil {
			s.log.InfoContext(ctx, "run finished", "run_id", req.run.ID, "status", req.out.status,
				"batch_id", deref(req.run.BatchID))
		}
	}
}

// finishRuns records outcomes in tx (on SQLite): the batch rows first, in
// id order, with every outcome counted, then each run, then the completion
// of any batch left with no open run. It returns the batch rows as
// committed.
func (s *Service) finishRuns(ctx context.Context, tx *ent.Tx, reqs []*finishReq) ([]*ent.Batch, error) {
	runs := make([]*ent.Run, len(reqs))
	for i, req := range reqs {
		runs[i] = req.run
	}
	delta := map[string]map[RunStatus]int{}
	for _, req := range reqs {
		if id := req.run.BatchID; id != nil {
			if delta[*id] == nil {
				delta[*id] = map[RunStatus]int{}
			}
			delta[*id][req.from()]--
			delta[*id][req.out.status]++
		}
	}
	var batches []*ent.Batch
	for _, id := range batchIDs(runs) {
		// A run recorded straight from PENDING may be its batch's first.
		b, err := s.bumpBatch(ctx, tx, id, delta[id], delta[id][RunPending] < 0)
		if err != nil {
			return nil, err
		}
		batches = append(batches, b)
	}
	if err := s.recordOutcomes(ctx, tx, reqs); err != nil {
		return nil, err
	}
	for i, b := range batches {
		if b.Pending == 0 && b.Processing == 0 {
			var err error
			if batches[i], err = s.complete(ctx, tx, b); err != nil {
				return nil, err
			}
		}
	}
	return batches, nil
}

// complete closes a batch whose runs are all terminal: PROCESSED when at
// least one run succeeded, else FAILED. A cancelled batch keeps its status
// and only gets its completion time.
func (s *Service) complete(ctx context.Context, tx *ent.Tx, b *ent.Batch) (*ent.Batch, error) {
	now := s.opts.Now()
	status := entbatch.StatusFAILED
	if b.Processed+b.NeedsReview > 0 {
		status = entbatch.StatusPROCESSED
	}
	if b.Status == entbatch.StatusPENDING || b.Status == entbatch.StatusPROCESSING {
		return tx.Batch.UpdateOneID(b.ID).SetStatus(status).SetCompletedAt(now).Save(ctx)
	}
	if b.CompletedAt == nil {
		return tx.Batch.UpdateOneID(b.ID).SetCompletedAt(now).Save(ctx)
	}
	return b, nil
}

// CancelBatch cancels a pending or processing batch: its PENDING runs become
// CANCELLED at once; runs already processing finish and are counted. It is
// idempotent on a cancelled batch and a CONFLICT on a finished one.
func (s *Service) CancelBatch(ctx context.Context, org, batchID string) (*ent.Batch, error) {
	b, err := s.GetBatch(ctx, org, batchID)
	if err != nil {
		return nil, err
	}
	if Status(b.Status) == StatusCancelled {
		return b, nil
	}
	if Status(b.Status).Terminal() {
		return nil, errorf(CodeConflict, "batch %s is already %s", b.ID, b.Status)
	}
	now := s.opts.Now()
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		n, err := tx.Batch.Update().
			Where(entbatch.ID(b.ID), entbatch.StatusIn(entbatch.StatusPENDING, entbatch.StatusPROCESSING)).
			SetStatus(entbatch.StatusCANCELLED).SetCancelledAt(now).AddVersion(1).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errorf(CodeConflict, "batch %s finished while it was being cancelled", b.ID)
		}
		k, err := tx.Run.Update().Where(run.BatchID(b.ID), run.StatusEQ(run.StatusPENDING)).
			SetStatus(run.StatusCANCELLED).SetFinishedAt(now).SetDispatched(false).Save(ctx)
		if err != nil {
			return err
		}
		b, err = tx.Batch.UpdateOneID(b.ID).AddPending(-k).AddCancelled(k).Save(ctx)
		if err == nil && b.Pending == 0 && b.Processing == 0 {
			b, err = s.complete(ctx, tx, b)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cancelling batch %s: %w", batchID, err)
	}
	s.log.InfoContext(ctx, "batch cancelled", "batch_id", b.ID, "cancelled_runs", b.Cancelled)
	s.publish(ctx, b)
	s.replan()
	return b, nil
}

// retryable are the run states RetryBatch may reopen.
var retryable = map[RunStatus]bool{RunFailed: true, RunCancelled: true, RunNeedsReview: true}

// RetryBatch moves the batch's runs in the given states (default FAILED)
// back to PENDING with one more attempt, and the batch back to PROCESSING.
// Only a finished batch can be retried.
func (s *Service) RetryBatch(ctx context.Context, org, batchID string, statuses []RunStatus) (*ent.Batch, error) {
	if len(statuses) == 0 {
		statuses = []RunStatus{RunFailed}
	}
	for _, st := range statuses {
		if !retryable[st] {
			return nil, &Error{Code: CodeBadInput, Index: -1, Field: "statuses",
				Message: fmt.Sprintf("cannot retry runs that are %s; choose among FAILED, CANCELLED, NEEDS_REVIEW", st)}
		}
	}
	b, err := s.GetBatch(ctx, org, batchID)
	if err != nil {
		return nil, err
	}
	if !Status(b.Status).Terminal() {
		return nil, errorf(CodeConflict, "batch %s is %s; retry it once it has finished", b.ID, b.Status)
	}
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		b, err = s.reopen(ctx, tx, b, statuses)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("retrying batch %s: %w", batchID, err)
	}
	s.log.InfoContext(ctx, "batch retried", "batch_id", b.ID, "pending", b.Pending)
	s.publish(ctx, b)
	s.replan()
	s.wake(ctx)
	return b, nil
}

func (s *Service) reopen(ctx context.Context, tx *ent.Tx, b *ent.Batch, statuses []RunStatus) (*ent.Batch, error) {
	now := s.opts.Now()
	n, err := tx.Batch.Update().Where(entbatch.ID(b.ID), entbatch.StatusEQ(b.Status)).
		SetStatus(entbatch.StatusPROCESSING).ClearCompletedAt().ClearCancelledAt().
		AddVersion(1).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errorf(CodeConflict, "batch %s changed while it was being retried", b.ID)
	}
	moved := 0
	for _, st := range statuses {
		k, err := tx.Run.Update().Where(run.BatchID(b.ID), run.StatusEQ(run.Status(st))).
			SetStatus(run.StatusPENDING).AddAttempts(1).ClearOutput().ClearErrorCode().ClearErrorMessage().
			ClearStartedAt().ClearFinishedAt().ClearLeaseExpiresAt().SetDispatched(false).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := s.moveCounts(ctx, tx, &b.ID, st, RunPending, k); err != nil {
			return nil, err
		}
		moved += k
	}
	if moved == 0 {
		return nil, errorf(CodeConflict, "batch %s has no runs in the chosen states", b.ID)
	}
	return tx.Batch.Get(ctx, b.ID)
}
