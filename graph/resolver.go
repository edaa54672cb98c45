// Package graph is sheaf's GraphQL API: the hand-written schema
// (*.graphqls), thin resolvers that call internal/batch, the one mapping of
// domain errors to GraphQL errors, and the gorilla websocket adapter.
package graph

import (
	"time"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// Resolver is the dependency-injection root of the resolvers.
type Resolver struct {
	Service *batch.Service
	// ProcessTimeout bounds how long processDocument waits for its run.
	ProcessTimeout time.Duration
}
