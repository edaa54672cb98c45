package batch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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
	closed bool
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

func (h *hints) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
}

func (h *hints) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

func (h *hints) Take() ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.newest
	h.newest = nil
	return b, b != nil
}

// TestNextSendScattersWatchers pins that watchers which sent at the same
// moment do not send again in step: each holds for 75–125% of
// progressInterval, and together they spread over that whole range.
func TestNextSendScattersWatchers(t *testing.T) {
	at := time.Now()
	const slots = 10
	var spread [slots]int
	for range 1000 {
		d := nextSend(at).Sub(at)
		if d < progressInterval*3/4 || d >= progressInterval*5/4 {
			t.Fatalf("nextSend holds %v after a send, want 75–125%% of %v", d, progressInterval)
		}
		spread[(d-progressInterval*3/4)*slots/(progressInterval/2)]++
	}
	for i, n := range spread {
		if n < 50 { // 100 expected; 50 is over five standard deviations off
			t.Errorf("1,000 watchers that sent together: %d of them in tenth %d of the pauses' range, want about 100: %v", n, i, spread)
		}
	}
}

// watchBundle is a watchSet over a hand-driven subscription and database.
type watchBundle struct {
	ws   *watchSet
	mu   sync.Mutex
	subs []*hints
	db   Progress // what a read returns
	read int      // how many reads
	// readErr fails the next reads while set; slowRead makes each read
	// wait that long first.
	readErr  error
	slowRead time.Duration
}

// newWatchBundle returns a watchSet whose database holds db; call it
// inside the synctest bubble. A read made before the watch subscribed
// fails the test: a change committed between the two would be missed.
func newWatchBundle(t *testing.T, db Progress) *watchBundle {
	b := &watchBundle{db: db}
	b.ws = &watchSet{
		subscribe: func(context.Context, string) (Subscription, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			h := newHints()
			b.subs = append(b.subs, h)
			return h, nil
		},
		read: func(ctx context.Context, _ string) (Progress, error) {
			b.mu.Lock()
			slow := b.slowRead
			if len(b.subs) == 0 || b.subs[len(b.subs)-1].isClosed() {
				t.Error("the watch read the batch before it subscribed")
			}
			b.mu.Unlock()
			select {
			case <-time.After(slow):
			case <-ctx.Done():
				return Progress{}, ctx.Err()
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			b.read++
			return b.db, b.readErr
		},
		interval: 2 * time.Second,
		log:      slog.New(slog.DiscardHandler),
	}
	return b
}

// set changes what the database holds.
func (b *watchBundle) set(p Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.db = p
}

// sub returns the i-th subscription the watches made.
func (b *watchBundle) sub(t *testing.T, i int) *hints {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if i >= len(b.subs) {
		t.Fatalf("the watches made %d subscriptions, want at least %d", len(b.subs), i+1)
	}
	return b.subs[i]
}

// watches counts the running watches.
func (b *watchBundle) watches() int {
	b.ws.mu.Lock()
	defer b.ws.mu.Unlock()
	return len(b.ws.byBatch)
}

// watch joins batch "bat_1" with the state the caller read.
func (b *watchBundle) watch(t *testing.T, ctx context.Context, snapshot Progress) <-chan *Progress {
	t.Helper()
	w, err := b.ws.join(ctx, "bat_1")
	if err != nil {
		t.Fatalf("joining: %v", err)
	}
	return w.add(ctx, snapshot)
}

// pausing joins as the first subscriber, with the batch at version v: the
// subscriber gets it at once, and its pause begins.
func (b *watchBundle) pausing(t *testing.T, ctx context.Context, v int64) (<-chan *Progress, *hints) {
	t.Helper()
	out := b.watch(t, ctx, running(v, 0))
	receiveVersion(t, out, v, "the first state is", "the one read")
	return out, b.sub(t, 0)
}

func running(v int64, done int) Progress {
	return Progress{BatchID: "bat_1", Status: StatusProcessing, Version: v, Counts: Counts{Total: 10, Pending: 10 - done, Processed: done}}
}

func finished(v int64) Progress {
	return Progress{BatchID: "bat_1", Status: StatusProcessed, Version: v, Counts: Counts{Total: 10, Processed: 10}}
}

// receive returns the next state of out, failing if there is none by now.
func receive(t *testing.T, out <-chan *Progress) *Progress {
	t.Helper()
	synctest.Wait()
	select {
	case p, ok := <-out:
		if !ok {
			t.Fatal("the stream ended")
		}
		return p
	default:
		t.Fatal("no state waiting")
		return nil
	}
}

// receiveVersion is receive, failing unless the state is version v;
// who and want describe the state for the failure.
func receiveVersion(t *testing.T, out <-chan *Progress, v int64, who, want string) {
	t.Helper()
	if p := receive(t, out); p.Version != v {
		t.Fatalf("%s version %d, want %s", who, p.Version, want)
	}
}

// idle fails if out has a state or has ended.
func idle(t *testing.T, out <-chan *Progress) {
	t.Helper()
	synctest.Wait()
	select {
	case p, ok := <-out:
		t.Fatalf("got %+v (open %v), want nothing yet", p, ok)
	default:
	}
}

// ended fails unless out has ended.
func ended(t *testing.T, out <-chan *Progress) {
	t.Helper()
	synctest.Wait()
	select {
	case p, ok := <-out:
		if ok {
			t.Fatalf("got %+v, want the end of the stream", p)
		}
	default:
		t.Fatal("the stream is still open")
	}
}

// TestWatchPacesEachWatcher pins the pacing of one subscriber: its current
// state at once; newer states held until 75–125 ms after the last one sent
// and coalesced meanwhile; the final state at once, then the end.
func TestWatchPacesEachWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		out, sub := b.pausing(t, context.Background(), 1)
		start := time.Now()
		time.Sleep(30 * time.Millisecond)
		sub.publish(t, running(2, 1))
		idle(t, out)
		time.Sleep(10 * time.Millisecond)
		sub.publish(t, running(3, 2))
		p := <-out
		if at := time.Since(start); p.Version != 3 || at < progressInterval*3/4-paceSlack || at > progressInterval*5/4 {
			t.Fatalf("got version %d after %v; want the newest (3) after 70–125ms", p.Version, at)
		}
		time.Sleep(time.Millisecond)
		sub.publish(t, finished(4))
		receiveVersion(t, out, 4, "got", "the final state (4) at once")
		ended(t, out)
	})
}

