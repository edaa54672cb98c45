package batch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// watchSet holds the batchWatch of every batch someone in this process
// follows. The subscribers of a batch share its watch: one hub
// subscription, one goroutine and one periodic snapshot read, however many
// there are. Each subscriber keeps its own pacing (see nextSend).
type watchSet struct {
	// subscribe subscribes to a batch's progress hints; read reads its
	// committed state, unscoped (every watcher was authorised on joining).
	subscribe func(ctx context.Context, batchID string) (Subscription, error)
	read      func(ctx context.Context, batchID string) (Progress, error)
	// interval is how long a watch goes without a hint before it reads
	// the database itself: hints may be lost.
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	byBatch map[string]*batchWatch
}

// batchWatch follows one batch for every watcher of it in the process. Its
// goroutine lives from the first join until no watcher is left or joining.
type batchWatch struct {
	set    *watchSet
	id     string
	ready  chan struct{}           // closed once subscribed and read, or failed
	err    error                   // why subscribing failed; set before ready closes
	cancel context.CancelCauseFunc // ends the goroutine's context

	wake chan struct{} // capacity 1: a watcher came or went

	mu      sync.Mutex
	joining int       // callers of join not yet added; incremented under set.mu
	started bool      // ready closed without error
	latest  *Progress // the newest state known; nil until read
	// readFailed says the last snapshot read failed.
	readFailed bool
	watchers   map[*watcher]struct{}
}

// errAbandoned ends a watch whose joiners all gave up before it had
// subscribed; a joiner that came meanwhile starts another.
var errAbandoned = errors.New("progress watch abandoned")

// watcher is one subscriber of a batchWatch.
type watcher struct {
	out  chan *Progress // capacity 1; closed after the final state or when the subscriber leaves
	last int64          // the version last handed to out
	next time.Time      // when it may get a newer state again, unless the batch ends
	due  bool           // a newer state waits for next
	stop func() bool    // detaches the subscriber's context
}

// join returns the watch of batchID once it is subscribed, starting one
// if none runs. The caller must call add exactly once after a nil error.
func (ws *watchSet) join(ctx context.Context, batchID string) (*batchWatch, error) {
	for {
		w := ws.enter(batchID)
		select {
		case <-w.ready:
			if w.err == nil {
				return w, nil
			}
			w.leaveJoining()
			if errors.Is(w.err, errAbandoned) && ctx.Err() == nil {
				continue
			}
			return nil, w.err
		case <-ctx.Done():
			w.leaveJoining()
			return nil, ctx.Err()
		}
	}
}

// enter counts a joiner in on batchID's watch, starting the watch first
// if none runs.
func (ws *watchSet) enter(batchID string) *batchWatch {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w := ws.byBatch[batchID]
	if w == nil {
		ctx, cancel := context.WithCancelCause(context.Background())
		w = &batchWatch{set: ws, id: batchID, ready: make(chan struct{}), cancel: cancel,
			wake: make(chan struct{}, 1), watchers: map[*watcher]struct{}{}}
		if ws.byBatch == nil {
			ws.byBatch = map[string]*batchWatch{}
		}
		ws.byBatch[batchID] = w
		go w.run(ctx)
	}
	w.mu.Lock()
	w.joining++
	w.mu.Unlock()
	return w
}

// leaveJoining withdraws a join that will not add a watcher. The last
// joiner to leave a watch still subscribing abandons it, so a subscription
// that hangs (Redis unreachable) does not outlive everyone who wanted it.
func (w *batchWatch) leaveJoining() {
	w.mu.Lock()
	w.joining--
	abandon := w.joining == 0 && !w.started
	w.mu.Unlock()
	if abandon {
		w.cancel(errAbandoned)
	}
	w.poke()
}

