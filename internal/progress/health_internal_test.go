package progress

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestIdleHealthPings lets the receive loop time out and ping many times
// and checks that the connection still delivers afterwards.
func TestIdleHealthPings(t *testing.T) {
	rdb := testutil.Redis(t)
	h := newHub(rdb, slog.New(slog.NewTextHandler(t.Output(), nil)), 10*time.Millisecond)
	t.Cleanup(func() { _ = h.Close() })
	topic := "test:" + t.Name() + ":" + time.Now().Format("150405.000000000")

	s, err := h.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatalf("subscribing: %v", err)
	}
	// Each ping takes a token; wait until the loop has pinged many times.
	start := h.seq.Load()
	deadline := time.Now().Add(15 * time.Second)
	for h.seq.Load() < start+20 {
		if time.Now().After(deadline) {
			t.Fatal("the receive loop did not ping while idle")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := h.Publish(t.Context(), topic, []byte("still alive")); err != nil {
		t.Fatalf("publishing: %v", err)
	}
	select {
	case <-s.Ready():
	case <-time.After(15 * time.Second):
		t.Fatal("no message after idle pings")
	}
	if msg, _ := s.Take(); string(msg) != "still alive" {
		t.Errorf("got %q, want %q", msg, "still alive")
	}
	if n := h.Stats().ReceiveErrors; n != 0 {
		t.Errorf("ReceiveErrors = %d after idle timeouts, want 0", n)
	}
}
