package batch

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sheaf-dev/sheaf/ent"
)

// Queue receives work after the rows it points at are committed. Enqueueing
// is idempotent: the task id is the run id, and a task that already exists
// counts as success.
type Queue interface {
	// EnqueueRun queues one run task, whose id is the run id: on the
	// critical queue for single runs, on the low queue for batch runs.
	EnqueueRun(ctx context.Context, task RunTask, critical bool) error
	// WakeDispatcher asks for a dispatch pass soon.
	WakeDispatcher(ctx context.Context) error
	// RunTaskExists reports whether a live task exists for runID (pending,
	// active, scheduled or retrying). The sweeper uses it after Redis lost data.
	RunTaskExists(ctx context.Context, runID string, critical bool) (bool, error)
	// Backlog returns how many batch run tasks wait in the queue, not yet
	// taken by a worker: what the dispatch window bounds.
	Backlog(ctx context.Context) (int, error)
}

// Publisher sends progress hints; losing one never loses state.
type Publisher interface {
	Publish(ctx context.Context, topic string, msg []byte) error
}

// Subscriber receives progress hints for a topic.
type Subscriber interface {
	Subscribe(ctx context.Context, topic string) (Subscription, error)
}

// Subscription is one live subscription: Ready fires when a newer message
// is waiting, Take returns the newest one.
type Subscription interface {
	Ready() <-chan struct{}
	Take() ([]byte, bool)
	Close()
}

