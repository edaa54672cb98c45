package testutil

// Test-only dependencies are imported here so that `go mod tidy` keeps them
// pinned while the packages that use them are in their first commit.
import (
	_ "github.com/google/go-cmp/cmp"
	_ "go.uber.org/goleak"
)
