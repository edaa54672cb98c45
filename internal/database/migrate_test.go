package database_test

import (
	"context"
	neturl "net/url"
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

// TestFastPoolSettings pins how the pool for run statements is set up on
// PostgreSQL: its sessions commit asynchronously and plan without
// sequential scans, a setting the URL gives wins, and a URL that names
// pgx's exec mode gets no pool for prepared statements.
func TestFastPoolSettings(t *testing.T) {
	if !testutil.Postgres() {
		t.Skip("the fast pool is PostgreSQL's; SQLite has one pool")
	}
	ctx := context.Background()
	base, err := neturl.Parse(testutil.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		param, value, seqscan string
		prepares              bool
	}{
		{"", "", "off", true},
		{"enable_seqscan", "on", "on", true},
		{"default_query_exec_mode", "simple_protocol", "off", false},
	} {
		u := *base
		if c.param != "" {
			q := u.Query()
			q.Set(c.param, c.value)
			u.RawQuery = q.Encode()
		}
		db, err := database.Open(ctx, u.String())
		if err != nil {
			t.Fatalf("%s=%s: %v", c.param, c.value, err)
		}
		rows, err := db.Fast.QueryContext(ctx, "SELECT current_setting('synchronous_commit'), current_setting('enable_seqscan')")
		if err != nil {
			t.Fatal(err)
		}
		var commit, seqscan string
		for rows.Next() {
			err = rows.Scan(&commit, &seqscan)
		}
		rows.Close()
		if err != nil || commit != "off" || seqscan != c.seqscan || (db.FastSQL != nil) != c.prepares {
			t.Errorf("%s=%s: synchronous_commit %q, enable_seqscan %q, prepared statements %v (%v); want off, %s, %v",
				c.param, c.value, commit, seqscan, db.FastSQL != nil, err, c.seqscan, c.prepares)
		}
		db.Close()
	}
}

// TestWarmOpensTheFastPool checks that Warm leaves the asked number of
// sessions (at most the pool's size, 16) open and idle in the
// async-commit pool, ready for the run statements, and does nothing on
// SQLite.
func TestWarmOpensTheFastPool(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, testutil.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !testutil.Postgres() {
		if err := db.Warm(ctx, 4); err != nil || db.FastStats().OpenConnections != 0 {
			t.Fatalf("on SQLite Warm = %v and the fast pool has %d connections; want nil and none",
				err, db.FastStats().OpenConnections)
		}
		return
	}
	for _, c := range []struct{ ask, want int }{{4, 4}, {100, 16}} {
		if err := db.Warm(ctx, c.ask); err != nil {
			t.Fatalf("Warm(%d): %v", c.ask, err)
		}
		if st := db.FastStats(); st.OpenConnections != c.want || st.Idle != c.want {
			t.Errorf("after Warm(%d): %d open, %d idle; want %d of each", c.ask, st.OpenConnections, st.Idle, c.want)
		}
	}
}