// TestWatchKeepsTheNewerState pins that a hint arriving out of order (from
// another worker) does not replace a newer state.
func TestWatchKeepsTheNewerState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(7, 3))
		ctx, cancel := context.WithCancel(context.Background())
		out := b.watch(t, ctx, running(7, 3))
		receive(t, out)
		b.sub(t, 0).publish(t, running(6, 2))
		time.Sleep(time.Second)
		idle(t, out)
		cancel()
		ended(t, out)
	})
}

// TestWatchSharesOneSubscription pins that the subscribers of a batch
// share one subscription and one read, that a subscriber which does not
// read holds up nobody and then gets the newest state, not every step,
// and that the subscription ends with the last subscriber.
func TestWatchSharesOneSubscription(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		ctx, cancel := context.WithCancel(context.Background())
		slowCtx, cancelSlow := context.WithCancel(context.Background())
		fast := []<-chan *Progress{b.watch(t, ctx, running(1, 0)), b.watch(t, ctx, running(1, 0))}
		slow := b.watch(t, slowCtx, running(1, 0))
		for _, out := range fast {
			receive(t, out)
		}
		sub := b.sub(t, 0)
		for v := int64(2); v <= 5; v++ {
			time.Sleep(progressInterval * 2)
			sub.publish(t, running(v, int(v)))
			for _, out := range fast {
				receiveVersion(t, out, v, "a reading subscriber got", "the one just published")
			}
		}
		receiveVersion(t, slow, 5, "the subscriber that did not read got", "the newest (5)")
		b.mu.Lock()
		subs, reads := len(b.subs), b.read
		b.mu.Unlock()
		if subs != 1 || reads != 1 {
			t.Fatalf("three subscribers made %d subscriptions and %d reads, want 1 and 1", subs, reads)
		}

		cancelSlow()
		ended(t, slow)
		if sub.isClosed() {
			t.Fatal("the subscription closed while two subscribers remain")
		}
		cancel()
		for _, out := range fast {
			ended(t, out)
		}
		synctest.Wait()
		if !sub.isClosed() || b.watches() != 0 {
			t.Fatalf("after the last subscriber left: subscription closed %v, %d watches remain", sub.isClosed(), b.watches())
		}
		again := b.watch(t, context.Background(), finished(9))
		receive(t, again)
		ended(t, again)
		if b.sub(t, 1) == sub {
			t.Fatal("a new subscriber reused the ended subscription")
		}
	})
}

// TestWatchStartsFromTheNewestState pins the first state of a subscriber:
// the newer of what it read and what the watch knows; a newer read goes
// to the other subscribers too.
func TestWatchStartsFromTheNewestState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(5, 4))
		ctx := t.Context()
		first := b.watch(t, ctx, running(3, 2)) // read before the watch subscribed
		receiveVersion(t, first, 5, "the first state is", "the watch's newer 5")
		time.Sleep(progressInterval * 2)
		second := b.watch(t, ctx, running(8, 7)) // a hint the watch missed
		receiveVersion(t, second, 8, "the first state is", "the subscriber's newer 8")
		receiveVersion(t, first, 8, "the other subscriber got", "8")
	})
}

