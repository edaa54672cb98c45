package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/graph"
	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/blobstore"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/database"
	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/engine"
	"github.com/sheaf-dev/sheaf/internal/progress"
	"github.com/sheaf-dev/sheaf/internal/testutil"
	"github.com/sheaf-dev/sheaf/worker"
)

// This file is the benchmarks' copy of package main's open() and routes():
// the same parts wired the same way, on the benchmark's own database
// (testutil.DatabaseURL) and Redis database (testutil.RedisURL, DB 10 with
// REDIS_URL set).

// stack is one sheaf process (API + optional worker) under benchmark.
type stack struct {
	b     *testing.B
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
	ctx := context.Background()
	log := benchLogger(b)
	s := &stack{b: b, cfg: cfg, log: log}
	var err error
	if s.db, err = database.Open(ctx, cfg.DatabaseURL); err != nil {
		b.Fatalf("opening database: %v", err)
	}
	b.Cleanup(func() { _ = s.db.Close() })
	if s.redis, err = redis.ParseURL(cfg.RedisURL); err != nil {
		b.Fatalf("parsing redis url: %v", err)
	}
	s.rdb = redis.NewClient(s.redis)
	b.Cleanup(func() { _ = s.rdb.Close() })
	if err := os.MkdirAll(strings.TrimPrefix(cfg.Blobs(), "file://"), 0o750); err != nil {
		b.Fatalf("creating blob directory: %v", err)
	}
	blobs, err := blobstore.Open(ctx, cfg.Blobs())
	if err != nil {
		b.Fatalf("opening blobs: %v", err)
	}
	b.Cleanup(func() { _ = blobs.Close() })
	s.hub = progress.NewHub(s.rdb, log)
	b.Cleanup(func() { _ = s.hub.Close() })
	s.queue = worker.NewQueue(s.rdb)
	b.Cleanup(func() { _ = s.queue.Close() })
	s.keys = auth.New(s.db.Client)
	eng := engine.New(blobs, engine.Options{MaxInputBytes: cfg.MaxUploadBytes, AllowPrivateURLs: cfg.AllowPrivateURLs,
		Parser: document.ParserOptions{PDFInstances: cfg.Concurrency, Recognizer: document.NewOCR(document.OCROptions{})}})
	b.Cleanup(func() { _ = eng.Close() })
	s.svc = batch.New(batch.Deps{
		DB: s.db.Client, Dialect: s.db.Dialect, Queue: s.queue, Publisher: s.hub,
		Subscriber: hubSubscriber{s.hub}, Blobs: blobs, Logger: log, Engine: eng,
	}, batch.Options{
		MaxBatchInputs: cfg.MaxBatchInputs, MaxTextBytes: int(cfg.MaxTextBytes), MaxUploadBytes: cfg.MaxUploadBytes,
		OrgActiveRunLimit: cfg.OrgActiveRunLimit, DispatchWindow: cfg.Window(), RunLease: cfg.RunLease,
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(graph.Options{Service: s.svc, Keys: s.keys,
		ProcessTimeout: cfg.ProcessTimeout, MaxUploadBytes: cfg.MaxUploadBytes, Logger: log}))
	s.srv = httptest.NewServer(mux)
	b.Cleanup(s.srv.Close)
	return s
}

// startWorker runs a worker in-process until the returned stop function or
// the end of the benchmark.
func (s *stack) startWorker() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	w := worker.New(s.rdb, s.svc, s.queue, worker.Options{Concurrency: s.cfg.Concurrency,
		SweepInterval: s.cfg.SweepInterval, ShutdownTimeout: s.cfg.ShutdownTimeout, Logger: s.log})
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

// hubSubscriber adapts the progress hub to batch.Subscriber, as package
// main does.
type hubSubscriber struct{ h *progress.Hub }

func (s hubSubscriber) Subscribe(ctx context.Context, topic string) (batch.Subscription, error) {
	return s.h.Subscribe(ctx, topic)
}

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
