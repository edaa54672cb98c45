package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// APIKey authenticates requests for one organization. Only a SHA-256 hash of
// the secret is stored.
type APIKey struct{ ent.Schema }

// Mixin of APIKey.
func (APIKey) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.APIKey}, createdMixin{}, orgMixin{}}
}

// Fields of APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Default("default"),
		field.String("hash").NotEmpty().Unique().Sensitive(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Indexes of APIKey.
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}
