package batch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// Dispatch fills the low queue up to the dispatch window with runs picked
// fairly: round-robin over organizations (the one served longest ago goes
// first), then over each organization's batches (higher priority first,
// then the one served longest ago), then in input order. It returns how
// many runs it queued. Runs are marked dispatched in the database before
// their tasks are enqueued, so a crash in between leaves work the sweeper
// finds, never a task without a row.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	outstanding, err := s.outstanding(ctx)
	if err != nil {
		return 0, err
	}
	free := s.opts.DispatchWindow - outstanding
	if free <= 0 {
		return 0, nil
	}
	plan, err := s.plan(ctx, free)
	if err != nil || len(plan) == 0 {
		return 0, err
	}
	ids, err := s.markDispatched(ctx, plan)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.queue.EnqueueRun(ctx, id, false); err != nil {
			// The row stays dispatched; the sweeper notices the missing task.
			s.log.WarnContext(ctx, "enqueueing run", "run_id", id, "err", err)
		}
	}
	return len(ids), nil
}

// outstanding counts batch runs that hold a place in the window: queued
// (PENDING and dispatched) or being processed.
func (s *Service) outstanding(ctx context.Context) (int, error) {
	queued, err := s.db.Run.Query().
		Where(run.StatusEQ(run.StatusPENDING), run.Dispatched(true), run.BatchIDNotNil()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting queued runs: %w", err)
	}
	var sums []struct {
		Sum int `json:"sum"`
	}
	err = s.db.Batch.Query().
		Where(entbatch.StatusIn(entbatch.StatusPROCESSING, entbatch.StatusCANCELLED), entbatch.ProcessingGT(0)).
		Modify(func(sel *sql.Selector) {
			sel.Select(sql.As("COALESCE(SUM("+sel.C(entbatch.FieldProcessing)+"), 0)", "sum"))
		}).Scan(ctx, &sums)
	if err != nil {
		return 0, fmt.Errorf("counting processing runs: %w", err)
	}
	if len(sums) == 0 {
		return queued, nil
	}
	return queued + sums[0].Sum, nil
}

// grant is how many runs to take from one batch in this pass.
type grant struct {
	batch *ent.Batch
	n     int
}

// plan shares free slots among active batches round-robin.
func (s *Service) plan(ctx context.Context, free int) ([]grant, error) {
	active, err := s.db.Batch.Query().
		Where(entbatch.StatusIn(entbatch.StatusPENDING, entbatch.StatusPROCESSING), entbatch.PendingGT(0)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing active batches: %w", err)
	}
	orgs := groupByOrg(active)
	var grants []grant
	index := map[string]int{}
	for round := 0; free > 0; round++ {
		progressed := false
		for _, bs := range orgs {
			if free == 0 {
				break
			}
			b := bs[round%len(bs)]
			if i, ok := index[b.ID]; ok {
				if grants[i].n >= b.Pending {
					continue
				}
				grants[i].n++
			} else {
				index[b.ID] = len(grants)
				grants = append(grants, grant{batch: b, n: 1})
			}
			free--
			progressed = true
		}
		if !progressed && round > len(active) {
			break
		}
	}
	return grants, nil
}

// groupByOrg orders organizations and, within each, batches for fairness.
func groupByOrg(active []*ent.Batch) [][]*ent.Batch {
	byOrg := map[string][]*ent.Batch{}
	for _, b := range active {
		byOrg[b.OrganizationID] = append(byOrg[b.OrganizationID], b)
	}
	orgs := make([][]*ent.Batch, 0, len(byOrg))
	for _, bs := range byOrg {
		sort.Slice(bs, func(i, j int) bool {
			if bs[i].Priority != bs[j].Priority {
				return bs[i].Priority > bs[j].Priority
			}
			return servedBefore(bs[i].LastDispatchedAt, bs[j].LastDispatchedAt, bs[i].ID, bs[j].ID)
		})
		orgs = append(orgs, bs)
	}
	sort.Slice(orgs, func(i, j int) bool {
		a, b := lastServed(orgs[i]), lastServed(orgs[j])
		return servedBefore(a, b, orgs[i][0].OrganizationID, orgs[j][0].OrganizationID)
	})
	return orgs
}

func lastServed(bs []*ent.Batch) *time.Time {
	var last *time.Time
	for _, b := range bs {
		if b.LastDispatchedAt != nil && (last == nil || b.LastDispatchedAt.After(*last)) {
			last = b.LastDispatchedAt
		}
	}
	return last
}

// servedBefore orders never-served first, then by serve time, then by id.
func servedBefore(a, b *time.Time, ida, idb string) bool {
	switch {
	case a == nil && b == nil:
		return ida < idb
	case a == nil:
		return true
	case b == nil:
		return false
	case !a.Equal(*b):
		return a.Before(*b)
	}
	return ida < idb
}

// markDispatched picks each granted batch's next undispatched runs in input
// order and marks them, recording when each batch was served (in plan
// order, so the round-robin resumes where it stopped).
func (s *Service) markDispatched(ctx context.Context, plan []grant) ([]string, error) {
	var ids []string
	now := s.opts.Now()
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		for i, g := range plan {
			// The batch row first, as every writer locks it before its runs.
			served := now.Add(time.Duration(i) * time.Microsecond)
			if err := tx.Batch.UpdateOneID(g.batch.ID).SetLastDispatchedAt(served).Exec(ctx); err != nil {
				return err
			}
			picked, err := tx.Run.Query().
				Where(run.BatchID(g.batch.ID), run.StatusEQ(run.StatusPENDING), run.Dispatched(false)).
				Order(ent.Asc(run.FieldPosition)).Limit(g.n).IDs(ctx)
			if err != nil {
				return err
			}
			if len(picked) == 0 {
				continue
			}
			n, err := tx.Run.Update().Where(run.IDIn(picked...), run.StatusEQ(run.StatusPENDING), run.Dispatched(false)).
				SetDispatched(true).SetDispatchedAt(now).Save(ctx)
			if err != nil {
				return err
			}
			if n != len(picked) {
				return fmt.Errorf("dispatch raced on batch %s; will retry", g.batch.ID)
			}
			ids = append(ids, picked...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("marking runs dispatched: %w", err)
	}
	return ids, nil
}
