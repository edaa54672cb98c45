package main

// The one code-generation entry: ent first (the GraphQL layer binds its
// types), then gqlgen. Run `go generate ./...`; CI fails when it leaves a
// diff. Both generators are tool dependencies in go.mod, pinned like the
// libraries.
//go:generate go tool ent generate --feature sql/upsert,sql/execquery,sql/lock,sql/modifier ./ent/schema
//go:generate go tool gqlgen generate --config gqlgen.yml
