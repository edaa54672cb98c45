package batch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/file"
	"github.com/sheaf-dev/sheaf/ent/processorversion"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// ProcessRun is the work of one run task: claim the run, process it with
// the engine (retrying transient errors), record the outcome, then publish
// progress and wake the dispatcher. It returns ErrNotClaimable for a
// duplicate delivery and ErrStaleLease when the lease was lost meanwhile;
// both mean "acknowledge the task". Other errors are infrastructure
// failures worth a task retry.
func (s *Service) ProcessRun(ctx context.Context, runID string) error {
	r, err := s.claim(ctx, runID)
	if err != nil {
		return err
	}
	job, err := s.job(ctx, r)
	var re *RunError
	if err != nil && !errors.As(err, &re) {
		// Infrastructure trouble: the run keeps its lease and the sweeper
		// re-queues it when the lease runs out.
		return fmt.Errorf("preparing run %s: %w", runID, err)
	}
	var res Result
	if err == nil {
		res, err = s.processWithLease(ctx, r, job)
	}
	if ctx.Err() != nil {
		// Shutting down: hand the run back so the re-delivered task can
		// claim it at once (should this fail, the lease expires instead).
		s.release(context.WithoutCancel(ctx), r)
		return fmt.Errorf("processing run %s: %w", runID, ctx.Err())
	}
	return s.finish(ctx, r, res, err)
}

// release moves a run this worker claimed back to PENDING, keeping it
// marked dispatched because its task goes back to the queue.
func (s *Service) release(ctx context.Context, r *ent.Run) {
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := s.moveCounts(ctx, tx, r.BatchID, RunProcessing, RunPending, 1); err != nil {
			return err
		}
		n, err := tx.Run.Update().Where(run.ID(r.ID), run.StatusEQ(run.StatusPROCESSING)).
			SetStatus(run.StatusPENDING).ClearLeaseExpiresAt().ClearStartedAt().
			SetDispatchedAt(s.opts.Now()).Save(ctx)
		if err == nil && n == 0 {
			return ErrStaleLease
		}
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "releasing interrupted run", "run_id", r.ID, "err", err)
		return
	}
	s.log.InfoContext(ctx, "released interrupted run", "run_id", r.ID)
	s.publishBatch(ctx, r.BatchID)
}

// claim moves a PENDING run to PROCESSING with a lease, counting it in its
// batch and starting the batch.
func (s *Service) claim(ctx context.Context, runID string) (*ent.Run, error) {
	r, err := s.db.Run.Get(ctx, runID)
	if ent.IsNotFound(err) {
		return nil, ErrNotClaimable
	}
	if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", runID, err)
	}
	if r.Status != run.StatusPENDING {
		return nil, ErrNotClaimable
	}
	now := s.opts.Now()
	err = s.withFastTx(ctx, func(tx *ent.Tx) error {
		// Lock the batch row first (every writer does), then the run.
		if err := s.moveCounts(ctx, tx, r.BatchID, RunPending, RunProcessing, 1); err != nil {
			return err
		}
		n, err := tx.Run.Update().Where(run.ID(r.ID), run.StatusEQ(run.StatusPENDING)).
			SetStatus(run.StatusPROCESSING).SetStartedAt(now).SetLeaseExpiresAt(now.Add(s.opts.RunLease)).
			Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotClaimable
		}
		if r.BatchID == nil {
			return nil
		}
		return tx.Batch.Update().Where(entbatch.ID(*r.BatchID), entbatch.StatusEQ(entbatch.StatusPENDING)).
			SetStatus(entbatch.StatusPROCESSING).SetStartedAt(now).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	r.Status, r.StartedAt = run.StatusPROCESSING, &now
	s.publishBatch(ctx, r.BatchID)
	return r, nil
}

