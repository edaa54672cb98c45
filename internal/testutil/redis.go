// Package testutil holds helpers that give each test real services: a Redis
// database and an ent client on a fresh database, plus a slog logger that
// writes to t.Log.
//
// When REDIS_URL / DATABASE_URL are set (CI sets them to the real Redis and
// PostgreSQL on the machine) tests use those servers; otherwise they fall
// back to the embedded defaults a newcomer gets from `go run .`: an
// in-process miniredis server on a loopback port and a SQLite file.
package testutil

import (
	"context"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// redisDBs gives every package that talks to Redis its own logical database
// on the shared server, so packages tested in parallel never see each
// other's queues. Tests inside one package share the database and are
// serialised by redisMu.
var redisDBs = map[string]int{
	"progress": 1,
	"worker":   2,
	"graph":    3,
	"main":     4,
	"batch":    5,
	"rest":     6,
	"web":      7,
	"export":   8,
	"webhook":  9,
	"bench":    10,
	"sheaf":    11,
}

var redisMu sync.Mutex

// RedisAddr returns the host:port and database number a test should use.
// With REDIS_URL unset it starts a miniredis server that lives until the
// test ends.
func RedisAddr(t testing.TB) (addr string, db int) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		m := miniredis.RunT(t)
		return m.Addr(), 0
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parsing REDIS_URL: %v", err)
	}
	pkg := callerPackage()
	n, ok := redisDBs[pkg]
	if !ok {
		t.Fatalf("testutil: package %q has no Redis database number; add it to redisDBs", pkg)
	}
	redisMu.Lock()
	t.Cleanup(redisMu.Unlock)
	return opts.Addr, n
}

// RedisURL returns a redis:// URL for a database that is empty when the
// test starts. It is the form to hand to a subprocess.
func RedisURL(t testing.TB) string {
	t.Helper()
	addr, db := RedisAddr(t)
	flush(t, addr, db)
	return fmt.Sprintf("redis://%s/%d", addr, db)
}

// Redis returns a client on a database that is empty when the test starts.
// The client is closed when the test ends.
func Redis(t testing.TB) redis.UniversalClient {
	t.Helper()
	addr, db := RedisAddr(t)
	flush(t, addr, db)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func flush(t testing.TB, addr string, db int) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flushing redis db %d at %s: %v", db, addr, err)
	}
}

// callerPackage names the package of the test that called into testutil:
// the last element of its import path, or "main" for the root package.
func callerPackage() string {
	for skip := 2; skip < 20; skip++ {
		pc, _, _, ok := runtime.Caller(skip)
		if !ok {
			break
		}
		fn := runtime.FuncForPC(pc).Name()
		if strings.Contains(fn, "/internal/testutil.") {
			continue
		}
		// fn looks like github.com/x/y/pkg.Func or github.com/x/y/pkg_test.Func.
		dir, last := path.Split(fn)
		name := last
		if i := strings.Index(last, "."); i >= 0 {
			name = last[:i]
		}
		name = strings.TrimSuffix(name, "_test")
		if dir == "" {
			return name
		}
		return name
	}
	return "unknown"
}