// TestWatchReadsWhenHintsStop pins the fallback for lost hints: after each
// interval without one, the watch reads the database.
func TestWatchReadsWhenHintsStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		out := b.watch(t, context.Background(), running(1, 0))
		receive(t, out)
		for v := int64(2); v <= 3; v++ {
			b.set(running(v, int(v))) // committed, but its hint was lost
			time.Sleep(b.ws.interval - time.Millisecond)
			idle(t, out)
			time.Sleep(time.Millisecond)
			receiveVersion(t, out, v, "got", "the state read")
		}
		b.set(finished(4))
		time.Sleep(b.ws.interval)
		receiveVersion(t, out, 4, "got", "the final state read (4)")
		ended(t, out)
	})
}

// TestWatchSlowReadHoldsUpNoHint pins that a hint goes out while a
// fallback read is still waiting for the database.
func TestWatchSlowReadHoldsUpNoHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		out := b.watch(t, context.Background(), running(1, 0))
		receive(t, out)
		b.mu.Lock()
		b.slowRead = 5 * time.Second
		b.mu.Unlock()
		time.Sleep(b.ws.interval + time.Second) // the read is under way
		b.sub(t, 0).publish(t, finished(2))
		receiveVersion(t, out, 2, "got", "the final state (2) at once")
		ended(t, out)
	})
}

// TestWatchRereadsSoonAfterAFailedRead pins that a watch whose read failed
// does not wait a whole interval to try again.
func TestWatchRereadsSoonAfterAFailedRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(2, 1))
		b.readErr = errors.New("connection refused")
		ctx := t.Context()
		out := b.watch(t, ctx, running(1, 0)) // read before the watch subscribed
		receiveVersion(t, out, 1, "the first state is", "the caller's (1)")
		b.mu.Lock()
		b.readErr = nil
		b.mu.Unlock()
		time.Sleep(snapshotRetry)
		receiveVersion(t, out, 2, "got", "the state read again (2)")
	})
}

// TestWatchReleasesEachAtItsOwnTime pins that a subscriber whose pause
// ends first gets the state held for it then, not when another's ends.
func TestWatchReleasesEachAtItsOwnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		ctx := t.Context()
		early, sub := b.pausing(t, ctx, 1)
		start := time.Now()
		time.Sleep(60 * time.Millisecond)
		late := b.watch(t, ctx, running(1, 0)) // its pause begins 60ms later
		receive(t, late)
		sub.publish(t, running(2, 1)) // held for both
		p := <-early
		if at := time.Since(start); p.Version != 2 || at > progressInterval*5/4 {
			t.Fatalf("the subscriber whose pause ends first got version %d after %v; want 2 within 125ms", p.Version, at)
		}
		if p := <-late; p.Version != 2 || time.Since(start) < 60*time.Millisecond+progressInterval*3/4-paceSlack {
			t.Fatalf("the other subscriber got version %d after %v, want 2 when its own pause ended", p.Version, time.Since(start))
		}
	})
}

// TestWatchHoldsTheNewestOfOutOfOrderHints pins that a hint older than the
// state held for a subscriber does not replace it.
func TestWatchHoldsTheNewestOfOutOfOrderHints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(4, 0))
		ctx := t.Context()
		out, sub := b.pausing(t, ctx, 4)
		sub.publish(t, running(7, 3))
		synctest.Wait()
		sub.publish(t, running(6, 2)) // from a slower worker
		if p := <-out; p.Version != 7 {
			t.Fatalf("got version %d when the pause ended, want the newest held state (7)", p.Version)
		}
	})
}

// TestWatchEndsWhenJoinersGiveUp pins that a watch whose subscription
// hangs ends once every joiner has given up, and that the next join
// starts a new one.
func TestWatchEndsWhenJoinersGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		works := b.ws.subscribe
		hung := make(chan struct{})
		b.ws.subscribe = func(ctx context.Context, _ string) (Subscription, error) {
			<-ctx.Done() // Redis does not answer
			close(hung)
			return nil, ctx.Err()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := b.ws.join(ctx, "bat_1"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("join: %v, want the caller's deadline", err)
		}
		<-hung
		synctest.Wait()
		if n := b.watches(); n != 0 {
			t.Fatalf("%d watches remain after their joiners gave up", n)
		}
		b.ws.subscribe = works
		out := b.watch(t, context.Background(), finished(2))
		receive(t, out)
		ended(t, out)
	})
}

// TestWatchJoinFails pins that a failed subscription reaches the caller
// and leaves no watch behind.
func TestWatchJoinFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newWatchBundle(t, running(1, 0))
		refused := errors.New("refused")
		b.ws.subscribe = func(context.Context, string) (Subscription, error) { return nil, refused }
		if _, err := b.ws.join(context.Background(), "bat_1"); !errors.Is(err, refused) {
			t.Fatalf("join: %v, want %v", err, refused)
		}
		if n := b.watches(); n != 0 {
			t.Fatalf("%d watches remain", n)
		}
	})
}
