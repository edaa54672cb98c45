package main

import (
	"os"
	"strings"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/config"
)

// TestREADMEConfigTable keeps the README's configuration table in step with
// the settings the code actually reads.
func TestREADMEConfigTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := config.WriteMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), strings.TrimSpace(want.String())) {
		t.Errorf("README.md's configuration table is out of date; replace it with:\n%s", want.String())
	}
}
