package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
)

// TestRunsPaging pages through a 120-run batch: runs come in input order
// with their outputs, cursors resume where the last page ended, and the
// status filter pages through just the runs in those states.
func TestRunsPaging(t *testing.T) {
	t.Parallel()
	h := setup(t)
	docs := newAPIDocs(t)
	const n = 120
	inputs := invoiceTexts(n)
	for i := 0; i < n; i += 10 { // every tenth document cannot be fetched
		inputs[i] = map[string]any{"url": docs.url("gone", i), "externalId": fmt.Sprintf("ext-%d", i)}
	}
	b := h.createBatch(h.key, h.invoice, inputs, nil)
	h.startWorker()
	if got := h.waitBatch(h.key, b.ID, terminal); got.Counts != (batch.Counts{Total: n, Processed: 108, Failed: 12}) {
		t.Fatalf("batch = %+v, want 108 processed and 12 failed", got)
	}

	var all []apiRun
	var pages []int
	after := ""
	for {
		p, resp := h.apiRunsPage(h.key, b.ID, nil, 50, after)
		if len(resp.Errors) > 0 {
			t.Fatalf("runs: %+v", resp.Errors)
		}
		pages = append(pages, len(p.Edges))
		if len(p.Edges) > 0 && (p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor) {
			t.Errorf("endCursor %v is not the last edge's cursor %q", p.PageInfo.EndCursor, p.Edges[len(p.Edges)-1].Cursor)
		}
		all = append(all, p.runs()...)
		if p.PageInfo.EndCursor != nil {
			after = *p.PageInfo.EndCursor
		}
		if !p.PageInfo.HasNextPage {
			break
		}
		if len(pages) > 10 {
			t.Fatalf("more than 10 pages of 50 for %d runs", n)
		}
	}
	if !slices.Equal(pages, []int{50, 50, 20}) {
		t.Errorf("page sizes = %v, want [50 50 20]", pages)
	}
	if len(all) != n {
		t.Fatalf("paged through %d runs, want %d", len(all), n)
	}
	for i, r := range all {
		if r.Position == nil || *r.Position != i || r.ExternalID == nil || *r.ExternalID != fmt.Sprintf("ext-%d", i) ||
			r.Batch == nil || r.Batch.ID != b.ID {
			t.Fatalf("run %d = position %v externalId %v batch %v, want input %d of %s", i, r.Position, r.ExternalID, r.Batch, i, b.ID)
		}
		if i%10 == 0 {
			if r.Status != "FAILED" || r.Error == nil || r.Error.Code != "INPUT_FETCH_FAILED" {
				t.Errorf("run %d = %s %+v, want FAILED with INPUT_FETCH_FAILED", i, r.Status, r.Error)
			}
			continue
		}
		if want := fmt.Sprintf("INV-%04d", i); r.Status != "PROCESSED" || r.outField("invoice_number") != want {
			t.Errorf("run %d = %s invoice_number %v, want PROCESSED with %s inline", i, r.Status, r.outField("invoice_number"), want)
		}
	}
	end, _ := h.apiRunsPage(h.key, b.ID, nil, 50, after)
	if len(end.Edges) != 0 || end.PageInfo.HasNextPage {
		t.Errorf("page after the last = %d runs, hasNextPage %v; want none", len(end.Edges), end.PageInfo.HasNextPage)
	}

	t.Run("status filter", func(t *testing.T) {
		var positions []int
		after := ""
		for range 5 {
			p, resp := h.apiRunsPage(h.key, b.ID, []string{"FAILED"}, 5, after)
			if len(resp.Errors) > 0 {
				t.Fatalf("runs: %+v", resp.Errors)
			}
			for _, r := range p.runs() {
				positions = append(positions, *r.Position)
			}
			if !p.PageInfo.HasNextPage {
				break
			}
			after = *p.PageInfo.EndCursor
		}
		want := []int{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110}
		if diff := cmp.Diff(want, positions); diff != "" {
			t.Errorf("FAILED runs' positions (-want +got):\n%s", diff)
		}
		if got := len(h.apiAllRuns(h.key, b.ID, "PROCESSED", "FAILED")); got != n {
			t.Errorf("PROCESSED or FAILED: %d runs, want %d", got, n)
		}
		if got := len(h.apiAllRuns(h.key, b.ID, "NEEDS_REVIEW", "PENDING")); got != 0 {
			t.Errorf("NEEDS_REVIEW or PENDING: %d runs, want 0", got)
		}
	})

	t.Run("batch.runs", func(t *testing.T) {
		var out struct {
			Batch struct{ Runs apiRunPage }
		}
		h.mustGQL(h.key, `query($id: ID!) { batch(id: $id) { runs(first: 3, status: [FAILED]) {
		  edges { cursor node { `+apiRunFields+` } } pageInfo { hasNextPage endCursor } } } }`, map[string]any{"id": b.ID}, &out)
		var positions []int
		for _, r := range out.Batch.Runs.runs() {
			positions = append(positions, *r.Position)
		}
		if !slices.Equal(positions, []int{0, 10, 20}) || !out.Batch.Runs.PageInfo.HasNextPage {
			t.Errorf("batch.runs(first: 3, status: FAILED) = %v hasNext %v, want [0 10 20] and more", positions, out.Batch.Runs.PageInfo.HasNextPage)
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			first int
			after string
			field string
		}{
			{"first over 500", 501, "", "first"},
			{"negative first", -1, "", "first"},
			{"cursor that is not ours", 10, "not a cursor!", "after"},
			{"cursor of another kind", 10, "YmF0XzAx", "after"},
		} {
			_, resp := h.apiRunsPage(h.key, b.ID, nil, tt.first, tt.after)
			if e := apiWantErr(t, resp, "BAD_INPUT"); e.apiField() != tt.field {
				t.Errorf("%s: field = %q, want %q", tt.name, e.apiField(), tt.field)
			}
		}
	})
}

