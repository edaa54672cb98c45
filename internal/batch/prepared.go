package batch

import (
	"context"
	"database/sql"
	"sync"

	"github.com/sheaf-dev/sheaf/ent"
)

// prepared runs the few statements of fixed text that every dispatch pass
// and every group of finished runs executes, each prepared once per pool
// connection, so the database parses them once instead of each time (on
// PostgreSQL, planning the finish statement cost as much as running it).
// Other statements stay unprepared: their text varies with their
// arguments, and a prepared statement per variant would pile up on every
// connection (see database.withExecMode).
type prepared struct {
	db       *sql.DB
	fallback *ent.Client // runs the statements when db is nil

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// query runs the statement of text query with args: prepared, or
// unprepared on the fallback client when there is no pool to prepare it on
// or preparing it failed.
func (p *prepared) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if p.db != nil {
		if st, err := p.stmt(ctx, query); err == nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return p.fallback.QueryContext(ctx, query, args...)
}

// stmt returns the prepared statement of text query, preparing it on first
// use (database/sql prepares it again on each connection that needs it).
// A failed preparation is not remembered: the next call tries again.
func (p *prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.stmts[query]; st != nil {
		return st, nil
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[query] = st
	return st, nil
}
