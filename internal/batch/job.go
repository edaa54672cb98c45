package batch

import (
	"encoding/json"
	"fmt"
)

// Job is what the engine needs to process one run.
type Job struct {
	RunID           string
	OrganizationID  string
	ProcessorID     string
	ProcessorType   string
	ProcessorConfig json.RawMessage
	UseLLM          bool
	Input           JobInput
}

// JobInput is a run's document source: Kind is "text", "file" or "url".
type JobInput struct {
	Kind     string
	Text     string
	BlobKey  string
	URL      string
	Filename string
}

// Result is a successful run's output. NeedsReview marks output that a human
// should look at; the run then ends NEEDS_REVIEW instead of PROCESSED.
type Result struct {
	Output      json.RawMessage
	NeedsReview bool
}

// RunError is why a run failed, with a stable code (UNSUPPORTED_INPUT,
// INPUT_FETCH_FAILED, …). Transient errors are retried with backoff before
// the run is marked FAILED.
type RunError struct {
	Code      string
	Message   string
	Transient bool
}

func (e *RunError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
