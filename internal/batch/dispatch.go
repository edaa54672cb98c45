package batch

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/ent/schema"
)

// Dispatch fills the low queue up to the dispatch window (tasks waiting
// there, not yet taken by a worker) with runs picked
// fairly: round-robin over organizations (the one served longest ago goes
// first), then over each organization's batches (higher priority first,
// then the one served longest ago), then in input order. It returns how
// many runs it queued. Runs are marked dispatched in the database before
// their tasks are enqueued, so a crash in between leaves work the sweeper
// finds, never a task without a row.
//
// A pass does nothing until a quarter of the window is free (see refill):
// each pass costs a few statements whatever it queues, and a queue still
// three-quarters full keeps the workers busy.
//
// Passes in one process run one at a time: each measures the queue and
// fills what it found free, so two at once would both fill it (a worker
// starts its dispatch loop, a queued dispatch task and its first sweep
// together). Passes of several processes can still overlap and overfill
// the window, by at most one window per extra process.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	s.passing.Lock()
	defer s.passing.Unlock()
	s.taken.Store(0)
	outstanding, err := s.queue.Backlog(ctx)
	if err != nil {
		s.due.Store(1) // try again at the next task taken
		return 0, err
	}
	step := refill(s.opts.DispatchWindow)
	free := s.opts.DispatchWindow - outstanding
	if free < step {
		s.due.Store(int64(step - free))
		return 0, nil
	}
	tasks, err := s.pick(ctx, free)
	s.enqueueRuns(ctx, tasks) // what was marked before any error
	// The next pass is due once a refill's worth is free again: sooner
	// when this one queued less than it had room for.
	s.due.Store(int64(max(1, step-(free-len(tasks)))))
	return len(tasks), err
}

// DispatchIfTaken runs a dispatch pass if this process's workers took batch
// run tasks since the last one. Workers count only the tasks they take
// themselves, so with several worker processes draining one queue none may
// count enough to wake its dispatcher (see tookTask); each calls this now
// and then as well.
func (s *Service) DispatchIfTaken(ctx context.Context) (int, error) {
	if s.taken.Load() == 0 {
		return 0, nil
	}
	return s.Dispatch(ctx)
}

// pick picks up to n runs fairly and marks them dispatched. Planned from a
// remembered list of active batches that came up short (the batch ran out
// of runs, or changed), it plans the rest from a fresh one.
func (s *Service) pick(ctx context.Context, n int) ([]RunTask, error) {
	var tasks []RunTask
	for range 2 {
		plan, contested, remembered, err := s.plan(ctx, n-len(tasks))
		if err != nil || len(plan) == 0 {
			return tasks, err
		}
		more, err := s.markDispatched(ctx, plan, contested)
		tasks = append(tasks, more...)
		if err != nil || len(tasks) == n || !remembered {
			return tasks, err
		}
	}
	return tasks, nil
}

// tookTask counts a batch run task that left the queue for this process's
// workers, and wakes the dispatcher from the moment as many did as the last
// pass said were due before the window has a refill's worth free: sooner,
// a pass could not top it up, and later the queue may run dry.
func (s *Service) tookTask(ctx context.Context) {
	s.taken.Add(1)
	if s.due.Add(-1) <= 0 {
		s.wake(ctx)
	}
}

// refill is how many tasks must have left a window before a dispatch pass
// tops it up: a quarter of it, at least one.
func refill(window int) int { return max(1, window/4) }

// enqueueConcurrency is how many run tasks one dispatch pass enqueues at
// once: each is a round trip to Redis.
const enqueueConcurrency = 8

