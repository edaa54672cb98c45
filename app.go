package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
	"github.com/sheaf-dev/sheaf/web"
	"github.com/sheaf-dev/sheaf/worker"
)

type role int

const (
	roleAPI role = 1 << iota
	roleWorker
)

// app holds the process's shared parts.
type app struct {
	cfg    config.Config
	log    *slog.Logger
	db     *database.DB
	rdb    redis.UniversalClient
	mini   *miniredis.Miniredis
	blobs  *blobstore.Store
	hub    *progress.Hub
	queue  *worker.Queue
	engine *engine.Engine
	svc    *batch.Service
	keys   *auth.Keys
}

// open connects to the database, Redis and the blob store.
func open(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	if err := a.openStores(ctx); err != nil {
		a.close()
		return nil, err
	}
	a.hub = progress.NewHub(a.rdb, log)
	a.queue = worker.NewQueue(a.rdb)
	a.keys = auth.New(a.db.Client)
	ocr := document.NewOCR(document.OCROptions{Lang: cfg.OCRLang})
	if !ocr.Available() {
		log.Warn("OCR is unavailable: images and scanned pages will fail with OCR_UNAVAILABLE (apt-get install tesseract-ocr and tesseract-ocr-LANG for each of SHEAF_OCR_LANG)",
			"languages", cfg.OCRLang)
	}
	a.engine = engine.New(a.blobs, engine.Options{MaxInputBytes: cfg.MaxUploadBytes, AllowPrivateURLs: cfg.AllowPrivateURLs,
		Parser: document.ParserOptions{PDFInstances: cfg.Concurrency, Recognizer: ocr}})
	a.svc = batch.New(batch.Deps{
		DB: a.db.Client, Dialect: a.db.Dialect, Queue: a.queue, Publisher: a.hub,
		Subscriber: hubSubscriber{a.hub}, Blobs: a.blobs, Logger: log, Engine: a.engine,
	}, batch.Options{
		MaxBatchInputs: cfg.MaxBatchInputs, MaxTextBytes: int(cfg.MaxTextBytes), MaxUploadBytes: cfg.MaxUploadBytes,
		OrgActiveRunLimit: cfg.OrgActiveRunLimit, DispatchWindow: cfg.Window(), RunLease: cfg.RunLease,
	})
	return a, nil
}

func (a *app) openStores(ctx context.Context) error {
	kind, dsn := a.cfg.Database()
	if kind == "sqlite" {
		dsn = "sqlite://" + strings.TrimPrefix(dsn, "file:")
		a.log.Info("using embedded SQLite database", "path", strings.TrimPrefix(dsn, "sqlite://"))
	}
	var err error
	if a.db, err = database.Open(ctx, dsn); err != nil {
		return err
	}
	if a.rdb, err = a.openRedis(ctx); err != nil {
		return err
	}
	blobURL := a.cfg.Blobs()
	if dir, ok := strings.CutPrefix(blobURL, "file://"); ok {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("creating blob directory: %w", err)
		}
	}
	a.blobs, err = blobstore.Open(ctx, blobURL)
	return err
}

// openRedis connects to REDIS_URL, or starts the embedded in-memory Redis.
func (a *app) openRedis(ctx context.Context) (redis.UniversalClient, error) {
	if !a.cfg.EmbeddedRedis() {
		opts, err := redis.ParseURL(a.cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("parsing REDIS_URL: %w", err)
		}
		rdb := redis.NewClient(opts)
		if err := rdb.Ping(ctx).Err(); err != nil {
			rdb.Close()
			return nil, fmt.Errorf("connecting to Redis at %s: %w", opts.Addr, err)
		}
		return rdb, nil
	}
	a.mini = miniredis.NewMiniRedis()
	if err := a.mini.Start(); err != nil {
		return nil, fmt.Errorf("starting embedded Redis: %w", err)
	}
	a.log.Warn("using embedded in-memory Redis (miniredis): queued tasks vanish on exit and the sweeper restores them from the database; set REDIS_URL for production",
		"addr", a.mini.Addr())
	return redis.NewClient(&redis.Options{Addr: a.mini.Addr()}), nil
}

func (a *app) close() {
	if a.engine != nil {
		_ = a.engine.Close()
	}
	if a.hub != nil {
		_ = a.hub.Close()
	}
	if a.queue != nil {
		_ = a.queue.Close()
	}
	if a.rdb != nil {
		_ = a.rdb.Close()
	}
	if a.mini != nil {
		a.mini.Close()
	}
	if a.blobs != nil {
		_ = a.blobs.Close()
	}
	if a.db != nil {
		_ = a.db.Close()
	}
}

// serve runs the API and/or the worker until ctx ends, then shuts down
// gracefully.
func serve(ctx context.Context, cfg config.Config, stdout io.Writer, roles role) error {
	log := cfg.Logger(os.Stderr)
	a, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.bootstrap(ctx, stdout); err != nil {
		return err
	}
	errc := make(chan error, 2)
	n := 0
	if roles&roleWorker != 0 {
		n++
		w := worker.New(a.rdb, a.svc, a.queue, worker.Options{Concurrency: cfg.Concurrency,
			SweepInterval: cfg.SweepInterval, ShutdownTimeout: cfg.ShutdownTimeout, Logger: log})
		go func() { errc <- w.Run(ctx) }()
	}
	if roles&roleAPI != 0 {
		n++
		go func() { errc <- a.serveHTTP(ctx) }()
	}
	var first error
	for range n {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// serveHTTP serves the API until ctx ends.
func (a *app) serveHTTP(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", a.cfg.Addr, err)
	}
	srv := &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	a.log.Info("sheaf listening", "url", "http://"+ln.Addr().String(), "graphiql", "http://"+ln.Addr().String()+"/graphiql")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	a.log.Info("http server stopped")
	return err
}

// routes is the process's HTTP surface.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(graph.Options{Service: a.svc, Keys: a.keys,
		ProcessTimeout: a.cfg.ProcessTimeout, MaxUploadBytes: a.cfg.MaxUploadBytes, Logger: a.log}))
	mux.Handle("/graphiql", graph.GraphiQL("/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.metrics())
	mux.Handle("/", web.Handler())
	return mux
}

// metrics serves Prometheus metrics: queue sizes plus Go runtime and
// process statistics.
func (a *app) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(worker.NewCollector(a.queue), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// ready answers 200 when the database and Redis both answer.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
	if err := a.db.SQL.PingContext(ctx); err != nil {
		problems = append(problems, "database: "+err.Error())
	}
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		problems = append(problems, "redis: "+err.Error())
	}
	if len(problems) > 0 {
		http.Error(w, strings.Join(problems, "\n"), http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// hubSubscriber adapts the progress hub to batch.Subscriber.
type hubSubscriber struct{ h *progress.Hub }

func (s hubSubscriber) Subscribe(ctx context.Context, topic string) (batch.Subscription, error) {
	return s.h.Subscribe(ctx, topic)
}

// keyFile is where the first start writes the admin key.
func keyFile(cfg config.Config) string { return filepath.Join(cfg.DataDir, "admin.key") }
