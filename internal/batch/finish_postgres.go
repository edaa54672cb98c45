package batch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
)

// finishStatement records a group of outcomes on PostgreSQL in one
// statement, which commits on its own:
//
//   - locked takes the row locks of the group's batches first, in id order
//     (byte order, as batchIDs sorts), as every transaction that writes a
//     batch and its runs does, so that it cannot deadlock with a cancel or
//     a claim; the always-true count in o's condition is what makes it run
//     before o touches a run;
//   - o writes each run's outcome ($3–$9, one array element per request)
//     while the run is still in the state its request left it in, and
//     returns the requests it wrote (a duplicate of a request, or a run
//     that changed state meanwhile, is not written);
//   - d counts what o wrote per batch, and counted moves the batch counters by
//     exactly that, starts a PENDING batch when a run left PENDING, and
//     completes it when no run is left open, as complete does;
//   - each written request comes back with its batch as committed.
//
// A run keeps the output, error and start time it had when its request
// brings none. $2 is the time of the finish.
//
// Unlike the transaction it replaces, the statement reads the runs as they
// were when it started, before it waited for the batch locks: a run that
// the holder of such a lock moved into the state a request expects would
// count as changed. No writer does that to a run whose outcome is waiting:
// a handler records an outcome only after its own claim committed.
const finishStatement = `WITH locked AS (
	SELECT id FROM batches WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE
), o AS (
	UPDATE runs AS r SET status = v.status, output = COALESCE(v.output::jsonb, r.output),
		error_code = COALESCE(v.error_code, r.error_code), error_message = COALESCE(v.error_message, r.error_message),
		started_at = COALESCE(v.started_at, r.started_at), finished_at = $2, lease_expires_at = NULL, dispatched = false
	FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
		WITH ORDINALITY AS v(id, from_status, status, output, error_code, error_message, started_at, req)
	WHERE r.id = v.id AND r.status = v.from_status AND (SELECT count(*) FROM locked) >= 0
	RETURNING v.req, r.batch_id, v.from_status, v.status
), d AS (
	SELECT batch_id,
		count(*) FILTER (WHERE from_status = 'PENDING') AS from_pending,
		count(*) FILTER (WHERE from_status = 'PROCESSING') AS from_processing,
		count(*) FILTER (WHERE status = 'PROCESSED') AS processed,
		count(*) FILTER (WHERE status = 'NEEDS_REVIEW') AS needs_review,
		count(*) FILTER (WHERE status = 'FAILED') AS failed
	FROM o WHERE batch_id IS NOT NULL GROUP BY batch_id
), counted AS (
	UPDATE batches AS t SET
		pending = t.pending - d.from_pending, processing = t.processing - d.from_processing,
		processed = t.processed + d.processed, needs_review = t.needs_review + d.needs_review,
		failed = t.failed + d.failed, version = t.version + 1, updated_at = $2,
		status = CASE
			WHEN t.pending - d.from_pending = 0 AND t.processing - d.from_processing = 0
				AND t.status IN ('PENDING', 'PROCESSING')
				THEN CASE WHEN t.processed + d.processed + t.needs_review + d.needs_review > 0
					THEN 'PROCESSED' ELSE 'FAILED' END
			WHEN t.status = 'PENDING' AND d.from_pending > 0 THEN 'PROCESSING'
			ELSE t.status END,
		started_at = CASE WHEN t.status = 'PENDING' AND d.from_pending > 0 THEN $2 ELSE t.started_at END,
		completed_at = CASE WHEN t.pending - d.from_pending = 0 AND t.processing - d.from_processing = 0
			AND t.completed_at IS NULL THEN $2 ELSE t.completed_at END
	FROM d WHERE t.id = d.batch_id
	RETURNING t.id, t.status, t.total, t.pending, t.processing, t.processed, t.needs_review, t.failed,
		t.cancelled, t.version, t.updated_at, t.completed_at
)
SELECT o.req, c.id, c.status, c.total, c.pending, c.processing, c.processed, c.needs_review, c.failed,
	c.cancelled, c.version, c.updated_at, c.completed_at
FROM o LEFT JOIN counted AS c ON c.id = o.batch_id`

