package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/id"
)

// TestCreateBatchRejectsBadInputs checks all-or-nothing admission: a batch
// with one bad input, or a bad batch-level setting, is answered with
// BAD_INPUT (or NOT_FOUND for a processor that is not the caller's) naming
// the offending input, and nothing at all is written.
func TestCreateBatchRejectsBadInputs(t *testing.T) {
	t.Parallel()
	h := setup(t, func(c *config.Config) { c.MaxTextBytes = 200 })
	_, keyB := h.tenant("globex")
	otherFile := h.apiMustUpload(keyB, "theirs.txt", "text/plain", []byte(apiInvoice("9")))
	otherProc := h.processor(keyB, "their invoices", invoiceConfig)
	// A batch already exists, so "nothing written" is not "still empty".
	h.createBatch(h.key, h.invoice, invoiceTexts(3), nil)

	tests := []struct {
		name string
		// bad replaces input 2 of four good ones, when set.
		bad map[string]any
		// in overrides the request's top-level fields.
		in        map[string]any
		code      string
		index     int    // -1: the error must not name an input
		field     string // "" : not checked
		inMessage string
	}{
		{name: "no source", bad: map[string]any{"filename": "a.txt"}, code: "BAD_INPUT", index: 2,
			inMessage: "inputs[2]: needs one of text, fileId or url"},
		{name: "two sources", bad: map[string]any{"text": "Invoice No: 1", "url": "https://example.com/a.txt"},
			code: "BAD_INPUT", index: 2, inMessage: "more than one of text, fileId and url"},
		{name: "three sources", bad: map[string]any{"text": "x", "url": "https://example.com/a", "fileId": "fil_x"},
			code: "BAD_INPUT", index: 2, inMessage: "more than one"},
		{name: "empty text", bad: map[string]any{"text": ""}, code: "BAD_INPUT", index: 2, inMessage: "text is empty"},
		{name: "whitespace text", bad: map[string]any{"text": " \n\t\r\n "}, code: "BAD_INPUT", index: 2, inMessage: "text is empty"},
		{name: "text one byte over the limit", bad: map[string]any{"text": strings.Repeat("a", 201)}, code: "BAD_INPUT",
			index: 2, inMessage: "200 bytes"},
		{name: "ftp url", bad: map[string]any{"url": "ftp://example.com/a.txt"}, code: "BAD_INPUT", index: 2,
			inMessage: "http or https"},
		{name: "file url", bad: map[string]any{"url": "file:///etc/passwd"}, code: "BAD_INPUT", index: 2,
			inMessage: "http or https"},
		{name: "relative url", bad: map[string]any{"url": "example.com/a.txt"}, code: "BAD_INPUT", index: 2,
			inMessage: "http or https"},
		{name: "url with credentials", bad: map[string]any{"url": "https://user:secret@example.com/a.txt"},
			code: "BAD_INPUT", index: 2, inMessage: "credentials"},
		{name: "url over 2048 bytes", bad: map[string]any{"url": "https://example.com/" + strings.Repeat("a", 2048)},
			code: "BAD_INPUT", index: 2, inMessage: "2048"},
		{name: "unknown fileId", bad: map[string]any{"fileId": id.New(id.File)}, code: "BAD_INPUT", index: 2,
			inMessage: "not found"},
		{name: "another tenant's fileId", bad: map[string]any{"fileId": otherFile.ID}, code: "BAD_INPUT", index: 2,
			inMessage: "file \"" + otherFile.ID + "\" not found"},
		{name: "metadata is an array", bad: map[string]any{"text": "x", "metadata": []any{1, 2}}, code: "BAD_INPUT",
			index: 2, inMessage: "metadata must be a JSON object"},
		{name: "metadata is a string", bad: map[string]any{"text": "x", "metadata": "tag"}, code: "BAD_INPUT",
			index: 2, inMessage: "metadata must be a JSON object"},
		{name: "metadata is a number", bad: map[string]any{"text": "x", "metadata": 7}, code: "BAD_INPUT",
			index: 2, inMessage: "metadata must be a JSON object"},
		{name: "filename with a slash", bad: map[string]any{"text": "x", "filename": "a/b.txt"}, code: "BAD_INPUT",
			index: 2, inMessage: "filename"},
		{name: "filename with a backslash", bad: map[string]any{"text": "x", "filename": `..\b.txt`}, code: "BAD_INPUT",
			index: 2, inMessage: "filename"},
		{name: "filename over 255 bytes", bad: map[string]any{"text": "x", "filename": strings.Repeat("f", 256)},
			code: "BAD_INPUT", index: 2, inMessage: "filename"},
		{name: "externalId over 255 bytes", bad: map[string]any{"text": "x", "externalId": strings.Repeat("e", 256)},
			code: "BAD_INPUT", index: 2, inMessage: "externalId"},

		{name: "unknown processor", in: map[string]any{"processorId": id.New(id.Processor)}, code: "NOT_FOUND",
			index: -1, inMessage: "not found"},
		{name: "another tenant's processor", in: map[string]any{"processorId": otherProc}, code: "NOT_FOUND",
			index: -1, inMessage: "processor \"" + otherProc + "\" not found"},
		{name: "empty processorId", in: map[string]any{"processorId": ""}, code: "BAD_INPUT", index: -1,
			field: "processorId", inMessage: "processorId"},
		{name: "unknown processorVersion", in: map[string]any{"processorVersion": 2}, code: "NOT_FOUND", index: -1,
			field: "processorVersion", inMessage: "has no version 2 (latest is 1)"},
		{name: "processorVersion 0", in: map[string]any{"processorVersion": 0}, code: "NOT_FOUND", index: -1,
			field: "processorVersion", inMessage: "no version 0"},
		{name: "no inputs", in: map[string]any{"inputs": []any{}}, code: "BAD_INPUT", index: -1, field: "inputs",
			inMessage: "at least one input"},
		{name: "priority over 1000", in: map[string]any{"priority": 1001}, code: "BAD_INPUT", index: -1,
			inMessage: "priority"},
		{name: "priority under -1000", in: map[string]any{"priority": -1001}, code: "BAD_INPUT", index: -1,
			inMessage: "priority"},
		{name: "name over 200 bytes", in: map[string]any{"name": strings.Repeat("n", 201)}, code: "BAD_INPUT",
			index: -1, inMessage: "name"},
		{name: "empty idempotencyKey", in: map[string]any{"idempotencyKey": ""}, code: "BAD_INPUT", index: -1,
			inMessage: "idempotencyKey"},
		{name: "idempotencyKey over 255 bytes", in: map[string]any{"idempotencyKey": strings.Repeat("k", 256)},
			code: "BAD_INPUT", index: -1, inMessage: "idempotencyKey"},
		{name: "batch metadata is an array", in: map[string]any{"metadata": []any{"a"}}, code: "BAD_INPUT", index: -1,
			inMessage: "metadata must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(4)}
			if tt.bad != nil {
				in["inputs"].([]map[string]any)[2] = tt.bad
			}
			for k, v := range tt.in {
				in[k] = v
			}
			before := h.apiRows()
			e := apiWantErr(t, h.apiCreateBatch(h.key, in), tt.code)
			if got := e.apiIndex(); got != tt.index {
				t.Errorf("extensions.index = %d (%+v), want %d", got, e.Extensions, tt.index)
			}
			if tt.field != "" && e.apiField() != tt.field {
				t.Errorf("extensions.field = %q, want %q", e.apiField(), tt.field)
			}
			if !strings.Contains(e.Message, tt.inMessage) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.inMessage)
			}
			h.apiUnchanged(before)
		})
	}
}

