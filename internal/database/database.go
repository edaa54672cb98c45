// Package database opens sheaf's ent client on PostgreSQL (production) or an
// embedded SQLite file (the default for a newcomer), and migrates the schema.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/sheaf-dev/sheaf/ent"
)

// DB is an open database: the ent client and the dialect it speaks.
type DB struct {
	*ent.Client
	Dialect string
	SQL     *sql.DB
	// Fast is a client whose transactions commit asynchronously on
	// PostgreSQL (synchronous_commit=off: the commit returns before the WAL
	// is flushed), for the claim and finish of runs, whose loss in a
	// database crash the sweeper repairs. It is the main client on SQLite.
	Fast *ent.Client
	// FastSQL is the pool under Fast, for the statements sheaf prepares
	// once and runs on every dispatch and finish; nil when DATABASE_URL
	// names pgx's default_query_exec_mode (then nothing is prepared).
	FastSQL *sql.DB
	// fastPool is the pool under Fast when it is not the main one.
	fastPool *sql.DB
}

// Close closes both clients.
func (d *DB) Close() error {
	var err error
	if d.Fast != d.Client {
		err = d.Fast.Close()
	}
	return errors.Join(err, d.Client.Close())
}

// Open connects to rawURL: postgres:// or postgresql:// for PostgreSQL,
// sqlite://PATH or file:PATH for SQLite. It migrates the schema before
// returning.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	var (
		db          *sql.DB
		drv         string
		err         error
		dialectName string
		namedMode   bool // the URL chooses pgx's query exec mode
	)
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		drv, dialectName = "pgx", dialect.Postgres
		if rawURL, namedMode, err = withExecMode(rawURL); err != nil {
			return nil, err
		}
		db, err = sql.Open(drv, rawURL)
		if err == nil {
			db.SetMaxOpenConns(32)
			db.SetMaxIdleConns(16)
		}
	case strings.HasPrefix(rawURL, "sqlite://"), strings.HasPrefix(rawURL, "file:"):
		dialectName = dialect.SQLite
		db, err = openSQLite(rawURL)
	default:
		return nil, fmt.Errorf("database url %q: want postgres://, sqlite:// or file:", redact(rawURL))
	}
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to database %s: %w", redact(rawURL), err)
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialectName, db)))
	if err := migrate(ctx, client, db); err != nil {
		client.Close()
		return nil, fmt.Errorf("migrating database: %w", err)
	}
	d := &DB{Client: client, Dialect: dialectName, SQL: db, Fast: client, FastSQL: db}
	if dialectName == dialect.Postgres {
		fast, err := openAsyncCommit(rawURL)
		if err != nil {
			client.Close()
			return nil, err
		}
		d.Fast = ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, fast)))
		d.fastPool = fast
		// A URL that names how pgx runs statements (say, for a pooler
		// that keeps no prepared statements) prepares none.
		d.FastSQL = fast
		if namedMode {
			d.FastSQL = nil
		}
	}
	return d, nil
}

// withExecMode makes pgx run each statement in one round trip without
// preparing it (its "exec" mode), unless rawURL chooses a mode; named
// reports that it did. pgx's default prepares every distinct statement on
// each connection and keeps up to 512 of them; the group transactions of
// run handlers write statements whose shape varies with the group (IN
// lists, one CASE branch per run), and that churn made every query on the
// pool slower the longer a worker ran (processDocument p50 from 15 ms to
// 70 ms within a minute of batch load).
func withExecMode(rawURL string) (withMode string, named bool, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false, fmt.Errorf("database url: %w", err)
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") != "" {
		return rawURL, true, nil
	}
	q.Set("default_query_exec_mode", "exec")
	u.RawQuery = q.Encode()
	return u.String(), false, nil
}

// openAsyncCommit opens a second, smaller PostgreSQL pool whose sessions
// commit asynchronously (pgx passes unknown URL parameters on as session
// settings) and end any statement after 30 s: the run transactions that use
// it run without a deadline of their own (see batch.groupContext).
//
// Its sessions also plan without sequential scans, unless the URL says
// otherwise. Every statement on this pool finds its rows through an index
// (runs by id, a batch's runs by position), and the dispatch and finish
// statements are prepared once per connection: PostgreSQL then keeps one
// generic plan, made from the statistics of the moment. Planned while the
// runs table was small or not yet analysed (a new deployment; autovacuum
// off), that plan was a sequential scan, and every finish read the whole
// table from then on.
func openAsyncCommit(rawURL string) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	for name, value := range map[string]string{"enable_seqscan": "off", "statement_timeout": "30s"} {
		if q.Get(name) == "" {
			q.Set(name, value)
		}
	}
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db.SetMaxOpenConns(fastPoolSize)
	db.SetMaxIdleConns(fastPoolSize)
	return db, nil
}

// fastPoolSize bounds the async-commit pool's connections.
const fastPoolSize = 16

// Warm opens up to n connections of the pool under Fast (at most its
// size) and has each look up the runs and batches tables, so that a worker
// starting on a full queue does not open its sessions while its first
// runs wait: a new PostgreSQL session forks a process and loads its
// catalog caches on its first statements, and on a small machine a burst
// of them stalled the runs of the moment by tens of milliseconds. The
// connections then wait idle in the pool. On SQLite it does nothing.
func (d *DB) Warm(ctx context.Context, n int) error {
	if d.fastPool == nil {
		return nil
	}
	conns := make([]*sql.Conn, 0, min(n, fastPoolSize))
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range cap(conns) {
		c, err := d.fastPool.Conn(ctx)
		if err != nil {
			return fmt.Errorf("warming the database pool: %w", err)
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, warmQuery); err != nil {
			return fmt.Errorf("warming the database pool: %w", err)
		}
	}
	return nil
}

// FastStats reports the statistics of the pool under Fast when it is not
// the main one (PostgreSQL), and zero otherwise.
func (d *DB) FastStats() sql.DBStats {
	if d.fastPool == nil {
		return sql.DBStats{}
	}
	return d.fastPool.Stats()
}

// warmQuery plans lookups of runs and batches by primary key, which loads
// the tables' and indexes' descriptions into the session's caches.
const warmQuery = `SELECT (SELECT count(*) FROM runs WHERE id = '') + (SELECT count(*) FROM batches WHERE id = '')`

// migrateMu serialises migrations within a process: ent's schema.Create
// writes to the generated package-level table definitions (migrate.Tables),
// so two Opens migrating at once race and can panic.
var migrateMu sync.Mutex

func migrate(ctx context.Context, client *ent.Client, db *sql.DB) error {
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if err := client.Schema.Create(ctx); err != nil {
		return err
	}
	// A database made by an older sheaf should not keep paying for the
	// indexes it no longer uses on every write. Named one by one: an index
	// an operator added stays.
	for _, name := range retiredIndexes {
		if _, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			return fmt.Errorf("dropping index %s: %w", name, err)
		}
	}
	return nil
}

// retiredIndexes are the indexes earlier versions of sheaf created.
var retiredIndexes = []string{"run_status_dispatched", "run_status_lease_expires_at",
	"run_batch_id_status_dispatched_position", "run_organization_id_created_at"}

// SQLiteURL returns the URL of the embedded database file in dir.
func SQLiteURL(dir string) string {
	return "sqlite://" + filepath.Join(dir, "sheaf.db")
}

func openSQLite(rawURL string) (*sql.DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(15000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// One writer at a time is all SQLite allows; a small pool keeps readers
	// concurrent while busy_timeout queues the writers.
	db.SetMaxOpenConns(8)
	return db, nil
}

// redact hides a password in a database URL for logs and errors.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
