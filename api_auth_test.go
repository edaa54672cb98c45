package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// TestAuthentication checks that every request needs a valid API key.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := setup(t)
	b := h.createBatch(h.key, h.invoice, invoiceTexts(1), nil)
	post := func(authorization, query string, vars map[string]any) gqlResponse {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out gqlResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	operations := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"batch", `query($id: ID!) { batch(id: $id) { id } }`, map[string]any{"id": b.ID}},
		{"batches", `{ batches { edges { node { id } } } }`, nil},
		{"createBatch", `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(1)}}},
		{"cancelBatch", apiCancelMutation, map[string]any{"id": b.ID}},
	}
	for _, tt := range []struct{ name, header string }{
		{"no key", ""},
		{"unknown key", "Bearer sk_" + strings.Repeat("A", 43)},
		{"not a key", "Bearer hunter2"},
		{"the key with a typo", "Bearer " + h.key + "x"},
		{"the key without a scheme", h.key},
		{"another scheme", "Basic " + h.key},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := h.apiRows()
			for _, op := range operations {
				resp := post(tt.header, op.query, op.vars)
				if e := apiWantErr(t, resp, "UNAUTHENTICATED"); !strings.Contains(e.Message, "API key") {
					t.Errorf("%s: message %q, want it to mention the API key", op.name, e.Message)
				}
			}
			h.apiUnchanged(before)
		})
	}
	if got := h.batch(h.key, b.ID); got.Status != "PENDING" {
		t.Errorf("batch after unauthenticated cancels = %+v, want PENDING", got)
	}
	// The scheme is case-insensitive.
	if resp := post("bearer "+h.key, `query($id: ID!) { batch(id: $id) { id } }`, map[string]any{"id": b.ID}); len(resp.Errors) > 0 {
		t.Errorf("lower-case bearer: %+v", resp.Errors)
	}
}

// TestTenantIsolation checks that another organization's ids answer
// exactly like ids that do not exist, for every lookup and mutation, and
// change nothing.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	h := setup(t)
	file := h.apiMustUpload(h.key, "a.txt", "text/plain", []byte(apiInvoice("1")))
	b := h.createBatch(h.key, h.invoice, []map[string]any{{"text": apiInvoice("1")}, {"fileId": file.ID}}, nil)
	runID := h.apiAllRuns(h.key, b.ID)[0].ID
	_, keyB := h.tenant("globex")
	procB := h.processor(keyB, "invoices", invoiceConfig)

	config := json.RawMessage(invoiceConfig)
	tests := []struct {
		name    string
		query   string
		vars    func(id string) map[string]any
		theirs  string // tenant A's id
		missing string // an id nobody has
		code    string // "": data is null without errors
	}{
		{"batch", `query($id: ID!) { batch(id: $id) { id } }`,
			func(id string) map[string]any { return map[string]any{"id": id} }, b.ID, id.New(id.Batch), ""},
		{"run", `query($id: ID!) { run(id: $id) { id } }`,
			func(id string) map[string]any { return map[string]any{"id": id} }, runID, id.New(id.Run), ""},
		{"processor", `query($id: ID!) { processor(id: $id) { id } }`,
			func(id string) map[string]any { return map[string]any{"id": id} }, h.invoice, id.New(id.Processor), ""},
		{"file", `query($id: ID!) { file(id: $id) { id } }`,
			func(id string) map[string]any { return map[string]any{"id": id} }, file.ID, id.New(id.File), ""},
		{"runs", `query($id: ID!) { runs(batchId: $id) { edges { node { id } } } }`,
			func(id string) map[string]any { return map[string]any{"id": id} }, b.ID, id.New(id.Batch), "NOT_FOUND"},
		{"cancelBatch", apiCancelMutation,
			func(id string) map[string]any { return map[string]any{"id": id} }, b.ID, id.New(id.Batch), "NOT_FOUND"},
		{"retryBatch", apiRetryMutation,
			func(id string) map[string]any { return map[string]any{"id": id} }, b.ID, id.New(id.Batch), "NOT_FOUND"},
		{"createProcessorVersion", `mutation($id: ID!, $c: JSON!) { createProcessorVersion(id: $id, config: $c) { id } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "c": config} }, h.invoice, id.New(id.Processor), "NOT_FOUND"},
		{"createBatch with their processor", `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id } }`,
			func(id string) map[string]any {
				return map[string]any{"in": map[string]any{"processorId": id, "inputs": invoiceTexts(1)}}
			}, h.invoice, id.New(id.Processor), "NOT_FOUND"},
		{"createRun with their processor", `mutation($in: CreateRunInput!) { createRun(input: $in) { id } }`,
			func(id string) map[string]any {
				return map[string]any{"in": map[string]any{"processorId": id, "input": map[string]any{"text": "x"}}}
			}, h.invoice, id.New(id.Processor), "NOT_FOUND"},
		{"createBatch with their file", `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id } }`,
			func(id string) map[string]any {
				return map[string]any{"in": map[string]any{"processorId": procB, "inputs": []map[string]any{{"fileId": id}}}}
			}, file.ID, id.New(id.File), "BAD_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.apiRows()
			theirs := h.gql(keyB, tt.query, tt.vars(tt.theirs))
			missing := h.gql(keyB, tt.query, tt.vars(tt.missing))
			h.apiUnchanged(before)
			if tt.code == "" {
				if len(theirs.Errors) > 0 || !strings.HasSuffix(string(theirs.Data), ":null}") {
					t.Errorf("%s of tenant A's id = %s %+v, want null", tt.name, theirs.Data, theirs.Errors)
				}
			} else {
				apiWantErr(t, theirs, tt.code)
			}
			// Same answer, up to the id itself.
			norm := func(r gqlResponse, id string) string {
				b, _ := json.Marshal(r)
				return strings.ReplaceAll(string(b), id, "<id>")
			}
			if diff := cmp.Diff(norm(missing, tt.missing), norm(theirs, tt.theirs)); diff != "" {
				t.Errorf("tenant A's id answers unlike a missing id (-missing +theirs):\n%s", diff)
			}
		})
	}
	var out struct {
		Batch struct {
			Status      string
			CancelledAt *string
		}
		Processor struct{ Versions []struct{ Version int } }
	}
	h.mustGQL(h.key, `query($b: ID!, $p: ID!) { batch(id: $b) { status cancelledAt } processor(id: $p) { versions { version } } }`,
		map[string]any{"b": b.ID, "p": h.invoice}, &out)
	if out.Batch.Status != "PENDING" || out.Batch.CancelledAt != nil || len(out.Processor.Versions) != 1 {
		t.Errorf("tenant A's data after tenant B's attempts = %+v, want the batch PENDING and one processor version", out)
	}
	var list struct {
		Batches struct {
			Edges []struct{ Node struct{ ID string } }
		}
		Processors struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	h.mustGQL(keyB, `{ batches { edges { node { id } } } processors { edges { node { id } } } }`, nil, &list)
	if len(list.Batches.Edges) != 0 || len(list.Processors.Edges) != 1 || list.Processors.Edges[0].Node.ID != procB {
		t.Errorf("tenant B lists %+v, want no batches and only its own processor", list)
	}

	t.Run("batchProgress", func(t *testing.T) {
		for _, p := range apiWSProtocols {
			ws, err := h.dialWS(p.name, keyB)
			if err != nil {
				t.Fatalf("%s: dial: %v", p.name, err)
			}
			ws.send(map[string]any{"id": "1", "type": p.start, "payload": map[string]any{
				"query": apiProgressQuery, "variables": map[string]any{"id": b.ID}}})
			msg, err := apiReadWS(ws.conn)
			if err != nil {
				t.Fatalf("%s: reading: %v", p.name, err)
			}
			var payload struct {
				Data   json.RawMessage
				Errors []gqlError
			}
			_ = json.Unmarshal(msg.Payload, &payload)
			if msg.Type != p.next || len(payload.Errors) != 1 || payload.Errors[0].code() != "NOT_FOUND" ||
				string(payload.Data) != "null" {
				t.Errorf("%s: subscribing to tenant A's batch sent %s %s, want a result with data null and a NOT_FOUND error",
					p.name, msg.Type, msg.Payload)
			}
			if msg, err := apiReadWS(ws.conn); err != nil || msg.Type != "complete" || msg.ID != "1" {
				t.Errorf("%s: then %+v %v, want complete", p.name, msg, err)
			}
		}
	})
}

