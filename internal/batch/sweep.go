package batch

import (
	"context"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/predicate"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/ent/schema"
)

// SweepReport says what one sweep repaired.
type SweepReport struct {
	// Expired is how many PROCESSING runs whose lease ran out went back to PENDING.
	Expired int
	// Lost is how many dispatched runs had no task any more (Redis lost it).
	Lost int
	// Requeued is how many single runs were enqueued again.
	Requeued int
	// Cancelled is how many PENDING runs of cancelled batches were cancelled.
	Cancelled int
}

// sweepBatchSize bounds the rows one sweep looks at per step.
const sweepBatchSize = 500

// dispatchGrace is how long a freshly dispatched run may go without a
// visible task before the sweeper calls it lost (covers commit → enqueue).
const dispatchGrace = 5 * time.Second

// Sweep restores every invariant that depends on Redis: it returns runs
// whose lease expired (their worker died) to PENDING, un-marks dispatched
// runs whose task no longer exists, re-enqueues single runs, and wakes the
// dispatcher for batch runs. It is safe to run concurrently and repeatedly.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	var err error
	if rep.Expired, err = s.expireLeases(ctx); err != nil {
		return rep, err
	}
	if rep.Lost, err = s.findLostTasks(ctx); err != nil {
		return rep, err
	}
	if rep.Requeued, err = s.requeueSingles(ctx); err != nil {
		return rep, err
	}
	if rep.Cancelled, err = s.cancelStragglers(ctx); err != nil {
		return rep, err
	}
	s.wake(ctx)
	if rep != (SweepReport{}) {
		s.log.InfoContext(ctx, "sweep repaired runs", "expired", rep.Expired, "lost", rep.Lost, "requeued", rep.Requeued,
			"cancelled", rep.Cancelled)
	}
	return rep, nil
}

// expireLeases moves PROCESSING runs with an expired lease back to PENDING,
// one conditional transaction each, so counters stay exact.
func (s *Service) expireLeases(ctx context.Context) (int, error) {
	now := s.opts.Now()
	rows, err := s.db.Run.Query().
		Where(inIndex(schema.RunsLeased), run.LeaseExpiresAtLT(now)).
		Limit(sweepBatchSize).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding expired leases: %w", err)
	}
	n := 0
	for _, r := range rows {
		err := s.withTx(ctx, func(tx *ent.Tx) error {
			if err := s.moveCounts(ctx, tx, r.BatchID, RunProcessing, RunPending, 1); err != nil {
				return err
			}
			k, err := tx.Run.Update().
				Where(run.ID(r.ID), run.StatusEQ(run.StatusPROCESSING), run.LeaseExpiresAtLT(now)).
				SetStatus(run.StatusPENDING).SetDispatched(false).ClearLeaseExpiresAt().ClearStartedAt().Save(ctx)
			if err == nil && k == 0 {
				return ErrStaleLease // finished meanwhile; roll the counters back
			}
			return err
		})
		if err == ErrStaleLease {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("expiring lease of run %s: %w", r.ID, err)
		}
		n++
		s.publishBatch(ctx, r.BatchID)
	}
	return n, nil
}

// inIndex selects the runs a partial run index holds, with its predicate
// written as the index has it, so that SQLite uses the index too.
func inIndex(where string) predicate.Run {
	return predicate.Run(func(s *entsql.Selector) { s.Where(entsql.ExprP(where)) })
}

// findLostTasks un-marks PENDING runs that are marked dispatched but whose
// task Redis no longer has, so they are dispatched again.
func (s *Service) findLostTasks(ctx context.Context) (int, error) {
	if s.queue == nil {
		return 0, nil
	}
	rows, err := s.db.Run.Query().
		Where(inIndex(schema.RunsDispatched), run.DispatchedAtLT(s.opts.Now().Add(-dispatchGrace))).
		Limit(sweepBatchSize).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding dispatched runs: %w", err)
	}
	n := 0
	for _, r := range rows {
		ok, err := s.queue.RunTaskExists(ctx, r.ID, r.BatchID == nil)
		if err != nil {
			return n, fmt.Errorf("checking task of run %s: %w", r.ID, err)
		}
		if ok {
			continue
		}
		k, err := s.db.Run.Update().Where(run.ID(r.ID), run.StatusEQ(run.StatusPENDING), run.Dispatched(true)).
			SetDispatched(false).Save(ctx)
		if err != nil {
			return n, fmt.Errorf("un-marking run %s: %w", r.ID, err)
		}
		n += k
	}
	return n, nil
}

// requeueSingles enqueues single runs that are PENDING without a task.
func (s *Service) requeueSingles(ctx context.Context) (int, error) {
	if s.queue == nil {
		return 0, nil
	}
	ids, err := s.db.Run.Query().
		Where(inIndex(schema.RunsUndispatched), run.BatchIDIsNil()).
		Limit(sweepBatchSize).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding undispatched single runs: %w", err)
	}
	for i, id := range ids {
		if err := s.enqueueSingle(ctx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// enqueueSingle marks a single run dispatched and enqueues it on the
// critical queue.
func (s *Service) enqueueSingle(ctx context.Context, runID string) error {
	err := s.db.Run.Update().Where(run.ID(runID), run.StatusEQ(run.StatusPENDING)).
		SetDispatched(true).SetDispatchedAt(s.opts.Now()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("marking run %s dispatched: %w", runID, err)
	}
	return s.queue.EnqueueRun(ctx, RunTask{RunID: runID}, true)
}

// cancelStragglers cancels the PENDING runs of cancelled batches. Cancelling
// a batch cancels its PENDING runs, but a run that was PROCESSING then and
// lost its worker comes back as PENDING (released on shutdown, or its lease
// expired); nothing dispatches a cancelled batch, so without this the run
// would stay PENDING and the batch would never complete.
func (s *Service) cancelStragglers(ctx context.Context) (int, error) {
	ids, err := s.db.Batch.Query().
		Where(entbatch.StatusEQ(entbatch.StatusCANCELLED), entbatch.PendingGT(0)).
		Limit(sweepBatchSize).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding cancelled batches with pending runs: %w", err)
	}
	total := 0
	for _, id := range ids {
		now, n := s.opts.Now(), 0
		err := s.withTx(ctx, func(tx *ent.Tx) error {
			// Lock the batch row first, and only while it is still
			// cancelled: a retry may have reopened it meanwhile.
			k, err := tx.Batch.Update().Where(entbatch.ID(id), entbatch.StatusEQ(entbatch.StatusCANCELLED)).
				AddVersion(1).SetUpdatedAt(now).Save(ctx)
			if err != nil || k == 0 {
				return err
			}
			if n, err = tx.Run.Update().Where(run.BatchID(id), run.StatusEQ(run.StatusPENDING)).
				SetStatus(run.StatusCANCELLED).SetFinishedAt(now).SetDispatched(false).Save(ctx); err != nil {
				return err
			}
			b, err := tx.Batch.UpdateOneID(id).AddPending(-n).AddCancelled(n).Save(ctx)
			if err == nil && b.Pending == 0 && b.Processing == 0 {
				_, err = s.complete(ctx, tx, b)
			}
			return err
		})
		if err != nil {
			return total, fmt.Errorf("cancelling pending runs of cancelled batch %s: %w", id, err)
		}
		if n > 0 {
			total += n
			s.publishBatch(ctx, &id)
		}
	}
	return total, nil
}
