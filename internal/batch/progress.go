package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
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
// sent to one watcher; hints arriving meanwhile are coalesced into the
// latest. After each send a watcher holds for a random 75–125% of it (see
// nextSend): the watchers of a batch all send the first hint they get at
// once, and with a fixed interval they stayed in step, every wave of sends
// to all of them contending for the CPU with the next wave and with the
// workers whose outcomes make the hints; scattered, they fall out of step
// within a few intervals.
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

// WatchBatch streams a batch's progress: it subscribes first, then sends a
// snapshot from the database, then every newer state (coalesced: a slow
// reader gets the latest, not every step), and closes the channel after
// sending a terminal state with no run left open. Hints may be lost, so it also re-reads the
// database when none arrives for a while.
func (s *Service) WatchBatch(ctx context.Context, org, batchID string) (<-chan *Progress, error) {
	if _, err := s.GetBatch(ctx, org, batchID); err != nil {
		return nil, err
	}
	if s.sub == nil {
		return nil, fmt.Errorf("watching batch %s: no progress subscriber configured", batchID)
	}
	sub, err := s.sub.Subscribe(ctx, batchTopic(batchID))
	if err != nil {
		return nil, fmt.Errorf("subscribing to batch %s: %w", batchID, err)
	}
	out := make(chan *Progress, 1)
	go func() {
		defer close(out)
		defer sub.Close()
		s.watch(ctx, org, batchID, sub, out)
	}()
	return out, nil
}

func (s *Service) watch(ctx context.Context, org, batchID string, sub Subscription, out chan<- *Progress) {
	var last int64 = -1
	var next time.Time              // see nextSend
	send := func(p Progress) bool { // reports whether to go on
		if p.Version <= last {
			return true
		}
		select {
		case out <- &p:
		case <-ctx.Done():
			return false
		}
		last, next = p.Version, nextSend(time.Now())
		return !p.final()
	}
	snapshot := func() bool {
		b, err := s.GetBatch(ctx, org, batchID)
		if err != nil {
			s.log.WarnContext(ctx, "reading progress snapshot", "batch_id", batchID, "err", err)
			return ctx.Err() == nil
		}
		return send(ProgressOf(b))
	}
	if !snapshot() {
		return
	}
	ticker := time.NewTicker(s.opts.SnapshotInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if !snapshot() {
				return
			}
		case <-sub.Ready():
			p, ok := takeProgress(sub)
			if !ok {
				continue
			}
			if p, ok = pace(ctx, sub, p, next); !ok {
				return
			}
			ticker.Reset(s.opts.SnapshotInterval)
			if !send(p) {
				return
			}
		}
	}
}

// takeProgress takes the newest hint of sub.
func takeProgress(sub Subscription) (Progress, bool) {
	msg, ok := sub.Take()
	if !ok {
		return Progress{}, false
	}
	return decodedHints.decode(msg)
}

// decodedHints decodes the progress hints of every watcher in the process.
var decodedHints hintCache

// hintCache decodes each progress hint once. A subscriber hands every
// subscription of a topic the very same message (see Subscription), and
// each watcher takes the hints as they come while it paces, so without it
// every hint was decoded once per watcher of its batch. Decoding is pure,
// so the cache is shared by every Service; it remembers the last
// hintCacheSize messages by the address and length of their bytes (kept
// alive while remembered, so never reused meanwhile).
type hintCache struct {
	mu    sync.Mutex
	byMsg map[hintKey]Progress
	ring  [hintCacheSize]hintKey
	next  int
}

// hintKey identifies one message.
type hintKey struct {
	first *byte
	n     int
}

const hintCacheSize = 64

// decode returns msg decoded, and false when it is not a Progress.
func (c *hintCache) decode(msg []byte) (Progress, bool) {
	if len(msg) == 0 {
		return Progress{}, false
	}
	key := hintKey{&msg[0], len(msg)}
	c.mu.Lock()
	p, ok := c.byMsg[key]
	c.mu.Unlock()
	if ok {
		return p, true
	}
	if json.Unmarshal(msg, &p) != nil { // outside the lock: two may race, harmlessly
		return p, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byMsg[key]; ok {
		return p, true
	}
	if c.byMsg == nil {
		c.byMsg = make(map[hintKey]Progress, hintCacheSize)
	}
	delete(c.byMsg, c.ring[c.next])
	c.ring[c.next] = key
	c.next = (c.next + 1) % hintCacheSize
	c.byMsg[key] = p
	return p, true
}

// pace holds p until the time next (see nextSend), replacing it with any
// newer hint meanwhile, and returns what to send. A final state goes at
// once: it is what a client waits for, and nothing follows it. It returns
// false when ctx ends.
func pace(ctx context.Context, sub Subscription, p Progress, next time.Time) (Progress, bool) {
	if p.final() {
		return p, true
	}
	wait := time.Until(next)
	if wait <= 0 {
		return p, true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return p, false
		case <-t.C:
			return p, true
		case <-sub.Ready():
			if q, ok := takeProgress(sub); ok && q.Version > p.Version {
				p = q // hints of several workers may arrive out of order
			}
			if p.final() {
				return p, true
			}
		}
	}
}
