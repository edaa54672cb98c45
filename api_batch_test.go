package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// TestCancelBatch cancels a batch while some of its documents are being
// fetched from a slow server: pending runs are cancelled at once and never
// fetched, runs in flight finish and are counted, the batch stays
// CANCELLED, and its subscription completes once the last run is counted.
func TestCancelBatch(t *testing.T) {
	t.Parallel()
	h := setup(t)
	docs := newAPIDocs(t)
	const n = 12
	inputs := make([]map[string]any, n)
	for i := range inputs {
		inputs[i] = map[string]any{"url": docs.url("hold", i)}
	}
	b := h.createBatch(h.key, h.invoice, inputs, nil)
	ws, err := h.dialWS("graphql-transport-ws", h.key)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	events := subscribeProgress(t, ws, "graphql-transport-ws", b.ID)
	h.startWorker()
	t.Cleanup(docs.release) // before the worker stops, so held runs can end
	pollUntil(t, "a document is being fetched", func() bool { return docs.arrivals.Load() > 0 })

	got := h.apiCancel(h.key, b.ID)
	inFlight := got.Counts.Processing
	if got.Status != "CANCELLED" || got.CancelledAt == nil || got.CompletedAt != nil {
		t.Errorf("cancelled batch = %+v, want CANCELLED with cancelledAt and no completedAt while runs are in flight", got)
	}
	if got.Counts.Pending != 0 || inFlight == 0 || got.Counts.Cancelled+inFlight != n {
		t.Errorf("counts after cancel = %+v, want no pending, some processing, the rest cancelled", got.Counts)
	}
	if pending := h.apiAllRuns(h.key, b.ID, "PENDING"); len(pending) != 0 {
		t.Errorf("%d runs still PENDING after cancel", len(pending))
	}
	for _, r := range h.apiAllRuns(h.key, b.ID, "CANCELLED") {
		if r.FinishedAt == nil || r.Output != nil && string(r.Output) != "null" {
			t.Errorf("cancelled run %+v, want finishedAt and no output", r)
		}
	}

	again := h.apiCancel(h.key, b.ID)
	if again.ID != b.ID || again.Status != "CANCELLED" || again.CancelledAt == nil || !again.CancelledAt.Equal(*got.CancelledAt) {
		t.Errorf("second cancel = %+v, want the same cancelled batch (cancelledAt %v)", again, got.CancelledAt)
	}

	docs.release()
	// The live subscription follows the runs still in flight at the cancel
	// and completes with the final counts.
	want := batch.Counts{Total: n, Processed: inFlight, Cancelled: n - inFlight}
	var last progressEvent
	for ev := range events {
		last = ev
	}
	if last.Status != "CANCELLED" || last.Counts != want {
		t.Errorf("last progress event = %+v, want CANCELLED with %+v", last, want)
	}
	final := h.waitBatch(h.key, b.ID, func(b gqlBatch) bool { return b.CompletedAt != nil })
	if diff := cmp.Diff(want, final.Counts); diff != "" {
		t.Errorf("final counts (-want +got):\n%s", diff)
	}
	if final.Status != "CANCELLED" || final.PercentComplete != 100 {
		t.Errorf("final batch = %+v, want CANCELLED at 100%%", final)
	}
	if fetched := docs.arrivals.Load(); fetched != int64(inFlight) {
		t.Errorf("the server was asked for %d documents, want only the %d in flight at the cancel", fetched, inFlight)
	}
	for _, r := range h.apiAllRuns(h.key, b.ID, "PROCESSED") {
		if want := fmt.Sprintf("INV-%04d", *r.Position); r.outField("invoice_number") != want {
			t.Errorf("run %d invoice_number = %v, want %s", *r.Position, r.outField("invoice_number"), want)
		}
	}

	// A new subscription to the cancelled batch sends its state and completes.
	ws2, err := h.dialWS("graphql-ws", h.key)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	var snapshots []progressEvent
	for ev := range subscribeProgress(t, ws2, "graphql-ws", b.ID) {
		snapshots = append(snapshots, ev)
	}
	if len(snapshots) != 1 || snapshots[0].Status != "CANCELLED" || snapshots[0].Counts != want {
		t.Errorf("subscription to a cancelled batch sent %+v, want one CANCELLED snapshot with %+v", snapshots, want)
	}

	t.Run("a finished batch cannot be cancelled", func(t *testing.T) {
		done := h.createBatch(h.key, h.invoice, invoiceTexts(2), nil)
		h.waitBatch(h.key, done.ID, terminal)
		e := apiWantErr(t, h.gql(h.key, apiCancelMutation, map[string]any{"id": done.ID}), "CONFLICT")
		if !strings.Contains(e.Message, "PROCESSED") {
			t.Errorf("message = %q, want it to say the batch is PROCESSED", e.Message)
		}
		if after := h.batch(h.key, done.ID); after.Status != "PROCESSED" || after.CancelledAt != nil {
			t.Errorf("batch after refused cancel = %+v, want PROCESSED without cancelledAt", after)
		}
	})
}

