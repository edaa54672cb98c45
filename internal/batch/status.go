package batch

// Status is the state of a batch.
type Status string

// Batch states. PENDING → PROCESSING → PROCESSED | FAILED | CANCELLED; only
// Retry reopens a terminal batch.
const (
	// StatusPending: accepted, no run has started yet.
	StatusPending Status = "PENDING"
	// StatusProcessing: at least one run has started and some are not terminal.
	StatusProcessing Status = "PROCESSING"
	// StatusProcessed: every run is terminal and at least one succeeded
	// (PROCESSED or NEEDS_REVIEW); the counts tell partial failure.
	StatusProcessed Status = "PROCESSED"
	// StatusFailed: every run failed, or the batch hit a batch-level error.
	StatusFailed Status = "FAILED"
	// StatusCancelled: cancelled by the client; runs already processing finish.
	StatusCancelled Status = "CANCELLED"
)

// Terminal reports whether s is a final state.
func (s Status) Terminal() bool {
	return s == StatusProcessed || s == StatusFailed || s == StatusCancelled
}

// RunStatus is the state of one run.
type RunStatus string

// Run states. PENDING → PROCESSING → PROCESSED | NEEDS_REVIEW | FAILED, and
// PENDING → CANCELLED; only Retry moves a terminal run back to PENDING.
const (
	// RunPending: waiting for a worker.
	RunPending RunStatus = "PENDING"
	// RunProcessing: claimed by a worker that holds a lease on it.
	RunProcessing RunStatus = "PROCESSING"
	// RunProcessed: finished; every field is confident.
	RunProcessed RunStatus = "PROCESSED"
	// RunNeedsReview: finished; some value needs a human look.
	RunNeedsReview RunStatus = "NEEDS_REVIEW"
	// RunFailed: the document could not be processed; Error says why.
	RunFailed RunStatus = "FAILED"
	// RunCancelled: the batch was cancelled before the run started.
	RunCancelled RunStatus = "CANCELLED"
)

// Terminal reports whether s is a final state.
func (s RunStatus) Terminal() bool {
	switch s {
	case RunProcessed, RunNeedsReview, RunFailed, RunCancelled:
		return true
	}
	return false
}

// Valid reports whether s is a known run state.
func (s RunStatus) Valid() bool {
	return s == RunPending || s == RunProcessing || s.Terminal()
}

// Counts are a batch's runs per state. Total is the sum of the others.
type Counts struct {
	Total       int `json:"total"`
	Pending     int `json:"pending"`
	Processing  int `json:"processing"`
	Processed   int `json:"processed"`
	NeedsReview int `json:"needs_review"`
	Failed      int `json:"failed"`
	Cancelled   int `json:"cancelled"`
}

// Done is the number of runs in a terminal state.
func (c Counts) Done() int { return c.Processed + c.NeedsReview + c.Failed + c.Cancelled }

// PercentComplete is Done as a percentage of Total (100 for an empty batch).
func (c Counts) PercentComplete() float64 {
	if c.Total == 0 {
		return 100
	}
	return float64(c.Done()) * 100 / float64(c.Total)
}
