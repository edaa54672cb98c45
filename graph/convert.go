package graph

import (
	"context"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/graph/model"
	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
)

// organization is the caller's organization, or UNAUTHENTICATED.
func organization(ctx context.Context) (string, error) {
	return auth.Organization(ctx)
}

// nullIfNotFound turns NOT_FOUND into a null answer, as nullable lookups
// (batch, run, processor, file) promise.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if batch.CodeOf(err) == batch.CodeNotFound {
		return nil, nil
	}
	return v, err
}

func pageArgs(first *int, after *string) batch.PageArgs {
	return batch.PageArgs{First: first, After: deref(after)}
}

func createBatchInput(in model.CreateBatchInput) batch.CreateBatchInput {
	out := batch.CreateBatchInput{
		ProcessorID: in.ProcessorID, ProcessorVersion: in.ProcessorVersion, Name: in.Name,
		Priority: deref(in.Priority), UseLLM: deref(in.UseLlm), Metadata: in.Metadata,
		IdempotencyKey: in.IdempotencyKey, Inputs: make([]batch.Input, len(in.Inputs)),
	}
	for i, input := range in.Inputs {
		out.Inputs[i] = batchInput(input)
	}
	return out
}

func createRunInput(in model.CreateRunInput) batch.CreateRunInput {
	var input batch.Input
	if in.Input != nil {
		input = batchInput(in.Input)
	}
	return batch.CreateRunInput{ProcessorID: in.ProcessorID, ProcessorVersion: in.ProcessorVersion,
		UseLLM: deref(in.UseLlm), Input: input}
}

func batchInput(in *model.BatchInput) batch.Input {
	return batch.Input{Text: in.Text, FileID: in.FileID, URL: in.URL, Filename: in.Filename,
		ExternalID: in.ExternalID, Metadata: in.Metadata}
}

func pageInfo[T any](p *batch.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage}
	if c := p.EndCursor(); c != "" {
		info.EndCursor = &c
	}
	return info
}

// edges builds a connection's edges from a page, one per item.
func edges[T, E any](p *batch.Page[T], edge func(cursor string, node T) E) []E {
	out := make([]E, len(p.Items))
	for i, item := range p.Items {
		out[i] = edge(p.Cursors[i], item)
	}
	return out
}

func runConnection(p *batch.Page[*ent.Run]) *model.RunConnection {
	if p == nil {
		return nil
	}
	return &model.RunConnection{PageInfo: pageInfo(p), Edges: edges(p, func(c string, r *ent.Run) *model.RunEdge {
		return &model.RunEdge{Cursor: c, Node: r}
	})}
}

func batchConnection(p *batch.Page[*ent.Batch]) *model.BatchConnection {
	if p == nil {
		return nil
	}
	return &model.BatchConnection{PageInfo: pageInfo(p), Edges: edges(p, func(c string, b *ent.Batch) *model.BatchEdge {
		return &model.BatchEdge{Cursor: c, Node: b}
	})}
}

func processorConnection(p *batch.Page[*batch.Processor]) *model.ProcessorConnection {
	if p == nil {
		return nil
	}
	return &model.ProcessorConnection{PageInfo: pageInfo(p), Edges: edges(p, func(c string, x *batch.Processor) *model.ProcessorEdge {
		return &model.ProcessorEdge{Cursor: c, Node: x}
	})}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
