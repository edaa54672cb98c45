package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"entgo.io/ent/dialect"

	"github.com/sheaf-dev/sheaf/ent"
	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/file"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/id"
)

// CreateBatchInput is a request to process many documents with one
// processor version.
type CreateBatchInput struct {
	ProcessorID      string          `json:"processor_id"`
	ProcessorVersion *int            `json:"processor_version,omitempty"`
	Name             *string         `json:"name,omitempty"`
	Priority         int             `json:"priority,omitempty"`
	UseLLM           bool            `json:"use_llm,omitempty"`
	Metadata         json.RawMessage `json:"metadata,omitempty"`
	IdempotencyKey   *string         `json:"-"`
	Inputs           []Input         `json:"inputs"`
}

// insertChunk bounds the rows of one multi-row INSERT (SQLite caps bound
// variables).
const insertChunk = 500

// CreateBatch admits a batch all-or-nothing: it validates every input,
// resolves the processor version and checks the quota before writing; then
// writes the batch and its runs in one transaction and, after the commit,
// wakes the dispatcher. With an idempotency key already used for the same
// request it returns the existing batch; for a different request, CONFLICT.
func (s *Service) CreateBatch(ctx context.Context, org string, in CreateBatchInput) (*ent.Batch, error) {
	if err := s.validateBatch(in); err != nil {
		return nil, err
	}
	hash := requestHash(in)
	if b, err := s.idempotent(ctx, org, in.IdempotencyKey, hash); b != nil || err != nil {
		return b, err
	}
	if err := s.checkFiles(ctx, org, in.Inputs); err != nil {
		return nil, err
	}
	proc, ver, err := s.resolveVersion(ctx, org, in.ProcessorID, in.ProcessorVersion)
	if err != nil {
		return nil, err
	}
	if err := s.checkQuota(ctx, org, len(in.Inputs)); err != nil {
		return nil, err
	}
	var b *ent.Batch
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		b, err = s.insertBatch(ctx, tx, org, in, hash, proc, ver.Version)
		return err
	})
	if ent.IsConstraintError(err) && in.IdempotencyKey != nil {
		// A concurrent request with the same key won the race.
		return s.idempotent(ctx, org, in.IdempotencyKey, hash)
	}
	if err != nil {
		return nil, fmt.Errorf("creating batch: %w", err)
	}
	s.log.InfoContext(ctx, "batch created", "batch_id", b.ID, "organization_id", org, "runs", b.Total)
	s.replan()
	s.wake(ctx)
	return b, nil
}

func (s *Service) validateBatch(in CreateBatchInput) error {
	if in.ProcessorID == "" {
		return &Error{Code: CodeBadInput, Message: "processorId is required", Index: -1, Field: "processorId"}
	}
	if len(in.Inputs) == 0 {
		return &Error{Code: CodeBadInput, Message: "a batch needs at least one input", Index: -1, Field: "inputs"}
	}
	if len(in.Inputs) > s.opts.MaxBatchInputs {
		return badInputAt(s.opts.MaxBatchInputs, "a batch takes at most %d inputs; this one has %d",
			s.opts.MaxBatchInputs, len(in.Inputs))
	}
	if in.Name != nil && len(*in.Name) > maxNameLen {
		return badField("name", "name is longer than %d bytes", maxNameLen)
	}
	if in.Priority < minPriority || in.Priority > maxPriority {
		return badField("priority", "priority must be between %d and %d", minPriority, maxPriority)
	}
	if in.IdempotencyKey != nil && (*in.IdempotencyKey == "" || len(*in.IdempotencyKey) > maxIdemKeyLen) {
		return badField("idempotencyKey", "idempotencyKey must be 1 to %d bytes", maxIdemKeyLen)
	}
	if m := checkMetadata(in.Metadata, maxBatchMeta); m != "" {
		return badField("metadata", "%s", m)
	}
	for i, input := range in.Inputs {
		if m := input.validate(s.opts.MaxTextBytes); m != "" {
			return badInputAt(i, "%s", m)
		}
	}
	return nil
}

