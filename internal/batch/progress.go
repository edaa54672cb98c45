package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
)

// Progress is a point-in-time view of a batch, pushed to subscribers.
type Progress struct {
	BatchID   string    `json:"batch_id"`
	Status    Status    `json:"status"`
	Counts    Counts    `json:"counts"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version orders snapshots: a subscriber drops one not newer than the
	// last it sent.
	Version int64 `json:"version"`
}

// final reports whether no further change will come: a terminal status
// with no run left open (a cancelled batch still counts the runs that were
// processing when it was cancelled).
func (p Progress) final() bool {
	return p.Status.Terminal() && p.Counts.Pending == 0 && p.Counts.Processing == 0
}

// PercentComplete is the share of runs in a terminal state, 0–100.
func (p Progress) PercentComplete() float64 { return p.Counts.PercentComplete() }

// ProgressOf returns a batch's progress snapshot.
func ProgressOf(b *ent.Batch) Progress {
	return Progress{BatchID: b.ID, Status: Status(b.Status), Counts: CountsOf(b), UpdatedAt: b.UpdatedAt, Version: b.Version}
}

// progressInterval is the mean least time between two progress events
// sent to one watcher; states arriving meanwhile are coalesced into the
// latest. After each send a watcher holds for a random 75–125% of it (see
// nextSend): the watchers of a batch all get the first hint at once, and
// with a fixed interval they stayed in step, every wave of sends to all of
// them contending for the CPU with the next wave and with the workers
// whose outcomes make the hints; scattered, they fall out of step within
// a few intervals.
const progressInterval = 100 * time.Millisecond

// nextSend is the earliest a watcher that sent at sentAt sends again,
// unless the batch ends.
func nextSend(sentAt time.Time) time.Time {
	return sentAt.Add(progressInterval*3/4 + rand.N(progressInterval/2))
}

func batchTopic(id string) string { return "batch:" + id }
func runTopic(id string) string   { return "run:" + id }

// publishBatch sends the batch's committed state as a hint to subscribers,
// reading it first; see publish for a caller that holds the row.
func (s *Service) publishBatch(ctx context.Context, batchID *string) {
	if s.pub == nil || batchID == nil {
		return
	}
	b, err := s.db.Batch.Get(ctx, *batchID)
	if err != nil {
		s.log.WarnContext(ctx, "reading batch for progress", "batch_id", *batchID, "err", err)
		return
	}
	s.publish(ctx, b)
}

// publish sends a batch row, as its transaction committed it, as a hint to
// subscribers.
func (s *Service) publish(ctx context.Context, b *ent.Batch) {
	if s.pub == nil {
		return
	}
	msg, _ := json.Marshal(ProgressOf(b))
	if err := s.pub.Publish(ctx, batchTopic(b.ID), msg); err != nil {
		s.log.WarnContext(ctx, "publishing progress", "batch_id", b.ID, "err", err)
	}
}

// publishRun tells waiters that a run has changed state.
func (s *Service) publishRun(ctx context.Context, runID string) {
	if s.pub == nil {
		return
	}
	if err := s.pub.Publish(ctx, runTopic(runID), []byte(runID)); err != nil {
		s.log.WarnContext(ctx, "publishing run change", "run_id", runID, "err", err)
	}
}

// WatchBatch streams a batch's progress: first its current state, then
// every newer state (paced per subscriber, coalesced: a slow reader gets
// the latest, not every step), and it closes the channel after a terminal
// state with no run left open, or when ctx ends. The subscribers of a
// batch in this process share one subscription to its hints, made before
// the state they start from was read, and one periodic database read in
// case hints are lost (see watchSet).
func (s *Service) WatchBatch(ctx context.Context, org, batchID string) (<-chan *Progress, error) {
	b, err := s.GetBatch(ctx, org, batchID)
	if err != nil {
		return nil, err
	}
	if s.sub == nil {
		return nil, fmt.Errorf("watching batch %s: no progress subscriber configured", batchID)
	}
	w, err := s.watches.join(ctx, batchID)
	if err != nil {
		return nil, fmt.Errorf("watching batch %s: %w", batchID, err)
	}
	return w.add(ctx, ProgressOf(b)), nil
}

// subscribeBatch subscribes to a batch's progress hints.
func (s *Service) subscribeBatch(ctx context.Context, batchID string) (Subscription, error) {
	return s.sub.Subscribe(ctx, batchTopic(batchID))
}

// readProgress reads a batch's state for a watch, whose watchers were
// each authorised when they joined.
func (s *Service) readProgress(ctx context.Context, batchID string) (Progress, error) {
	b, err := s.db.Batch.Get(ctx, batchID)
	if err != nil {
		return Progress{}, err
	}
	return ProgressOf(b), nil
}
