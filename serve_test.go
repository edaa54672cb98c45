package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestServeFailsWhenItsAddressIsTaken pins that `sheaf serve` gives up at
// once, with the address in the error, when it cannot listen — instead of
// running its worker with no API until it is killed.
func TestServeFailsWhenItsAddressIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() })
	env := map[string]string{"SHEAF_ADDR": taken.Addr().String(), "SHEAF_DATA_DIR": t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		t.Fatal("serve was still running a minute after its address turned out to be taken")
	}
	if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) {
		t.Fatalf("serve = %v, want an error naming %s", err, taken.Addr())
	}
}
