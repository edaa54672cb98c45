// Package worker runs sheaf's background work on asynq: run tasks (one per
// document), the dispatcher that feeds batch runs into the low queue, and
// the periodic sweeper. It also implements batch.Queue over asynq.
//
// Queues and weights: critical 6 (single runs), default 3 (dispatch,
// maintenance), low 1 (batch runs), so batches never starve interactive
// work. Each worker also keeps a quarter of its concurrency (at least one
// slot) serving only the critical queue, so a single run does not wait for
// a slot when slow batch runs hold all the others.
package worker

import (
	"encoding/json"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// Task types.
const (
	TypeRun      = "run:process"
	TypeDispatch = "batch:dispatch"
	TypeSweep    = "maintenance:sweep"
)

// Queue names and their weights.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Weights are the asynq queue priorities.
var Weights = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// RunPayload is the payload of a run task: the run id, and for a raw-text
// batch run its inline copy (see batch.RunTask).
type RunPayload = batch.RunTask

func runPayload(task batch.RunTask) []byte {
	b, _ := json.Marshal(task)
	return b
}

func decodeRun(b []byte) (batch.RunTask, error) {
	var p RunPayload
	if err := json.Unmarshal(b, &p); err != nil || p.RunID == "" {
		return p, fmt.Errorf("decoding run payload %q: %v", b, err)
	}
	return p, nil
}
