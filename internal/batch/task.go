package batch

import (
	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/run"
)

// inlineTextMax is the largest raw-text input a run task carries itself
// (64 KiB): the dispatch window bounds how many such tasks wait in Redis.
const inlineTextMax = 64 << 10

// RunTask is what the task of a run carries.
type RunTask struct {
	// RunID is the run to process.
	RunID string `json:"run_id"`
	// Inline, for a batch run whose input is raw text of at most 64 KiB
	// and that calls no LLM, is a copy of everything processing the run
	// reads from its row, so the handler reads nothing from the database.
	// Every copied column is immutable, and the outcome is recorded only
	// while the run is still PENDING, so a stale or duplicate task cannot
	// change a run twice.
	Inline *InlineRun `json:"inline,omitempty"`
}

// InlineRun is the copy of a raw-text batch run a RunTask carries.
type InlineRun struct {
	OrganizationID   string `json:"organization_id"`
	BatchID          string `json:"batch_id"`
	ProcessorID      string `json:"processor_id"`
	ProcessorVersion int    `json:"processor_version"`
	ProcessorType    string `json:"processor_type"`
	UseLLM           bool   `json:"use_llm,omitempty"`
	Filename         string `json:"filename,omitempty"`
	Text             string `json:"text"`
}

// run is the PENDING run row the inline copy stands for.
func (in *InlineRun) run(id string) *ent.Run {
	r := &ent.Run{ID: id, OrganizationID: in.OrganizationID, BatchID: &in.BatchID, ProcessorID: in.ProcessorID,
		ProcessorVersion: in.ProcessorVersion, ProcessorType: in.ProcessorType, UseLlm: in.UseLLM,
		Status: run.StatusPENDING, InputKind: run.InputKindText, InputText: &in.Text}
	if in.Filename != "" {
		r.Filename = &in.Filename
	}
	return r
}
