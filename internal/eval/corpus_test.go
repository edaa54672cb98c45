package eval

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/sheaf-dev/sheaf/internal/testutil"
)

// corpusDir returns the shared corpus or skips the test.
func corpusDir(t *testing.T) string { return testutil.CorpusDir(t) }

// corpusSets are the sets TestCorpus runs by default: those without OCR
// documents. SHEAF_EVAL_FULL=1 runs the whole corpus.
var corpusSets = []string{SetInvoice2Data, SetInvoice2DataCustom, SetZUGFeRD, "labeled-invoices", "labeled-w9", "labeled-w8ben", SetSplitting}

// TestCorpus evaluates the shared corpus and checks that every truth file
// is read and every set is set up; the scores themselves are logged, not
// asserted (they depend on the parser this build has). Opt-in: it skips
// when the corpus is absent.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	sets := corpusSets
	if os.Getenv("SHEAF_EVAL_FULL") == "1" {
		sets = []string{""}
	}
	for _, set := range sets {
		rep, err := Evaluate(context.Background(), Options{Dir: dir, Only: set})
		if err != nil {
			t.Fatalf("evaluating %q: %v", set, err)
		}
		var text bytes.Buffer
		if err := rep.WriteText(&text, testing.Verbose()); err != nil {
			t.Fatal(err)
		}
		t.Logf("set %q:\n%s", set, text.String())
		for _, d := range rep.Documents {
			if f := d.Failure; f != nil && (f.Stage == "truth" || f.Stage == "setup" || f.Stage == "read") {
				t.Errorf("%s: %s %s: %s", d.Document, f.Stage, f.Code, f.Message)
			}
		}
		for _, s := range rep.Sets {
			if s.Documents == 0 {
				t.Errorf("set %s has no documents", s.Set)
			}
			if s.Set != SetUnscored && s.Set != SetClassification && s.Set != SetSplitting && s.Fields == 0 {
				t.Errorf("set %s scored no field", s.Set)
			}
		}
	}
}
