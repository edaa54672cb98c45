// Package server assembles a sheaf process from its configuration: the
// database, Redis (or the embedded in-memory one), the blob store, the
// progress hub, the queue, the document engine and the domain service, plus
// the HTTP routes and the worker over them. Command sheaf and the
// benchmarks both build on it, so they cannot drift apart.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
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

// App holds a process's shared parts.
type App struct {
	Cfg    config.Config
	Log    *slog.Logger
	DB     *database.DB
	RDB    redis.UniversalClient
	Mini   *miniredis.Miniredis // the embedded Redis, when REDIS_URL is unset
	Blobs  *blobstore.Store
	Hub    *progress.Hub
	Queue  *worker.Queue
	Engine *engine.Engine
	Svc    *batch.Service
	Keys   *auth.Keys
}

// Open connects to the database, Redis and the blob store and assembles
// the domain service over them: the one place a process (and the
// benchmarks) is put together from its configuration.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{Cfg: cfg, Log: log}
	if err := a.openStores(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.Hub = progress.NewHub(a.RDB, log)
	a.Queue = worker.NewQueue(a.RDB)
	a.Keys = auth.New(a.DB.Client)
	ocr := document.NewOCR(document.OCROptions{Lang: cfg.OCRLang})
	if !ocr.Available() {
		log.Warn("OCR is unavailable: images and scanned pages will fail with OCR_UNAVAILABLE (apt-get install tesseract-ocr and tesseract-ocr-LANG for each of SHEAF_OCR_LANG)",
			"languages", cfg.OCRLang)
	}
	a.Engine = engine.New(a.Blobs, engine.Options{MaxInputBytes: cfg.MaxUploadBytes, AllowPrivateURLs: cfg.AllowPrivateURLs,
		Parser: document.ParserOptions{PDFInstances: cfg.Concurrency, Recognizer: ocr}})
	a.Svc = batch.New(batch.Deps{
		DB: a.DB.Client, FastDB: a.DB.Fast, FastSQL: a.DB.FastSQL, Dialect: a.DB.Dialect, Queue: a.Queue, Publisher: a.Hub,
		Subscriber: hubSubscriber{a.Hub}, Blobs: a.Blobs, Logger: log, Engine: a.Engine,
	}, batch.Options{
		MaxBatchInputs: cfg.MaxBatchInputs, MaxTextBytes: int(cfg.MaxTextBytes), MaxUploadBytes: cfg.MaxUploadBytes,
		OrgActiveRunLimit: cfg.OrgActiveRunLimit, DispatchWindow: cfg.Window(), RunLease: cfg.RunLease,
	})
	return a, nil
}

func (a *App) openStores(ctx context.Context) error {
	kind, dsn := a.Cfg.Database()
	if kind == "sqlite" {
		dsn = "sqlite://" + strings.TrimPrefix(dsn, "file:")
		a.Log.Info("using embedded SQLite database", "path", strings.TrimPrefix(dsn, "sqlite://"))
	}
	var err error
	if a.DB, err = database.Open(ctx, dsn); err != nil {
		return err
	}
	if a.RDB, err = a.openRedis(ctx); err != nil {
		return err
	}
	blobURL := a.Cfg.Blobs()
	if dir, ok := strings.CutPrefix(blobURL, "file://"); ok {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("creating blob directory: %w", err)
		}
	}
	a.Blobs, err = blobstore.Open(ctx, blobURL)
	return err
}

// openRedis connects to REDIS_URL, or starts the embedded in-memory Redis.
func (a *App) openRedis(ctx context.Context) (redis.UniversalClient, error) {
	if !a.Cfg.EmbeddedRedis() {
		opts, err := redis.ParseURL(a.Cfg.RedisURL)
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
	a.Mini = miniredis.NewMiniRedis()
	if err := a.Mini.Start(); err != nil {
		return nil, fmt.Errorf("starting embedded Redis: %w", err)
	}
	a.Log.Warn("using embedded in-memory Redis (miniredis): queued tasks vanish on exit and the sweeper restores them from the database; set REDIS_URL for production",
		"addr", a.Mini.Addr())
	return redis.NewClient(&redis.Options{Addr: a.Mini.Addr()}), nil
}

// Close releases everything Open made, in reverse order.
func (a *App) Close() {
	if a.Engine != nil {
		_ = a.Engine.Close()
	}
	if a.Hub != nil {
		_ = a.Hub.Close()
	}
	if a.Queue != nil {
		_ = a.Queue.Close()
	}
	if a.RDB != nil {
		_ = a.RDB.Close()
	}
	if a.Mini != nil {
		a.Mini.Close()
	}
	if a.Blobs != nil {
		_ = a.Blobs.Close()
	}
	if a.DB != nil {
		_ = a.DB.Close()
	}
}

// Routes is the process's HTTP surface.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(graph.Options{Service: a.Svc, Keys: a.Keys,
		ProcessTimeout: a.Cfg.ProcessTimeout, MaxUploadBytes: a.Cfg.MaxUploadBytes, Logger: a.Log}))
	mux.Handle("/graphiql", graph.GraphiQL("/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.metrics())
	mux.Handle("/", web.Handler())
	return mux
}

// metrics serves Prometheus metrics: queue sizes plus Go runtime and
// process statistics.
func (a *App) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(worker.NewCollector(a.Queue), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// ready answers 200 when the database and Redis both answer.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
	if err := a.DB.SQL.PingContext(ctx); err != nil {
		problems = append(problems, "database: "+err.Error())
	}
	if err := a.RDB.Ping(ctx).Err(); err != nil {
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

// Worker returns a worker over the app with the configured concurrency,
// sweep interval and shutdown timeout.
func (a *App) Worker() *worker.Worker {
	return worker.New(a.RDB, a.Svc, a.Queue, worker.Options{Concurrency: a.Cfg.Concurrency,
		SweepInterval: a.Cfg.SweepInterval, ShutdownTimeout: a.Cfg.ShutdownTimeout, Logger: a.Log,
		Warm: func(ctx context.Context) error { return a.DB.Warm(ctx, a.Cfg.Concurrency) }})
}
