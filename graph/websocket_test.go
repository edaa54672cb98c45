package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

// These tests are not parallel: each checks, when it ends, that every goroutine it
// started (server handlers, subscriptions, keep-alives) has exited.

// wsWait bounds every wait on the server or the peer; a healthy run takes milliseconds.
const wsWait = 5 * time.Second

// wsProtocol names the messages that differ between the two subprotocols.
type wsProtocol struct {
	name      string
	subscribe string // client → server: start an operation
	next      string // server → client: one result
}

var wsProtocols = []wsProtocol{
	{name: "graphql-transport-ws", subscribe: "subscribe", next: "next"},
	{name: "graphql-ws", subscribe: "start", next: "data"},
}

// wsMessage is one message of either subprotocol.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsBundle is a gqlgen test schema served over the gorilla adapter.
type wsBundle struct {
	srv     *testserver.TestServer
	url     string
	started chan context.Context // the context of each operation, once it runs
	closed  chan int             // close codes reported by the transport's CloseFunc
	errs    chan error           // errors reported by the transport's ErrorFunc
}

// wsSetup checks for leaked goroutines at the end of the test, then serves the test
// schema with cfg (Implementation defaults to GorillaWebsocket{}).
func wsSetup(t *testing.T, cfg transport.Websocket) *wsBundle {
	t.Helper()
	wsVerifyNoLeaks(t)

	b := &wsBundle{
		srv:     testserver.New(),
		started: make(chan context.Context, 8),
		closed:  make(chan int, 8),
		errs:    make(chan error, 8),
	}
	if cfg.Implementation == nil {
		cfg.Implementation = GorillaWebsocket{}
	}
	cfg.CloseFunc = func(_ context.Context, code int) { wsOffer(b.closed, code) }
	cfg.ErrorFunc = func(_ context.Context, err error) { wsOffer(b.errs, err) }
	b.srv.AddTransport(cfg)
	b.srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		wsOffer(b.started, ctx)
		return next(ctx)
	})

	ts := httptest.NewServer(b.srv)
	t.Cleanup(ts.Close)
	b.url = "ws" + strings.TrimPrefix(ts.URL, "http")
	return b
}

// wsOffer records v if the test has room for it; the server never blocks on a test.
func wsOffer[T any](ch chan<- T, v T) {
	select {
	case ch <- v:
	default:
	}
}

// wsVerifyNoLeaks fails the test if goroutines started after this call outlive it.
// Registered first, it runs after every other cleanup.
func wsVerifyNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// wsClient is a real gorilla client speaking one subprotocol.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func wsDial(t *testing.T, url string, header http.Header, subprotocols ...string) (wsClient, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: subprotocols, HandshakeTimeout: wsWait}
	conn, resp, err := d.Dial(url, header)
	if err != nil {
		return wsClient{}, resp, err
	}
	t.Cleanup(func() { conn.Close() })
	return wsClient{t: t, conn: conn}, resp, nil
}

func (b *wsBundle) dial(t *testing.T, subprotocols ...string) wsClient {
	t.Helper()
	c, _, err := wsDial(t, b.url, nil, subprotocols...)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	return c
}

func (c wsClient) send(typ, id string, payload any) {
	c.t.Helper()
	m := map[string]any{"type": typ}
	if id != "" {
		m["id"] = id
	}
	if payload != nil {
		m["payload"] = payload
	}
	if err := c.conn.WriteJSON(m); err != nil {
		c.t.Fatalf("sending %s: %v", typ, err)
	}
}

// read returns the next message other than a graphql-ws keep-alive, within wsWait.
func (c wsClient) read() wsMessage {
	c.t.Helper()
	deadline := time.Now().Add(wsWait)
	for {
		m, err := c.readBefore(deadline)
		if err != nil {
			c.t.Fatalf("reading: %v", err)
		}
		if m.Type != "ka" {
			return m
		}
	}
}

func (c wsClient) readBefore(deadline time.Time) (wsMessage, error) {
	var m wsMessage
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		return m, err
	}
	err := c.conn.ReadJSON(&m)
	return m, err
}

