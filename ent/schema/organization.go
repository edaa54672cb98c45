package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// Organization is a tenant: every other record belongs to exactly one.
type Organization struct{ ent.Schema }

// Mixin of Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.Organization}, createdMixin{}}
}

// Fields of Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		// active_run_limit overrides the service-wide quota of pending +
		// processing runs for this organization.
		field.Int("active_run_limit").Optional().Nillable(),
	}
}
