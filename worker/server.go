package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// Options configure a worker process.
type Options struct {
	// Concurrency is how many tasks run at once.
	Concurrency int
	// SweepInterval is how often the sweeper runs.
	SweepInterval time.Duration
	// ShutdownTimeout is how long in-flight tasks may take to finish on stop.
	ShutdownTimeout time.Duration
	// Warm, if set, runs before the worker takes its first task, to open
	// the database connections its handlers will use; a failure is logged
	// and the worker starts anyway.
	Warm   func(ctx context.Context) error
	Logger *slog.Logger
}

// Worker is one worker process: the weighted asynq server, a small server
// reserved for the critical queue, and the sweep ticker.
type Worker struct {
	svc   *batch.Service
	queue *Queue
	srv   *asynq.Server
	// interactive serves only the critical queue with a few reserved
	// slots, so a single run never waits behind slow batch runs that hold
	// every slot of srv.
	interactive *asynq.Server
	opts        Options
	log         *slog.Logger
	// interrupt cancels the context of every running handler; Run calls it
	// shortly before asynq gives up waiting on shutdown, so interrupted
	// runs are handed back instead of waiting out their lease.
	interrupt context.CancelFunc
	// inflight counts run handlers still executing: asynq's Shutdown
	// returns at its deadline without waiting for them, and an interrupted
	// run must be handed back before the process exits.
	inflight sync.WaitGroup
}

// New returns a Worker that processes tasks from rdb with svc.
func New(rdb redis.UniversalClient, svc *batch.Service, queue *Queue, opts Options) *Worker {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = 10 * time.Second
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	base, interrupt := context.WithCancel(context.Background())
	cfg := func(concurrency int, queues map[string]int) asynq.Config {
		return asynq.Config{
			BaseContext: func() context.Context { return base },
			Concurrency: concurrency,
			Queues:      queues,
			// asynq sleeps this long when every queue is empty (default 1s);
			// a short interval keeps single-run latency low on an idle worker.
			TaskCheckInterval: 20 * time.Millisecond,
			ShutdownTimeout:   opts.ShutdownTimeout,
			Logger:            newAsynqLogger(log),
			LogLevel:          asynq.WarnLevel,
			RetryDelayFunc:    retryDelay,
			ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
				log.WarnContext(ctx, "task failed", "type", t.Type(), "err", err)
			}),
		}
	}
	return &Worker{svc: svc, queue: queue, opts: opts, log: log, interrupt: interrupt,
		srv:         asynq.NewServerFromRedisClient(rdb, cfg(opts.Concurrency, Weights)),
		interactive: asynq.NewServerFromRedisClient(rdb, cfg(max(1, opts.Concurrency/4), map[string]int{QueueCritical: 1})),
	}
}

// retryDelay backs off infrastructure retries: 1s, 2s, 4s … capped at 1m.
func retryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	d := time.Second << min(n, 6)
	return min(d, time.Minute)
}

// Mux returns the task handlers.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeRun, w.handleRun)
	mux.HandleFunc(TypeDispatch, w.handleDispatch)
	mux.HandleFunc(TypeSweep, w.handleSweep)
	return mux
}

// Run processes tasks until ctx ends, then shuts down gracefully: in-flight
// runs get ShutdownTimeout to finish; unfinished tasks go back to Redis and
// their runs back to PENDING when their lease ends.
func (w *Worker) Run(ctx context.Context) error {
	if w.opts.Warm != nil {
		if err := w.opts.Warm(ctx); err != nil {
			w.log.WarnContext(ctx, "opening database connections ahead", "err", err)
		}
	}
	if err := w.srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	if err := w.interactive.Start(w.Mux()); err != nil {
		w.srv.Shutdown()
		return fmt.Errorf("starting interactive worker: %w", err)
	}
	w.log.InfoContext(ctx, "worker started", "concurrency", w.opts.Concurrency)
	var loop sync.WaitGroup
	loop.Go(func() { w.dispatchLoop(ctx) })
	w.tick(ctx)
	loop.Wait()
	// Give in-flight runs most of the shutdown budget to finish, then
	// interrupt them so they are released before asynq re-queues the tasks.
	grace := time.AfterFunc(w.opts.ShutdownTimeout*4/5, w.interrupt)
	var wg sync.WaitGroup
	wg.Go(w.srv.Shutdown)
	wg.Go(w.interactive.Shutdown)
	wg.Wait()
	grace.Stop()
	w.interrupt()
	w.awaitHandlers()
	w.svc.Flush() // outcomes queued by the last handlers
	w.log.Info("worker stopped")
	return nil
}