// TestBatchesListing pages through the organization's batches newest
// first, with a status filter, and never shows another organization's.
func TestBatchesListing(t *testing.T) {
	t.Parallel()
	h := setup(t)
	var ids []string
	for range 5 {
		ids = append(ids, h.createBatch(h.key, h.invoice, invoiceTexts(1), nil).ID)
	}
	h.apiCancel(h.key, ids[1])
	h.apiCancel(h.key, ids[3])
	_, keyB := h.tenant("globex")
	h.createBatch(keyB, h.processor(keyB, "invoices", invoiceConfig), invoiceTexts(1), nil)

	list := func(key string, status []string, first int, after string) (got []string, next bool, end string) {
		t.Helper()
		vars := map[string]any{"first": first, "status": status}
		if after != "" {
			vars["after"] = after
		}
		var out struct {
			Batches struct {
				Edges []struct {
					Cursor string
					Node   struct{ ID, Status string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		h.mustGQL(key, `query($first: Int, $after: String, $status: [BatchStatus!]) {
		  batches(first: $first, after: $after, status: $status) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }`,
			vars, &out)
		for _, e := range out.Batches.Edges {
			got = append(got, e.Node.ID)
		}
		if out.Batches.PageInfo.EndCursor != nil {
			end = *out.Batches.PageInfo.EndCursor
		}
		return got, out.Batches.PageInfo.HasNextPage, end
	}

	tests := []struct {
		name   string
		status []string
		pages  [][]string
	}{
		{"all", nil, [][]string{{ids[4], ids[3]}, {ids[2], ids[1]}, {ids[0]}}},
		{"cancelled", []string{"CANCELLED"}, [][]string{{ids[3], ids[1]}}},
		{"pending", []string{"PENDING"}, [][]string{{ids[4], ids[2]}, {ids[0]}}},
		{"pending or cancelled", []string{"PENDING", "CANCELLED"}, [][]string{{ids[4], ids[3]}, {ids[2], ids[1]}, {ids[0]}}},
		{"processed", []string{"PROCESSED"}, [][]string{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := ""
			for i, want := range tt.pages {
				got, next, end := list(h.key, tt.status, 2, after)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("page %d (-want +got):\n%s", i, diff)
				}
				if wantNext := i < len(tt.pages)-1; next != wantNext {
					t.Errorf("page %d hasNextPage = %v, want %v", i, next, wantNext)
				}
				after = end
			}
		})
	}
	if got, _, _ := list(keyB, nil, 10, ""); len(got) != 1 || slices.Contains(ids, got[0]) {
		t.Errorf("tenant B lists %v, want only its own batch", got)
	}
}

// TestSingleRuns checks createRun and processDocument: one document goes
// through the critical queue, ahead of batch work, and processDocument
// waits for the result up to the server's timeout.
func TestSingleRuns(t *testing.T) {
	t.Parallel()
	runInput := func(proc string, input map[string]any) map[string]any {
		return map[string]any{"in": map[string]any{"processorId": proc, "input": input}}
	}
	const createRun = `mutation($in: CreateRunInput!) { createRun(input: $in) { ` + apiRunFields + ` } }`
	const processDocument = `mutation($in: CreateRunInput!) { processDocument(input: $in) { ` + apiRunFields + ` } }`

	t.Run("createRun", func(t *testing.T) {
		t.Parallel()
		h := setup(t)
		var out struct{ CreateRun apiRun }
		h.mustGQL(h.key, createRun, runInput(h.invoice, map[string]any{"text": apiInvoice("0042"), "externalId": "one"}), &out)
		r := out.CreateRun
		if r.Status != "PENDING" || r.Batch != nil || r.Position != nil || r.Attempts != 1 || r.ProcessorVersion != 1 {
			t.Errorf("new single run = %+v, want PENDING, no batch or position, attempt 1, version 1", r)
		}
		// No worker yet: the task waits on the critical queue, not the low one.
		sizes, err := h.app.Queue.Sizes()
		if err != nil {
			t.Fatal(err)
		}
		onCritical, err := h.app.Queue.RunTaskExists(context.Background(), r.ID, true)
		if err != nil || !onCritical || sizes["critical"] != 1 || sizes["low"] != 0 {
			t.Errorf("queues = %v, run task on critical = %v (%v); want the one task on critical", sizes, onCritical, err)
		}
		h.startWorker()
		var got *apiRun
		pollUntil(t, "the run is processed", func() bool {
			got = h.apiGetRun(h.key, r.ID)
			return got != nil && batch.RunStatus(got.Status).Terminal()
		})
		if got.Status != "PROCESSED" || got.outField("invoice_number") != "INV-0042" || got.FinishedAt == nil {
			t.Errorf("run = %+v, want PROCESSED with INV-0042", got)
		}
	})

	t.Run("createRun with its task lost", func(t *testing.T) {
		// A single run is written already marked as queued; when Redis loses
		// its task, the sweeper must notice and queue it again.
		t.Parallel()
		h := setup(t)
		var out struct{ CreateRun apiRun }
		h.mustGQL(h.key, createRun, runInput(h.invoice, map[string]any{"text": apiInvoice("0043")}), &out)
		if err := h.app.RDB.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("FLUSHDB: %v", err)
		}
		h.startWorker()
		var got *apiRun
		pollUntil(t, "the run whose task was lost is processed", func() bool {
			got = h.apiGetRun(h.key, out.CreateRun.ID)
			return got != nil && batch.RunStatus(got.Status).Terminal()
		})
		if got.Status != "PROCESSED" || got.outField("invoice_number") != "INV-0043" || got.Attempts != 1 {
			t.Errorf("run = %+v, want PROCESSED once with INV-0043", got)
		}
	})

	t.Run("processDocument", func(t *testing.T) {
		t.Parallel()
		h := setup(t)
		h.startWorker()
		var out struct{ ProcessDocument apiRun }
		h.mustGQL(h.key, processDocument, runInput(h.invoice, map[string]any{"text": apiInvoice("0007")}), &out)
		r := out.ProcessDocument
		if r.Status != "PROCESSED" || r.FinishedAt == nil || r.outField("invoice_number") != "INV-0007" || r.outField("total") == nil {
			t.Errorf("processDocument = %+v (output %s), want the finished run with its output", r, r.Output)
		}

		before := h.apiRows()
		for _, tt := range []struct {
			name  string
			vars  map[string]any
			code  string
			field string
		}{
			{"no source", runInput(h.invoice, map[string]any{}), "BAD_INPUT", "input"},
			{"empty text", runInput(h.invoice, map[string]any{"text": " "}), "BAD_INPUT", "input"},
			{"unknown file", runInput(h.invoice, map[string]any{"fileId": "fil_nope"}), "BAD_INPUT", "input"},
			{"unknown processor", runInput("prc_nope", map[string]any{"text": "x"}), "NOT_FOUND", ""},
		} {
			for _, q := range []string{createRun, processDocument} {
				e := apiWantErr(t, h.gql(h.key, q, tt.vars), tt.code)
				if e.apiField() != tt.field || e.apiIndex() != -1 {
					t.Errorf("%s: extensions %v, want field %q and no index", tt.name, e.Extensions, tt.field)
				}
			}
		}
		h.apiUnchanged(before)
	})

	t.Run("processDocument past its timeout", func(t *testing.T) {
		t.Parallel()
		h := setup(t, func(c *config.Config) { c.ProcessTimeout = 300 * time.Millisecond })
		docs := newAPIDocs(t)
		h.startWorker()
		t.Cleanup(docs.release)
		var out struct{ ProcessDocument apiRun }
		h.mustGQL(h.key, processDocument, runInput(h.invoice, map[string]any{"url": docs.url("hold", 5)}), &out)
		r := out.ProcessDocument
		if r.ID == "" || (r.Status != "PENDING" && r.Status != "PROCESSING") || r.FinishedAt != nil {
			t.Errorf("processDocument on a document still downloading = %+v, want the run PENDING or PROCESSING", r)
		}
		docs.release()
		var got *apiRun
		pollUntil(t, "the run is processed", func() bool {
			got = h.apiGetRun(h.key, r.ID)
			return batch.RunStatus(got.Status).Terminal()
		})
		if got.Status != "PROCESSED" || got.outField("invoice_number") != "INV-0005" {
			t.Errorf("run = %+v, want PROCESSED with INV-0005", got)
		}
	})
}

// TestUploadFile uploads documents with GraphQL multipart requests and
// uses them as batch inputs; bad uploads are refused and leave nothing
// behind; a document that cannot be read fails alone.
func TestUploadFile(t *testing.T) {
	t.Parallel()
	const limit = 4096
	h := setup(t, func(c *config.Config) { c.MaxUploadBytes = limit })
	blobFiles := func() int {
		n := 0
		_ = filepath.WalkDir(h.cfg.DataDir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), "sheaf.db") {
				n++
			}
			return nil
		})
		return n
	}

	text := []byte(apiInvoice("0100"))
	f := h.apiMustUpload(h.key, "invoice.txt", "text/plain", text)
	sum := sha256.Sum256(text)
	want := apiFile{ID: f.ID, Filename: "invoice.txt", ContentType: "text/plain", Size: len(text), Sha256: hex.EncodeToString(sum[:])}
	if diff := cmp.Diff(want, f); diff != "" || !strings.HasPrefix(f.ID, "fil_") {
		t.Errorf("uploaded file (-want +got):\n%s", diff)
	}
	var read struct{ File *apiFile }
	h.mustGQL(h.key, `query($id: ID!) { file(id: $id) { id filename contentType size sha256 } }`, map[string]any{"id": f.ID}, &read)
	if read.File == nil || *read.File != want {
		t.Errorf("file(id) = %+v, want %+v", read.File, want)
	}

	t.Run("filenames lose their directories", func(t *testing.T) {
		for name, want := range map[string]string{"../../etc/inv.txt": "inv.txt", `C:\docs\inv.txt`: "inv.txt"} {
			if got := h.apiMustUpload(h.key, name, "text/plain", text); got.Filename != want {
				t.Errorf("upload named %q stored as %q, want %q", name, got.Filename, want)
			}
		}
	})

	t.Run("refused uploads", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			data []byte
		}{
			{"empty", nil},
			{"one byte over the limit", []byte(strings.Repeat("a", limit+1))},
			{"four times the limit", []byte(strings.Repeat("a", 4*limit))},
			{"larger than a request may be", []byte(strings.Repeat("a", 2<<20))},
		} {
			rows, blobs := h.apiRows(), blobFiles()
			resp, _ := h.apiUpload(h.key, "big.txt", "text/plain", tt.data)
			if e := apiWantErr(t, resp, "BAD_INPUT"); e.apiField() != "file" {
				t.Errorf("%s: field = %q, want file", tt.name, e.apiField())
			}
			h.apiUnchanged(rows)
			if got := blobFiles(); got != blobs {
				t.Errorf("%s: %d files in the data directory after a refused upload, want %d", tt.name, got, blobs)
			}
		}
		if got := h.apiMustUpload(h.key, "max.txt", "text/plain", []byte(strings.Repeat("a", limit))); got.Size != limit {
			t.Errorf("upload of exactly the limit: size %d, want %d", got.Size, limit)
		}
	})

	t.Run("a file that cannot be read fails alone", func(t *testing.T) {
		pdf := h.apiMustUpload(h.key, "scan.pdf", "application/pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
		b := h.createBatch(h.key, h.invoice, []map[string]any{
			{"text": apiInvoice("0001")}, {"fileId": pdf.ID}, {"fileId": f.ID},
		}, nil)
		h.startWorker()
		got := h.waitBatch(h.key, b.ID, terminal)
		if got.Status != "PROCESSED" || got.Counts != (batch.Counts{Total: 3, Processed: 2, Failed: 1}) {
			t.Errorf("batch = %+v, want PROCESSED with 2 processed and 1 failed", got)
		}
		runs := h.apiAllRuns(h.key, b.ID)
		if r := runs[1]; r.Status != "FAILED" || r.Error == nil || r.Error.Code != "PDF_TRUNCATED" {
			t.Errorf("PDF run = %+v (error %+v), want FAILED with PDF_TRUNCATED", r, r.Error)
		}
		if r := runs[2]; r.Status != "PROCESSED" || r.outField("invoice_number") != "INV-0100" {
			t.Errorf("uploaded text run = %s %s, want PROCESSED with INV-0100", r.Status, r.Output)
		}
	})
}

// TestRunFilenameFromUpload checks that a run made from an uploaded file
// carries the file's name (exports and the dashboard show it), unless the
// input names the document itself.
func TestRunFilenameFromUpload(t *testing.T) {
	t.Parallel()
	h := setup(t)
	f := h.apiMustUpload(h.key, "march.txt", "text/plain", []byte(apiInvoice("7")))
	b := h.createBatch(h.key, h.invoice, []map[string]any{
		{"fileId": f.ID},
		{"fileId": f.ID, "filename": "renamed.txt"},
	}, nil)
	var got []string
	for _, r := range h.apiAllRuns(h.key, b.ID) {
		got = append(got, *r.Filename)
	}
	if diff := cmp.Diff([]string{"march.txt", "renamed.txt"}, got); diff != "" {
		t.Errorf("run filenames (-want +got):\n%s", diff)
	}
	e := apiWantErr(t, h.gql(h.key, `mutation($in: CreateBatchInput!) { createBatch(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"processorId": h.invoice, "priority": 5000, "inputs": invoiceTexts(1)}}), "BAD_INPUT")
	if e.apiField() != "priority" {
		t.Errorf("priority error names field %q, want priority", e.apiField())
	}
}
