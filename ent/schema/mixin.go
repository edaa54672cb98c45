package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// idMixin gives a schema a string primary key made of a type prefix and a
// time-sortable ULID.
type idMixin struct {
	mixin.Schema
	prefix string
}

func (m idMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			Immutable().
			NotEmpty().
			MaxLen(40).
			DefaultFunc(func() string { return id.New(m.prefix) }),
	}
}

// createdMixin adds an immutable creation time.
type createdMixin struct{ mixin.Schema }

func (createdMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(time.Now),
	}
}

// orgMixin scopes a record to one organization (tenant).
type orgMixin struct{ mixin.Schema }

func (orgMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("organization_id").Immutable().NotEmpty(),
	}
}
