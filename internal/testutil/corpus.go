package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusDir returns the shared corpus of real documents: $SHEAF_CORPUS, or
// ../shared/corpus next to the repository root (the directory holding
// go.mod). It skips the test when the corpus is absent, so corpus tests are
// opt-in by presence.
func CorpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SHEAF_CORPUS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for ; wd != filepath.Dir(wd); wd = filepath.Dir(wd) {
			if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
				break
			}
		}
		dir = filepath.Join(wd, "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.csv")); err != nil {
		t.Skipf("corpus not found at %s (set SHEAF_CORPUS): %v", dir, err)
	}
	return dir
}
