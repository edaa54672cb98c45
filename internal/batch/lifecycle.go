package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/file"
	"github.com/sheaf-dev/sheaf/ent/processorversion"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// ProcessRun is the work of one run task: claim the run, process it with
// the engine (retrying transient errors), record the outcome, then publish
// progress and wake the dispatcher. It returns ErrNotClaimable for a
// duplicate delivery and ErrStaleLease when the run changed hands
// meanwhile (its lease was lost, its batch cancelled); both mean
// "acknowledge the task". Other errors are infrastructure failures worth a
// task retry.
//
// A run whose input is raw text is not claimed first: the engine handles
// it in milliseconds, so it goes from PENDING to its outcome in the one
// transaction that records it, and a duplicate delivery, which would do
// the same, finds it no longer PENDING and is discarded. Runs that fetch a
// document are claimed (PROCESSING, with a lease) before the fetch.
func (s *Service) ProcessRun(ctx context.Context, runID string) error {
	return s.processRun(ctx, RunTask{RunID: runID}, true, false)
}

// ProcessRunAsync is ProcessRun for a worker, given the run's task: it
// returns once the outcome is queued for the next group transaction instead
// of committed, so the handler can take its next task meanwhile. An outcome
// not yet committed is lost with the process like an unfinished run: a
// claimed run returns when its lease expires, an unclaimed one when the
// sweeper finds its task gone. Flush waits for the queued outcomes. single
// says the task came from the critical queue: the run is then read apart
// from batch runs, and batch runs yield to it from the start. A task that
// carries its run inline is processed without reading the run.
func (s *Service) ProcessRunAsync(ctx context.Context, task RunTask, single bool) error {
	return s.processRun(ctx, task, false, single)
}

// Flush waits until every outcome queued by ProcessRunAsync is recorded:
// each holds a place in the backlog until then, so Flush takes every place
// (outcomes queued meanwhile wait), then gives them back. Calls to Flush
// take turns.
func (s *Service) Flush() {
	s.flushing.Lock()
	defer s.flushing.Unlock()
	for range cap(s.backlog) {
		s.backlog <- struct{}{}
	}
	for range cap(s.backlog) {
		<-s.backlog
	}
	s.finishes.wait()
	s.singles.wait()
}

func (s *Service) processRun(ctx context.Context, task RunTask, wait, single bool) error {
	if single {
		s.prio.enter()
	} else {
		s.tookTask(ctx) // even for a run no longer PENDING: its task left the queue
	}
	r, err := s.runOf(ctx, task, single)
	if err == nil && single != (r.BatchID == nil) { // the hint was wrong
		if single {
			s.prio.leave()
		} else {
			s.prio.enter()
		}
		single = !single
	}
	if err != nil {
		if single {
			s.prio.leave()
		}
		return err
	}
	if !single {
		s.prio.yield(ctx)
	}
	req, err := s.execute(ctx, r)
	if err != nil {
		if single {
			s.prio.leave()
		}
		return err
	}
	return s.record(ctx, req, wait)
}

// runOf returns the PENDING run a task stands for: its inline copy, or
// the row.
func (s *Service) runOf(ctx context.Context, task RunTask, single bool) (*ent.Run, error) {
	if task.Inline != nil {
		return task.Inline.run(task.RunID), nil
	}
	return s.load(ctx, task.RunID, single)
}

// execute claims a loaded run unless its input is raw text, and processes
// it; the returned request carries its outcome.
func (s *Service) execute(ctx context.Context, r *ent.Run) (*finishReq, error) {
	inline := r.InputKind == run.InputKindText
	if !inline {
		if err := s.claim(ctx, r); err != nil {
			return nil, err
		}
	}
	started := s.opts.Now()
	job, err := s.job(ctx, r)
	var re *RunError
	if err != nil && !errors.As(err, &re) {
		// Infrastructure trouble: a claimed run keeps its lease and the
		// sweeper re-queues it when the lease runs out; an unclaimed one
		// is still PENDING for the task's retry.
		return nil, fmt.Errorf("preparing run %s: %w", r.ID, err)
	}
	var res Result
	if err == nil {
		res, err = s.processWithRetries(ctx, r, job, !inline)
	}
	if ctx.Err() != nil {
		if !inline {
			// Shutting down: hand the run back so the re-delivered task can
			// claim it at once (should this fail, the lease expires instead).
			s.release(context.WithoutCancel(ctx), r)
		}
		return nil, fmt.Errorf("processing run %s: %w", r.ID, ctx.Err())
	}
	return &finishReq{ctx: context.WithoutCancel(ctx), run: r, claimed: !inline, started: started,
		out: outcomeOf(res, err)}, nil
}

// record records an outcome: at once when wait is set, else in the
// background, within the backlog.
func (s *Service) record(ctx context.Context, req *finishReq, wait bool) error {
	if !wait {
		select {
		case s.backlog <- struct{}{}:
			s.outcomes(req).submit(req)
			return nil
		case <-ctx.Done(): // shutting down with the backlog full: record it here
		}
	}
	return s.recordNow(req)
}

// recordNow records an outcome in the next group transaction.
func (s *Service) recordNow(req *finishReq) error {
	if req.run.BatchID == nil {
		defer s.prio.leave()
	}
	s.outcomes(req).do(req)
	return req.err
}

// outcomes is the grouper that records req: single runs have their own
// groups, which lock no batch row.
func (s *Service) outcomes(req *finishReq) *grouper[finishReq] {
	if req.run.BatchID == nil {
		return &s.singles
	}
	return &s.finishes
}

// recorded follows the group transaction of an outcome queued in the
// background.
func (s *Service) recorded(req *finishReq) {
	if req.run.BatchID == nil {
		s.prio.leave()
	}
	<-s.backlog
	if req.err != nil && !errors.Is(req.err, ErrStaleLease) {
		s.log.WarnContext(req.ctx, "recording run outcome", "run_id", req.run.ID, "err", req.err)
	}
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

// job loads what the engine needs: the pinned processor configuration and
// the input's location.
func (s *Service) job(ctx context.Context, r *ent.Run) (Job, error) {
	config, err := s.processorConfig(ctx, r.ProcessorID, r.ProcessorVersion)
	if err != nil {
		return Job{}, err
	}
	j := Job{RunID: r.ID, OrganizationID: r.OrganizationID, ProcessorID: r.ProcessorID,
		ProcessorType: r.ProcessorType, ProcessorConfig: config, UseLLM: r.UseLlm,
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

// versionKey names one processor version in Service.versions.
type versionKey struct {
	processorID string
	version     int
}

// processorConfig returns the configuration of a processor version,
// reading it once per process: versions never change.
func (s *Service) processorConfig(ctx context.Context, processorID string, version int) (json.RawMessage, error) {
	key := versionKey{processorID, version}
	if c, ok := s.versions.Load(key); ok {
		return c.(json.RawMessage), nil
	}
	v, err := s.db.ProcessorVersion.Query().
		Where(processorversion.ProcessorID(processorID), processorversion.Version(version)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading processor version: %w", err)
	}
	s.versions.Store(key, v.Config)
	return v.Config, nil
}

// processWithRetries runs the engine, retrying transient errors with
// exponential backoff; for a claimed run, a heartbeat extends the lease
// meanwhile.
func (s *Service) processWithRetries(ctx context.Context, r *ent.Run, job Job, claimed bool) (Result, error) {
	if claimed {
		hbCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.heartbeat(hbCtx, r.ID)
		}()
		defer func() { stop(); <-done }()
	}
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
