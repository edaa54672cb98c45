package progress_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// waitTimeout bounds every wait on a condition. It is a deadline for a
// broken test, not a performance threshold.
const waitTimeout = 15 * time.Second

// bundle is what most tests need: a Hub on a fresh Redis database, a client
// to inspect Redis with, and a topic prefix no other test uses (pub/sub
// channels are global across database numbers).
type bundle struct {
	hub    *progress.Hub
	rdb    redis.UniversalClient
	prefix string
}

func setup(t *testing.T) *bundle {
	t.Helper()
	rdb := testutil.Redis(t)
	hub := progress.NewHub(rdb, testLogger(t))
	t.Cleanup(func() {
		if err := hub.Close(); err != nil {
			t.Errorf("closing hub: %v", err)
		}
	})
	return &bundle{hub: hub, rdb: rdb, prefix: uniquePrefix(t)}
}

// topic returns a topic name unique to the test.
func (b *bundle) topic(name string) string { return b.prefix + name }

func uniquePrefix(t testing.TB) string {
	return "test:" + strings.ReplaceAll(t.Name(), " ", "_") + ":" + time.Now().Format("150405.000000000") + ":"
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// subscribe subscribes to topic for the rest of the test.
func subscribe(t testing.TB, hub *progress.Hub, topic string) *progress.Subscription {
	t.Helper()
	s, err := hub.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatalf("subscribing to %q: %v", topic, err)
	}
	t.Cleanup(s.Close)
	return s
}

func publish(t testing.TB, hub *progress.Hub, topic, msg string) {
	t.Helper()
	if err := hub.Publish(t.Context(), topic, []byte(msg)); err != nil {
		t.Fatalf("publishing to %q: %v", topic, err)
	}
}

// receive waits for the next message of s.
func receive(t testing.TB, s *progress.Subscription) string {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		select {
		case <-s.Ready():
			if msg, ok := s.Take(); ok {
				return string(msg)
			}
		case <-s.Done():
			t.Fatalf("subscription to %q ended while waiting for a message", s.Topic())
		case <-deadline.C:
			t.Fatalf("no message on %q within %s", s.Topic(), waitTimeout)
		}
	}
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// numSub returns how many Redis connections are subscribed to topic.
func numSub(t testing.TB, rdb redis.UniversalClient, topic string) int64 {
	t.Helper()
	channel := progress.ChannelPrefix + topic
	got, err := rdb.PubSubNumSub(context.Background(), channel).Result()
	if err != nil {
		t.Fatalf("PUBSUB NUMSUB %s: %v", channel, err)
	}
	return got[channel]
}
