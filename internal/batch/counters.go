package batch

import (
	"context"
	"database/sql"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
)

// moveCounts moves n runs between two counters of a batch and bumps its
// version (see bumpBatch); as the first write of a transaction, it locks the
// batch row so that writers of one batch always lock in the same order.
// No-op for single runs.
func (s *Service) moveCounts(ctx context.Context, tx *ent.Tx, batchID *string, from, to RunStatus, n int) error {
	if batchID == nil || n == 0 {
		return nil
	}
	_, err := s.bumpBatch(ctx, tx, *batchID, map[RunStatus]int{from: -n, to: n}, false)
	return err
}

// countColumn is the batch column counting runs in each state.
var countColumn = map[RunStatus]string{
	RunPending: entbatch.FieldPending, RunProcessing: entbatch.FieldProcessing,
	RunProcessed: entbatch.FieldProcessed, RunNeedsReview: entbatch.FieldNeedsReview,
	RunFailed: entbatch.FieldFailed, RunCancelled: entbatch.FieldCancelled,
}

// progressColumns are what bumpBatch reads back: a progress message and
// what completing the batch needs.
var progressColumns = []string{
	entbatch.FieldStatus, entbatch.FieldTotal, entbatch.FieldPending, entbatch.FieldProcessing,
	entbatch.FieldProcessed, entbatch.FieldNeedsReview, entbatch.FieldFailed, entbatch.FieldCancelled,
	entbatch.FieldVersion, entbatch.FieldUpdatedAt, entbatch.FieldCompletedAt,
}

// bumpBatch moves run counts of a batch by delta, bumps its version and,
// with start, starts it when it is PENDING — one statement that also reads
// the row back (RETURNING). Being a write, it locks the batch row, so it
// comes first in the run transactions. The returned Batch holds the id and
// progressColumns only.
func (s *Service) bumpBatch(ctx context.Context, tx *ent.Tx, id string, delta map[RunStatus]int, start bool) (*ent.Batch, error) {
	now := s.opts.Now()
	u := entsql.Dialect(s.dialect).Update(entbatch.Table).
		Add(entbatch.FieldVersion, 1).Set(entbatch.FieldUpdatedAt, now)
	for st, n := range delta {
		if n != 0 {
			u.Add(countColumn[st], n)
		}
	}
	if start {
		startBatch(now)(u)
	}
	query, args := u.Where(entsql.EQ(entbatch.FieldID, id)).Returning(progressColumns...).Query()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("counting runs of batch %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("counting runs of batch %s: %w", id, err)
		}
		return nil, fmt.Errorf("counting runs of batch %s: no row came back (dialect %q)", id, s.dialect)
	}
	b := &ent.Batch{ID: id}
	var completed sql.NullTime
	err = rows.Scan(&b.Status, &b.Total, &b.Pending, &b.Processing, &b.Processed, &b.NeedsReview,
		&b.Failed, &b.Cancelled, &b.Version, &b.UpdatedAt, &completed)
	if err != nil {
		return nil, fmt.Errorf("reading counts of batch %s: %w", id, err)
	}
	if completed.Valid {
		b.CompletedAt = &completed.Time
	}
	return b, rows.Close()
}
