package progress

import "sync/atomic"

// Stats is a snapshot of a Hub's counters. A message is counted in
// Delivered (and Coalesced) before the subscription's Ready fires.
type Stats struct {
	// Topics is the number of topics with at least one local subscription.
	Topics int64
	// Subscribers is the number of open local subscriptions.
	Subscribers int64
	// Published counts messages sent by Publish.
	Published uint64
	// Received counts messages read from Redis.
	Received uint64
	// Delivered counts messages stored into a subscription.
	Delivered uint64
	// Coalesced counts delivered messages that replaced one a subscription
	// had not taken yet.
	Coalesced uint64
	// ReceiveErrors counts failed reads of the pub/sub connection, each
	// followed by a reconnect.
	ReceiveErrors uint64
}

// counters holds the live values behind Stats.
type counters struct {
	topics        atomic.Int64
	subscribers   atomic.Int64
	published     atomic.Uint64
	received      atomic.Uint64
	delivered     atomic.Uint64
	coalesced     atomic.Uint64
	receiveErrors atomic.Uint64
}

// Stats returns a snapshot of the Hub's counters. Each field is read
// atomically; the fields are not read at one instant.
func (h *Hub) Stats() Stats {
	c := &h.stats
	return Stats{
		Topics:        c.topics.Load(),
		Subscribers:   c.subscribers.Load(),
		Published:     c.published.Load(),
		Received:      c.received.Load(),
		Delivered:     c.delivered.Load(),
		Coalesced:     c.coalesced.Load(),
		ReceiveErrors: c.receiveErrors.Load(),
	}
}