// moveCounts moves n runs between two counters of a batch, bumps its
// version and, as the first write of a transaction, locks the batch row so
// that writers of one batch always lock in the same order. No-op for
// single runs.
func (s *Service) moveCounts(ctx context.Context, tx *ent.Tx, batchID *string, from, to RunStatus, n int) error {
	if batchID == nil || n == 0 {
		return nil
	}
	// A plain UPDATE: UpdateOne would read the row back, one more round
	// trip while the batch row is locked.
	u := tx.Batch.Update().Where(entbatch.ID(*batchID)).AddVersion(1).SetUpdatedAt(s.opts.Now())
	addCount(u.Mutation(), from, -n)
	addCount(u.Mutation(), to, n)
	return u.Exec(ctx)
}

func addCount(m *ent.BatchMutation, st RunStatus, n int) {
	switch st {
	case RunPending:
		m.AddPending(n)
	case RunProcessing:
		m.AddProcessing(n)
	case RunProcessed:
		m.AddProcessed(n)
	case RunNeedsReview:
		m.AddNeedsReview(n)
	case RunFailed:
		m.AddFailed(n)
	case RunCancelled:
		m.AddCancelled(n)
	}
}

// job loads what the engine needs: the pinned processor configuration and
// the input's location.
func (s *Service) job(ctx context.Context, r *ent.Run) (Job, error) {
	v, err := s.db.ProcessorVersion.Query().
		Where(processorversion.ProcessorID(r.ProcessorID), processorversion.Version(r.ProcessorVersion)).Only(ctx)
	if err != nil {
		return Job{}, fmt.Errorf("loading processor version: %w", err)
	}
	j := Job{RunID: r.ID, OrganizationID: r.OrganizationID, ProcessorID: r.ProcessorID,
		ProcessorType: r.ProcessorType, ProcessorConfig: v.Config, UseLLM: r.UseLlm,
		Input: JobInput{Kind: string(r.InputKind), Filename: deref(r.Filename)}}
	switch r.InputKind {
	case run.InputKindText:
		j.Input.Text = deref(r.InputText)
	case run.InputKindURL:
		j.Input.URL = deref(r.URL)
	case run.InputKindFile:
		f, err := s.db.File.Query().Where(file.ID(deref(r.FileID)), file.OrganizationID(r.OrganizationID)).Only(ctx)
		if ent.IsNotFound(err) {
			return j, &RunError{Code: "FILE_NOT_FOUND", Message: "the input file no longer exists"}
		}
		if err != nil {
			return j, fmt.Errorf("loading file: %w", err)
		}
		j.Input.BlobKey = f.BlobKey
		if j.Input.Filename == "" {
			j.Input.Filename = f.Filename
		}
	}
	return j, nil
}

// processWithLease runs the engine while a heartbeat extends the lease, and
// retries transient errors with exponential backoff.
func (s *Service) processWithLease(ctx context.Context, r *ent.Run, job Job) (Result, error) {
	hbCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.heartbeat(hbCtx, r.ID)
	}()
	defer func() { stop(); <-done }()

	backoff := s.opts.RetryBackoff
	for attempt := 1; ; attempt++ {
		res, err := s.safeProcess(ctx, job)
		var re *RunError
		if err == nil || !errors.As(err, &re) || !re.Transient || attempt > s.opts.TransientRetries {
			return res, err
		}
		s.log.InfoContext(ctx, "retrying transient run error", "run_id", r.ID, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// safeProcess turns a panic in the engine into a failed run, so one bad
// document cannot crash-loop a worker.
func (s *Service) safeProcess(ctx context.Context, job Job) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "engine panicked", "run_id", job.RunID, "panic", p)
			err = &RunError{Code: "INTERNAL", Message: fmt.Sprintf("the engine crashed on this document: %v", p)}
		}
	}()
	return s.engine.Process(ctx, job)
}

// heartbeat extends the run's lease every third of the lease until ctx ends.
func (s *Service) heartbeat(ctx context.Context, runID string) {
	t := time.NewTicker(s.opts.RunLease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := s.db.Run.Update().Where(run.ID(runID), run.StatusEQ(run.StatusPROCESSING)).
				SetLeaseExpiresAt(s.opts.Now().Add(s.opts.RunLease)).Exec(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "extending run lease", "run_id", runID, "err", err)
			}
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
