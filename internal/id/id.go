// Package id makes the string identifiers of sheaf's records: a short type
// prefix and a ULID, e.g. "bat_01hx3k…". ULIDs sort by creation time, so ids
// double as a stable, time-ordered cursor.
package id

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Prefixes of every record type.
const (
	Organization     = "org"
	APIKey           = "key"
	Processor        = "prc"
	ProcessorVersion = "prv"
	File             = "fil"
	Batch            = "bat"
	Run              = "run"
)

var (
	mu      sync.Mutex
	entropy = ulid.Monotonic(rand.Reader, 0)
)

// New returns a fresh id with the given prefix. Ids made in one process are
// strictly increasing.
func New(prefix string) string {
	mu.Lock()
	u := ulid.MustNew(ulid.Timestamp(time.Now()), entropy)
	mu.Unlock()
	return prefix + "_" + strings.ToLower(u.String())
}