// tick enqueues a sweep every SweepInterval until ctx ends. The task id
// names the interval, so all workers together queue one sweep per interval,
// and a sweep task orphaned by a crashed worker (asynq recovers it only
// after a minute or two) cannot block the next ones.
func (w *Worker) tick(ctx context.Context) {
	t := time.NewTicker(w.opts.SweepInterval)
	defer t.Stop()
	for {
		slot := time.Now().UnixMilli() / max(w.opts.SweepInterval.Milliseconds(), 1)
		_, err := w.queue.client.EnqueueContext(ctx, asynq.NewTask(TypeSweep, nil),
			asynq.TaskID("sweep:"+strconv.FormatInt(slot, 10)), asynq.Queue(QueueDefault), asynq.MaxRetry(0))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && ctx.Err() == nil {
			w.log.WarnContext(ctx, "enqueueing sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dispatchLoop runs a dispatch pass whenever this process wakes the
// dispatcher (a run finished, a batch was created here) until ctx ends.
// Going through a dispatch task instead would cost a trip through asynq,
// whose processor sleeps whenever the queues are empty — exactly when the
// window needs refilling. Wakes from other processes still arrive as
// dispatch tasks, and the sweep dispatches too.
func (w *Worker) dispatchLoop(ctx context.Context) {
	wake := make(chan struct{}, 1)
	w.queue.local.Store(&wake)
	defer w.queue.local.Store(nil)
	// Workers wake the loop once they took enough tasks for a refill; with
	// other worker processes taking their share, the tick makes sure a
	// pass still comes soon.
	tick := time.NewTicker(dispatchTick)
	defer tick.Stop()
	for {
		dispatch := w.svc.Dispatch
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
			dispatch = w.svc.DispatchIfTaken
		}
		if _, err := dispatch(ctx); err != nil && ctx.Err() == nil {
			w.log.WarnContext(ctx, "dispatching", "err", err)
		}
	}
}

// dispatchTick is how often the dispatch loop checks, besides its wakes,
// whether this process's workers took tasks since the last pass.
const dispatchTick = 100 * time.Millisecond

// awaitHandlers waits, briefly, for interrupted run handlers to hand their
// runs back; a handler stuck beyond that is left to its lease.
func (w *Worker) awaitHandlers() {
	done := make(chan struct{})
	go func() {
		w.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		w.log.Warn("run handlers still busy after shutdown; their runs return when their leases expire")
	}
}

func (w *Worker) handleRun(ctx context.Context, t *asynq.Task) error {
	w.inflight.Add(1)
	defer w.inflight.Done()
	task, err := decodeRun(t.Payload())
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	queue, _ := asynq.GetQueueName(ctx)
	err = w.svc.ProcessRunAsync(ctx, task, queue == QueueCritical)
	if errors.Is(err, batch.ErrNotClaimable) || errors.Is(err, batch.ErrStaleLease) {
		return nil
	}
	return err
}

// handleDispatch dispatches until no wake arrived during the last pass.
func (w *Worker) handleDispatch(ctx context.Context, _ *asynq.Task) error {
	for {
		if _, err := w.svc.Dispatch(ctx); err != nil {
			return err
		}
		dirty, err := w.queue.takeDirty(ctx)
		if err != nil || !dirty {
			return err
		}
	}
}

// handleSweep repairs what Redis lost, then dispatches directly: the
// dispatch task has a fixed id, and one orphaned by a crashed worker would
// otherwise stall dispatching until asynq recovers it.
func (w *Worker) handleSweep(ctx context.Context, _ *asynq.Task) error {
	if _, err := w.svc.Sweep(ctx); err != nil {
		return err
	}
	if _, err := w.svc.Dispatch(ctx); err != nil {
		w.log.WarnContext(ctx, "dispatching from the sweep", "err", err)
	}
	return nil
}
