package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// httpClient keeps enough idle connections for the concurrent callers.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 2 * time.Minute}

// gqlResponse is a GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// encodeGQL is the body of a GraphQL request.
func encodeGQL(query string, vars map[string]any) []byte {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return body
}

// postGQL posts an encoded GraphQL request with key through the real HTTP
// handler and decodes its data into out.
func (s *stack) postGQL(ctx context.Context, key string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading response: %w", err)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("decoding response %d %.200q: %w", resp.StatusCode, raw, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql errors: %+v", r.Errors)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Data, out)
}

// gql is postGQL for setup steps, failing the benchmark on error.
func (s *stack) gql(key, query string, vars map[string]any, out any) {
	s.b.Helper()
	if err := s.postGQL(context.Background(), key, encodeGQL(query, vars), out); err != nil {
		s.b.Fatal(err)
	}
}

// processor creates an EXTRACT processor with the given config.
func (s *stack) processor(key, name, config string) string {
	s.b.Helper()
	var out struct{ CreateProcessor struct{ ID string } }
	s.gql(key, `mutation($in: CreateProcessorInput!) { createProcessor(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"name": name, "type": "EXTRACT", "config": json.RawMessage(config)}}, &out)
	return out.CreateProcessor.ID
}

// createBatchQuery creates a batch and reads back what a client needs.
const createBatchQuery = `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id status counts { total pending } } }`

// createdBatch is createBatchQuery's answer.
type createdBatch struct {
	CreateBatch struct {
		ID     string
		Status string
		Counts struct{ Total, Pending int }
	}
}

// createBatch creates a batch of inputs with processor through GraphQL.
func (s *stack) createBatch(key, processor string, inputs []map[string]any) string {
	s.b.Helper()
	var out createdBatch
	s.gql(key, createBatchQuery, map[string]any{"in": map[string]any{"processorId": processor, "inputs": inputs}}, &out)
	if out.CreateBatch.Counts.Total != len(inputs) {
		s.b.Fatalf("created batch %+v, want %d runs", out.CreateBatch, len(inputs))
	}
	return out.CreateBatch.ID
}

// texts returns n raw-text invoice inputs, as a client would send them.
func texts(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"text": fmt.Sprintf("ACME Corp\nInvoice No: INV-%05d\nTotal: %d.50 EUR\n", i, i+1),
			"externalId": fmt.Sprintf("ext-%d", i)}
	}
	return out
}

// wsConn is a real GraphQL websocket client (graphql-transport-ws) over a
// connection that records when its bytes arrived.
type wsConn struct {
	c     *websocket.Conn
	stamp *stampConn
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// dialWS opens /graphql over a websocket and authenticates with key in
// connection_init, returning after the server's ack.
func (s *stack) dialWS(ctx context.Context, key string) (*wsConn, error) {
	ws := &wsConn{}
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialStamped(ctx, network, addr)
			if err == nil {
				ws.stamp = c.(*stampConn)
			}
			return c, err
		}}
	c, _, err := d.DialContext(ctx, s.wsURL(), nil)
	if err != nil {
		return nil, err
	}
	ws.c = c
	if err := c.WriteJSON(map[string]any{"type": "connection_init",
		"payload": map[string]any{"Authorization": "Bearer " + key}}); err != nil {
		c.Close()
		return nil, err
	}
	for {
		m, err := ws.read(30 * time.Second)
		if err != nil {
			c.Close()
			return nil, err
		}
		switch m.Type {
		case "connection_ack":
			return ws, nil
		case "ping", "ka":
		default:
			c.Close()
			return nil, fmt.Errorf("unexpected %s before ack: %s", m.Type, m.Payload)
		}
	}
}

func (ws *wsConn) read(timeout time.Duration) (wsMessage, error) {
	m, _, err := ws.readAt(timeout)
	return m, err
}

// dialStamped dials a TCP connection that records when the bytes it reads
// arrived (see stampConn).
func dialStamped(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return newStampConn(c)
}

// receipt is when a message reached a client: arrived is when the kernel
// received its last bytes (see stampConn; stamped is false when the
// kernel gave no time and arrived is when the socket was read), read when
// the client's goroutine had read it, before decoding.
type receipt struct {
	arrived, read time.Time
	stamped       bool
}

// readAt reads one message and returns it with its receipt.
func (ws *wsConn) readAt(timeout time.Duration) (wsMessage, receipt, error) {
	var m wsMessage
	at, err := ws.readInto(timeout, &m)
	return m, at, err
}

// readInto reads one message, decodes it into v and returns its receipt.
// A message that does not decode is an error that quotes it.
func (ws *wsConn) readInto(timeout time.Duration, v any) (receipt, error) {
	_ = ws.c.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := ws.c.ReadMessage()
	at := receipt{arrived: ws.stamp.last, read: time.Now(), stamped: ws.stamp.stamped}
	if err != nil {
		return at, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return at, fmt.Errorf("decoding %s: %w", data, err)
	}
	return at, nil
}
