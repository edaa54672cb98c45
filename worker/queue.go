package worker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// dirtyKey is set by every wake; the dispatcher loops while it finds it set,
// so a wake that lands while a dispatch task is running is not lost.
const dirtyKey = "sheaf:dispatch:dirty"

// Queue implements batch.Queue over asynq, sharing one Redis client.
type Queue struct {
	rdb       redis.UniversalClient
	client    *asynq.Client
	inspector *asynq.Inspector
	// RunMaxRetry is how often asynq retries a run task whose handler hit
	// an infrastructure error (default 10).
	RunMaxRetry int

	// local, while a Worker in this process runs its dispatch loop,
	// receives this process's wakes (see WakeDispatcher).
	local atomic.Pointer[chan struct{}]
}

// NewQueue returns a Queue on rdb.
func NewQueue(rdb redis.UniversalClient) *Queue {
	return &Queue{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb),
		inspector: asynq.NewInspectorFromRedisClient(rdb), RunMaxRetry: 10}
}

// EnqueueRun queues a run task whose id is the run id; a task that already
// exists counts as success, unless a worker holds it (see heldByWorker).
func (q *Queue) EnqueueRun(ctx context.Context, rt batch.RunTask, critical bool) error {
	queue := QueueLow
	if critical {
		queue = QueueCritical
	}
	runID := rt.RunID
	task := asynq.NewTask(TypeRun, runPayload(rt))
	_, err := q.client.EnqueueContext(ctx, task, asynq.TaskID(runID), asynq.Queue(queue), asynq.MaxRetry(q.RunMaxRetry))
	if errors.Is(err, asynq.ErrTaskIDConflict) && q.heldByWorker(queue, runID) {
		// Possibly a dead worker's: deliver the run again under another
		// id. A duplicate delivery is harmless, claiming is conditional.
		redelivery := runID + "~" + strconv.FormatInt(time.Now().UnixNano(), 36)
		_, err = q.client.EnqueueContext(ctx, task, asynq.TaskID(redelivery), asynq.Queue(queue), asynq.MaxRetry(q.RunMaxRetry))
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueueing run %s: %w", runID, err)
	}
	return nil
}

// heldByWorker reports whether the run's task is active. A run is queued
// again only once it is PENDING and undispatched, so an active task then
// is usually a dead worker's: asynq recovers such a task only a minute or
// two after the worker stopped extending its lease, while the run's own
// lease has already handed the run back. Waiting for asynq would stall the
// run for that long whatever RunLease says.
func (q *Queue) heldByWorker(queue, runID string) bool {
	info, err := q.inspector.GetTaskInfo(queue, runID)
	return err == nil && info.State == asynq.TaskStateActive
}

// WakeDispatcher asks for a dispatch pass soon. In a process whose worker
// runs a dispatch loop, that loop takes the wake at once; elsewhere (an API
// process) it marks dispatch work as waiting and makes sure one dispatch
// task is queued for some worker.
func (q *Queue) WakeDispatcher(ctx context.Context) error {
	if ch := q.local.Load(); ch != nil {
		select {
		case *ch <- struct{}{}:
		default: // a pass is already due
		}
		return nil
	}
	if err := q.rdb.Set(ctx, dirtyKey, 1, 0).Err(); err != nil {
		return fmt.Errorf("marking dispatch dirty: %w", err)
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(TypeDispatch, nil),
		asynq.TaskID("dispatch"), asynq.Queue(QueueDefault), asynq.MaxRetry(3))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueueing dispatch: %w", err)
	}
	return nil
}

// takeDirty reports whether a wake arrived since the last call.
func (q *Queue) takeDirty(ctx context.Context) (bool, error) {
	n, err := q.rdb.Del(ctx, dirtyKey).Result()
	return n > 0, err
}

// RunTaskExists reports whether asynq still holds a live task for the run.
// An archived task (out of retries) is deleted and reported missing, so the
// run can be queued again.
func (q *Queue) RunTaskExists(ctx context.Context, runID string, critical bool) (bool, error) {
	queue := QueueLow
	if critical {
		queue = QueueCritical
	}
	info, err := q.inspector.GetTaskInfo(queue, runID)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inspecting task %s: %w", runID, err)
	}
	switch info.State {
	case asynq.TaskStateArchived, asynq.TaskStateCompleted:
		if err := q.inspector.DeleteTask(queue, runID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("deleting dead task %s: %w", runID, err)
		}
		return false, nil
	}
	return true, nil
}

// lowPendingKey is the Redis list asynq keeps the waiting tasks of the low
// queue in (asynq's key layout: asynq:{<queue>}:pending).
var lowPendingKey = "asynq:{" + QueueLow + "}:pending"

// Backlog returns how many batch run tasks wait in the low queue: one LLEN,
// cheap enough for every dispatch pass (the inspector's queue statistics
// cost far more).
func (q *Queue) Backlog(ctx context.Context) (int, error) {
	n, err := q.rdb.LLen(ctx, lowPendingKey).Result()
	if err != nil {
		return 0, fmt.Errorf("measuring the low queue: %w", err)
	}
	return int(n), nil
}

// Sizes returns the number of tasks waiting or running per queue.
func (q *Queue) Sizes() (map[string]int, error) {
	out := map[string]int{}
	for name := range Weights {
		out[name] = 0
	}
	// asynq knows a queue only once a task has entered it.
	existing, err := q.inspector.Queues()
	if err != nil {
		return nil, err
	}
	for _, name := range existing {
		if _, ours := Weights[name]; !ours {
			continue
		}
		info, err := q.inspector.GetQueueInfo(name)
		if err != nil {
			return nil, err
		}
		out[name] = info.Pending + info.Active + info.Scheduled + info.Retry
	}
	return out, nil
}

// Close releases the asynq client and inspector (not the shared Redis client).
func (q *Queue) Close() error {
	return errors.Join(q.client.Close())
}
