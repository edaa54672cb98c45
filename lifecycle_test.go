package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestBatchLifecycle drives a batch from creation to PROCESSED through the
// GraphQL handler, watching it over a websocket subscription with each
// subprotocol.
func TestBatchLifecycle(t *testing.T) {
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			h := setup(t)
			b := h.createBatch(h.key, h.invoice, invoiceTexts(25), map[string]any{"name": "march"})
			if b.Status != "PENDING" || b.Counts.Total != 25 || b.Counts.Pending != 25 {
				t.Fatalf("new batch = %+v, want PENDING with 25 pending", b)
			}
			ws, err := h.dialWS(proto, h.key)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			events := subscribeProgress(t, ws, proto, b.ID)
			h.startWorker()

			var last progressEvent
			n := 0
			for ev := range events {
				if ev.Counts.Total != 25 || ev.Counts.Done()+ev.Counts.Pending+ev.Counts.Processing != 25 {
					t.Fatalf("event counts do not add up: %+v", ev.Counts)
				}
				last, n = ev, n+1
			}
			if n < 2 {
				t.Errorf("got %d progress events, want a snapshot and at least one update", n)
			}
			want := batch.Counts{Total: 25, Processed: 25}
			if diff := cmp.Diff(want, last.Counts); diff != "" {
				t.Errorf("final counts (-want +got):\n%s", diff)
			}
			if last.Status != "PROCESSED" || last.PercentComplete != 100 {
				t.Errorf("final event = %+v, want PROCESSED at 100%%", last)
			}
			got := h.batch(h.key, b.ID)
			if got.Status != "PROCESSED" || got.StartedAt == nil || got.CompletedAt == nil {
				t.Errorf("batch = %+v, want PROCESSED with startedAt and completedAt", got)
			}
			checkOutputs(t, h, b.ID)
		})
	}
}

// checkOutputs reads the runs back in input order with their outputs.
func checkOutputs(t *testing.T, h *harness, batchID string) {
	t.Helper()
	var out struct {
		Runs struct {
			Edges []struct {
				Node struct {
					Position   int
					Status     string
					ExternalID string
					Output     struct {
						Fields []struct {
							Name  string
							Value json.RawMessage
						}
					}
				}
			}
		}
	}
	h.mustGQL(h.key, `query($id: ID!) { runs(batchId: $id, first: 5) { edges { node { position status externalId output } } } }`,
		map[string]any{"id": batchID}, &out)
	if len(out.Runs.Edges) != 5 {
		t.Fatalf("got %d runs, want 5", len(out.Runs.Edges))
	}
	for i, e := range out.Runs.Edges {
		if e.Node.Position != i || e.Node.Status != "PROCESSED" {
			t.Errorf("run %d = %+v", i, e.Node)
		}
		if len(e.Node.Output.Fields) == 0 || e.Node.Output.Fields[0].Name != "invoice_number" {
			t.Errorf("run %d output fields = %+v", i, e.Node.Output.Fields)
			continue
		}
		var v string
		_ = json.Unmarshal(e.Node.Output.Fields[0].Value, &v)
		if want := "INV-000" + string(rune('0'+i)); v != want {
			t.Errorf("run %d invoice_number = %q, want %q", i, v, want)
		}
	}
}

type progressEvent struct {
	BatchID         string
	Status          string
	Counts          batch.Counts
	PercentComplete float64
}

// subscribeProgress starts batchProgress on ws and returns its events; the
// channel closes when the server completes the subscription.
func subscribeProgress(t *testing.T, ws *wsClient, proto, batchID string) <-chan progressEvent {
	t.Helper()
	start, next := "subscribe", "next"
	if proto == "graphql-ws" {
		start, next = "start", "data"
	}
	ws.send(map[string]any{"id": "1", "type": start, "payload": map[string]any{
		"query": `subscription($id: ID!) { batchProgress(batchId: $id) { batchId status percentComplete
			counts { total pending processing processed needsReview failed cancelled } } }`,
		"variables": map[string]any{"id": batchID}}})
	out := make(chan progressEvent, 1000)
	go func() {
		defer close(out)
		for {
			msg, err := ws.read()
			if err != nil {
				t.Errorf("websocket read: %v", err)
				return
			}
			switch msg.Type {
			case next:
				var p struct {
					Data   struct{ BatchProgress progressEvent }
					Errors []gqlError
				}
				_ = json.Unmarshal(msg.Payload, &p)
				if len(p.Errors) > 0 {
					t.Errorf("subscription errors: %+v", p.Errors)
					return
				}
				out <- p.Data.BatchProgress
			case "complete":
				return
			case "error":
				t.Errorf("subscription error: %s", msg.Payload)
				return
			}
		}
	}()
	return out
}

// TestHealthAndMetrics checks the operational endpoints a deployment probes.
func TestHealthAndMetrics(t *testing.T) {
	h := setup(t)
	h.createBatch(h.key, h.invoice, invoiceTexts(3), nil) // queues a dispatch task
	for _, tc := range []struct {
		path, want string
	}{
		{"/healthz", "ok"},
		{"/readyz", "ready"},
		{"/metrics", `sheaf_queue_up 1`},
		{"/metrics", `sheaf_queue_tasks{queue="default"} 1`},
		{"/", "GraphiQL"},
	} {
		resp, err := http.Get(h.srv.URL + tc.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d, want 200 containing %q; body:\n%s", tc.path, resp.StatusCode, tc.want, body)
		}
	}
}

// TestWorkerOpensItsSessionsFirst checks that a starting worker opens the
// database sessions its run handlers will use before any run needs one:
// an idle worker holds one per slot.
func TestWorkerOpensItsSessionsFirst(t *testing.T) {
	if !testutil.Postgres() {
		t.Skip("SQLite has no sessions to open")
	}
	h := setup(t)
	h.startWorker()
	pollUntil(t, "the worker's database sessions", func() bool {
		return h.app.DB.FastStats().OpenConnections >= h.cfg.Concurrency
	})
}
