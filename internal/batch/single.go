package batch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// CreateRunInput is a request to process one document right away.
type CreateRunInput struct {
	ProcessorID      string
	ProcessorVersion *int
	UseLLM           bool
	Input            Input
}

// CreateRun admits a single run and queues it on the critical queue, ahead
// of all batch work.
func (s *Service) CreateRun(ctx context.Context, org string, in CreateRunInput) (*ent.Run, error) {
	if in.ProcessorID == "" {
		return nil, &Error{Code: CodeBadInput, Message: "processorId is required", Index: -1, Field: "processorId"}
	}
	if m := in.Input.validate(s.opts.MaxTextBytes); m != "" {
		return nil, &Error{Code: CodeBadInput, Message: "input " + m, Index: -1, Field: "input"}
	}
	inputs := []Input{in.Input}
	if err := s.checkFiles(ctx, org, inputs); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Index, e.Field = -1, "input"
		}
		return nil, err
	}
	in.Input = inputs[0]
	proc, ver, err := s.resolveVersion(ctx, org, in.ProcessorID, in.ProcessorVersion)
	if err != nil {
		return nil, err
	}
	if err := s.checkQuota(ctx, org, 1); err != nil {
		return nil, err
	}
	var r *ent.Run
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		c := s.runCreate(tx, org, proc, ver.Version, in.UseLLM, in.Input)
		if s.queue != nil {
			// Marked dispatched as it is written, saving a second commit on
			// the way to the queue: should the enqueue below fail, the
			// sweeper finds the task missing and queues it again.
			c.SetDispatched(true).SetDispatchedAt(s.opts.Now())
		}
		r, err = c.Save(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creating run: %w", err)
	}
	if s.queue != nil {
		if err := s.queue.EnqueueRun(ctx, RunTask{RunID: r.ID}, true); err != nil {
			// Committed: the sweeper will enqueue it.
			s.log.WarnContext(ctx, "enqueueing single run", "run_id", r.ID, "err", err)
		}
	}
	s.log.InfoContext(ctx, "run created", "run_id", r.ID, "organization_id", org)
	return s.GetRun(ctx, org, r.ID)
}

// ProcessDocument creates a single run and waits up to timeout for it to
// finish. On timeout it returns the run as it stands (PENDING or
// PROCESSING), so the client can poll it.
func (s *Service) ProcessDocument(ctx context.Context, org string, in CreateRunInput, timeout time.Duration) (*ent.Run, error) {
	// Someone is waiting: batch runs in this process yield meanwhile.
	s.prio.enter()
	defer s.prio.leave()
	r, err := s.CreateRun(ctx, org, in)
	if err != nil {
		return nil, err
	}
	return s.WaitRun(ctx, org, r.ID, timeout)
}

// WaitRun waits until the run is terminal or timeout passes, then returns it.
// Single runs publish a hint when they finish; a batch run is polled.
func (s *Service) WaitRun(ctx context.Context, org, runID string, timeout time.Duration) (*ent.Run, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var ready <-chan struct{}
	if s.sub != nil {
		if sub, err := s.sub.Subscribe(ctx, runTopic(runID)); err == nil {
			defer sub.Close()
			ready = sub.Ready()
		}
	}
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		r, err := s.db.Run.Query().Where(run.ID(runID), run.OrganizationID(org)).Only(context.WithoutCancel(ctx))
		if ent.IsNotFound(err) {
			return nil, notFound("run", runID)
		}
		if err != nil {
			return nil, fmt.Errorf("loading run %s: %w", runID, err)
		}
		if RunStatus(r.Status).Terminal() {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, nil
		case <-ready:
		case <-poll.C:
		}
	}
}
