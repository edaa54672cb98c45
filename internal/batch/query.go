package batch

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// GetBatch returns one of the organization's batches.
func (s *Service) GetBatch(ctx context.Context, org, batchID string) (*ent.Batch, error) {
	b, err := s.db.Batch.Query().Where(entbatch.ID(batchID), entbatch.OrganizationID(org)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("batch", batchID)
	}
	if err != nil {
		return nil, fmt.Errorf("loading batch %s: %w", batchID, err)
	}
	return b, nil
}

// CountsOf returns a batch's counters.
func CountsOf(b *ent.Batch) Counts {
	return Counts{Total: b.Total, Pending: b.Pending, Processing: b.Processing, Processed: b.Processed,
		NeedsReview: b.NeedsReview, Failed: b.Failed, Cancelled: b.Cancelled}
}

// ListBatches pages through the organization's batches, newest first,
// optionally only those in the given states.
func (s *Service) ListBatches(ctx context.Context, org string, statuses []Status, page PageArgs) (*Page[*ent.Batch], error) {
	if err := page.validate(); err != nil {
		return nil, err
	}
	q := s.db.Batch.Query().Where(entbatch.OrganizationID(org)).Order(ent.Desc(entbatch.FieldID))
	if len(statuses) > 0 {
		sts := make([]entbatch.Status, len(statuses))
		for i, st := range statuses {
			sts[i] = entbatch.Status(st)
		}
		q = q.Where(entbatch.StatusIn(sts...))
	}
	if page.After != "" {
		after, err := decodeCursor(page.After)
		if err != nil {
			return nil, err
		}
		q = q.Where(entbatch.IDLT(after))
	}
	limit := page.limit()
	rows, err := q.Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing batches: %w", err)
	}
	out := &Page[*ent.Batch]{}
	out.Items = trim(rows, limit, &out.HasNextPage)
	for _, b := range out.Items {
		out.Cursors = append(out.Cursors, encodeCursor(b.ID))
	}
	return out, nil
}

// ListRuns pages through a batch's runs in input order, outputs included,
// optionally only those in the given states. It streams through the batch a
// page at a time; no call loads a whole batch.
func (s *Service) ListRuns(ctx context.Context, org, batchID string, statuses []RunStatus, page PageArgs) (*Page[*ent.Run], error) {
	if err := page.validate(); err != nil {
		return nil, err
	}
	if _, err := s.GetBatch(ctx, org, batchID); err != nil {
		return nil, err
	}
	q := s.db.Run.Query().Where(run.BatchID(batchID), run.OrganizationID(org)).Order(ent.Asc(run.FieldPosition))
	if len(statuses) > 0 {
		sts := make([]run.Status, len(statuses))
		for i, st := range statuses {
			sts[i] = run.Status(st)
		}
		q = q.Where(run.StatusIn(sts...))
	}
	if page.After != "" {
		c, err := decodeCursor(page.After)
		pos, perr := strconv.Atoi(c)
		if err != nil || perr != nil {
			return nil, &Error{Code: CodeBadInput, Message: "after is not a valid cursor", Index: -1, Field: "after"}
		}
		q = q.Where(run.PositionGT(pos))
	}
	limit := page.limit()
	rows, err := q.Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	out := &Page[*ent.Run]{}
	out.Items = trim(rows, limit, &out.HasNextPage)
	for _, r := range out.Items {
		out.Cursors = append(out.Cursors, encodeCursor(strconv.Itoa(deref(r.Position))))
	}
	return out, nil
}

// GetRun returns one of the organization's runs.
func (s *Service) GetRun(ctx context.Context, org, runID string) (*ent.Run, error) {
	r, err := s.db.Run.Query().Where(run.ID(runID), run.OrganizationID(org)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("run", runID)
	}
	if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", runID, err)
	}
	return r, nil
}