// poke wakes the watch's goroutine without blocking.
func (w *batchWatch) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// add registers a subscriber whose context is ctx and returns its stream.
// snapshot is the state the caller read while authorising it; the stream
// begins with it or with the watch's newer state, and ends after a final
// state or with ctx.
func (w *batchWatch) add(ctx context.Context, snapshot Progress) <-chan *Progress {
	x := &watcher{out: make(chan *Progress, 1), last: -1}
	w.mu.Lock()
	defer w.poke()
	defer w.mu.Unlock()
	w.joining--
	w.offerLocked(snapshot) // a newer state than the watch knew goes to everyone
	w.handOver(x, w.latest, time.Now(), 0)
	if w.latest.final() {
		return x.out // handOver closed it
	}
	w.watchers[x] = struct{}{}
	x.stop = context.AfterFunc(ctx, func() { w.leave(x) })
	return x.out
}

// leave removes a subscriber whose context ended.
func (w *batchWatch) leave(x *watcher) {
	w.mu.Lock()
	if _, ok := w.watchers[x]; ok {
		w.drop(x)
	}
	w.mu.Unlock()
	w.poke()
}

// drop removes x and ends its stream; w.mu is held.
func (w *batchWatch) drop(x *watcher) {
	delete(w.watchers, x)
	if x.stop != nil {
		x.stop()
	}
	close(x.out)
}

// run subscribes, reads the batch, then hands every newer state to the
// watchers until none is left.
func (w *batchWatch) run(ctx context.Context) {
	defer w.cancel(nil)
	sub, ok := w.start(ctx)
	if !ok {
		return
	}
	defer sub.Close()
	w.loop(ctx, sub)
}

// start subscribes and then reads the batch (so a change committed after
// the read comes as a hint), and opens the watch to its joiners. It
// reports false when the watch failed instead.
func (w *batchWatch) start(ctx context.Context) (Subscription, bool) {
	sub, err := w.set.subscribe(ctx, w.id)
	if err == nil {
		p, rerr := w.set.read(ctx, w.id)
		w.snapshot(ctx, p, rerr)
	}
	w.mu.Lock()
	if err == nil && ctx.Err() == nil {
		w.started = true
	}
	started := w.started
	w.mu.Unlock()
	if !started {
		if err == nil {
			sub.Close()
		}
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		w.fail(err)
		return nil, false
	}
	close(w.ready)
	return sub, true
}

// readResult is what a snapshot read returned.
type readResult struct {
	p   Progress
	err error
}

// loop takes the hints of sub and releases held states until no watcher
// is left. It reads the batch when no hint came for the set's interval
// (sooner after a failed read), in a goroutine of its own, so a slow read
// holds up no hint.
func (w *batchWatch) loop(ctx context.Context, sub Subscription) {
	reads := make(chan readResult, 1)
	reading := false
	defer func() {
		w.cancel(nil)
		if reading {
			<-reads
		}
	}()
	snap := time.NewTimer(w.snapshotDelay())
	defer snap.Stop()
	pacer := time.NewTimer(time.Hour)
	defer pacer.Stop()
	for !w.retire() {
		if at, ok := w.nextDue(); ok {
			pacer.Reset(time.Until(at))
		}
		select {
		case <-sub.Ready():
			if w.takeHint(sub) {
				snap.Reset(w.set.interval)
			}
		case <-snap.C:
			if !reading {
				reading = true
				go func() { p, err := w.set.read(ctx, w.id); reads <- readResult{p, err} }()
			}
		case r := <-reads:
			reading = false
			w.snapshot(ctx, r.p, r.err)
			snap.Reset(w.snapshotDelay())
		case <-pacer.C:
			w.release(time.Now())
		case <-w.wake:
		}
	}
}

// takeHint offers the newest hint of sub, reporting whether there was one.
func (w *batchWatch) takeHint(sub Subscription) bool {
	msg, ok := sub.Take()
	if !ok {
		return false
	}
	var p Progress
	if json.Unmarshal(msg, &p) != nil {
		return false
	}
	w.offer(p)
	return true
}

// fail ends a watch that could not subscribe: its joiners get err.
func (w *batchWatch) fail(err error) {
	w.set.mu.Lock()
	if w.set.byBatch[w.id] == w {
		delete(w.set.byBatch, w.id)
	}
	w.set.mu.Unlock()
	w.err = err
	close(w.ready)
}

