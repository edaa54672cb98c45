package worker

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
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
		if err := q.EnqueueRun(ctx, batch.RunTask{RunID: "run_a"}, false); err != nil {
			t.Fatalf("EnqueueRun: %v", err)
		}
	}
	if err := q.EnqueueRun(ctx, batch.RunTask{RunID: "run_b"}, true); err != nil {
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

// TestRunPayloadRoundTrip pins that a run task's inline copy survives the
// trip through Redis: the handler processes what the dispatcher read.
func TestRunPayloadRoundTrip(t *testing.T) {
	ctx := context.Background()
	rdb := testutil.Redis(t)
	q := NewQueue(rdb)
	t.Cleanup(func() { _ = q.Close() })
	want := batch.RunTask{RunID: "run_inline", Inline: &batch.InlineRun{OrganizationID: "org_a", BatchID: "bat_a",
		ProcessorID: "prc_a", ProcessorVersion: 3, ProcessorType: "EXTRACT", UseLLM: true, Filename: "a.txt",
		Text: "Invoice No: 7\nTotal: 12.50 EUR\n"}}
	if err := q.EnqueueRun(ctx, want, false); err != nil {
		t.Fatal(err)
	}
	info, err := q.inspector.GetTaskInfo(QueueLow, want.RunID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeRun(info.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payload after Redis (-want +got):\n%s", diff)
	}
	if _, err := decodeRun([]byte(`{"inline": {}}`)); err == nil {
		t.Error("a payload without a run id decodes")
	}
}