// TestCreateBatchNamesFirstBadInput checks that the error names the first
// offending input of several, including the first one past the size limit.
func TestCreateBatchNamesFirstBadInput(t *testing.T) {
	t.Parallel()
	h := setup(t, func(c *config.Config) { c.MaxTextBytes = 200 })
	before := h.apiRows()

	t.Run("1,001 inputs", func(t *testing.T) {
		e := apiWantErr(t, h.apiCreateBatch(h.key, map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(1001)}), "BAD_INPUT")
		if e.apiIndex() != 1000 {
			t.Errorf("extensions.index = %d, want 1000 (the first input over the limit)", e.apiIndex())
		}
		if want := "inputs[1000]: a batch takes at most 1000 inputs; this one has 1001"; e.Message != want {
			t.Errorf("message = %q, want %q", e.Message, want)
		}
		h.apiUnchanged(before)
	})
	t.Run("two bad inputs", func(t *testing.T) {
		inputs := invoiceTexts(6)
		inputs[3] = map[string]any{"text": "  "}
		inputs[5] = map[string]any{}
		e := apiWantErr(t, h.apiCreateBatch(h.key, map[string]any{"processorId": h.invoice, "inputs": inputs}), "BAD_INPUT")
		if e.apiIndex() != 3 || !strings.HasPrefix(e.Message, "inputs[3]: ") {
			t.Errorf("error = %q index %d, want inputs[3]", e.Message, e.apiIndex())
		}
		h.apiUnchanged(before)
	})
}