// Blobs stores uploaded documents.
type Blobs interface {
	NewWriter(ctx context.Context, key, contentType string) (io.WriteCloser, error)
	NewReader(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Engine does the work of one run: fetch its input, parse the document,
// apply the processor. It returns the output, or an error; an *Error-like
// run failure is reported as a *RunError.
type Engine interface {
	Process(ctx context.Context, job Job) (Result, error)
	// ValidateConfig checks a processor configuration before it is stored.
	ValidateConfig(processorType string, config json.RawMessage) error
}

// Options tune the service; zero values take the documented defaults.
type Options struct {
	// MaxBatchInputs caps the inputs of one batch (default 1000).
	MaxBatchInputs int
	// MaxTextBytes caps one raw-text input (default 1 MiB).
	MaxTextBytes int
	// MaxUploadBytes caps one uploaded file (default 50 MiB).
	MaxUploadBytes int64
	// OrgActiveRunLimit is the default quota of pending + processing runs per
	// organization (default 1,000,000).
	OrgActiveRunLimit int
	// DispatchWindow is how many batch run tasks may wait in the queue
	// (default 8).
	DispatchWindow int
	// RunLease is how long a claimed run may go without a heartbeat (default 2m).
	RunLease time.Duration
	// TransientRetries is how often a transient run error is retried before
	// the run fails (default 3), with exponential backoff from RetryBackoff
	// (default 500ms).
	TransientRetries int
	RetryBackoff     time.Duration
	// SnapshotInterval is how long the progress watch of a batch goes
	// without a hint before it re-reads the database (default 2s).
	SnapshotInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.MaxBatchInputs <= 0 {
		o.MaxBatchInputs = 1000
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = 1 << 20
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 50 << 20
	}
	if o.OrgActiveRunLimit <= 0 {
		o.OrgActiveRunLimit = 1_000_000
	}
	if o.DispatchWindow <= 0 {
		o.DispatchWindow = 8
	}
	if o.RunLease <= 0 {
		o.RunLease = 2 * time.Minute
	}
	if o.TransientRetries <= 0 {
		o.TransientRetries = 3
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 500 * time.Millisecond
	}
	if o.SnapshotInterval <= 0 {
		o.SnapshotInterval = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Deps are the service's collaborators. Queue, Publisher and Subscriber may
// be nil in a process that only reads (they are then no-ops / errors).
type Deps struct {
	DB *ent.Client
	// FastDB runs the claims, finishes and dispatch marks of runs: a client
	// whose commits return before they are durable (see withFastTx);
	// default DB.
	FastDB *ent.Client
	// FastSQL is the pool under FastDB, on which the statements run for
	// every dispatch and finish are prepared once (see prepared); without
	// it they run unprepared on FastDB.
	FastSQL *sql.DB
	// Dialect is the database's SQL dialect: dialect.Postgres or
	// dialect.SQLite (required).
	Dialect    string
	Queue      Queue
	Publisher  Publisher
	Subscriber Subscriber
	Blobs      Blobs
	Engine     Engine
	Logger     *slog.Logger
}

// Service is the batch domain.
type Service struct {
	db      *ent.Client
	fast    *ent.Client // Deps.FastDB, else db
	hot     prepared    // on Deps.FastSQL
	dialect string
	queue   Queue
	pub     Publisher
	sub     Subscriber
	blobs   Blobs
	engine  Engine
	log     *slog.Logger
	opts    Options

	// loads, claims and finishes group the statements of concurrent run
	// handlers.
	loads       grouper[loadReq]
	singleLoads grouper[loadReq]
	claims      grouper[claimReq]
	finishes    grouper[finishReq]
	singles     grouper[finishReq]
	// active is what the dispatcher last read of the active batches.
	active activePlan
	// passing is held through each dispatch pass (see Dispatch).
	passing sync.Mutex
	// due counts down the batch run tasks this process's workers take until
	// the next dispatch pass, taken counts them since the last (see
	// tookTask).
	due, taken atomic.Int64
	// prio makes batch runs yield to single runs in this process.
	prio priority
	// backlog bounds the outcomes queued by ProcessRunAsync: when the
	// database falls behind, handlers wait instead of piling them up.
	backlog  chan struct{}
	flushing sync.Mutex // one Flush at a time
	// versions caches processor configurations; versions are immutable.
	versions sync.Map // versionKey → json.RawMessage
	// watches follows the batches subscribed to in this process.
	watches watchSet
}

// New returns a Service.
func New(d Deps, opts Options) *Service {
	opts.defaults()
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	fast := d.FastDB
	if fast == nil {
		fast = d.DB
	}
	s := &Service{db: d.DB, fast: fast, hot: prepared{db: d.FastSQL, fallback: fast}, dialect: d.Dialect,
		queue: d.Queue, pub: d.Publisher, sub: d.Subscriber, blobs: d.Blobs, engine: d.Engine, log: log, opts: opts}
	s.backlog = make(chan struct{}, maxBacklog)
	s.loads.run = s.loadGroup
	s.singleLoads.run = s.loadGroup
	s.claims.run = s.claimGroup
	s.finishes.run = s.finishGroup
	s.singles.run = s.finishGroup
	s.finishes.done = s.recorded
	// Batch outcomes wait a moment to share their transaction; single runs,
	// whose callers wait for the commit, do not.
	s.finishes.linger = 2 * time.Millisecond
	s.singles.done = s.recorded
	s.watches = watchSet{subscribe: s.subscribeBatch, read: s.readProgress, interval: opts.SnapshotInterval, log: log}
	return s
}

// maxBacklog is how many run outcomes may wait to be recorded: a few
// group transactions' worth.
const maxBacklog = 4 * maxGroup

// withFastTx is withTx for the transactions of every run (claim, and
// finish on SQLite), on the client of Deps.FastDB. On PostgreSQL that client's
// sessions commit asynchronously: the commit returns before the WAL is
// flushed, which would otherwise take most of their time. A database crash
// can then lose the last moments of claims and finishes — atomically, so
// counters stay exact — and the sweeper runs those documents again:
// processing is at least once, as with any lost worker. Every other
// transaction stays synchronous.
func (s *Service) withFastTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return runTx(ctx, s.fast, fn)
}

// withTx runs fn in a transaction, committing when it returns nil.
func (s *Service) withTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return runTx(ctx, s.db, fn)
}

// runTx runs fn in a transaction of client, committing when it returns nil.
func runTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