// expectClose reads until the server's close frame, within wsWait, and returns it
// with the messages before it, keep-alives left out.
func (c wsClient) expectClose() (*websocket.CloseError, []wsMessage) {
	c.t.Helper()
	var before []wsMessage
	deadline := time.Now().Add(wsWait)
	for {
		m, err := c.readBefore(deadline)
		var ce *websocket.CloseError
		switch {
		case errors.As(err, &ce):
			return ce, before
		case err != nil:
			c.t.Fatalf("want a close frame, got %v", err)
		case m.Type != "ka":
			before = append(before, m)
		}
	}
}

// connect sends connection_init with a good key and expects connection_ack.
func (c wsClient) connect() {
	c.t.Helper()
	c.send("connection_init", "", map[string]any{"Authorization": "Bearer good"})
	if m := c.read(); m.Type != "connection_ack" {
		c.t.Fatalf("after connection_init got %+v, want connection_ack", m)
	}
}

func (c wsClient) subscribe(p wsProtocol, id string) {
	c.t.Helper()
	c.send(p.subscribe, id, map[string]any{"query": "subscription { name }"})
}

// wsReceive returns the next value from ch, failing the test after wsWait.
func wsReceive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wsWait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestGorillaWebsocketSubscriptionRoundTrip(t *testing.T) {
	for _, p := range wsProtocols {
		t.Run(p.name, func(t *testing.T) {
			b := wsSetup(t, transport.Websocket{KeepAlivePingInterval: 10 * time.Millisecond})
			c := b.dial(t, p.name)
			if got := c.conn.Subprotocol(); got != p.name {
				t.Fatalf("negotiated subprotocol %q, want %q", got, p.name)
			}

			c.connect()
			c.subscribe(p, "sub1")
			wsReceive(t, b.started, "the subscription to start")

			b.srv.SendNextSubscriptionMessage()
			m := c.read()
			if m.Type != p.next || m.ID != "sub1" || string(m.Payload) != `{"data":{"name":"test"}}` {
				t.Fatalf("got %+v, want %s for sub1 with data name=test", m, p.next)
			}
			b.srv.SendCompleteSubscriptionMessage()
			if m := c.read(); m.Type != "complete" || m.ID != "sub1" {
				t.Fatalf("got %+v, want complete for sub1", m)
			}

			// A normal close from the client is not an error on the server.
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
			if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wsWait)); err != nil {
				t.Fatal(err)
			}
			if ce, _ := c.expectClose(); ce.Code != websocket.CloseNormalClosure {
				t.Errorf("server answered close with %d, want 1000", ce.Code)
			}
			wsReceive(t, b.closed, "the transport's CloseFunc")
			select {
			case err := <-b.errs:
				t.Errorf("ErrorFunc got %v for a normal close", err)
			default:
			}
		})
	}
}

func TestGorillaWebsocketNegotiatesClientPreference(t *testing.T) {
	b := wsSetup(t, transport.Websocket{})
	tests := []struct {
		offer []string
		want  string
	}{
		{offer: []string{"graphql-transport-ws", "graphql-ws"}, want: "graphql-transport-ws"},
		{offer: []string{"graphql-ws", "graphql-transport-ws"}, want: "graphql-ws"},
		{offer: []string{"mqtt", "graphql-ws"}, want: "graphql-ws"},
		{offer: []string{"mqtt"}, want: ""}, // gqlgen then speaks graphql-ws
		{offer: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.offer), func(t *testing.T) {
			c := b.dial(t, tt.offer...)
			if got := c.conn.Subprotocol(); got != tt.want {
				t.Fatalf("negotiated %q, want %q", got, tt.want)
			}
			c.connect()
		})
	}
}

// wsRejectingInit is the auth hook production uses: a bad key closes with 4403.
func wsRejectingInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if p.Authorization() != "Bearer good" {
		ctx = transport.WithWebsocketCloseCode(ctx, 4403)
		return transport.AppendCloseReason(ctx, "Forbidden"), nil, errors.New("invalid API key")
	}
	return ctx, nil, nil
}

