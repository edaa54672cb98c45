package progress

import (
	"context"
	"sync"
)

// Subscription receives the progress messages of one topic, coalesced: it
// holds only the latest message that has not been taken yet. Use Ready to
// learn that a message is waiting, Take to get it, and Done to learn that
// the subscription has ended. It is safe for concurrent use.
type Subscription struct {
	hub   *Hub
	topic *topic
	name  string
	idx   int // position in topic.subs, -1 once removed; guarded by hub.mu

	ready chan struct{} // capacity 1: a message is waiting
	done  chan struct{} // closed by Close

	mu     sync.Mutex
	msg    []byte
	has    bool
	closed bool
	stop   func() bool // detaches the context watch
}

// newSubscription returns an open subscription to t, not yet registered.
func newSubscription(h *Hub, t *topic, name string) *Subscription {
	return &Subscription{
		hub:   h,
		topic: t,
		name:  name,
		ready: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
}

// watch closes s when ctx ends.
func (s *Subscription) watch(ctx context.Context) {
	stop := context.AfterFunc(ctx, s.Close)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		stop()
		return
	}
	s.stop = stop
}

// Topic returns the topic s follows.
func (s *Subscription) Topic() string { return s.name }

// Ready returns a channel that receives a value when a message newer than
// the last Take is waiting. It is never closed; select on Done as well.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done returns a channel that is closed when the subscription ends: by
// Close, by the end of the context given to Subscribe, or by Hub.Close.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Take returns the latest message received since the previous Take; older
// ones have been coalesced away. It reports false when no message is
// waiting or the subscription has ended. The returned slice is shared with
// the topic's other subscribers and must not be modified.
func (s *Subscription) Take() (msg []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.ready:
	default:
	}
	if !s.has {
		return nil, false
	}
	msg = s.msg
	s.msg, s.has = nil, false
	return msg, true
}

// Close ends the subscription and drops any message not yet taken. When it
// was the topic's last local subscription, the Hub unsubscribes from Redis
// shortly after. Close is idempotent.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.msg, s.has = nil, false
	stop := s.stop
	close(s.done)
	s.mu.Unlock()

	if stop != nil {
		stop()
	}
	s.hub.remove(s)
}

// deliver stores msg as the latest message, replacing one not yet taken,
// counts it in c and then notifies Ready without blocking, so the counters
// include a message by the time a subscriber can see it.
func (s *Subscription) deliver(msg []byte, c *counters) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	c.delivered.Add(1)
	if s.has {
		c.coalesced.Add(1)
	}
	s.msg, s.has = msg, true
	select {
	case s.ready <- struct{}{}:
	default:
	}
}
