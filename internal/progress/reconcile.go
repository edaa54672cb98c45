package progress

import "fmt"

// reconcileLoop makes the PubSub's channels follow the local reference
// counts. It is the only goroutine that sends SUBSCRIBE and UNSUBSCRIBE, so
// the commands for one channel reach Redis in the order the counts changed.
func (h *Hub) reconcileLoop() {
	defer h.wg.Done()
	failures := 0
	for {
		if failures == 0 {
			select {
			case <-h.wake:
			case <-h.done:
				return
			}
		} else if !h.pause(backoff(failures)) {
			return
		}
		if err := h.reconcile(); err != nil {
			if h.ctx.Err() != nil {
				return
			}
			failures++
			h.log.Warn("progress subscription update failed, retrying", "err", err, "failures", failures)
			continue
		}
		failures = 0
	}
}

// plan is one round of commands: channels to unsubscribe, then topics to
// subscribe.
type plan struct {
	unsub []string
	sub   []*topic
}

// reconcile sends the commands the dirty topics need and pings so that
// Redis confirms new subscriptions. On error it requeues what was not sent.
func (h *Hub) reconcile() error {
	p := h.plan()
	if len(p.unsub) > 0 {
		if err := h.ps.Unsubscribe(h.ctx, p.unsub...); err != nil {
			h.requeue(p.unsub, p.sub)
			return fmt.Errorf("unsubscribing %d channels: %w", len(p.unsub), err)
		}
		h.log.Debug("unsubscribed", "channels", len(p.unsub))
	}
	if len(p.sub) > 0 {
		channels := make([]string, len(p.sub))
		for i, t := range p.sub {
			channels[i] = t.channel
		}
		if err := h.ps.Subscribe(h.ctx, channels...); err != nil {
			h.requeue(nil, p.sub)
			return fmt.Errorf("subscribing %d channels: %w", len(p.sub), err)
		}
		h.log.Debug("subscribed", "channels", len(p.sub))
		h.await(p.sub)
	}
	if !h.hasWaiting() {
		return nil
	}
	if err := h.ping(); err != nil {
		return fmt.Errorf("pinging to confirm subscriptions: %w", err)
	}
	return nil
}

// plan takes the dirty topics and decides the commands for them.
func (h *Hub) plan() plan {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := plan{unsub: h.unsubRetry}
	h.unsubRetry = nil
	for t := range h.dirty {
		delete(h.dirty, t)
		switch {
		case len(t.subs) == 0:
			if h.topics[t.channel] == t {
				delete(h.topics, t.channel)
			}
			t.dropped = true
			if t.active {
				t.active = false
				p.unsub = append(p.unsub, t.channel)
			}
		case !t.active || t.retry:
			t.active, t.retry = true, false
			p.sub = append(p.sub, t)
		}
	}
	return p
}

// requeue puts back the commands of a failed round. A topic whose
// SUBSCRIBE failed stays active: go-redis records the channel even then,
// so it must be either resubscribed or unsubscribed.
func (h *Hub) requeue(unsub []string, sub []*topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unsubRetry = append(unsub, h.unsubRetry...)
	for _, t := range sub {
		t.retry = true
		h.dirty[t] = struct{}{}
	}
}

// await makes the subscribed topics wait for the PONG of a PING sent after
// their SUBSCRIBE.
func (h *Hub) await(sub []*topic) {
	barrier := h.seq.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range sub {
		if t.confirmed || t.dropped {
			continue
		}
		t.barrier = barrier
		h.waiting = append(h.waiting, t)
	}
}

// hasWaiting reports whether some subscribed topic awaits its PONG.
func (h *Hub) hasWaiting() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.waiting) > 0
}