// TestWebsocketAuthentication checks how websockets authenticate: a bad
// key in connection_init is refused with close code 4403 (after a
// connection_error under the legacy protocol), and the HTTP Authorization
// header of the upgrade request is enough on its own.
func TestWebsocketAuthentication(t *testing.T) {
	t.Parallel()
	h := setup(t)
	b := h.createBatch(h.key, h.invoice, invoiceTexts(1), nil)
	bearer := func(key string) http.Header { return http.Header{"Authorization": {"Bearer " + key}} }

	refusals := []struct {
		name    string
		header  http.Header
		payload map[string]any
	}{
		{"unknown key", nil, map[string]any{"Authorization": "Bearer sk_" + strings.Repeat("A", 43)}},
		{"bare unknown key", nil, map[string]any{"Authorization": "sk_nope"}},
		{"unknown apiKey", nil, map[string]any{"apiKey": "sk_nope"}},
		{"no key", nil, map[string]any{}},
		{"no payload", nil, nil},
		{"unknown key in the header", bearer("sk_nope"), map[string]any{}},
	}
	for _, p := range apiWSProtocols {
		for _, tt := range refusals {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				conn := h.apiDialRaw(p.name, tt.header)
				init := map[string]any{"type": "connection_init"}
				if tt.payload != nil {
					init["payload"] = tt.payload
				}
				if err := conn.WriteJSON(init); err != nil {
					t.Fatal(err)
				}
				var got []string
				var err error
				for {
					var msg wsMessage
					if msg, err = apiReadWS(conn); err != nil {
						break
					}
					got = append(got, msg.Type+" "+string(msg.Payload))
				}
				// graphql-transport-ws has no connection_error message: the
				// close code says it; the legacy protocol sends one first.
				var want []string
				if p.name == "graphql-ws" {
					want = []string{`connection_error {"message":"forbidden: missing or invalid API key"}`}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("messages before the close (-want +got):\n%s", diff)
				}
				var ce *websocket.CloseError
				if !errors.As(err, &ce) || ce.Code != 4403 || ce.Text != "Forbidden" {
					t.Fatalf("connection ended with %v, want a close frame 4403 Forbidden", err)
				}
			})
		}
		t.Run(p.name+"/key in the upgrade request's header", func(t *testing.T) {
			conn := h.apiDialRaw(p.name, bearer(h.key))
			if err := conn.WriteJSON(map[string]any{"type": "connection_init"}); err != nil {
				t.Fatal(err)
			}
			if msg, err := apiReadWS(conn); err != nil || msg.Type != "connection_ack" {
				t.Fatalf("after connection_init: %+v %v, want connection_ack", msg, err)
			}
			if err := conn.WriteJSON(map[string]any{"id": "7", "type": p.start, "payload": map[string]any{
				"query": apiProgressQuery, "variables": map[string]any{"id": b.ID}}}); err != nil {
				t.Fatal(err)
			}
			msg, err := apiReadWS(conn)
			var payload struct {
				Data struct{ BatchProgress progressEvent }
			}
			_ = json.Unmarshal(msg.Payload, &payload)
			if err != nil || msg.Type != p.next || msg.ID != "7" || payload.Data.BatchProgress.BatchID != b.ID ||
				payload.Data.BatchProgress.Status != "PENDING" {
				t.Errorf("first subscription message = %s %s (%v), want the batch's PENDING snapshot", msg.Type, msg.Payload, err)
			}
		})
	}
}
