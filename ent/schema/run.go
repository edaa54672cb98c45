package schema

import (
	"encoding/json"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// Run is the processing of one document by one processor version, either as
// part of a batch (batch_id, position) or on its own.
type Run struct{ ent.Schema }

// Mixin of Run.
func (Run) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.Run}, createdMixin{}, orgMixin{}}
}

// Fields of Run.
func (Run) Fields() []ent.Field {
	return []ent.Field{
		field.String("batch_id").Optional().Nillable().Immutable(),
		field.Int("position").Optional().Nillable().Immutable(),
		field.String("processor_id").Immutable().NotEmpty(),
		field.Int("processor_version").Immutable().Positive(),
		field.String("processor_type").Immutable().NotEmpty(),
		field.Bool("use_llm").Default(false).Immutable(),
		field.Enum("status").Values("PENDING", "PROCESSING", "PROCESSED", "NEEDS_REVIEW", "FAILED", "CANCELLED").Default("PENDING"),
		field.Enum("input_kind").Values("text", "file", "url").Immutable(),
		field.Text("input_text").Optional().Nillable().Immutable(),
		field.String("file_id").Optional().Nillable().Immutable(),
		field.String("url").Optional().Nillable().Immutable(),
		field.String("filename").Optional().Nillable().Immutable(),
		field.String("external_id").Optional().Nillable().Immutable(),
		field.JSON("metadata", json.RawMessage{}).Optional(),
		field.JSON("output", json.RawMessage{}).Optional(),
		field.String("error_code").Optional().Nillable(),
		field.String("error_message").Optional().Nillable(),
		field.Int("attempts").Default(1),
		// dispatched is true while a task for this run is believed to be in
		// the queue; the sweeper clears it when Redis has lost the task.
		field.Bool("dispatched").Default(false),
		field.Time("dispatched_at").Optional().Nillable(),
		field.Time("lease_expires_at").Optional().Nillable(),
		field.Time("started_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Indexes of Run.
func (Run) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("batch_id", "position"),
		index.Fields("batch_id", "status", "dispatched", "position"),
		// The dispatcher's "next runs of this batch": only the runs waiting
		// for dispatch, so its scan does not wade through the versions of
		// every run the batch already processed.
		index.Fields("batch_id", "position").StorageKey("run_undispatched").
			Annotations(entsql.IndexWhere("status = 'PENDING' AND NOT dispatched")),
		index.Fields("status", "dispatched"),
		index.Fields("status", "lease_expires_at"),
		index.Fields("organization_id", "created_at"),
	}
}
