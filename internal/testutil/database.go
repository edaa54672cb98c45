package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/database"
)

// DatabaseURL creates a fresh, empty database for the test and returns its
// URL: a new PostgreSQL database on the server of DATABASE_URL when that is
// set, else a SQLite file in the test's temp dir. The database is dropped
// when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return database.SQLiteURL(t.TempDir())
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing DATABASE_URL: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening DATABASE_URL: %v", err)
	}
	name := "sheaf_test_" + randomHex(6)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}

// DB opens a fresh, migrated database for the test (see DatabaseURL).
func DB(t testing.TB) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Postgres reports whether tests run against PostgreSQL.
func Postgres() bool {
	u := os.Getenv("DATABASE_URL")
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
