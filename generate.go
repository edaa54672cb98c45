package main

// The one code-generation entry: ent first (the GraphQL layer uses its
// types), then gqlgen. Run `go generate ./...`; CI fails when it leaves a diff.
//go:generate go generate ./ent
//go:generate go run -mod=mod github.com/99designs/gqlgen generate --config gqlgen.yml
