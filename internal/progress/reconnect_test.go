package progress_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestReconnect drops the Hub's connections to Redis and checks that its
// subscriptions, old and new, work again afterwards. The connections run
// through a local proxy so that only this test's connections are cut: the
// Redis server is shared with other packages' tests.
func TestReconnect(t *testing.T) {
	addr, db := testutil.RedisAddr(t)
	direct := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	t.Cleanup(func() { _ = direct.Close() })
	p := startProxy(t, addr)
	viaProxy := redis.NewClient(&redis.Options{Addr: p.addr(), DB: db})
	t.Cleanup(func() { _ = viaProxy.Close() })
	hub := progress.NewHub(viaProxy, testLogger(t))
	t.Cleanup(func() { _ = hub.Close() })
	prefix := uniquePrefix(t)

	old := subscribe(t, hub, prefix+"old")
	publish(t, hub, prefix+"old", "before")
	if got := receive(t, old); got != "before" {
		t.Fatalf("before the drop got %q", got)
	}

	p.sever()

	// Messages published while the connection is down are lost (they are
	// hints), so publish until one arrives.
	deadline := time.Now().Add(waitTimeout)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatal("subscription did not survive the reconnect")
		}
		if err := direct.Publish(t.Context(), progress.ChannelPrefix+prefix+"old", fmt.Sprint("after ", i)).Err(); err != nil {
			t.Fatalf("publishing: %v", err)
		}
		if got, ok := takeWithin(old, 50*time.Millisecond); ok {
			if got == "before" {
				t.Fatalf("got the pre-drop message again")
			}
			break
		}
	}
	if hub.Stats().ReceiveErrors == 0 {
		t.Error("ReceiveErrors = 0 after the connection was cut")
	}

	// A new topic after the reconnect is confirmed as usual.
	fresh := subscribe(t, hub, prefix+"fresh")
	publish(t, hub, prefix+"fresh", "hello")
	if got := receive(t, fresh); got != "hello" {
		t.Errorf("new subscription got %q, want %q", got, "hello")
	}
}

// takeWithin waits up to d for a message. It paces the publish loop above;
// it does not decide whether the test passes.
func takeWithin(s *progress.Subscription, d time.Duration) (string, bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-s.Ready():
		msg, ok := s.Take()
		return string(msg), ok
	case <-timer.C:
		return "", false
	}
}

// proxy forwards TCP connections to a Redis server and can cut them all.
type proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.sever()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = down.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, down, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(up, down)
		go p.pipe(down, up)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// sever closes every connection made so far.
func (p *proxy) sever() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
