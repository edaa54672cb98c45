package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/sheaf-dev/sheaf/internal/id"
)

// File is an uploaded document; its bytes live in the blob store.
type File struct{ ent.Schema }

// Mixin of File.
func (File) Mixin() []ent.Mixin {
	return []ent.Mixin{idMixin{prefix: id.File}, createdMixin{}, orgMixin{}}
}

// Fields of File.
func (File) Fields() []ent.Field {
	return []ent.Field{
		field.String("filename").Default(""),
		field.String("content_type").Default(""),
		field.Int64("size").NonNegative(),
		field.String("sha256").NotEmpty(),
		field.String("blob_key").NotEmpty(),
	}
}

// Indexes of File.
func (File) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}
