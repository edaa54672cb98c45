package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// errGroupRaced means a group transaction found a row in another state than
// it read it in (a duplicate delivery on another worker, a sweep); it is
// rolled back and its members are handled one by one.
var errGroupRaced = errors.New("a run changed state during a group transaction")

// loadReq is one run task reading its run.
type loadReq struct {
	ctx   context.Context
	runID string
	run   *ent.Run
	err   error
}

// load reads a PENDING run; ErrNotClaimable when it is missing or in
// another state. Loads of concurrent handlers share one query; those of
// single runs, their own.
func (s *Service) load(ctx context.Context, runID string, single bool) (*ent.Run, error) {
	req := &loadReq{ctx: ctx, runID: runID}
	if single {
		s.singleLoads.do(req)
	} else {
		s.loads.do(req)
	}
	return req.run, req.err
}

// loadGroup reads the runs of a group of requests in one query. Each
// request gets its own copy.
func (s *Service) loadGroup(reqs []*loadReq) {
	ctx := groupContext(reqs[0].ctx)
	ids := make([]string, len(reqs))
	for i, req := range reqs {
		ids[i] = req.runID
	}
	rows, err := s.fast.Run.Query().Where(run.IDIn(ids...)).All(ctx)
	byID := make(map[string]*ent.Run, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	for _, req := range reqs {
		r := byID[req.runID]
		switch {
		case err != nil:
			req.err = fmt.Errorf("loading run %s: %w", req.runID, err)
		case r == nil || r.Status != run.StatusPENDING:
			req.err = ErrNotClaimable
		default:
			cp := *r
			req.run = &cp
		}
	}
}

// claimReq is one run task asking to claim its loaded run.
type claimReq struct {
	ctx context.Context
	run *ent.Run
	err error
}

// claim moves a loaded PENDING run to PROCESSING with a lease, counting it
// in its batch and starting the batch; ErrNotClaimable when another
// delivery got there first. Claims of concurrent handlers share one
// transaction (see grouper).
func (s *Service) claim(ctx context.Context, r *ent.Run) error {
	req := &claimReq{ctx: ctx, run: r}
	s.claims.do(req)
	return req.err
}

// groupContext is the context a group's statements run in: the leader's
// values, without its cancellation (a group runs on behalf of several
// handlers) and without a deadline of its own. A context that can end costs
// a goroutine per statement in pgx and database/sql, each watching it, and
// under load the hand-offs to those goroutines cost more than the
// statements. The database bounds each statement instead: PostgreSQL's
// statement_timeout on the pool these groups use, SQLite's busy timeout.
// (Waiting for a connection is not bounded, but each grouper runs one
// group at a time, so the few groupers and the dispatcher cannot exhaust
// that pool's 16 connections.)
func groupContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// claimGroup claims the runs of a group of requests in one transaction.
// A second request for a run already in the group gets ErrNotClaimable.
// Should the transaction fail, each request is retried alone, so one bad
// row cannot fail the others.
func (s *Service) claimGroup(reqs []*claimReq) {
	ctx := groupContext(reqs[0].ctx)
	seen := make(map[string]bool, len(reqs))
	var claimed []*claimReq
	for _, req := range reqs {
		if seen[req.run.ID] {
			req.err = ErrNotClaimable
			continue
		}
		seen[req.run.ID] = true
		claimed = append(claimed, req)
	}
	now := s.opts.Now()
	runs := make([]*ent.Run, len(claimed))
	for i, req := range claimed {
		runs[i] = req.run
	}
	var batches []*ent.Batch
	err := s.withFastTx(ctx, func(tx *ent.Tx) error {
		var err error
		batches, err = s.claimRuns(ctx, tx, runs, now)
		return err
	})
	switch {
	case err == nil:
		for _, r := range runs {
			r.Status, r.StartedAt = run.StatusPROCESSING, &now
		}
		for _, b := range batches {
			s.publish(ctx, b)
		}
	case len(claimed) == 1 && errors.Is(err, errGroupRaced):
		claimed[0].err = ErrNotClaimable
	case len(claimed) == 1:
		claimed[0].err = fmt.Errorf("claiming run %s: %w", claimed[0].run.ID, err)
	default:
		for _, req := range claimed {
			s.claimGroup([]*claimReq{req})
		}
	}
}

// claimRuns moves PENDING runs to PROCESSING in tx and returns their
// batches as updated. Each batch row is locked first, in id order (every
// writer of a batch locks its row before its runs), and counts the claims
// as its own; the run update then has to find every run still PENDING,
// else errGroupRaced rolls it all back.
func (s *Service) claimRuns(ctx context.Context, tx *ent.Tx, runs []*ent.Run, now time.Time) ([]*ent.Batch, error) {
	perBatch := map[string]int{}
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
		if r.BatchID != nil {
			perBatch[*r.BatchID]++
		}
	}
	var batches []*ent.Batch
	for _, id := range batchIDs(runs) {
		k := perBatch[id]
		b, err := s.bumpBatch(ctx, tx, id, map[RunStatus]int{RunPending: -k, RunProcessing: k}, true)
		if err != nil {
			return nil, err
		}
		batches = append(batches, b)
	}
	n, err := tx.Run.Update().Where(run.IDIn(ids...), run.StatusEQ(run.StatusPENDING)).
		SetStatus(run.StatusPROCESSING).SetStartedAt(now).SetLeaseExpiresAt(now.Add(s.opts.RunLease)).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	if n != len(ids) {
		return nil, errGroupRaced
	}
	return batches, nil
}

// startBatch makes a batch update also start a PENDING batch: status
// PROCESSING and its start time. As expressions over the row's old values,
// so the update needs no read of the row first.
func startBatch(now time.Time) func(*sql.UpdateBuilder) {
	ifPending := func(col string, v any) sql.Querier {
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("CASE WHEN ").Ident(entbatch.FieldStatus).WriteString(" = ").Arg(entbatch.StatusPENDING.String()).
				WriteString(" THEN ").Arg(v).WriteString(" ELSE ").Ident(col).WriteString(" END")
		})
	}
	return func(u *sql.UpdateBuilder) {
		u.Set(entbatch.FieldStatus, ifPending(entbatch.FieldStatus, entbatch.StatusPROCESSING.String()))
		u.Set(entbatch.FieldStartedAt, ifPending(entbatch.FieldStartedAt, now))
	}
}

// batchIDs returns the distinct batches of runs, sorted: the order in which
// a group transaction locks them.
func batchIDs(runs []*ent.Run) []string {
	var ids []string
	for _, r := range runs {
		if r.BatchID != nil {
			ids = append(ids, *r.BatchID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