func TestGorillaWebsocketRejectedInitClosesForbidden(t *testing.T) {
	for _, p := range wsProtocols {
		t.Run(p.name, func(t *testing.T) {
			b := wsSetup(t, transport.Websocket{InitFunc: wsRejectingInit})
			c := b.dial(t, p.name)
			c.send("connection_init", "", map[string]any{"Authorization": "Bearer bad"})

			ce, before := c.expectClose()
			if ce.Code != 4403 || ce.Text != "Forbidden" {
				t.Errorf("closed with %d %q, want 4403 \"Forbidden\"", ce.Code, ce.Text)
			}
			for _, m := range before {
				// graphql-ws also says why; nothing may look like success.
				if m.Type != "connection_error" {
					t.Errorf("before the close got %+v, want at most connection_error", m)
				}
			}
			if code := wsReceive(t, b.closed, "the transport's CloseFunc"); code != 4403 {
				t.Errorf("CloseFunc got %d, want 4403", code)
			}

			// A good key on the same server is accepted.
			c.conn.Close()
			b.dial(t, p.name).connect()
		})
	}
}

func TestGorillaWebsocketReadLimitClosesConnection(t *testing.T) {
	limit := int64(1024)
	b := wsSetup(t, transport.Websocket{PayloadReadLimit: &limit})
	p := wsProtocols[0]
	c := b.dial(t, p.name)
	c.connect()

	c.send(p.subscribe, "big", map[string]any{"query": strings.Repeat(" ", int(limit)) + "subscription { name }"})
	if ce, _ := c.expectClose(); ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("closed with %d, want %d (message too big)", ce.Code, websocket.CloseMessageTooBig)
	}
	wsReceive(t, b.closed, "the transport's CloseFunc")
	select {
	case ctx := <-b.started:
		t.Errorf("an operation ran from an oversized message: %v", graphql.GetOperationContext(ctx).RawQuery)
	default:
	}
}

func TestGorillaWebsocketDisconnectEndsSubscription(t *testing.T) {
	hangUps := []struct {
		name string
		hang func(c wsClient) error
	}{
		{name: "drops TCP", hang: func(c wsClient) error { return c.conn.Close() }},
		{name: "close frame", hang: func(c wsClient) error {
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "")
			return c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wsWait))
		}},
	}
	for _, p := range wsProtocols {
		for _, h := range hangUps {
			t.Run(p.name+"/"+h.name, func(t *testing.T) {
				b := wsSetup(t, transport.Websocket{KeepAlivePingInterval: 10 * time.Millisecond})
				c := b.dial(t, p.name)
				c.connect()
				c.subscribe(p, "sub1")
				ctx := wsReceive(t, b.started, "the subscription to start")

				if err := h.hang(c); err != nil {
					t.Fatal(err)
				}
				select {
				case <-ctx.Done():
				case <-time.After(wsWait):
					t.Fatal("the subscription's context outlived the client")
				}
				wsReceive(t, b.closed, "the transport's CloseFunc")
			})
		}
	}
}

func TestGorillaWebsocketDropsPeerThatStopsPonging(t *testing.T) {
	b := wsSetup(t, transport.Websocket{PingPongInterval: 20 * time.Millisecond})
	p := wsProtocols[0]
	c := b.dial(t, p.name)
	c.connect()

	// The client reads whatever the server sends (pings) and never answers.
	c.expectClose()
	wsReceive(t, b.closed, "the transport's CloseFunc")
}

func TestGorillaWebsocketCheckOrigin(t *testing.T) {
	allowAll := func(*http.Request) bool { return true }
	tests := []struct {
		name        string
		checkOrigin func(*http.Request) bool
		origin      string // "" sends no Origin header; "self" sends the server's own
		wantStatus  int
	}{
		{name: "no origin header", wantStatus: http.StatusSwitchingProtocols},
		{name: "same origin", origin: "self", wantStatus: http.StatusSwitchingProtocols},
		{name: "other origin", origin: "https://evil.example", wantStatus: http.StatusBadRequest},
		{name: "other origin allowed by CheckOrigin", checkOrigin: allowAll,
			origin: "https://app.example", wantStatus: http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := wsSetup(t, transport.Websocket{Implementation: GorillaWebsocket{CheckOrigin: tt.checkOrigin}})
			header := http.Header{}
			switch tt.origin {
			case "":
			case "self":
				header.Set("Origin", "http"+strings.TrimPrefix(b.url, "ws"))
			default:
				header.Set("Origin", tt.origin)
			}
			_, resp, err := wsDial(t, b.url, header, "graphql-transport-ws")
			if resp == nil {
				t.Fatalf("no handshake response: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d (err %v)", resp.StatusCode, tt.wantStatus, err)
			}
		})
	}
}

