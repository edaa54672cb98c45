package progress_test

import (
	"context"
	"encoding/binary"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// BenchmarkFanout1000 publishes one message at a time to a topic with 1,000
// local subscribers and waits until every subscriber has taken it. It
// reports the publish → Take latency over all subscribers and messages as
// p50-ms and p99-ms; ns/op is the time for one message to reach all 1,000.
func BenchmarkFanout1000(b *testing.B) {
	const n = 1000
	rdb := testutil.Redis(b)
	hub := progress.NewHub(rdb, slog.New(slog.DiscardHandler))
	defer hub.Close()
	topic := uniquePrefix(b) + "fanout"

	ctx, cancel := context.WithCancel(b.Context())
	latencies := make([][]time.Duration, n)
	taken := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i := range n {
		s, err := hub.Subscribe(ctx, topic)
		if err != nil {
			b.Fatalf("subscribing: %v", err)
		}
		wg.Go(func() { latencies[i] = consume(ctx, s, taken) })
	}

	msg := make([]byte, 8)
	for b.Loop() {
		binary.BigEndian.PutUint64(msg, uint64(time.Now().UnixNano()))
		if err := hub.Publish(ctx, topic, msg); err != nil {
			b.Fatalf("publishing: %v", err)
		}
		for range n {
			<-taken
		}
	}
	cancel()
	wg.Wait()

	all := slices.Concat(latencies...)
	slices.Sort(all)
	b.ReportMetric(percentileMS(all, 0.50), "p50-ms")
	b.ReportMetric(percentileMS(all, 0.99), "p99-ms")
}

// consume takes messages until ctx ends, recording each one's latency from
// the publish time it carries and signalling taken.
func consume(ctx context.Context, s *progress.Subscription, taken chan<- struct{}) []time.Duration {
	var lat []time.Duration
	for {
		select {
		case <-ctx.Done():
			return lat
		case <-s.Ready():
		}
		msg, ok := s.Take()
		if !ok {
			continue
		}
		sent := time.Unix(0, int64(binary.BigEndian.Uint64(msg)))
		lat = append(lat, time.Since(sent))
		select {
		case taken <- struct{}{}:
		case <-ctx.Done():
			return lat
		}
	}
}

func percentileMS(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	d := sorted[int(p*float64(len(sorted)-1))]
	return float64(d) / float64(time.Millisecond)
}
