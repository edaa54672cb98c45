package batch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/batch"
)

// storedRun is what a run row keeps of its input.
type storedRun struct {
	Position                                  int
	Status, Kind                              string
	Text, URL, Filename, ExternalID, Metadata string
	Attempts                                  int
	Dispatched                                bool
}

// storedRuns reads a batch's runs in input order.
func (d *domain) storedRuns(t *testing.T, batchID string) []storedRun {
	t.Helper()
	rows, err := d.db.Run.Query().Where(run.BatchID(batchID)).Order(run.ByPosition()).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]storedRun, len(rows))
	for i, r := range rows {
		out[i] = storedRun{Position: *r.Position, Status: string(r.Status), Kind: string(r.InputKind),
			Text: deref(r.InputText), URL: deref(r.URL), Filename: deref(r.Filename), ExternalID: deref(r.ExternalID),
			Metadata: string(r.Metadata), Attempts: r.Attempts, Dispatched: r.Dispatched}
		if r.OrganizationID != d.org || r.ProcessorID != d.proc || r.ProcessorVersion != 1 || r.CreatedAt.IsZero() {
			t.Errorf("run %d: organization %s, processor %s v%d, created %v", i, r.OrganizationID, r.ProcessorID,
				r.ProcessorVersion, r.CreatedAt)
		}
	}
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestCreateBatchStoresEveryInput pins the rows createBatch writes, on
// SQLite (multi-row INSERTs) and PostgreSQL (one INSERT of arrays per
// thousand runs): every input's own columns, including text that array
// literals must quote, in input order across statements.
func TestCreateBatchStoresEveryInput(t *testing.T) {
	ctx := context.Background()
	d := newDomain(t, batch.Options{MaxBatchInputs: 2500})
	str := func(s string) *string { return &s }
	inputs := []batch.Input{
		{Text: str("He said \"hi\", \\ {a,b} NULL 'x'\nünïcødé 🙂\t"), Filename: str("a \"b\".txt"),
			ExternalID: str("ext,1"), Metadata: json.RawMessage(`{"k": [1, "x"]}`)},
		{Text: str("NULL"), Metadata: json.RawMessage(`null`)},
		{URL: str("https://example.com/a.pdf?x={1}"), Filename: str("a.pdf")},
	}
	b, err := d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: inputs})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	want := []storedRun{
		{Position: 0, Status: "PENDING", Kind: "text", Text: *inputs[0].Text, Filename: `a "b".txt`,
			ExternalID: "ext,1", Metadata: `{"k": [1, "x"]}`, Attempts: 1},
		{Position: 1, Status: "PENDING", Kind: "text", Text: "NULL", Metadata: "null", Attempts: 1},
		{Position: 2, Status: "PENDING", Kind: "url", URL: *inputs[2].URL, Filename: "a.pdf", Metadata: "null", Attempts: 1},
	}
	got := d.storedRuns(t, b.ID)
	// PostgreSQL's jsonb spells objects its own way; compare them as JSON.
	for i := range got {
		var g, w any
		if json.Unmarshal([]byte(got[i].Metadata), &g) == nil && json.Unmarshal([]byte(want[i].Metadata), &w) == nil &&
			cmp.Equal(g, w) {
			got[i].Metadata = want[i].Metadata
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored runs (-want +got):\n%s", diff)
	}

	const many = 2100 // three statements on PostgreSQL, five on SQLite
	b, err = d.svc.CreateBatch(ctx, d.org, batch.CreateBatchInput{ProcessorID: d.proc, Inputs: textInputs(many)})
	if err != nil {
		t.Fatalf("CreateBatch of %d inputs: %v", many, err)
	}
	stored := d.storedRuns(t, b.ID)
	if len(stored) != many {
		t.Fatalf("%d runs stored, want %d", len(stored), many)
	}
	for i, r := range stored {
		if wantText := fmt.Sprintf("Invoice No: INV-%04d\nTotal: %d.00\n", i, i+1); r.Position != i || r.Text != wantText {
			t.Errorf("run at %d: position %d, text %q; want %q", i, r.Position, r.Text, wantText)
			break
		}
	}
}
