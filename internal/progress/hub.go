package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ChannelPrefix is prepended to a topic to form its Redis channel name.
const ChannelPrefix = "sheaf:progress:"

// ErrClosed is returned by Subscribe once the Hub has been closed.
var ErrClosed = errors.New("progress: hub closed")

// errEmptyTopic is returned by Publish and Subscribe for an empty topic.
var errEmptyTopic = errors.New("progress: empty topic")

// Hub publishes progress messages and fans out the ones it receives to local
// subscriptions over a single shared Redis pub/sub connection. It is safe for
// concurrent use. Create it with NewHub and end it with Close.
type Hub struct {
	rdb    redis.UniversalClient
	ps     *redis.PubSub
	log    *slog.Logger
	health time.Duration // idle time after which the receive loop pings

	ctx    context.Context // ends on Close; used for every PubSub command
	cancel context.CancelFunc
	done   chan struct{} // closed by Close
	wake   chan struct{} // capacity 1: pokes the reconcile loop
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	seq atomic.Uint64 // last PING token handed out

	mu         sync.Mutex
	closed     bool
	topics     map[string]*topic // by Redis channel name
	dirty      map[*topic]struct{}
	waiting    []*topic // subscribed, not yet confirmed by a PONG
	unsubRetry []string // channels whose UNSUBSCRIBE failed and must be resent

	stats counters
}

// topic is the local state of one Redis channel. All fields are guarded by
// Hub.mu.
type topic struct {
	channel string
	subs    []*Subscription

	active    bool   // SUBSCRIBE handed to the PubSub and not undone
	retry     bool   // the last SUBSCRIBE failed: send it again
	dropped   bool   // removed from Hub.topics
	barrier   uint64 // a PONG with a token >= barrier confirms the SUBSCRIBE
	confirmed bool
	ready     chan struct{} // closed when confirmed
}

// NewHub returns a Hub that publishes with rdb and receives on one pub/sub
// connection taken from rdb. It starts the Hub's goroutines; call Close to
// end them. A nil logger means slog.Default().
func NewHub(rdb redis.UniversalClient, logger *slog.Logger) *Hub {
	return newHub(rdb, logger, healthInterval)
}

// newHub is NewHub with the idle ping interval as a parameter.
func newHub(rdb redis.UniversalClient, logger *slog.Logger, health time.Duration) *Hub {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		rdb:    rdb,
		ps:     rdb.Subscribe(ctx),
		health: health,
		log:    logger.With("component", "progress"),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		wake:   make(chan struct{}, 1),
		topics: make(map[string]*topic),
		dirty:  make(map[*topic]struct{}),
	}
	h.wg.Add(2)
	go h.receiveLoop()
	go h.reconcileLoop()
	return h
}

// Publish sends msg to every subscriber of topic in every process. It does
// not depend on the Hub being open.
func (h *Hub) Publish(ctx context.Context, topic string, msg []byte) error {
	if topic == "" {
		return errEmptyTopic
	}
	if err := h.rdb.Publish(ctx, ChannelPrefix+topic, msg).Err(); err != nil {
		return fmt.Errorf("publishing progress on %q: %w", topic, err)
	}
	h.stats.published.Add(1)
	return nil
}

// Subscribe starts a subscription to topic. It returns only after Redis has
// confirmed that the Hub's connection is subscribed to the topic, so every
// message published after Subscribe returns reaches the subscription (unless
// a later one replaces it first, or the connection drops). A second
// subscription to an already confirmed topic returns at once.
//
// The subscription ends when ctx ends, when it is closed, or when the Hub is
// closed. If ctx ends or the Hub closes before Redis confirms, Subscribe
// returns an error and no subscription.
func (h *Hub) Subscribe(ctx context.Context, topic string) (*Subscription, error) {
	if topic == "" {
		return nil, errEmptyTopic
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribing to progress on %q: %w", topic, err)
	}
	s, ready, err := h.add(topic)
	if err != nil {
		return nil, err
	}
	s.watch(ctx)
	select {
	case <-ready:
		return s, nil
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("subscribing to progress on %q: %w", topic, ctx.Err())
	case <-h.done:
		s.Close()
		return nil, ErrClosed
	}
}

// add registers a new subscription to name and returns it with the channel
// that is closed once Redis has confirmed the topic.
func (h *Hub) add(name string) (*Subscription, <-chan struct{}, error) {
	channel := ChannelPrefix + name
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, ErrClosed
	}
	t := h.topics[channel]
	if t == nil {
		t = &topic{channel: channel, ready: make(chan struct{})}
		h.topics[channel] = t
	}
	if len(t.subs) == 0 {
		h.stats.topics.Add(1)
		h.markDirty(t)
	}
	s := newSubscription(h, t, name)
	s.idx = len(t.subs)
	t.subs = append(t.subs, s)
	h.stats.subscribers.Add(1)
	return s, t.ready, nil
}

// remove unregisters s. When s was the last subscriber of its topic, the
// reconcile loop unsubscribes the topic.
func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.idx < 0 {
		return
	}
	t := s.topic
	last := len(t.subs) - 1
	t.subs[s.idx] = t.subs[last]
	t.subs[s.idx].idx = s.idx
	t.subs[last] = nil
	t.subs = t.subs[:last]
	s.idx = -1
	h.stats.subscribers.Add(-1)
	if len(t.subs) == 0 {
		h.stats.topics.Add(-1)
		h.markDirty(t)
	}
}

// markDirty queues t for the reconcile loop. The caller holds h.mu.
func (h *Hub) markDirty(t *topic) {
	h.dirty[t] = struct{}{}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Close ends every subscription, stops the Hub's goroutines and closes its
// pub/sub connection, which drops its Redis subscriptions. Subscribe fails
// with ErrClosed afterwards; Publish keeps working. Close waits for the
// goroutines to end and is safe to call more than once.
func (h *Hub) Close() error {
	h.closeOnce.Do(func() {
		h.mu.Lock()
		h.closed = true
		var subs []*Subscription
		for _, t := range h.topics {
			subs = append(subs, t.subs...)
		}
		h.mu.Unlock()

		h.cancel()
		close(h.done)
		for _, s := range subs {
			s.Close()
		}
		if err := h.ps.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			h.closeErr = fmt.Errorf("closing progress pubsub: %w", err)
		}
		h.wg.Wait()
		h.log.Debug("hub closed")
	})
	return h.closeErr
}