// TestRetryFailedRuns checks partial failure and retryBatch: a batch where
// some documents cannot be fetched ends PROCESSED with the failures
// counted and explained; retrying reruns only the failed runs.
func TestRetryFailedRuns(t *testing.T) {
	t.Parallel()
	h := setup(t)
	docs := newAPIDocs(t)
	flaky := []int{1, 4}
	inputs := make([]map[string]any, 6)
	for i := range inputs {
		kind := "ok"
		if slices.Contains(flaky, i) {
			kind = "flaky"
		}
		inputs[i] = map[string]any{"url": docs.url(kind, i), "externalId": kind}
	}
	b := h.createBatch(h.key, h.invoice, inputs, nil)
	h.startWorker()
	got := h.waitBatch(h.key, b.ID, terminal)
	if diff := cmp.Diff(batch.Counts{Total: 6, Processed: 4, Failed: 2}, got.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if got.Status != "PROCESSED" || got.CompletedAt == nil {
		t.Errorf("batch = %+v, want PROCESSED (partial) with completedAt", got)
	}
	firstRuns := h.apiAllRuns(h.key, b.ID)
	for _, r := range firstRuns {
		if r.Attempts != 1 {
			t.Errorf("run %d attempts = %d, want 1", *r.Position, r.Attempts)
		}
		if *r.ExternalID == "ok" {
			continue
		}
		if r.Status != "FAILED" || r.Error == nil || r.Error.Code != "INPUT_FETCH_FAILED" ||
			!strings.Contains(r.Error.Message, "404") || string(r.Output) != "null" {
			t.Errorf("run %d = %+v, want FAILED with INPUT_FETCH_FAILED naming the 404 and no output", *r.Position, r)
		}
		if hits := docs.hitsOf("flaky", *r.Position); hits != 1 {
			t.Errorf("a 404 was fetched %d times, want once (it is not transient)", hits)
		}
	}

	h.stopWorker()
	docs.fixed.Store(true)
	var out struct{ RetryBatch gqlBatch }
	h.mustGQL(h.key, apiRetryMutation, map[string]any{"id": b.ID}, &out)
	reopened := out.RetryBatch
	if diff := cmp.Diff(batch.Counts{Total: 6, Pending: 2, Processed: 4}, reopened.Counts); diff != "" {
		t.Errorf("counts after retry (-want +got):\n%s", diff)
	}
	if reopened.Status != "PROCESSING" || reopened.CompletedAt != nil {
		t.Errorf("retried batch = %+v, want PROCESSING without completedAt", reopened)
	}
	apiWantErr(t, h.gql(h.key, apiRetryMutation, map[string]any{"id": b.ID}), "CONFLICT")
	e := apiWantErr(t, h.gql(h.key, apiRetryMutation, map[string]any{"id": b.ID, "statuses": []string{"PROCESSED"}}), "BAD_INPUT")
	if e.apiField() != "statuses" {
		t.Errorf("retry of PROCESSED runs: field = %q, want statuses", e.apiField())
	}

	h.startWorker()
	final := h.waitBatch(h.key, b.ID, terminal)
	if diff := cmp.Diff(batch.Counts{Total: 6, Processed: 6}, final.Counts); diff != "" {
		t.Errorf("counts after the retry (-want +got):\n%s", diff)
	}
	if final.Status != "PROCESSED" || final.CompletedAt == nil {
		t.Errorf("batch = %+v, want PROCESSED with completedAt", final)
	}
	for i, r := range h.apiAllRuns(h.key, b.ID) {
		before := firstRuns[i]
		if slices.Contains(flaky, i) {
			if r.Attempts != 2 || r.Status != "PROCESSED" || r.Error != nil || r.outField("invoice_number") != fmt.Sprintf("INV-%04d", i) {
				t.Errorf("retried run %d = %+v, want PROCESSED on attempt 2 with its output", i, r)
			}
			continue
		}
		if r.Attempts != 1 || r.Status != "PROCESSED" || !r.FinishedAt.Equal(*before.FinishedAt) || docs.hitsOf("ok", i) != 1 {
			t.Errorf("run %d was touched by the retry: %+v (before %+v, fetched %d times)", i, r, before, docs.hitsOf("ok", i))
		}
	}
	e = apiWantErr(t, h.gql(h.key, apiRetryMutation, map[string]any{"id": b.ID}), "CONFLICT")
	if !strings.Contains(e.Message, "no runs") {
		t.Errorf("retry without failed runs: message %q, want it to say there are no such runs", e.Message)
	}
}

// TestBatchWhereEveryRunFails checks that a batch with no successful run
// ends FAILED, never PROCESSED.
func TestBatchWhereEveryRunFails(t *testing.T) {
	t.Parallel()
	h := setup(t)
	docs := newAPIDocs(t)
	inputs := []map[string]any{{"url": docs.url("gone", 0)}, {"url": docs.url("gone", 1)}, {"url": docs.url("gone", 2)}}
	b := h.createBatch(h.key, h.invoice, inputs, nil)
	h.startWorker()
	got := h.waitBatch(h.key, b.ID, terminal)
	if got.Status != "FAILED" || got.CompletedAt == nil {
		t.Errorf("batch = %+v, want FAILED with completedAt", got)
	}
	if diff := cmp.Diff(batch.Counts{Total: 3, Failed: 3}, got.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// TestProcessorVersions checks processor configuration: invalid configs
// and duplicate names are refused; a new version does not change batches
// created before it, which keep the version they pinned.
func TestProcessorVersions(t *testing.T) {
	t.Parallel()
	h := setup(t)
	createProc := `mutation($in: CreateProcessorInput!) { createProcessor(input: $in) { id name type version config } }`
	newVersion := `mutation($id: ID!, $config: JSON!) { createProcessorVersion(id: $id, config: $config) { id version config } }`

	invalid := []struct {
		name, typ string
		config    any
		field     string
		inMessage string
	}{
		{"config is an array", "EXTRACT", []any{}, "config", "JSON object"},
		{"config is a string", "EXTRACT", "fields", "config", "JSON object"},
		{"no fields", "EXTRACT", map[string]any{}, "config", "fields"},
		{"field without labels or regex", "EXTRACT", json.RawMessage(`{"fields": [{"name": "a"}]}`), "config", "labels"},
		{"unknown field type", "EXTRACT", json.RawMessage(`{"fields": [{"name": "a", "type": "integer", "labels": ["A"]}]}`), "config", "integer"},
		{"blank name", "EXTRACT", json.RawMessage(invoiceConfig), "name", "name"},
		{"classify without classes", "CLASSIFY", map[string]any{"classes": []any{}}, "config", "class"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			name := "p " + tt.name
			if tt.field == "name" {
				name = "   "
			}
			before := h.apiRows()
			e := apiWantErr(t, h.gql(h.key, createProc, map[string]any{"in": map[string]any{"name": name, "type": tt.typ,
				"config": tt.config}}), "BAD_INPUT")
			if tt.field != "" && e.apiField() != tt.field {
				t.Errorf("field = %q, want %q", e.apiField(), tt.field)
			}
			if !strings.Contains(e.Message, tt.inMessage) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.inMessage)
			}
			h.apiUnchanged(before)
		})
	}

	t.Run("duplicate name", func(t *testing.T) {
		before := h.apiRows()
		e := apiWantErr(t, h.gql(h.key, createProc, map[string]any{"in": map[string]any{"name": "invoices", "type": "EXTRACT",
			"config": json.RawMessage(invoiceConfig)}}), "CONFLICT")
		if e.apiField() != "name" {
			t.Errorf("field = %q, want name", e.apiField())
		}
		h.apiUnchanged(before)
		_, keyB := h.tenant("globex")
		h.processor(keyB, "invoices", invoiceConfig) // names are per organization
	})

	v2Config := `{"fields": [
	  {"name": "invoice_number", "type": "string", "labels": ["Invoice No"], "required": true},
	  {"name": "customer", "type": "string", "labels": ["Customer"]}
	]}`
	texts := func(n int) []map[string]any {
		out := invoiceTexts(n)
		for i := range out {
			out[i]["text"] = out[i]["text"].(string) + "Customer: Globex\n"
		}
		return out
	}
	before := h.createBatch(h.key, h.invoice, texts(2), nil)
	var v2 struct {
		CreateProcessorVersion struct {
			ID      string
			Version int
			Config  json.RawMessage
		}
	}
	h.mustGQL(h.key, newVersion, map[string]any{"id": h.invoice, "config": json.RawMessage(v2Config)}, &v2)
	if v2.CreateProcessorVersion.Version != 2 || !apiSameJSON(t, v2Config, v2.CreateProcessorVersion.Config) {
		t.Errorf("createProcessorVersion = %+v, want version 2 with the new config", v2.CreateProcessorVersion)
	}
	rows := h.apiRows()
	apiWantErr(t, h.gql(h.key, newVersion, map[string]any{"id": h.invoice, "config": map[string]any{"fields": "x"}}), "BAD_INPUT")
	h.apiUnchanged(rows)
	after := h.createBatch(h.key, h.invoice, texts(2), nil)
	pinned := h.createBatch(h.key, h.invoice, texts(2), map[string]any{"processorVersion": 1})

	h.startWorker()
	for _, tt := range []struct {
		name    string
		id      string
		version int
		fields  []string
	}{
		{"created before version 2", before.ID, 1, []string{"invoice_number", "total"}},
		{"created after version 2", after.ID, 2, []string{"invoice_number", "customer"}},
		{"pinned to version 1", pinned.ID, 1, []string{"invoice_number", "total"}},
	} {
		h.waitBatch(h.key, tt.id, terminal)
		var out struct {
			Batch struct {
				ProcessorVersion int
				Processor        struct{ Version int }
			}
		}
		h.mustGQL(h.key, `query($id: ID!) { batch(id: $id) { processorVersion processor { version } } }`,
			map[string]any{"id": tt.id}, &out)
		if out.Batch.ProcessorVersion != tt.version || out.Batch.Processor.Version != tt.version {
			t.Errorf("%s: batch pins %+v, want version %d", tt.name, out.Batch, tt.version)
		}
		for _, r := range h.apiAllRuns(h.key, tt.id) {
			if r.ProcessorVersion != tt.version || r.Status != "PROCESSED" || !slices.Equal(r.fieldNames(), tt.fields) {
				t.Errorf("%s: run %d version %d %s fields %v, want version %d PROCESSED with %v",
					tt.name, *r.Position, r.ProcessorVersion, r.Status, r.fieldNames(), tt.version, tt.fields)
			}
		}
	}

	type version struct {
		Version int
		Config  json.RawMessage
	}
	var proc struct {
		V1, Latest struct {
			Version  int
			Config   json.RawMessage
			Versions []version
		}
		Missing *struct{ ID string }
	}
	h.mustGQL(h.key, `query($id: ID!) {
	  v1: processor(id: $id, version: 1) { version config }
	  latest: processor(id: $id) { version config versions { version config } }
	  missing: processor(id: $id, version: 3) { id } }`, map[string]any{"id": h.invoice}, &proc)
	if proc.V1.Version != 1 || !apiSameJSON(t, invoiceConfig, proc.V1.Config) {
		t.Errorf("processor(version: 1) = version %d config %s, want version 1 with the first config", proc.V1.Version, proc.V1.Config)
	}
	if proc.Latest.Version != 2 || !apiSameJSON(t, v2Config, proc.Latest.Config) {
		t.Errorf("processor = version %d config %s, want version 2", proc.Latest.Version, proc.Latest.Config)
	}
	if len(proc.Latest.Versions) != 2 || proc.Latest.Versions[0].Version != 1 || proc.Latest.Versions[1].Version != 2 ||
		!apiSameJSON(t, invoiceConfig, proc.Latest.Versions[0].Config) || !apiSameJSON(t, v2Config, proc.Latest.Versions[1].Config) {
		t.Errorf("versions = %+v, want 1 and 2 with their configs, oldest first", proc.Latest.Versions)
	}
	if proc.Missing != nil {
		t.Errorf("processor(version: 3) = %+v, want null", proc.Missing)
	}
}

// apiSameJSON reports whether two JSON texts hold the same value (a database
// may reformat a stored document).
func apiSameJSON(t testing.TB, want string, got json.RawMessage) bool {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad JSON %s: %v", want, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return false
	}
	return cmp.Equal(w, g)
}