// TestCreateBatchAcceptsLimits checks that every limit is inclusive: a
// batch with as many inputs as allowed, each field at its longest, is
// admitted whole; one input more is not.
func TestCreateBatchAcceptsLimits(t *testing.T) {
	t.Parallel()
	const maxInputs = 10
	h := setup(t, func(c *config.Config) { c.MaxTextBytes, c.MaxBatchInputs = 200, maxInputs })
	before := h.apiRows()
	inputs := invoiceTexts(maxInputs + 1)
	e := apiWantErr(t, h.apiCreateBatch(h.key, map[string]any{"processorId": h.invoice, "inputs": inputs}), "BAD_INPUT")
	if e.apiIndex() != maxInputs {
		t.Errorf("extensions.index = %d, want %d", e.apiIndex(), maxInputs)
	}
	inputs = inputs[:maxInputs]
	inputs[0] = map[string]any{"text": strings.Repeat("a", 200), "filename": strings.Repeat("f", 255),
		"externalId": strings.Repeat("e", 255), "metadata": map[string]any{"k": "v"}}
	inputs[1] = map[string]any{"url": "https://example.com/" + strings.Repeat("u", 2048-len("https://example.com/"))}
	for _, extra := range []map[string]any{
		{"name": strings.Repeat("n", 200), "priority": -1000, "idempotencyKey": strings.Repeat("k", 255)},
		{"priority": 1000},
	} {
		b := h.createBatch(h.key, h.invoice, inputs, extra)
		if b.Status != "PENDING" || b.Counts.Total != maxInputs || b.Counts.Pending != maxInputs {
			t.Errorf("batch = %+v, want PENDING with %d pending runs", b, maxInputs)
		}
	}
	want := before
	want.Batches, want.Runs = want.Batches+2, want.Runs+2*maxInputs
	if diff := cmp.Diff(want, h.apiRows()); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestQuota checks the active-run quota: a batch that would take the
// organization past its limit of pending + processing runs is rejected
// whole with QUOTA_EXCEEDED; the limit is per organization (and can be set
// per organization); once work finishes, new work is admitted.
func TestQuota(t *testing.T) {
	t.Parallel()
	h := setup(t, func(c *config.Config) { c.OrgActiveRunLimit = 5 })
	ctx := context.Background()

	b1 := h.createBatch(h.key, h.invoice, invoiceTexts(4), nil)
	before := h.apiRows()
	e := apiWantErr(t, h.apiCreateBatch(h.key, map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(2)}), "QUOTA_EXCEEDED")
	if !strings.Contains(e.Message, "4 active runs and a limit of 5") {
		t.Errorf("message = %q, want it to tell the active runs and the limit", e.Message)
	}
	h.apiUnchanged(before)

	// Exactly at the limit is allowed; one more, even a single run, is not.
	b2 := h.createBatch(h.key, h.invoice, invoiceTexts(1), nil)
	before = h.apiRows()
	apiWantErr(t, h.gql(h.key, `mutation($in: CreateRunInput!) { createRun(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"processorId": h.invoice, "input": map[string]any{"text": apiInvoice("1")}}}),
		"QUOTA_EXCEEDED")
	apiWantErr(t, h.apiCreateBatch(h.key, map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(1)}), "QUOTA_EXCEEDED")
	h.apiUnchanged(before)

	// Another organization has its own quota, here lowered to 2.
	orgB, keyB := h.tenant("globex")
	procB := h.processor(keyB, "invoices", invoiceConfig)
	if err := h.app.DB.Organization.UpdateOneID(orgB).SetActiveRunLimit(2).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	before = h.apiRows()
	apiWantErr(t, h.apiCreateBatch(keyB, map[string]any{"processorId": procB, "inputs": invoiceTexts(3)}), "QUOTA_EXCEEDED")
	h.apiUnchanged(before)
	h.createBatch(keyB, procB, invoiceTexts(2), nil)

	h.startWorker()
	for _, id := range []string{b1.ID, b2.ID} {
		h.waitBatch(h.key, id, terminal)
	}
	b3 := h.createBatch(h.key, h.invoice, invoiceTexts(5), nil)
	if b3.Counts.Total != 5 {
		t.Errorf("batch after the first ones finished = %+v, want 5 runs admitted", b3)
	}
}

// TestIdempotency checks idempotencyKey: a retried request returns the
// batch it created; the key reused for a different request is a CONFLICT;
// concurrent duplicates create one batch; keys are per organization.
func TestIdempotency(t *testing.T) {
	t.Parallel()
	h := setup(t)
	req := func(key string, inputs int, extra map[string]any) map[string]any {
		in := map[string]any{"processorId": h.invoice, "inputs": invoiceTexts(inputs), "name": "march",
			"idempotencyKey": key}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	first := h.createBatch(h.key, h.invoice, invoiceTexts(3), map[string]any{"name": "march", "idempotencyKey": "order-1"})
	again := h.createBatch(h.key, h.invoice, invoiceTexts(3), map[string]any{"name": "march", "idempotencyKey": "order-1"})
	if again.ID != first.ID {
		t.Errorf("retried request created batch %s, want the first one %s", again.ID, first.ID)
	}
	if got := h.apiRows(); got.Batches != 1 || got.Runs != 3 {
		t.Errorf("rows = %+v, want one batch of 3 runs", got)
	}

	conflicts := []struct {
		name string
		in   map[string]any
	}{
		{"different inputs", req("order-1", 4, nil)},
		{"different name", req("order-1", 3, map[string]any{"name": "april"})},
		{"different priority", req("order-1", 3, map[string]any{"priority": 5})},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			before := h.apiRows()
			e := apiWantErr(t, h.apiCreateBatch(h.key, tt.in), "CONFLICT")
			if !strings.Contains(e.Message, "order-1") || !strings.Contains(e.Message, first.ID) {
				t.Errorf("message = %q, want it to name the key and the existing batch", e.Message)
			}
			h.apiUnchanged(before)
		})
	}

	t.Run("another organization's key", func(t *testing.T) {
		_, keyB := h.tenant("globex")
		procB := h.processor(keyB, "invoices", invoiceConfig)
		b := h.createBatch(keyB, procB, invoiceTexts(3), map[string]any{"name": "march", "idempotencyKey": "order-1"})
		if b.ID == first.ID {
			t.Errorf("tenant B got tenant A's batch %s for the same key", b.ID)
		}
	})

	t.Run("concurrent duplicates", func(t *testing.T) {
		before := h.apiRows()
		const n = 10
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				resp, err := apiPost(h.srv.URL, h.key, `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id } }`,
					map[string]any{"in": req("order-2", 7, nil)})
				if err == nil && len(resp.Errors) > 0 {
					err = fmt.Errorf("%+v", resp.Errors)
				}
				if err == nil {
					var out struct{ CreateBatch struct{ ID string } }
					err = json.Unmarshal(resp.Data, &out)
					ids[i] = out.CreateBatch.ID
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		for i := range ids {
			if ids[i] != ids[0] {
				t.Errorf("request %d got batch %s, request 0 got %s", i, ids[i], ids[0])
			}
		}
		want := before
		want.Batches, want.Runs = want.Batches+1, want.Runs+7
		if diff := cmp.Diff(want, h.apiRows()); diff != "" {
			t.Errorf("rows after %d concurrent duplicates (-want +got):\n%s", n, diff)
		}
	})
}
