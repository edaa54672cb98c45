package worker

import (
	"context"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestRunTaskExists pins what the sweeper relies on: a queued task exists,
// a task Redis lost does not, an archived task (out of retries) is deleted
// and reported missing so its run can be queued again, and enqueueing the
// same run twice is one task.
func TestRunTaskExists(t *testing.T) {
	ctx := context.Background()
	rdb := testutil.Redis(t)
	q := NewQueue(rdb)
	t.Cleanup(func() { _ = q.Close() })

	exists := func(id string, critical bool) bool {
		t.Helper()
		ok, err := q.RunTaskExists(ctx, id, critical)
		if err != nil {
			t.Fatalf("RunTaskExists(%s): %v", id, err)
		}
		return ok
	}
	if exists("run_never", false) {
		t.Error("a run that was never queued has a task")
	}
	for range 2 {
		if err := q.EnqueueRun(ctx, "run_a", false); err != nil {
			t.Fatalf("EnqueueRun: %v", err)
		}
	}
	if err := q.EnqueueRun(ctx, "run_b", true); err != nil {
		t.Fatal(err)
	}
	if !exists("run_a", false) || !exists("run_b", true) {
		t.Fatal("queued runs have no task")
	}
	sizes, err := q.Sizes()
	if err != nil || sizes[QueueLow] != 1 || sizes[QueueCritical] != 1 {
		t.Errorf("Sizes = %v, %v; want one low and one critical task", sizes, err)
	}
	if err := q.inspector.ArchiveTask(QueueLow, "run_a"); err != nil {
		t.Fatal(err)
	}
	if exists("run_a", false) {
		t.Error("an archived task counts as live")
	}
	if _, err := q.inspector.GetTaskInfo(QueueLow, "run_a"); err == nil {
		t.Error("the archived task was not deleted")
	}
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if exists("run_b", true) {
		t.Error("a task survives FLUSHDB")
	}
}
