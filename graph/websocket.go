package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

const (
	// defaultWebsocketWriteTimeout bounds one write when GorillaWebsocket.WriteTimeout is zero.
	defaultWebsocketWriteTimeout = 10 * time.Second
	// websocketCloseGrace is how long Close waits for the peer to answer our close frame
	// before it drops the TCP connection.
	websocketCloseGrace = time.Second
	// maxCloseReasonBytes is what fits in a close frame: 125 bytes of payload less the code.
	maxCloseReasonBytes = 123
)

// GorillaWebsocket adapts gorilla/websocket to gqlgen's websocket transport.
//
// Use it as transport.Websocket{Implementation: GorillaWebsocket{}}. It negotiates
// whichever of gqlgen's subprotocols (graphql-transport-ws, legacy graphql-ws) the
// client lists first, and its connections enforce the transport's PayloadReadLimit,
// honour read deadlines, put a deadline on every write and answer a close frame with
// a bounded close handshake. A failed upgrade writes no response: gqlgen's transport
// answers it with 400 and logs the error Accept returns.
type GorillaWebsocket struct {
	// CheckOrigin reports whether the request's Origin is acceptable. Nil uses
	// gorilla's default: requests without an Origin header, or whose Origin host
	// equals the request's Host, are accepted.
	CheckOrigin func(r *http.Request) bool
	// WriteTimeout bounds each message and close frame written to the peer; zero means 10s.
	WriteTimeout time.Duration
	// ReadBufferSize and WriteBufferSize size gorilla's I/O buffers; zero means
	// gorilla's default (4096). They do not limit message size.
	ReadBufferSize, WriteBufferSize int
}

var _ transport.WebsocketImplementation = GorillaWebsocket{}

// Accept upgrades the request to a websocket connection, selecting the first
// subprotocol the client offers among opts.Subprotocols and sending
// opts.ResponseHeader with the 101 response.
func (g GorillaWebsocket) Accept(
	w http.ResponseWriter,
	r *http.Request,
	opts transport.WebsocketAcceptOptions,
) (transport.WebsocketConn, error) {
	header := opts.ResponseHeader.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Del("Sec-Websocket-Protocol")
	if p := negotiateSubprotocol(r, opts.Subprotocols); p != "" {
		// With Upgrader.Subprotocols nil, gorilla sends the protocol named here.
		header.Set("Sec-Websocket-Protocol", p)
	}

	upgrader := websocket.Upgrader{
		ReadBufferSize:  g.ReadBufferSize,
		WriteBufferSize: g.WriteBufferSize,
		CheckOrigin:     g.CheckOrigin,
		// The transport writes its own error response when Accept fails;
		// letting gorilla write one too would send two.
		Error: func(http.ResponseWriter, *http.Request, int, error) {},
	}
	ws, err := upgrader.Upgrade(w, r, header)
	if err != nil {
		return nil, fmt.Errorf("accepting websocket: %w", err)
	}

	timeout := g.WriteTimeout
	if timeout <= 0 {
		timeout = defaultWebsocketWriteTimeout
	}
	return &gorillaConn{ws: ws, writeTimeout: timeout}, nil
}

// negotiateSubprotocol returns the first protocol the client offers that the server
// supports, so a client offering both gets the one it prefers.
func negotiateSubprotocol(r *http.Request, supported []string) string {
	for _, p := range websocket.Subprotocols(r) {
		if slices.Contains(supported, p) {
			return p
		}
	}
	return ""
}

// gorillaConn is one accepted connection. gorilla allows one concurrent reader and
// one concurrent writer (WriteControl and Close excepted); the two mutexes provide
// that whatever the caller does. gqlgen serialises its own writes today, but the
// WebsocketConn contract does not promise it.
type gorillaConn struct {
	ws           *websocket.Conn
	writeTimeout time.Duration

	writeMu sync.Mutex // held around each data message
	readMu  sync.Mutex // held by NextReader and by Close while it drains

	mu      sync.Mutex
	closing bool // a close frame was sent or Close began; read deadlines are pinned
}

var (
	_ transport.WebsocketConn          = (*gorillaConn)(nil)
	_ transport.WebsocketReadLimiter   = (*gorillaConn)(nil)
	_ transport.WebsocketReadDeadliner = (*gorillaConn)(nil)
)

// NextReader returns the next text or binary message (gorilla.TextMessage = 1,
// BinaryMessage = 2, the values the transport expects). The message is read whole
// (at most the read limit) so a concurrent Close can never tear it. A close from the
// peer with 1000, 1001 or 1005 yields an error matching transport.ErrWebsocketClosed.
func (c *gorillaConn) NextReader() (int, io.Reader, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()

	typ, r, err := c.ws.NextReader()
	if err != nil {
		return typ, nil, mapWebsocketReadError(err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, mapWebsocketReadError(err)
	}
	return typ, bytes.NewReader(data), nil
}

func mapWebsocketReadError(err error) error {
	if websocket.IsCloseError(err,
		websocket.CloseNormalClosure,
		websocket.CloseGoingAway, // a browser leaving the page
		websocket.CloseNoStatusReceived,
	) {
		return fmt.Errorf("%w: %w", transport.ErrWebsocketClosed, err)
	}
	return err
}

// WriteJSON sends v as one text message, failing if it takes longer than the write timeout.
func (c *gorillaConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding websocket message: %w", err)
	}

	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// WriteClose sends a close frame with code and reason (cut to what a frame holds)
// and gives the peer websocketCloseGrace to answer; a reader blocked in NextReader
// returns by then at the latest. A second close frame is never sent.
func (c *gorillaConn) WriteClose(code int, reason string) error {
	msg := websocket.FormatCloseMessage(code, truncateCloseReason(reason))
	err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.writeTimeout))

	c.mu.Lock()
	c.closing = true
	_ = c.ws.SetReadDeadline(time.Now().Add(websocketCloseGrace))
	c.mu.Unlock()

	if errors.Is(err, websocket.ErrCloseSent) {
		return nil
	}
	return err
}

// Close completes the close handshake and closes the connection. After WriteClose it
// waits up to websocketCloseGrace for the peer's close frame, discarding any messages
// before it, so the peer reads our close frame rather than a reset; otherwise it
// closes at once.
func (c *gorillaConn) Close() error {
	c.mu.Lock()
	if !c.closing {
		c.closing = true
		_ = c.ws.SetReadDeadline(time.Now())
	}
	c.mu.Unlock()

	c.readMu.Lock()
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			break
		}
	}
	c.readMu.Unlock()
	return c.ws.Close()
}

// Subprotocol returns the negotiated subprotocol, or "" if the client offered none we support.
func (c *gorillaConn) Subprotocol() string {
	return c.ws.Subprotocol()
}

// SetReadLimit closes the connection with 1009 (message too big) when the peer sends
// a message longer than limit bytes.
func (c *gorillaConn) SetReadLimit(limit int64) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	c.ws.SetReadLimit(limit)
}

// SetReadDeadline sets the read deadline; once closing, the close grace period stands.
func (c *gorillaConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return nil
	}
	return c.ws.SetReadDeadline(t)
}

// truncateCloseReason cuts s to maxCloseReasonBytes without splitting a UTF-8 sequence.
func truncateCloseReason(s string) string {
	if len(s) <= maxCloseReasonBytes {
		return s
	}
	cut := maxCloseReasonBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
