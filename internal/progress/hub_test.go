package progress_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

func TestPublishReceive(t *testing.T) {
	tests := []struct {
		name string
		msg  string
	}{
		{"json", `{"batchId":"bat_1","status":"PROCESSING","processed":3}`},
		{"empty", ""},
		{"binary", "\x00\xff\x01progress\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			topic := b.topic("batch")
			s := subscribe(t, b.hub, topic)

			// Subscribe has returned, so a single publish must arrive.
			publish(t, b.hub, topic, tt.msg)
			if diff := cmp.Diff(tt.msg, receive(t, s)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if msg, ok := s.Take(); ok {
				t.Errorf("second Take = %q, true; want nothing", msg)
			}
		})
	}
}

func TestTopicsAreIsolated(t *testing.T) {
	b := setup(t)
	a := subscribe(t, b.hub, b.topic("a"))
	c := subscribe(t, b.hub, b.topic("c"))

	publish(t, b.hub, b.topic("a"), "to a")
	publish(t, b.hub, b.topic("c"), "to c")
	got := []string{receive(t, a), receive(t, c)}
	if diff := cmp.Diff([]string{"to a", "to c"}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	// Both messages came over one connection in order, so a stray delivery
	// would already be counted.
	want := progress.Stats{Topics: 2, Subscribers: 2, Published: 2, Received: 2, Delivered: 2}
	if diff := cmp.Diff(want, b.hub.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestCoalescing(t *testing.T) {
	const n = 20
	b := setup(t)
	topic := b.topic("batch")
	slow := subscribe(t, b.hub, topic)
	fast := subscribe(t, b.hub, topic)

	// The fast subscriber sees every message while the slow one takes
	// nothing: the slow one never holds up the fast one.
	for i := range n {
		msg := fmt.Sprintf("processed %d", i+1)
		publish(t, b.hub, topic, msg)
		if got := receive(t, fast); got != msg {
			t.Fatalf("fast subscriber got %q, want %q", got, msg)
		}
	}

	waitFor(t, "delivery to both", func() bool { return b.hub.Stats().Delivered == 2*n })
	select {
	case <-slow.Ready():
	default:
		t.Fatal("slow subscriber's Ready has no notification")
	}
	msg, ok := slow.Take()
	if diff := cmp.Diff(fmt.Sprintf("processed %d", n), string(msg)); diff != "" || !ok {
		t.Errorf("slow Take ok=%v, message (-want +got):\n%s", ok, diff)
	}
	if msg, ok := slow.Take(); ok {
		t.Errorf("second slow Take = %q, true; want nothing", msg)
	}
	st := b.hub.Stats()
	got := [3]uint64{st.Received, st.Delivered, st.Coalesced}
	if diff := cmp.Diff([3]uint64{n, 2 * n, n - 1}, got); diff != "" {
		t.Errorf("received, delivered, coalesced (-want +got):\n%s", diff)
	}
}

func TestRefcount(t *testing.T) {
	b := setup(t)
	topics := []string{b.topic("x"), b.topic("y"), b.topic("z")}
	subs := map[string][]*progress.Subscription{}
	for _, topic := range topics {
		for range 2 {
			subs[topic] = append(subs[topic], subscribe(t, b.hub, topic))
		}
	}
	// One shared connection: each topic has one Redis subscriber however
	// many local subscriptions it has.
	for _, topic := range topics {
		if got := numSub(t, b.rdb, topic); got != 1 {
			t.Errorf("NUMSUB %s = %d, want 1", topic, got)
		}
	}
	if diff := cmp.Diff([2]int64{3, 6}, stats2(b.hub)); diff != "" {
		t.Errorf("topics, subscribers (-want +got):\n%s", diff)
	}

	// Closing one of two subscriptions keeps the topic.
	subs[topics[0]][0].Close()
	publish(t, b.hub, topics[0], "still here")
	if got := receive(t, subs[topics[0]][1]); got != "still here" {
		t.Errorf("remaining subscriber got %q", got)
	}
	if got := numSub(t, b.rdb, topics[0]); got != 1 {
		t.Errorf("NUMSUB after closing one of two = %d, want 1", got)
	}

	// Closing the last one unsubscribes.
	subs[topics[0]][1].Close()
	waitFor(t, "unsubscribe of "+topics[0], func() bool { return numSub(t, b.rdb, topics[0]) == 0 })
	if got := numSub(t, b.rdb, topics[1]); got != 1 {
		t.Errorf("NUMSUB of untouched topic = %d, want 1", got)
	}
	if diff := cmp.Diff([2]int64{2, 4}, stats2(b.hub)); diff != "" {
		t.Errorf("topics, subscribers (-want +got):\n%s", diff)
	}

	// A topic can be subscribed again after it was dropped.
	again := subscribe(t, b.hub, topics[0])
	publish(t, b.hub, topics[0], "back")
	if got := receive(t, again); got != "back" {
		t.Errorf("resubscribed subscriber got %q", got)
	}
}

func stats2(h *progress.Hub) [2]int64 {
	st := h.Stats()
	return [2]int64{st.Topics, st.Subscribers}
}

// TestResubscribeChurn closes and reopens a topic's only subscription
// without waiting for the UNSUBSCRIBE: every Subscribe must still return
// only once the topic is live again.
func TestResubscribeChurn(t *testing.T) {
	b := setup(t)
	topic := b.topic("churn")
	for i := range 50 {
		s, err := b.hub.Subscribe(t.Context(), topic)
		if err != nil {
			t.Fatalf("round %d: subscribing: %v", i, err)
		}
		msg := fmt.Sprintf("round %d", i)
		publish(t, b.hub, topic, msg)
		if got := receive(t, s); got != msg {
			t.Fatalf("round %d: got %q, want %q", i, got, msg)
		}
		s.Close()
	}
	waitFor(t, "final unsubscribe", func() bool { return numSub(t, b.rdb, topic) == 0 })
}

func TestContextEndsSubscription(t *testing.T) {
	b := setup(t)
	topic := b.topic("batch")
	ctx, cancel := context.WithCancel(t.Context())
	s, err := b.hub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatalf("subscribing: %v", err)
	}
	publish(t, b.hub, topic, "pending")
	waitFor(t, "delivery", func() bool { return b.hub.Stats().Delivered == 1 })

	cancel()
	<-s.Done() // closed by the context; the test deadline bounds the wait
	if msg, ok := s.Take(); ok {
		t.Errorf("Take after the context ended = %q, true; want nothing", msg)
	}
	waitFor(t, "unsubscribe", func() bool { return numSub(t, b.rdb, topic) == 0 })
	if diff := cmp.Diff([2]int64{0, 0}, stats2(b.hub)); diff != "" {
		t.Errorf("topics, subscribers (-want +got):\n%s", diff)
	}

	if _, err := b.hub.Subscribe(ctx, topic); !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe with an ended context: err = %v, want context.Canceled", err)
	}
}

func TestManySubscribers(t *testing.T) {
	const n = 1000
	for _, topics := range []int{1, 10} {
		t.Run(fmt.Sprintf("%d topics", topics), func(t *testing.T) {
			b := setup(t)
			subs := make([]*progress.Subscription, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					subs[i], errs[i] = b.hub.Subscribe(t.Context(), b.topic(fmt.Sprint(i%topics)))
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("subscribing: %v", err)
			}
			if diff := cmp.Diff([2]int64{int64(topics), n}, stats2(b.hub)); diff != "" {
				t.Errorf("topics, subscribers (-want +got):\n%s", diff)
			}
			for k := range topics {
				if got := numSub(t, b.rdb, b.topic(fmt.Sprint(k))); got != 1 {
					t.Errorf("NUMSUB of topic %d = %d, want 1", k, got)
				}
				publish(t, b.hub, b.topic(fmt.Sprint(k)), fmt.Sprint("for ", k))
			}

			got := make([]string, n)
			for i, s := range subs {
				wg.Go(func() { got[i] = receive(t, s) })
			}
			wg.Wait()
			want := make([]string, n)
			for i := range want {
				want[i] = fmt.Sprint("for ", i%topics)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}

			for _, s := range subs {
				s.Close()
			}
			waitFor(t, "all topics unsubscribed", func() bool {
				for k := range topics {
					if numSub(t, b.rdb, b.topic(fmt.Sprint(k))) != 0 {
						return false
					}
				}
				return true
			})
		})
	}
}

func TestClose(t *testing.T) {
	rdb := testutil.Redis(t)
	topic := uniquePrefix(t) + "a"
	// Open the client's pooled connection first: with miniredis, each
	// connection has server goroutines that outlive the Hub.
	if err := rdb.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("ping: %v", err)
	}
	before := goleak.IgnoreCurrent()
	hub := progress.NewHub(rdb, testLogger(t))

	s := subscribe(t, hub, topic)
	if err := hub.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	<-s.Done() // Close ends every subscription; the test deadline bounds the wait
	goleak.VerifyNone(t, before)

	if err := hub.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := hub.Subscribe(t.Context(), topic); !errors.Is(err, progress.ErrClosed) {
		t.Errorf("Subscribe after Close: err = %v, want ErrClosed", err)
	}
	if err := hub.Publish(t.Context(), topic, []byte("x")); err != nil {
		t.Errorf("Publish after Close: %v", err)
	}
	if got := numSub(t, rdb, topic); got != 0 {
		t.Errorf("NUMSUB after Close = %d, want 0", got)
	}
}
