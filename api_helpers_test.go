package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Helpers shared by the api_*_test.go files: the API as a client sees it
// (errors, connections, uploads, websockets) and a document server for URL
// inputs whose answers the test controls.

// apiErr returns the one error of resp, failing the test when there is not
// exactly one or when data is not null.
func apiErr(t testing.TB, resp gqlResponse) gqlError {
	t.Helper()
	if len(resp.Errors) != 1 {
		t.Fatalf("got %d errors (%+v), want exactly one; data %s", len(resp.Errors), resp.Errors, resp.Data)
	}
	return resp.Errors[0]
}

// apiWantErr checks the code of resp's one error and returns it.
func apiWantErr(t testing.TB, resp gqlResponse, code string) gqlError {
	t.Helper()
	e := apiErr(t, resp)
	if e.code() != code {
		t.Fatalf("error code = %q (%+v), want %s", e.code(), e, code)
	}
	return e
}

// index returns extensions.index, or -1 when absent.
func (e gqlError) apiIndex() int {
	v, ok := e.Extensions["index"].(float64)
	if !ok {
		return -1
	}
	return int(v)
}

func (e gqlError) apiField() string { s, _ := e.Extensions["field"].(string); return s }

// apiPost sends one GraphQL request without touching t, so goroutines may
// call it.
func apiPost(url, key, query string, vars map[string]any) (gqlResponse, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return gqlResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return gqlResponse{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return gqlResponse{}, err
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return gqlResponse{}, fmt.Errorf("decoding %d %q: %w", resp.StatusCode, raw, err)
	}
	return out, nil
}

// apiRowCounts is what the database holds, to prove a rejected request wrote
// nothing.
type apiRowCounts struct{ Batches, Runs, Files, Processors, Versions int }

func (h *harness) apiRows() apiRowCounts {
	h.t.Helper()
	ctx := context.Background()
	var c apiRowCounts
	var err error
	count := func(n *int, f func(context.Context) (int, error)) {
		if err == nil {
			*n, err = f(ctx)
		}
	}
	count(&c.Batches, h.app.DB.Batch.Query().Count)
	count(&c.Runs, h.app.DB.Run.Query().Count)
	count(&c.Files, h.app.DB.File.Query().Count)
	count(&c.Processors, h.app.DB.Processor.Query().Count)
	count(&c.Versions, h.app.DB.ProcessorVersion.Query().Count)
	if err != nil {
		h.t.Fatalf("counting rows: %v", err)
	}
	return c
}

// unchanged fails the test when the database's rows differ from before.
func (h *harness) apiUnchanged(before apiRowCounts) {
	h.t.Helper()
	if got := h.apiRows(); got != before {
		h.t.Errorf("rows after a rejected request = %+v, want unchanged %+v", got, before)
	}
}

// apiRun is the run shape the tests read.
type apiRun struct {
	ID               string
	Position         *int
	Status           string
	ExternalID       *string
	Filename         *string
	Attempts         int
	ProcessorVersion int
	StartedAt        *time.Time
	FinishedAt       *time.Time
	Error            *struct{ Code, Message string }
	Output           json.RawMessage
	Batch            *struct{ ID string }
}

const apiRunFields = `id position status externalId filename attempts processorVersion startedAt finishedAt
  error { code message } output batch { id }`

