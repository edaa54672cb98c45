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

// The predicates of the partial run indexes. A query meant to use one
// writes its predicate literally, as it is here: SQLite uses a partial
// index only for a query whose WHERE clause contains the index's terms, and
// a term with a bound parameter in place of 'PENDING' does not count.
const (
	RunsUndispatched = "status = 'PENDING' AND NOT dispatched"
	RunsDispatched   = "status = 'PENDING' AND dispatched"
	RunsLeased       = "status = 'PROCESSING'"
	RunsOpenSingle   = "batch_id IS NULL AND status IN ('PENDING', 'PROCESSING')"
)

// Indexes of Run. Every state change of a run writes a new row version
// with an entry in each index whose columns or predicate it touches, so the
// indexes serving only the dispatcher and the sweeper are partial: they hold
// the few runs waiting or running, not the many that finished.
func (Run) Indexes() []ent.Index {
	return []ent.Index{
		// A batch's runs in input order, all or by status.
		index.Fields("batch_id", "position"),
		index.Fields("batch_id", "status", "position"),
		// The dispatcher's "next runs of this batch", and the sweeper's
		// single runs without a task (batch_id NULL).
		index.Fields("batch_id", "position").StorageKey("run_undispatched").
			Annotations(entsql.IndexWhere(RunsUndispatched)),
		// The sweeper's dispatched runs whose task may be lost.
		index.Fields("dispatched_at").StorageKey("run_dispatched").
			Annotations(entsql.IndexWhere(RunsDispatched)),
		// The sweeper's expired leases.
		index.Fields("lease_expires_at").StorageKey("run_leased").
			Annotations(entsql.IndexWhere(RunsLeased)),
		// The quota's open single runs of an organization.
		index.Fields("organization_id").StorageKey("run_open_single").
			Annotations(entsql.IndexWhere(RunsOpenSingle)),
	}
}
