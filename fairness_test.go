package main

import (
	"context"
	"testing"

	entrun "github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
)

// TestDispatchFairness pins the dispatcher's round-robin (ARCHITECTURE.md
// §1): a small batch submitted behind a large one is not queued behind it.
// It finishes while the large batch still has pending runs, and the large
// batch keeps progressing meanwhile (the two alternate; neither starves).
//
// Under FIFO dispatch the large batch would finish first; under "newest
// first" it would not progress at all while the small one runs. The bound
// on the large batch's progress counts runs, not time: with strict
// alternation it gets about as many runs as the small batch plus one
// dispatch window.
func TestDispatchFairness(t *testing.T) {
	t.Parallel()
	const big, small, window, concurrency = 400, 10, 4, 2
	cases := []struct {
		name string
		// otherTenant submits the small batch from a second organization;
		// otherwise the same organization submits both.
		otherTenant bool
		// late submits the small batch once the large one is under way.
		late bool
	}{
		{name: "two tenants", otherTenant: true},
		{name: "two tenants, second arrives late", otherTenant: true, late: true},
		{name: "two batches of one tenant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(c *config.Config) { c.DispatchWindow, c.Concurrency = window, concurrency })
			smallKey, smallProc := h.key, h.invoice
			if tc.otherTenant {
				_, smallKey = h.tenant("globex")
				smallProc = h.processor(smallKey, "globex invoices", invoiceConfig)
			}
			a := h.createBatch(h.key, h.invoice, invoiceTexts(big), nil)
			if tc.late {
				h.startWorker()
				h.waitBatch(h.key, a.ID, func(b gqlBatch) bool { return b.Counts.Done() >= 20 })
			}
			b := h.createBatch(smallKey, smallProc, invoiceTexts(small), nil)
			if !tc.late {
				h.startWorker()
			}

			var aThen gqlBatch
			h.waitBatch(smallKey, b.ID, func(got gqlBatch) bool {
				if !terminal(got) {
					return false
				}
				aThen = h.batch(h.key, a.ID)
				return true
			})
			checkFinished(t, h, smallKey, b.ID, "PROCESSED", batch.Counts{Total: small, Processed: small})
			if aThen.Counts.Pending == 0 {
				t.Errorf("the small batch finished after the large one ran out of pending runs: large batch %+v", aThen.Counts)
			}

			// How many of the large batch's runs finished while the small
			// one was open, read from the database rather than at the
			// moment the poll noticed.
			sb := h.dbBatch(b.ID)
			q := h.app.DB.Run.Query().Where(entrun.BatchID(a.ID), entrun.FinishedAtLTE(*sb.CompletedAt))
			if tc.late {
				q = q.Where(entrun.FinishedAtGT(sb.CreatedAt))
			}
			during, err := q.Count(context.Background())
			if err != nil {
				t.Fatalf("counting runs: %v", err)
			}
			t.Logf("%d of the large batch's runs finished while the %d-run batch was open (%d done in all when noticed)",
				during, small, aThen.Counts.Done())
			if during == 0 || during > 2*small+window {
				t.Errorf("the large batch finished %d runs while the small one was open, want 1..%d (alternating)",
					during, 2*small+window)
			}
		})
	}
}