// field returns the value of the named output field of a finished run.
func (r apiRun) outField(name string) any {
	var out struct {
		Fields []struct {
			Name  string
			Value any
		}
	}
	_ = json.Unmarshal(r.Output, &out)
	for _, f := range out.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

// fieldNames lists the output's field names in order.
func (r apiRun) fieldNames() []string {
	var out struct{ Fields []struct{ Name string } }
	_ = json.Unmarshal(r.Output, &out)
	var names []string
	for _, f := range out.Fields {
		names = append(names, f.Name)
	}
	return names
}

// apiRunPage is one page of a runs connection.
type apiRunPage struct {
	Edges []struct {
		Cursor string
		Node   apiRun
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

func (p apiRunPage) runs() []apiRun {
	out := make([]apiRun, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node
	}
	return out
}

// apiRunsPage asks for one page of a batch's runs; status may be nil.
func (h *harness) apiRunsPage(key, batchID string, status []string, first int, after string) (apiRunPage, gqlResponse) {
	h.t.Helper()
	vars := map[string]any{"id": batchID, "first": first, "status": status}
	if after != "" {
		vars["after"] = after
	}
	resp := h.gql(key, `query($id: ID!, $first: Int, $after: String, $status: [RunStatus!]) {
	  runs(batchId: $id, first: $first, after: $after, status: $status) {
	    edges { cursor node { `+apiRunFields+` } } pageInfo { hasNextPage endCursor } } }`, vars)
	var out struct{ Runs apiRunPage }
	if len(resp.Errors) == 0 {
		if err := json.Unmarshal(resp.Data, &out); err != nil {
			h.t.Fatalf("decoding runs %s: %v", resp.Data, err)
		}
	}
	return out.Runs, resp
}

// apiAllRuns reads every run of a batch in input order, pages of 500.
func (h *harness) apiAllRuns(key, batchID string, status ...string) []apiRun {
	h.t.Helper()
	var out []apiRun
	after := ""
	for {
		p, resp := h.apiRunsPage(key, batchID, status, 500, after)
		if len(resp.Errors) > 0 {
			h.t.Fatalf("listing runs: %+v", resp.Errors)
		}
		out = append(out, p.runs()...)
		if !p.PageInfo.HasNextPage {
			return out
		}
		after = *p.PageInfo.EndCursor
	}
}

// run reads one run, or nil.
func (h *harness) apiGetRun(key, id string) *apiRun {
	h.t.Helper()
	var out struct{ Run *apiRun }
	h.mustGQL(key, `query($id: ID!) { run(id: $id) { `+apiRunFields+` } }`, map[string]any{"id": id}, &out)
	return out.Run
}

const (
	apiCancelMutation = `mutation($id: ID!) { cancelBatch(id: $id) { ` + batchFields + ` } }`
	apiRetryMutation  = `mutation($id: ID!, $statuses: [RunStatus!]) { retryBatch(id: $id, statuses: $statuses) { ` + batchFields + ` } }`
)

// cancel cancels a batch that must be cancellable.
func (h *harness) apiCancel(key, id string) gqlBatch {
	h.t.Helper()
	var out struct{ CancelBatch gqlBatch }
	h.mustGQL(key, apiCancelMutation, map[string]any{"id": id}, &out)
	return out.CancelBatch
}

// apiCreateBatch sends createBatch and returns the raw response.
func (h *harness) apiCreateBatch(key string, in map[string]any) gqlResponse {
	h.t.Helper()
	return h.gql(key, `mutation($in: CreateBatchInput!) { createBatch(input: $in) { `+batchFields+` } }`,
		map[string]any{"in": in})
}

// file is the File shape the tests read.
type apiFile struct {
	ID          string
	Filename    string
	ContentType string
	Size        int
	Sha256      string
}

// upload sends uploadFile as a GraphQL multipart request
// (https://github.com/jaydenseric/graphql-multipart-request-spec):
// operations, then map, then the file part.
func (h *harness) apiUpload(key, filename, contentType string, data []byte) (gqlResponse, int) {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `{"query": "mutation($file: Upload!) { uploadFile(file: $file) { id filename contentType size sha256 } }", "variables": {"file": null}}`)
	_ = mw.WriteField("map", `{"0": ["variables.file"]}`)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="0"; filename=%q`, filename))
	hdr.Set("Content-Type", contentType)
	part, _ := mw.CreatePart(hdr)
	_, _ = part.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("uploading: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatalf("decoding upload response %d %q: %v", resp.StatusCode, raw, err)
	}
	return out, resp.StatusCode
}

// apiMustUpload uploads a file that must be accepted.
func (h *harness) apiMustUpload(key, filename, contentType string, data []byte) apiFile {
	h.t.Helper()
	resp, _ := h.apiUpload(key, filename, contentType, data)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("uploadFile: %+v", resp.Errors)
	}
	var out struct{ UploadFile apiFile }
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		h.t.Fatalf("decoding %s: %v", resp.Data, err)
	}
	return out.UploadFile
}

// invoiceText is an invoice document with the given number.
func apiInvoice(n string) string {
	return "ACME Corp\nInvoice No: INV-" + n + "\nTotal: 10.50 EUR\n"
}

// apiDocs serves documents for URL inputs. The first path element says
// how it answers: /ok/N at once, /hold/N once released, /flaky/N with 404
// until fixed, /gone/N always 404. The document is invoice N.
type apiDocs struct {
	*httptest.Server
	arrivals atomic.Int64
	gate     chan struct{}
	release  func()
	fixed    atomic.Bool

	mu   sync.Mutex
	hits map[string]int
}

// newAPIDocs starts a document server. Call its release (idempotent) to
// let held requests answer; the test's cleanup releases them too, so
// register it after startWorker for shutdown to see the requests end.
func newAPIDocs(t testing.TB) *apiDocs {
	d := &apiDocs{gate: make(chan struct{}), hits: map[string]int{}}
	var once sync.Once
	d.release = func() { once.Do(func() { close(d.gate) }) }
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	t.Cleanup(d.release) // runs before Close, which waits for held requests
	return d
}

func (d *apiDocs) serve(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.hits[r.URL.Path]++
	d.mu.Unlock()
	d.arrivals.Add(1)
	kind, n, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch kind {
	case "hold":
		select {
		case <-d.gate:
		case <-r.Context().Done():
			return
		}
	case "flaky":
		if !d.fixed.Load() {
			http.NotFound(w, r)
			return
		}
	case "gone":
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, apiInvoice(n))
}

// url returns the URL of a document served as kind.
func (d *apiDocs) url(kind string, n int) string { return fmt.Sprintf("%s/%s/%04d", d.URL, kind, n) }

// hitsOf returns how often a path was requested.
func (d *apiDocs) hitsOf(kind string, n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[fmt.Sprintf("/%s/%04d", kind, n)]
}

// apiDialRaw opens /graphql as a websocket with the subprotocol and request
// header, without sending anything.
func (h *harness) apiDialRaw(proto string, header http.Header) *websocket.Conn {
	h.t.Helper()
	d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(h.srv.URL, "http")+"/graphql", header)
	if err != nil {
		h.t.Fatalf("dialing websocket: %v", err)
	}
	if got := resp.Header.Get("Sec-Websocket-Protocol"); got != proto {
		h.t.Fatalf("negotiated subprotocol %q, want %q", got, proto)
	}
	h.t.Cleanup(func() { conn.Close() })
	return conn
}

// apiReadWS reads the next message, skipping keep-alives.
func apiReadWS(conn *websocket.Conn) (wsMessage, error) {
	for {
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		var m wsMessage
		if err := conn.ReadJSON(&m); err != nil {
			return m, err
		}
		if m.Type != "ka" && m.Type != "ping" && m.Type != "pong" {
			return m, nil
		}
	}
}

// apiWSProtocols are the subprotocols the server speaks, with their message
// names for starting an operation and for its results.
var apiWSProtocols = []struct{ name, start, next string }{
	{"graphql-transport-ws", "subscribe", "next"},
	{"graphql-ws", "start", "data"},
}

const apiProgressQuery = `subscription($id: ID!) { batchProgress(batchId: $id) { batchId status
  counts { total pending processing processed needsReview failed cancelled } } }`
