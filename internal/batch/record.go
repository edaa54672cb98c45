package batch

import (
	"context"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// recordOutcomes writes the outcomes of a group of runs in one UPDATE, on
// SQLite (PostgreSQL records a group with finishStatement): each column
// takes its value per run from a CASE on the run id, and each run only
// while it is still in the state its request left it in. It returns
// ErrStaleLease when a single run was not, errGroupRaced when one of
// several was (the caller then records them one by one).
func (s *Service) recordOutcomes(ctx context.Context, tx *ent.Tx, reqs []*finishReq) error {
	u := entsql.Dialect(s.dialect).Update(run.Table).
		Set(run.FieldFinishedAt, s.opts.Now()).SetNull(run.FieldLeaseExpiresAt).Set(run.FieldDispatched, false).
		Where(stillIn(reqs))
	// perRun sets col, for the runs value gives one for, from a CASE on
	// the run id; the others keep theirs.
	perRun := func(col string, value func(*finishReq) (any, bool)) {
		var set []*finishReq
		var vals []any
		for _, req := range reqs {
			if v, ok := value(req); ok {
				set, vals = append(set, req), append(vals, v)
			}
		}
		if len(set) == 0 {
			return
		}
		u.Set(col, entsql.ExprFunc(func(b *entsql.Builder) {
			b.WriteString("CASE ").Ident(run.FieldID)
			for i, req := range set {
				b.WriteString(" WHEN ").Arg(req.run.ID).WriteString(" THEN ").Arg(vals[i])
			}
			b.WriteString(" ELSE ").Ident(col).WriteString(" END")
		}))
	}
	perRun(run.FieldStatus, func(r *finishReq) (any, bool) { return string(r.out.status), true })
	perRun(run.FieldOutput, func(r *finishReq) (any, bool) {
		if r.out.err != nil {
			return nil, false
		}
		return jsonArg(r.out.result.Output), true
	})
	perRun(run.FieldErrorCode, func(r *finishReq) (any, bool) {
		return errorField(r, func(e *RunError) string { return e.Code })
	})
	perRun(run.FieldErrorMessage, func(r *finishReq) (any, bool) {
		return errorField(r, func(e *RunError) string { return e.Message })
	})
	perRun(run.FieldStartedAt, func(r *finishReq) (any, bool) { return r.started, !r.claimed })
	query, args := u.Query()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("recording %d run outcomes: %w", len(reqs), err)
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return fmt.Errorf("recording %d run outcomes: %w", len(reqs), err)
	case int(n) == len(reqs):
		return nil
	case len(reqs) == 1:
		return ErrStaleLease
	}
	return errGroupRaced
}

// stillIn matches the runs of reqs that are still in the state their
// request left them in: PROCESSING when claimed, else PENDING.
func stillIn(reqs []*finishReq) *entsql.Predicate {
	var claimed, inline []any
	for _, req := range reqs {
		if req.claimed {
			claimed = append(claimed, req.run.ID)
		} else {
			inline = append(inline, req.run.ID)
		}
	}
	var or []*entsql.Predicate
	if len(claimed) > 0 {
		or = append(or, entsql.And(entsql.In(run.FieldID, claimed...), entsql.EQ(run.FieldStatus, string(RunProcessing))))
	}
	if len(inline) > 0 {
		or = append(or, entsql.And(entsql.In(run.FieldID, inline...), entsql.EQ(run.FieldStatus, string(RunPending))))
	}
	return entsql.Or(or...)
}

func errorField(r *finishReq, field func(*RunError) string) (any, bool) {
	if r.out.err == nil {
		return nil, false
	}
	return field(r.out.err), true
}

// jsonArg is a JSON value as a parameter, the bytes ent itself stores; no
// value is JSON null, as ent writes it.
func jsonArg(raw []byte) []byte {
	if raw == nil {
		return []byte("null")
	}
	return raw
}