// retire reports whether the watch has ended: no watcher is left and
// nobody is joining. It then leaves the set, so the next join starts anew.
func (w *batchWatch) retire() bool {
	if w.busy() { // without the set's lock, which every join takes
		return false
	}
	w.set.mu.Lock()
	defer w.set.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busyLocked() {
		return false
	}
	delete(w.set.byBatch, w.id)
	return true
}

// busy reports whether a watcher is left or joining.
func (w *batchWatch) busy() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.busyLocked()
}

// busyLocked is busy with w.mu held.
func (w *batchWatch) busyLocked() bool { return len(w.watchers) > 0 || w.joining > 0 }

// snapshotRetry is how soon a watch reads again after a failed read.
const snapshotRetry = 250 * time.Millisecond

// snapshotDelay is how long the watch waits for a hint before it reads
// the batch: the set's interval, or snapshotRetry while it knows no state
// or its last read failed.
func (w *batchWatch) snapshotDelay() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.latest == nil || w.readFailed {
		return snapshotRetry
	}
	return w.set.interval
}

// snapshot offers the state a read returned, or logs why it failed: at
// warning level the first failure of a run of them.
func (w *batchWatch) snapshot(ctx context.Context, p Progress, err error) {
	if err == nil {
		w.mu.Lock()
		w.readFailed = false
		w.mu.Unlock()
		w.offer(p)
		return
	}
	if ctx.Err() != nil {
		return
	}
	w.mu.Lock()
	first := !w.readFailed
	w.readFailed = true
	w.mu.Unlock()
	level := slog.LevelDebug
	if first {
		level = slog.LevelWarn
	}
	w.set.log.Log(ctx, level, "reading progress snapshot", "batch_id", w.id, "err", err)
}

// offer hands p to the watchers if it is newer than every state before.
func (w *batchWatch) offer(p Progress) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.offerLocked(p)
}

// offerLocked is offer with w.mu held.
func (w *batchWatch) offerLocked(p Progress) {
	if w.latest != nil && p.Version <= w.latest.Version {
		return // hints of several workers may arrive out of order
	}
	w.latest = &p // shared, read-only, by every watcher that gets it
	now := time.Now()
	for x := range w.watchers {
		w.handOver(x, w.latest, now, 0)
	}
}

// paceSlack is how early release lets a pause end, so that one wakeup
// serves every watcher due within it rather than each its own.
const paceSlack = 5 * time.Millisecond

// release hands the latest state to the watchers whose pause is over, or
// ends within paceSlack.
func (w *batchWatch) release(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for x := range w.watchers {
		if x.due {
			w.handOver(x, w.latest, now, paceSlack)
		}
	}
}

// nextDue returns the earliest time a held-back state is due.
func (w *batchWatch) nextDue() (at time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for x := range w.watchers {
		if x.due && (!ok || x.next.Before(at)) {
			at, ok = x.next, true
		}
	}
	return at, ok
}

// handOver gives p to x if it is newer than what x got. A state x has not
// taken yet is replaced; otherwise x gets p if its pause is over by
// now+slack, at once if p is final, or else later (see release). After a
// final state x's stream ends.
func (w *batchWatch) handOver(x *watcher, p *Progress, now time.Time, slack time.Duration) {
	if p.Version <= x.last {
		return
	}
	switch {
	case x.replace(p):
	case p.final() || !x.next.After(now.Add(slack)):
		x.send(p)
		x.next = nextSend(now)
	default:
		x.due = true
		return
	}
	x.last, x.due = p.Version, false
	if p.final() {
		w.drop(x)
	}
}

// replace swaps a state waiting in x.out for p, reporting whether one
// was waiting: a subscriber that has not read its last state gets the
// newest instead, still as one message, so its pause is not restarted.
func (x *watcher) replace(p *Progress) bool {
	select {
	case <-x.out:
		x.send(p)
		return true
	default:
		return false
	}
}

// send puts p in x.out, which is empty: the watch is the only sender, and
// sends only after finding it empty, under its lock. It never blocks, so a
// broken rule panics rather than stall every subscriber of the batch.
func (x *watcher) send(p *Progress) {
	select {
	case x.out <- p:
	default:
		panic("batch: progress watcher's channel is full")
	}
}
