package database

import "testing"

// TestWithExecMode pins that sheaf runs PostgreSQL statements unprepared
// unless the URL asks for another pgx mode, and keeps the rest of the URL.
func TestWithExecMode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?default_query_exec_mode=exec&sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db?default_query_exec_mode=exec"},
		{"postgres://u@h/db?default_query_exec_mode=cache_statement", "postgres://u@h/db?default_query_exec_mode=cache_statement"},
	} {
		got, _, err := withExecMode(c.in)
		if err != nil || got != c.want {
			t.Errorf("withExecMode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
