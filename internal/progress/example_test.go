package progress_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/progress"
)

// A worker publishes progress for a batch; an API process follows it. The
// subscriber may skip intermediate updates (latest wins) but always sees
// the last one.
func Example() {
	srv, err := miniredis.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	hub := progress.NewHub(rdb, slog.New(slog.DiscardHandler))
	defer hub.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // ends the subscription
	sub, err := hub.Subscribe(ctx, "bat_123")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Subscribe has returned: a snapshot read now misses no later update.

	for i := 1; i <= 3; i++ {
		msg := fmt.Sprintf(`{"processed":%d,"total":3}`, i)
		if err := hub.Publish(ctx, "bat_123", []byte(msg)); err != nil {
			fmt.Println(err)
			return
		}
	}

	for {
		select {
		case <-sub.Ready():
		case <-sub.Done():
			return
		}
		msg, ok := sub.Take()
		if ok && string(msg) == `{"processed":3,"total":3}` {
			fmt.Println("batch done:", string(msg))
			return
		}
	}
	// Output: batch done: {"processed":3,"total":3}
}
