package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/database"
	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/server"
	"github.com/sheaf-dev/sheaf/internal/testutil"
	"github.com/sheaf-dev/sheaf/worker"
)

// The benchmarks build sheaf with server.Open, exactly as command sheaf
// does, on the benchmark's own database (testutil.DatabaseURL) and Redis
// database (testutil.RedisURL, DB 10 with REDIS_URL set).

// stack is one sheaf process (API + optional worker) under benchmark.
type stack struct {
	b     *testing.B
	app   *server.App
	cfg   config.Config
	db    *database.DB
	rdb   redis.UniversalClient
	redis *redis.Options
	hub   *progress.Hub
	queue *worker.Queue
	svc   *batch.Service
	keys  *auth.Keys
	srv   *httptest.Server
	log   *slog.Logger
}

// newStack opens the database, Redis and blob store and serves the HTTP
// handler; mutate adjusts the configuration first.
func newStack(b *testing.B, mutate ...func(*config.Config)) *stack {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir()
	cfg.DatabaseURL = testutil.DatabaseURL(b)
	cfg.RedisURL = testutil.RedisURL(b)
	cfg.Concurrency = concurrency
	cfg.MaxBatchInputs = 10_000
	cfg.ShutdownTimeout = 10 * time.Second
	for _, m := range mutate {
		m(&cfg)
	}
	log := benchLogger(b)
	a, err := server.Open(context.Background(), cfg, log)
	if err != nil {
		b.Fatalf("opening sheaf: %v", err)
	}
	b.Cleanup(a.Close)
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		b.Fatalf("parsing redis url: %v", err)
	}
	s := &stack{b: b, app: a, cfg: cfg, db: a.DB, rdb: a.RDB, redis: opts, hub: a.Hub, queue: a.Queue,
		svc: a.Svc, keys: a.Keys, log: log}
	s.srv = httptest.NewServer(a.Routes())
	b.Cleanup(s.srv.Close)
	return s
}

// startWorker runs a worker in-process until the returned stop function or
// the end of the benchmark.
func (s *stack) startWorker() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	w := s.app.Worker()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	s.b.Cleanup(stop)
	return stop
}

// tenantOrg creates an organization and returns its id and API key.
func (s *stack) tenantOrg(name string) (org, key string) {
	s.b.Helper()
	o, key, err := s.keys.CreateOrganization(context.Background(), name)
	if err != nil {
		s.b.Fatalf("creating organization: %v", err)
	}
	return o.ID, key
}

// wsURL is the websocket address of /graphql.
func (s *stack) wsURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/graphql" }

// benchLogger sends warnings and errors to the benchmark log; sheaf's info
// lines would drown the figures. Lines logged after the benchmark's
// cleanups have run are dropped (testing panics on them).
func benchLogger(b *testing.B) *slog.Logger {
	w := &blogWriter{b: b}
	b.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type blogWriter struct {
	b    *testing.B
	done atomic.Bool
}

func (w *blogWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.b.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// mode names the services the benchmarks run against.
func mode() string {
	db, r := "SQLite (embedded)", "miniredis (embedded)"
	if testutil.Postgres() {
		db = "PostgreSQL"
	}
	if u := redisEnv(); u != "" {
		r = "Redis (REDIS_URL, db 10)"
	}
	return fmt.Sprintf("%s + %s", db, r)
}