// finishArgs are finishStatement's arguments for a group.
func (s *Service) finishArgs(reqs []*finishReq) []any {
	n := len(reqs)
	ids, from, status := make([]string, n), make([]string, n), make([]string, n)
	output, code, message := make([]*string, n), make([]*string, n), make([]*string, n)
	started := make([]*time.Time, n)
	var batches []string
	seen := map[string]bool{}
	for i, req := range reqs {
		ids[i], from[i], status[i] = req.run.ID, string(req.from()), string(req.out.status)
		if e := req.out.err; e != nil {
			code[i], message[i] = &e.Code, &e.Message
		} else {
			out := string(jsonArg(req.out.result.Output))
			output[i] = &out
		}
		if !req.claimed {
			started[i] = &req.started
		}
		if id := req.run.BatchID; id != nil && !seen[*id] {
			seen[*id] = true
			batches = append(batches, *id)
		}
	}
	return []any{batches, s.opts.Now(), ids, from, status, output, code, message, started}
}

// finishRunsPostgres records a group of outcomes with finishStatement and
// returns the batch rows as committed, in id order. A request whose run had
// left the state it expected gets ErrStaleLease, as it would alone.
func (s *Service) finishRunsPostgres(ctx context.Context, reqs []*finishReq) ([]*ent.Batch, error) {
	rows, err := s.hot.query(ctx, finishStatement, s.finishArgs(reqs)...)
	if err != nil {
		return nil, fmt.Errorf("recording %d run outcomes: %w", len(reqs), err)
	}
	defer rows.Close()
	written := make([]bool, len(reqs))
	byID := map[string]*ent.Batch{}
	for rows.Next() {
		var (
			req int
			b   finishedBatch
		)
		if err := rows.Scan(append([]any{&req}, b.fields()...)...); err != nil {
			return nil, fmt.Errorf("%w: reading them: %w", errOutcomesUnknown, err)
		}
		written[req-1] = true
		if b.id.Valid && byID[b.id.String] == nil {
			byID[b.id.String] = b.batch()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: reading them: %w", errOutcomesUnknown, err)
	}
	for i, req := range reqs {
		if !written[i] {
			req.err = ErrStaleLease
		}
	}
	batches := make([]*ent.Batch, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		batches = append(batches, byID[id])
	}
	return batches, nil
}

// errOutcomesUnknown marks an error met while reading what finishStatement
// wrote: the statement may have committed, so recording the group again
// one by one would find its runs changed and call every request stale.
var errOutcomesUnknown = errors.New("run outcomes may have been recorded")

// finishedBatch is a batch row finishStatement returns, null for a single
// run.
type finishedBatch struct {
	id, status                                                            sql.NullString
	total, pending, processing, processed, needsReview, failed, cancelled sql.NullInt64
	version                                                               sql.NullInt64
	updated, completed                                                    sql.NullTime
}

func (f *finishedBatch) fields() []any {
	return []any{&f.id, &f.status, &f.total, &f.pending, &f.processing, &f.processed, &f.needsReview,
		&f.failed, &f.cancelled, &f.version, &f.updated, &f.completed}
}

// batch is the row as bumpBatch returns one: the id and progressColumns.
func (f *finishedBatch) batch() *ent.Batch {
	b := &ent.Batch{ID: f.id.String, Status: entbatch.Status(f.status.String), Total: int(f.total.Int64),
		Pending: int(f.pending.Int64), Processing: int(f.processing.Int64), Processed: int(f.processed.Int64),
		NeedsReview: int(f.needsReview.Int64), Failed: int(f.failed.Int64), Cancelled: int(f.cancelled.Int64),
		Version: f.version.Int64, UpdatedAt: f.updated.Time}
	if f.completed.Valid {
		b.CompletedAt = &f.completed.Time
	}
	return b
}
