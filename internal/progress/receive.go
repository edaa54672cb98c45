package progress

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// healthInterval is how long the receive loop waits for traffic before it
// pings Redis to check the connection.
const healthInterval = 3 * time.Second

// pingPrefix starts the payload of every PING the Hub sends; the rest is
// the token that the PONG carries back.
const pingPrefix = "sheaf:progress:ping:"

// receiveLoop is the only reader of the PubSub. It fans messages out,
// confirms subscriptions on PONGs, pings when idle and, after a failed read
// (go-redis has then already dropped the connection), backs off and pings,
// which reconnects, resubscribes and re-arms pending confirmations.
func (h *Hub) receiveLoop() {
	defer h.wg.Done()
	failures := 0
	for {
		msg, err := h.ps.ReceiveTimeout(h.ctx, h.health)
		if h.ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			if failures > 0 {
				h.log.Info("receiving progress again", "failures", failures)
				failures = 0
			}
			h.handle(msg)
		case isTimeout(err):
			_ = h.ping() // logged; the next idle tick tries again
		default:
			failures++
			h.receiveFailed(err, failures)
			if !h.pause(backoff(failures)) {
				return
			}
			_ = h.ping() // logged; a failure shows up as the next read error
		}
	}
}

// receiveFailed records a failed read: at warning level for the first of a
// run of failures, at debug level after that.
func (h *Hub) receiveFailed(err error, failures int) {
	h.stats.receiveErrors.Add(1)
	if failures == 1 {
		h.log.Warn("progress connection lost, reconnecting", "err", err)
		return
	}
	h.log.Debug("progress reconnect failed", "err", err, "failures", failures)
}

// handle dispatches one item read from the PubSub.
func (h *Hub) handle(msg any) {
	switch m := msg.(type) {
	case *redis.Message:
		h.dispatch(m.Channel, []byte(m.Payload))
	case *redis.Pong:
		if token, ok := parseToken(m.Payload); ok {
			h.confirm(token)
		}
	case *redis.Subscription:
		h.log.Debug("redis subscription changed", "kind", m.Kind, "channel", m.Channel, "count", m.Count)
	}
}

// dispatch stores payload into every subscription of channel. It never
// blocks on a subscriber.
func (h *Hub) dispatch(channel string, payload []byte) {
	h.stats.received.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[channel]; t != nil {
		for _, s := range t.subs {
			s.deliver(payload, &h.stats)
		}
	}
}

// confirm marks as confirmed every waiting topic whose SUBSCRIBE was sent
// before the PING that carried token. Redis answers commands on a
// connection in order, and go-redis resubscribes a new connection before it
// sends anything else on it, so the PONG proves the subscription is live.
func (h *Hub) confirm(token uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	keep := h.waiting[:0]
	for _, t := range h.waiting {
		switch {
		case t.dropped || t.confirmed:
		case t.barrier <= token:
			t.confirmed = true
			close(t.ready)
		default:
			keep = append(keep, t)
		}
	}
	clear(h.waiting[len(keep):])
	h.waiting = keep
}

// ping sends a PING with a fresh token. Errors make go-redis reconnect; the
// next ping or receive retries, so they are only logged.
func (h *Hub) ping() error {
	token := h.seq.Add(1)
	err := h.ps.Ping(h.ctx, pingPrefix+strconv.FormatUint(token, 10))
	if err != nil && h.ctx.Err() == nil {
		h.log.Debug("progress ping failed", "err", err)
	}
	return err
}

// parseToken extracts the token from a PONG payload sent by ping.
func parseToken(payload string) (uint64, bool) {
	rest, ok := strings.CutPrefix(payload, pingPrefix)
	if !ok {
		return 0, false
	}
	token, err := strconv.ParseUint(rest, 10, 64)
	return token, err == nil
}

// pause waits for d and reports false if the Hub closed meanwhile.
func (h *Hub) pause(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-h.done:
		return false
	}
}

// backoff is the wait after the n-th consecutive failure: 50ms doubling up
// to 2s.
func backoff(n int) time.Duration {
	d := 50 * time.Millisecond
	for i := 1; i < n && d < 2*time.Second; i++ {
		d *= 2
	}
	return min(d, 2*time.Second)
}

// isTimeout reports whether err is a read deadline passing, which the
// receive loop uses as its idle tick.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
