package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// Processor is a named extract / classify / split configuration. Its
// configuration lives in immutable ProcessorVersion rows; a batch pins one.
type Processor struct{ ent.Schema }

// Mixin of Processor.
func (Processor) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.Processor}, createdMixin{}, orgMixin{}}
}

// Fields of Processor.
func (Processor) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		field.Enum("type").Values("EXTRACT", "CLASSIFY", "SPLIT").Immutable(),
		field.Int("latest_version").Positive(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Indexes of Processor.
func (Processor) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "name").Unique()}
}

// ProcessorVersion is one immutable configuration of a processor.
type ProcessorVersion struct{ ent.Schema }

// Mixin of ProcessorVersion.
func (ProcessorVersion) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.ProcessorVersion}, createdMixin{}}
}

// Fields of ProcessorVersion.
func (ProcessorVersion) Fields() []ent.Field {
	return []ent.Field{
		field.String("processor_id").Immutable().NotEmpty(),
		field.Int("version").Immutable().Positive(),
		field.JSON("config", json.RawMessage{}).Immutable(),
	}
}

// Indexes of ProcessorVersion.
func (ProcessorVersion) Indexes() []ent.Index {
	return []ent.Index{index.Fields("processor_id", "version").Unique()}
}
