package database_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/database"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// TestMigrateDropsRetiredIndexesOnly pins the upgrade of a database made by
// an older sheaf: the run indexes it no longer uses are dropped, an index an
// operator added stays, and the current ones exist.
func TestMigrateDropsRetiredIndexesOnly(t *testing.T) {
	ctx := context.Background()
	url := testutil.DatabaseURL(t)
	open := func() *database.DB {
		t.Helper()
		db, err := database.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	for _, q := range []string{
		"CREATE INDEX run_status_dispatched ON runs (status, dispatched)",
		"CREATE INDEX run_organization_id_created_at ON runs (organization_id, created_at)",
		"CREATE INDEX operator_runs_filename ON runs (filename)",
	} {
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db = open() // migrates again
	defer db.Close()
	query := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'"
	if testutil.Postgres() {
		query = "SELECT indexname FROM pg_indexes WHERE tablename = 'runs'"
	}
	rows, err := db.SQL.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	for _, retired := range []string{"run_status_dispatched", "run_organization_id_created_at"} {
		if slices.Contains(names, retired) {
			t.Errorf("retired index %s is still there: %v", retired, names)
		}
	}
	for _, kept := range []string{"operator_runs_filename", "run_undispatched", "run_leased"} {
		if !slices.Contains(names, kept) {
			t.Errorf("index %s is missing: %v", kept, names)
		}
	}
}
