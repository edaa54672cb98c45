package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/processor"
	"github.com/sheaf-dev/sheaf/ent/processorversion"
)

// Processor is a processor with the configuration of one of its versions.
type Processor struct {
	*ent.Processor
	Version int
	Config  json.RawMessage
}

// ProcessorInput creates a processor.
type ProcessorInput struct {
	Name   string
	Type   string
	Config json.RawMessage
}

// CreateProcessor validates the configuration and stores the processor as
// version 1.
func (s *Service) CreateProcessor(ctx context.Context, org string, in ProcessorInput) (*Processor, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > maxNameLen {
		return nil, &Error{Code: CodeBadInput, Message: "name must be 1 to 200 bytes", Index: -1, Field: "name"}
	}
	if err := processor.TypeValidator(processor.Type(in.Type)); err != nil {
		return nil, &Error{Code: CodeBadInput, Message: "type must be EXTRACT, CLASSIFY or SPLIT", Index: -1, Field: "type"}
	}
	if err := s.validateConfig(in.Type, in.Config); err != nil {
		return nil, err
	}
	var out *Processor
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		p, err := tx.Processor.Create().SetOrganizationID(org).SetName(in.Name).
			SetType(processor.Type(in.Type)).SetLatestVersion(1).Save(ctx)
		if err != nil {
			return err
		}
		v, err := tx.ProcessorVersion.Create().SetProcessorID(p.ID).SetVersion(1).SetConfig(in.Config).Save(ctx)
		out = &Processor{Processor: p, Version: v.Version, Config: v.Config}
		return err
	})
	if ent.IsConstraintError(err) {
		return nil, &Error{Code: CodeConflict, Message: fmt.Sprintf("a processor named %q already exists", in.Name), Index: -1, Field: "name"}
	}
	if err != nil {
		return nil, fmt.Errorf("creating processor: %w", err)
	}
	return out, nil
}

// CreateProcessorVersion stores a new immutable configuration as the next
// version. Batches already created keep the version they pinned.
func (s *Service) CreateProcessorVersion(ctx context.Context, org, processorID string, config json.RawMessage) (*Processor, error) {
	p, err := s.processor(ctx, org, processorID)
	if err != nil {
		return nil, err
	}
	if err := s.validateConfig(string(p.Type), config); err != nil {
		return nil, err
	}
	var out *Processor
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		// The conditional bump serialises concurrent new versions.
		n, err := tx.Processor.Update().Where(processor.ID(p.ID), processor.LatestVersion(p.LatestVersion)).
			AddLatestVersion(1).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errorf(CodeConflict, "processor %s changed concurrently; try again", p.ID)
		}
		v, err := tx.ProcessorVersion.Create().SetProcessorID(p.ID).SetVersion(p.LatestVersion + 1).SetConfig(config).Save(ctx)
		if err != nil {
			return err
		}
		p.LatestVersion = v.Version
		out = &Processor{Processor: p, Version: v.Version, Config: v.Config}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("creating processor version: %w", err)
	}
	return out, nil
}

func (s *Service) validateConfig(typ string, config json.RawMessage) error {
	if len(config) == 0 {
		return &Error{Code: CodeBadInput, Message: "config is required", Index: -1, Field: "config"}
	}
	if len(config) > maxProcessorCfg {
		return &Error{Code: CodeBadInput, Message: "config is larger than 1 MiB", Index: -1, Field: "config"}
	}
	if s.engine == nil {
		return nil
	}
	if err := s.engine.ValidateConfig(typ, config); err != nil {
		return &Error{Code: CodeBadInput, Message: "config: " + err.Error(), Index: -1, Field: "config"}
	}
	return nil
}

// GetProcessor returns a processor with its latest version, or with the
// given version.
func (s *Service) GetProcessor(ctx context.Context, org, processorID string, version *int) (*Processor, error) {
	p, v, err := s.resolveVersion(ctx, org, processorID, version)
	if err != nil {
		return nil, err
	}
	return &Processor{Processor: p, Version: v.Version, Config: v.Config}, nil
}

// ProcessorVersions lists every version of a processor, oldest first.
func (s *Service) ProcessorVersions(ctx context.Context, org, processorID string) ([]*ent.ProcessorVersion, error) {
	if _, err := s.processor(ctx, org, processorID); err != nil {
		return nil, err
	}
	return s.db.ProcessorVersion.Query().Where(processorversion.ProcessorID(processorID)).
		Order(ent.Asc(processorversion.FieldVersion)).All(ctx)
}

// ListProcessors pages through the organization's processors, oldest first.
func (s *Service) ListProcessors(ctx context.Context, org string, page PageArgs) (*Page[*Processor], error) {
	q := s.db.Processor.Query().Where(processor.OrganizationID(org)).Order(ent.Asc(processor.FieldID))
	if page.After != "" {
		after, err := decodeCursor(page.After)
		if err != nil {
			return nil, err
		}
		q = q.Where(processor.IDGT(after))
	}
	limit := page.limit()
	ps, err := q.Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing processors: %w", err)
	}
	out := &Page[*Processor]{}
	for _, p := range trim(ps, limit, &out.HasNextPage) {
		v, err := s.db.ProcessorVersion.Query().
			Where(processorversion.ProcessorID(p.ID), processorversion.Version(p.LatestVersion)).Only(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading processor version: %w", err)
		}
		out.Items = append(out.Items, &Processor{Processor: p, Version: v.Version, Config: v.Config})
		out.Cursors = append(out.Cursors, encodeCursor(p.ID))
	}
	return out, nil
}

func (s *Service) processor(ctx context.Context, org, processorID string) (*ent.Processor, error) {
	p, err := s.db.Processor.Query().Where(processor.ID(processorID), processor.OrganizationID(org)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("processor", processorID)
	}
	if err != nil {
		return nil, fmt.Errorf("loading processor: %w", err)
	}
	return p, nil
}

// resolveVersion finds the processor and the requested (or latest) version.
func (s *Service) resolveVersion(ctx context.Context, org, processorID string, version *int) (*ent.Processor, *ent.ProcessorVersion, error) {
	p, err := s.processor(ctx, org, processorID)
	if err != nil {
		return nil, nil, err
	}
	want := p.LatestVersion
	if version != nil {
		want = *version
	}
	v, err := s.db.ProcessorVersion.Query().
		Where(processorversion.ProcessorID(p.ID), processorversion.Version(want)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, &Error{Code: CodeNotFound, Index: -1, Field: "processorVersion",
			Message: fmt.Sprintf("processor %s has no version %d (latest is %d)", p.ID, want, p.LatestVersion)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("loading processor version: %w", err)
	}
	return p, v, nil
}
