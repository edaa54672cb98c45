package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// Batch is one submission of many documents. Its per-status counters are
// updated in the same transaction as every run transition, so
// total = pending + processing + processed + needs_review + failed + cancelled
// holds at all times.
type Batch struct{ ent.Schema }

// Mixin of Batch.
func (Batch) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.Batch}, createdMixin{}, orgMixin{}}
}

// Fields of Batch.
func (Batch) Fields() []ent.Field {
	return []ent.Field{
		field.String("processor_id").Immutable().NotEmpty(),
		field.Int("processor_version").Immutable().Positive(),
		field.String("processor_type").Immutable().NotEmpty(),
		field.String("name").Optional().Nillable(),
		field.Enum("status").Values("PENDING", "PROCESSING", "PROCESSED", "FAILED", "CANCELLED").Default("PENDING"),
		field.Int("priority").Default(0),
		field.Bool("use_llm").Default(false),
		field.JSON("metadata", json.RawMessage{}).Optional(),
		field.String("idempotency_key").Optional().Nillable().Immutable(),
		field.String("request_hash").Optional().Immutable(),
		field.Int("total").NonNegative().Immutable(),
		field.Int("pending").Default(0),
		field.Int("processing").Default(0),
		field.Int("processed").Default(0),
		field.Int("needs_review").Default(0),
		field.Int("failed").Default(0),
		field.Int("cancelled").Default(0),
		// version increases with every change, so progress messages that
		// arrive out of order can be told apart.
		field.Int64("version").Default(1),
		field.Time("updated_at").Default(time.Now),
		field.Time("started_at").Optional().Nillable(),
		field.Time("completed_at").Optional().Nillable(),
		field.Time("cancelled_at").Optional().Nillable(),
		// last_dispatched_at drives the dispatcher's round-robin: the batch
		// (and organization) served longest ago goes first.
		field.Time("last_dispatched_at").Optional().Nillable(),
	}
}

// Indexes of Batch.
func (Batch) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "idempotency_key").Unique(),
		index.Fields("organization_id", "created_at"),
		index.Fields("status"),
	}
}