// enqueueRuns enqueues the tasks of runs just marked dispatched.
func (s *Service) enqueueRuns(ctx context.Context, tasks []RunTask) {
	next := make(chan RunTask)
	var wg sync.WaitGroup
	for range min(enqueueConcurrency, len(tasks)) {
		wg.Go(func() {
			for t := range next {
				if err := s.queue.EnqueueRun(ctx, t, false); err != nil {
					// The row stays dispatched; the sweeper notices the missing task.
					s.log.WarnContext(ctx, "enqueueing run", "run_id", t.RunID, "err", err)
				}
			}
		})
	}
	for _, t := range tasks {
		next <- t
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
// reports whether more than one batch is waiting for them, remembered
// whether the batches came from the list remembered between passes.
func (s *Service) plan(ctx context.Context, free int) (grants []grant, contested, remembered bool, err error) {
	active, remembered, err := s.activeBatches(ctx)
	if err != nil {
		return nil, false, false, err
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
	return grants, len(active) > 1, remembered, nil
}

// planReuse is how long a dispatcher may plan with the batches it last
// found active when it found only one: while a single batch runs, passes
// come every few milliseconds, and reading the batches each time slowed
// them enough to let the queue run dry. A batch created, retried or
// cancelled in this process ends the reuse at once; one from another
// process is seen within planReuse.
const planReuse = 100 * time.Millisecond

// activePlan is the active batches a dispatcher last read.
type activePlan struct {
	mu      sync.Mutex
	batches []*ent.Batch
	read    time.Time
	gen     uint64 // counts replans, so a read that raced one is not kept
}

// activeBatches returns the batches with runs waiting for dispatch, and
// whether they are the ones remembered from an earlier pass.
func (s *Service) activeBatches(ctx context.Context) ([]*ent.Batch, bool, error) {
	p := &s.active
	p.mu.Lock()
	if p.batches != nil && s.opts.Now().Sub(p.read) < planReuse {
		defer p.mu.Unlock()
		return p.batches, true, nil
	}
	gen := p.gen
	p.mu.Unlock()
	read := s.opts.Now()
	active, err := s.db.Batch.Query().
		Where(entbatch.StatusIn(entbatch.StatusPENDING, entbatch.StatusPROCESSING), entbatch.PendingGT(0)).
		All(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("listing active batches: %w", err)
	}
	if len(active) == 1 {
		p.mu.Lock()
		if p.gen == gen {
			p.batches, p.read = active, read
		}
		p.mu.Unlock()
	}
	return active, false, nil
}

// replan makes the next dispatch pass read the active batches again.
func (s *Service) replan() {
	s.active.mu.Lock()
	s.active.batches = nil
	s.active.gen++
	s.active.mu.Unlock()
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
func (s *Service) markDispatched(ctx context.Context, plan []grant, contested bool) ([]RunTask, error) {
	ctx = groupContext(ctx) // statements on the fast pool, bounded there
	var tasks []RunTask
	now := s.opts.Now()
	for i, g := range plan {
		if contested {
			served := now.Add(time.Duration(i) * time.Microsecond)
			if err := s.fast.Batch.UpdateOneID(g.batch.ID).SetLastDispatchedAt(served).Exec(ctx); err != nil {
				return tasks, fmt.Errorf("recording dispatch of batch %s: %w", g.batch.ID, err)
			}
		}
		picked, err := s.markNext(ctx, g.batch.ID, g.n, now)
		if err != nil {
			return tasks, fmt.Errorf("marking runs of batch %s dispatched: %w", g.batch.ID, err)
		}
		if len(picked) < g.n {
			s.replan() // the batch ran out of runs to dispatch, or changed
		}
		tasks = append(tasks, picked...)
	}
	return tasks, nil
}

// markNext marks the next n undispatched PENDING runs of a batch, in input
// order, dispatched and returns their tasks, in input order. One statement
// (markStatement): the subquery walks the batch's undispatched runs in
// position order and stops after n, and on PostgreSQL locks them, skipping
// runs a concurrent dispatcher holds, so no run is marked twice. (Given the
// ids instead, the planner trusts row estimates that are stale for a batch
// created a moment ago and scans every undispatched run of the batch.) The
// update returns what a raw-text run's task carries, so its handler reads
// nothing.
func (s *Service) markNext(ctx context.Context, batchID string, n int, now time.Time) ([]RunTask, error) {
	rows, err := s.hot.query(ctx, markStatement(s.dialect), now, batchID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type marked struct {
		task     RunTask
		position int
	}
	var got []marked
	for rows.Next() {
		var (
			m        marked
			in       InlineRun
			filename sql.NullString
			text     sql.NullString
		)
		if err := rows.Scan(&m.task.RunID, &m.position, &in.OrganizationID, &in.ProcessorID, &in.ProcessorVersion,
			&in.ProcessorType, &in.UseLLM, &filename, &text); err != nil {
			return nil, err
		}
		if text.Valid {
			in.BatchID, in.Filename, in.Text = batchID, filename.String, text.String
			m.task.Inline = &in
		}
		got = append(got, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no order; queue them in input order.
	sort.Slice(got, func(i, j int) bool { return got[i].position < got[j].position })
	tasks := make([]RunTask, len(got))
	for i, m := range got {
		tasks[i] = m.task
	}
	return tasks, nil
}

// markStatement is markNext's statement in the dialect's placeholders: the
// first is the time, the second the batch, the third how many runs to mark.
func markStatement(dialectName string) string {
	if dialectName == dialect.Postgres {
		return markPostgres
	}
	return markSQLite
}

var (
	markPostgres = markSQL("$1", "$2", "$3", " FOR UPDATE SKIP LOCKED")
	markSQLite   = markSQL("?1", "?2", "?3", "")
)

func markSQL(now, batchID, n, lock string) string {
	return `UPDATE runs SET dispatched = true, dispatched_at = ` + now + ` WHERE id IN (
	SELECT id FROM runs WHERE batch_id = ` + batchID + ` AND ` + schema.RunsUndispatched + `
	ORDER BY position LIMIT ` + n + lock + `)
RETURNING ` + markedColumns
}

// markedColumns is what markNext returns per run, the input text only of
// raw-text runs small enough to travel in their task and that call no LLM
// (a stale or duplicate task of such a run would pay for a call whose
// result is then dropped).
var markedColumns = strings.Join([]string{run.FieldID, run.FieldPosition, run.FieldOrganizationID, run.FieldProcessorID,
	run.FieldProcessorVersion, run.FieldProcessorType, run.FieldUseLlm, run.FieldFilename,
	"CASE WHEN " + run.FieldInputKind + " = '" + string(run.InputKindText) + "' AND octet_length(" + run.FieldInputText +
		") <= " + strconv.Itoa(inlineTextMax) + " AND NOT " + run.FieldUseLlm + " THEN " + run.FieldInputText + " END"}, ", ")
