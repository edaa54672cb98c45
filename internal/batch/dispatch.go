package batch

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// Dispatch fills the low queue up to the dispatch window (tasks waiting
// there, not yet taken by a worker) with runs picked
// fairly: round-robin over organizations (the one served longest ago goes
// first), then over each organization's batches (higher priority first,
// then the one served longest ago), then in input order. It returns how
// many runs it queued. Runs are marked dispatched in the database before
// their tasks are enqueued, so a crash in between leaves work the sweeper
// finds, never a task without a row.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	outstanding, err := s.queue.Backlog(ctx)
	if err != nil {
		return 0, err
	}
	free := s.opts.DispatchWindow - outstanding
	if free <= 0 {
		return 0, nil
	}
	plan, contested, err := s.plan(ctx, free)
	if err != nil || len(plan) == 0 {
		return 0, err
	}
	ids, err := s.markDispatched(ctx, plan, contested)
	s.enqueueRuns(ctx, ids) // what was marked before any error
	return len(ids), err
}

// enqueueConcurrency is how many run tasks one dispatch pass enqueues at
// once: each is a round trip to Redis.
const enqueueConcurrency = 8

// enqueueRuns enqueues the tasks of runs just marked dispatched.
func (s *Service) enqueueRuns(ctx context.Context, ids []string) {
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(enqueueConcurrency, len(ids)) {
		wg.Go(func() {
			for id := range next {
				if err := s.queue.EnqueueRun(ctx, id, false); err != nil {
					// The row stays dispatched; the sweeper notices the missing task.
					s.log.WarnContext(ctx, "enqueueing run", "run_id", id, "err", err)
				}
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
}

// grant is how many runs to take from one batch in this pass.
type grant struct {
	batch *ent.Batch
	n     int
}

// plan shares free slots among active batches round-robin. contested
// reports whether more than one batch is waiting for them.
func (s *Service) plan(ctx context.Context, free int) (grants []grant, contested bool, err error) {
	active, err := s.db.Batch.Query().
		Where(entbatch.StatusIn(entbatch.StatusPENDING, entbatch.StatusPROCESSING), entbatch.PendingGT(0)).
		All(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("listing active batches: %w", err)
	}
	orgs := groupByOrg(active)
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
	return grants, len(active) > 1, nil
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
// order and marks them. When batches compete (contested), it records when
// each was served, in plan order, so the round-robin resumes where it
// stopped. Each batch takes one or two statements and no transaction: the
// serve time is bookkeeping for fairness, and the marking is one
// conditional update that returns the runs it marked, so concurrent
// dispatchers never mark a run twice. Both commit asynchronously (a mark
// lost in a database crash only means the run is dispatched again).
func (s *Service) markDispatched(ctx context.Context, plan []grant, contested bool) ([]string, error) {
	var ids []string
	now := s.opts.Now()
	for i, g := range plan {
		if contested {
			served := now.Add(time.Duration(i) * time.Microsecond)
			if err := s.fast.Batch.UpdateOneID(g.batch.ID).SetLastDispatchedAt(served).Exec(ctx); err != nil {
				return ids, fmt.Errorf("recording dispatch of batch %s: %w", g.batch.ID, err)
			}
		}
		picked, err := s.markNext(ctx, g.batch.ID, g.n, now)
		if err != nil {
			return ids, fmt.Errorf("marking runs of batch %s dispatched: %w", g.batch.ID, err)
		}
		ids = append(ids, picked...)
	}
	return ids, nil
}

// markNext marks the next n undispatched PENDING runs of a batch, in input
// order, dispatched and returns their ids. Two statements: a subquery in
// the update would leave the plan to row estimates, which are stale for a
// batch created a moment ago. The update returns only the runs it changed,
// so concurrent dispatchers never mark a run twice.
func (s *Service) markNext(ctx context.Context, batchID string, n int, now time.Time) ([]string, error) {
	picked, err := s.db.Run.Query().
		Where(run.BatchID(batchID), run.StatusEQ(run.StatusPENDING), run.Dispatched(false)).
		Order(ent.Asc(run.FieldPosition)).Limit(n).IDs(ctx)
	if err != nil || len(picked) == 0 {
		return nil, err
	}
	d := entsql.Dialect(s.dialect)
	query, args := d.Update(run.Table).Set(run.FieldDispatched, true).Set(run.FieldDispatchedAt, now).
		Where(entsql.And(entsql.In(run.FieldID, anySlice(picked)...), entsql.EQ(run.FieldStatus, run.StatusPENDING.String()),
			entsql.EQ(run.FieldDispatched, false))).
		Returning(run.FieldID, run.FieldPosition).Query()
	rows, err := s.fast.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type marked struct {
		id       string
		position int
	}
	var got []marked
	for rows.Next() {
		var m marked
		if err := rows.Scan(&m.id, &m.position); err != nil {
			return nil, err
		}
		got = append(got, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no order; queue them in input order.
	sort.Slice(got, func(i, j int) bool { return got[i].position < got[j].position })
	ids := make([]string, len(got))
	for i, m := range got {
		ids[i] = m.id
	}
	return ids, nil
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