// checkFiles makes sure every fileId names a file of this organization,
// and gives inputs without a filename the uploaded file's name.
func (s *Service) checkFiles(ctx context.Context, org string, inputs []Input) error {
	var ids []string
	for _, in := range inputs {
		if in.FileID != nil {
			ids = append(ids, *in.FileID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := s.db.File.Query().Where(file.OrganizationID(org), file.IDIn(ids...)).
		Select(file.FieldID, file.FieldFilename).All(ctx)
	if err != nil {
		return fmt.Errorf("checking files: %w", err)
	}
	names := make(map[string]string, len(found))
	for _, f := range found {
		names[f.ID] = f.Filename
	}
	for i, in := range inputs {
		if in.FileID == nil {
			continue
		}
		name, ok := names[*in.FileID]
		if !ok {
			return badInputAt(i, "file %q not found", *in.FileID)
		}
		if in.Filename == nil && name != "" {
			inputs[i].Filename = &name
		}
	}
	return nil
}

func (s *Service) idempotent(ctx context.Context, org string, key *string, hash string) (*ent.Batch, error) {
	if key == nil {
		return nil, nil
	}
	b, err := s.db.Batch.Query().Where(entbatch.OrganizationID(org), entbatch.IdempotencyKey(*key)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up idempotency key: %w", err)
	}
	if b.RequestHash != hash {
		return nil, errorf(CodeConflict, "idempotency key %q was already used for a different request (batch %s)", *key, b.ID)
	}
	return b, nil
}

func (s *Service) insertBatch(ctx context.Context, tx *ent.Tx, org string, in CreateBatchInput, hash string, proc *ent.Processor, version int) (*ent.Batch, error) {
	n := len(in.Inputs)
	b, err := tx.Batch.Create().
		SetOrganizationID(org).
		SetProcessorID(proc.ID).
		SetProcessorVersion(version).
		SetProcessorType(string(proc.Type)).
		SetNillableName(in.Name).
		SetPriority(in.Priority).
		SetUseLlm(in.UseLLM).
		SetMetadata(normMetadata(in.Metadata)).
		SetNillableIdempotencyKey(in.IdempotencyKey).
		SetRequestHash(hash).
		SetTotal(n).
		SetPending(n).
		SetUpdatedAt(s.opts.Now()).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	if s.dialect == dialect.Postgres {
		return b, s.insertRunsUnnest(ctx, tx, b.ID, org, proc, version, in.UseLLM, in.Inputs)
	}
	for start := 0; start < n; start += insertChunk {
		end := min(start+insertChunk, n)
		builders := make([]*ent.RunCreate, 0, end-start)
		for i := start; i < end; i++ {
			builders = append(builders, s.runCreate(tx, org, proc, version, in.UseLLM, in.Inputs[i]).
				SetBatchID(b.ID).SetPosition(i))
		}
		if err := tx.Run.CreateBulk(builders...).Exec(ctx); err != nil {
			return nil, fmt.Errorf("inserting runs %d-%d: %w", start, end-1, err)
		}
	}
	return b, nil
}

// runCreate prepares the row of one run.
func (s *Service) runCreate(tx *ent.Tx, org string, proc *ent.Processor, version int, useLLM bool, in Input) *ent.RunCreate {
	kind, _ := in.kind()
	return tx.Run.Create().
		SetID(id.New(id.Run)).
		SetOrganizationID(org).
		SetProcessorID(proc.ID).
		SetProcessorVersion(version).
		SetProcessorType(string(proc.Type)).
		SetUseLlm(useLLM).
		SetInputKind(run.InputKind(kind)).
		SetNillableInputText(in.Text).
		SetNillableFileID(in.FileID).
		SetNillableURL(in.URL).
		SetNillableFilename(in.Filename).
		SetNillableExternalID(in.ExternalID).
		SetMetadata(normMetadata(in.Metadata)).
		SetCreatedAt(s.opts.Now())
}

// requestHash fingerprints a request, to tell a retried request from a
// different one reusing an idempotency key.
func requestHash(in CreateBatchInput) string {
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// wake asks for a dispatch pass; a failure only delays work until the next
// sweep, so it is logged, not returned.
func (s *Service) wake(ctx context.Context) {
	if s.queue == nil {
		return
	}
	if err := s.queue.WakeDispatcher(ctx); err != nil {
		s.log.WarnContext(ctx, "waking dispatcher", "err", err)
	}
}
