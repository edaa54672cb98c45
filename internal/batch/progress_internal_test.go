package batch

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// hints is a Subscription whose hints the test publishes by hand.
type hints struct {
	mu     sync.Mutex
	newest []byte
	ready  chan struct{}
}

func newHints() *hints { return &hints{ready: make(chan struct{}, 1)} }

func (h *hints) publish(t *testing.T, p Progress) {
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.newest = b
	h.mu.Unlock()
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

func (h *hints) Ready() <-chan struct{} { return h.ready }
func (h *hints) Close()                 {}
func (h *hints) Take() ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.newest
	h.newest = nil
	return b, b != nil
}

// TestPaceCoalescesButSendsTheEndAtOnce pins the progress pacing: until the
// time of the next send, hints are held and replaced by newer ones, and
// sent at that time; the final state goes out at once.
func TestPaceCoalescesButSendsTheEndAtOnce(t *testing.T) {
	running := func(v int64, done int) Progress {
		return Progress{Status: StatusProcessing, Version: v, Counts: Counts{Total: 3, Pending: 3 - done, Processed: done}}
	}
	synctest.Test(t, func(t *testing.T) {
		sub, ctx := newHints(), context.Background()
		sentAt := time.Now()
		var got Progress
		var at time.Duration
		done := make(chan struct{})
		go func() {
			got, _ = pace(ctx, sub, running(2, 1), sentAt.Add(progressInterval))
			at = time.Since(sentAt)
			close(done)
		}()
		time.Sleep(30 * time.Millisecond)
		sub.publish(t, running(3, 2))
		<-done
		if got.Version != 3 || at != progressInterval {
			t.Errorf("pace sent version %d after %v; want the newer version 3 after %v", got.Version, at, progressInterval)
		}

		sentAt = time.Now()
		done = make(chan struct{})
		go func() {
			got, _ = pace(ctx, sub, running(4, 2), sentAt.Add(progressInterval))
			at = time.Since(sentAt)
			close(done)
		}()
		time.Sleep(10 * time.Millisecond)
		final := Progress{Status: StatusProcessed, Version: 5, Counts: Counts{Total: 3, Processed: 3}}
		sub.publish(t, final)
		<-done
		if got.Version != 5 || at != 10*time.Millisecond {
			t.Errorf("pace sent version %d after %v; want the final state (5) at once, after 10ms", got.Version, at)
		}
	})
}

// TestNextSendScattersWatchers pins that watchers which sent at the same
// moment do not send again in step: each holds for 75–125% of
// progressInterval, and they do not all pick the same time.
func TestNextSendScattersWatchers(t *testing.T) {
	at := time.Now()
	seen := map[time.Time]bool{}
	for range 1000 {
		next := nextSend(at)
		if d := next.Sub(at); d < progressInterval*3/4 || d >= progressInterval*5/4 {
			t.Fatalf("nextSend holds %v after a send, want 75–125%% of %v", d, progressInterval)
		}
		seen[next] = true
	}
	if len(seen) < 500 {
		t.Errorf("1,000 watchers that sent together picked %d distinct times to send again", len(seen))
	}
}

// TestPaceKeepsTheNewerHint pins that a hint arriving out of order (from
// another worker) does not replace a newer one pace holds.
func TestPaceKeepsTheNewerHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sub, ctx := newHints(), context.Background()
		sentAt := time.Now()
		var got Progress
		done := make(chan struct{})
		go func() {
			got, _ = pace(ctx, sub, Progress{Status: StatusProcessing, Version: 7}, sentAt.Add(progressInterval))
			close(done)
		}()
		time.Sleep(10 * time.Millisecond)
		sub.publish(t, Progress{Status: StatusProcessing, Version: 6})
		<-done
		if got.Version != 7 {
			t.Errorf("pace sent version %d, want the newer 7 it held", got.Version)
		}
	})
}

// TestHintCacheDecodesEachMessage checks the cache that lets every watcher
// of a batch share one decoding of each hint: each message comes back as
// itself, however many messages came in between (more than the cache
// holds), the cache remembers the latest messages and no more, and a
// message that is not a Progress is refused.
func TestHintCacheDecodesEachMessage(t *testing.T) {
	var c hintCache
	msgs := make([][]byte, 2*hintCacheSize)
	for i := range msgs {
		b, err := json.Marshal(Progress{BatchID: "bat_1", Status: StatusProcessing, Version: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		msgs[i] = b
	}
	for round := range 2 {
		for i, m := range msgs {
			p, ok := c.decode(m)
			if !ok || p.Version != int64(i) || p.BatchID != "bat_1" {
				t.Fatalf("round %d: message %d decoded as %+v, %v", round, i, p, ok)
			}
			if _, kept := c.byMsg[hintKey{&m[0], len(m)}]; !kept {
				t.Fatalf("round %d: message %d is not remembered", round, i)
			}
		}
		if len(c.byMsg) != hintCacheSize {
			t.Fatalf("round %d: the cache holds %d messages, want %d", round, len(c.byMsg), hintCacheSize)
		}
	}
	if p, ok := c.decode([]byte(`not json`)); ok {
		t.Errorf("a message that is not JSON decoded as %+v", p)
	}
	if _, ok := c.decode(nil); ok {
		t.Error("an empty message decoded")
	}
}