// wsServeAdapter serves handle on the one connection a test makes, accepted as the
// transport would, and returns the URL and a channel closed when handle returns.
func wsServeAdapter(t *testing.T, handle func(conn transport.WebsocketConn)) (string, <-chan struct{}) {
	t.Helper()
	wsVerifyNoLeaks(t)
	done := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		conn, err := GorillaWebsocket{}.Accept(w, r, transport.WebsocketAcceptOptions{
			ResponseHeader: http.Header{"X-Sheaf": {"1"}},
			Subprotocols:   []string{"graphql-transport-ws"},
		})
		if err != nil {
			t.Errorf("Accept: %v", err)
			return
		}
		handle(conn)
	}))
	t.Cleanup(ts.Close)
	return "ws" + strings.TrimPrefix(ts.URL, "http"), done
}

func TestGorillaWebsocketConnReads(t *testing.T) {
	var (
		types   []int
		lastErr error
	)
	url, done := wsServeAdapter(t, func(conn transport.WebsocketConn) {
		defer conn.Close()
		for {
			typ, _, err := conn.NextReader()
			if err != nil {
				lastErr = err
				return
			}
			types = append(types, typ)
		}
	})

	c, resp, err := wsDial(t, url, nil, "graphql-ws", "graphql-transport-ws")
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("X-Sheaf"); got != "1" {
		t.Errorf("response header X-Sheaf = %q, want 1", got)
	}
	if got := c.conn.Subprotocol(); got != "graphql-transport-ws" {
		t.Errorf("negotiated %q, want the one protocol the server supports", got)
	}
	for _, m := range []struct {
		typ  int
		data []byte
	}{{websocket.TextMessage, []byte(`{}`)}, {websocket.BinaryMessage, []byte{1}}} {
		if err := c.conn.WriteMessage(m.typ, m.data); err != nil {
			t.Fatal(err)
		}
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wsWait)); err != nil {
		t.Fatal(err)
	}
	if ce, _ := c.expectClose(); ce.Code != websocket.CloseNormalClosure {
		t.Errorf("server answered close with %d, want 1000", ce.Code)
	}
	wsReceive(t, done, "the server handler")

	if want := []int{websocket.TextMessage, websocket.BinaryMessage}; fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("NextReader message types %v, want %v", types, want)
	}
	if !errors.Is(lastErr, transport.ErrWebsocketClosed) {
		t.Errorf("NextReader after a normal close returned %v, want transport.ErrWebsocketClosed", lastErr)
	}
}

func TestGorillaWebsocketConnConcurrentWritesThenClose(t *testing.T) {
	const writers, perWriter = 8, 25
	reason := strings.Repeat("é", 100) // 200 bytes: more than a close frame holds
	url, done := wsServeAdapter(t, func(conn transport.WebsocketConn) {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					if err := conn.WriteJSON(wsMessage{Type: "next", ID: fmt.Sprintf("%d-%d", w, i)}); err != nil {
						t.Errorf("WriteJSON: %v", err)
					}
				}
			})
		}
		wg.Wait()
		if err := conn.WriteClose(4000, reason); err != nil {
			t.Errorf("WriteClose: %v", err)
		}
		if err := conn.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	c, _, err := wsDial(t, url, nil, "graphql-transport-ws")
	if err != nil {
		t.Fatal(err)
	}
	ce, got := c.expectClose()
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.ID] = true
	}
	if len(got) != writers*perWriter || len(ids) != writers*perWriter {
		t.Errorf("got %d messages (%d distinct), want %d", len(got), len(ids), writers*perWriter)
	}
	if ce.Code != 4000 || !strings.HasPrefix(reason, ce.Text) || len(ce.Text) != 122 {
		// 122: the last whole two-byte rune within the frame's 123 bytes.
		t.Errorf("closed with %d %q (%d bytes), want 4000 and the reason cut to 122 bytes", ce.Code, ce.Text, len(ce.Text))
	}
	// The client's reply to the close frame is what lets Close return.
	wsReceive(t, done, "the server handler")
}
