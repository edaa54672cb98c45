package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/server"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// harness is a whole sheaf (API + optional worker) on the test's own
// database and Redis, served by a real HTTP server.
type harness struct {
	t   testing.TB
	cfg config.Config
	app *server.App
	srv *httptest.Server
	// key and org are the first tenant's API key and organization.
	key, org string
	// invoice is an EXTRACT processor of the first tenant.
	invoice string

	workerCancel context.CancelFunc
	workerDone   chan struct{}
}

// invoiceConfig is the extraction template the tests use.
const invoiceConfig = `{"fields": [
  {"name": "invoice_number", "type": "string", "labels": ["Invoice No"], "required": true},
  {"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"}
]}`

// setup starts sheaf for a test; mutate adjusts the configuration. The
// worker is not started: call startWorker.
func setup(t testing.TB, mutate ...func(*config.Config)) *harness {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = testutil.DatabaseURL(t)
	cfg.RedisURL = testutil.RedisURL(t)
	cfg.Concurrency = 4
	cfg.SweepInterval = 200 * time.Millisecond
	cfg.RunLease = 3 * time.Second
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.ProcessTimeout = 20 * time.Second
	cfg.AllowPrivateURLs = true
	for _, m := range mutate {
		m(&cfg)
	}
	ctx := context.Background()
	a, err := server.Open(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("opening app: %v", err)
	}
	t.Cleanup(a.Close)
	h := &harness{t: t, cfg: cfg, app: a}
	h.srv = httptest.NewServer(a.Routes())
	t.Cleanup(h.srv.Close)
	h.org, h.key = h.tenant("acme")
	h.invoice = h.processor(h.key, "invoices", invoiceConfig)
	return h
}

// tenant creates an organization and returns its id and API key.
func (h *harness) tenant(name string) (org, key string) {
	h.t.Helper()
	o, key, err := h.app.Keys.CreateOrganization(context.Background(), name)
	if err != nil {
		h.t.Fatalf("creating organization: %v", err)
	}
	return o.ID, key
}

// processor creates an EXTRACT processor through the API.
func (h *harness) processor(key, name, config string) string {
	h.t.Helper()
	var out struct {
		CreateProcessor struct{ ID string }
	}
	h.mustGQL(key, `mutation($in: CreateProcessorInput!) { createProcessor(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"name": name, "type": "EXTRACT", "config": json.RawMessage(config)}}, &out)
	return out.CreateProcessor.ID
}

// startWorker runs a worker in the test process until stopWorker or the
// end of the test.
func (h *harness) startWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	h.workerCancel, h.workerDone = cancel, make(chan struct{})
	w := h.app.Worker()
	go func() {
		defer close(h.workerDone)
		_ = w.Run(ctx)
	}()
	h.t.Cleanup(h.stopWorker)
}

func (h *harness) stopWorker() {
	if h.workerCancel != nil {
		h.workerCancel()
		<-h.workerDone
		h.workerCancel = nil
	}
}

// gqlResponse is a GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string { s, _ := e.Extensions["code"].(string); return s }

// gql posts a GraphQL request with the given key.
func (h *harness) gql(key, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatalf("decoding response %d %q: %v", resp.StatusCode, raw, err)
	}
	return out
}

// mustGQL runs a request that must succeed and decodes its data into out.
func (h *harness) mustGQL(key, query string, vars map[string]any, out any) {
	h.t.Helper()
	resp := h.gql(key, query, vars)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("graphql errors: %+v", resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			h.t.Fatalf("decoding data %s: %v", resp.Data, err)
		}
	}
}

// gqlBatch is the batch shape the tests read.
type gqlBatch struct {
	ID              string
	Status          string
	Counts          batch.Counts
	PercentComplete float64
	StartedAt       *time.Time
	CompletedAt     *time.Time
	CancelledAt     *time.Time
}

const batchFields = `id status percentComplete startedAt completedAt cancelledAt
  counts { total pending processing processed needsReview failed cancelled }`

// createBatch creates a batch of the given inputs with the invoice processor.
func (h *harness) createBatch(key, processor string, inputs []map[string]any, extra map[string]any) gqlBatch {
	h.t.Helper()
	in := map[string]any{"processorId": processor, "inputs": inputs}
	for k, v := range extra {
		in[k] = v
	}
	var out struct{ CreateBatch gqlBatch }
	h.mustGQL(key, `mutation($in: CreateBatchInput!) { createBatch(input: $in) { `+batchFields+` } }`,
		map[string]any{"in": in}, &out)
	return out.CreateBatch
}

// batch reads a batch through the API.
func (h *harness) batch(key, id string) gqlBatch {
	h.t.Helper()
	var out struct{ Batch *gqlBatch }
	h.mustGQL(key, `query($id: ID!) { batch(id: $id) { `+batchFields+` } }`, map[string]any{"id": id}, &out)
	if out.Batch == nil {
		h.t.Fatalf("batch %s not found", id)
	}
	return *out.Batch
}

// waitBatch polls until cond holds for the batch, failing after a deadline.
func (h *harness) waitBatch(key, id string, cond func(gqlBatch) bool) gqlBatch {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b := h.batch(key, id)
		if cond(b) {
			return b
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("batch %s: condition not met by deadline; last %+v", id, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func terminal(b gqlBatch) bool { return batch.Status(b.Status).Terminal() }

// invoiceTexts returns n raw-text invoice inputs.
func invoiceTexts(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"text": fmt.Sprintf("ACME Corp\nInvoice No: INV-%04d\nTotal: %d.50 EUR\n", i, i+1),
			"externalId": fmt.Sprintf("ext-%d", i)}
	}
	return out
}

// wsClient is a real websocket GraphQL client.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	mu   sync.Mutex
}

// dialWS opens /graphql as a websocket with the given subprotocol and sends
// connection_init with the key; it returns the connection after the ack,
// or the close error.
func (h *harness) dialWS(protocol, key string) (*wsClient, error) {
	h.t.Helper()
	d := websocket.Dialer{Subprotocols: []string{protocol}, HandshakeTimeout: 5 * time.Second}
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/graphql"
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	c := &wsClient{t: h.t, conn: conn}
	h.t.Cleanup(func() { conn.Close() })
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + key}})
	for {
		msg, err := c.read()
		if err != nil {
			return nil, err
		}
		switch msg.Type {
		case "connection_ack":
			return c, nil
		case "ka", "ping":
			continue
		default:
			return nil, fmt.Errorf("unexpected %s before ack: %s", msg.Type, msg.Payload)
		}
	}
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (c *wsClient) send(v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

func (c *wsClient) read() (wsMessage, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	var m wsMessage
	err := c.conn.ReadJSON(&m)
	return m, err
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// tlogWriter sends log lines to t.Log.
type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
