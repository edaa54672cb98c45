package batch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"

	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/database"
	"github.com/sheaf-dev/sheaf/internal/engine"
)

// Example shows a batch's whole life in the domain, without a queue: admit
// it, let a worker process each run, read the counts.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sheaf-example")
	defer os.RemoveAll(dir)
	db, err := database.Open(ctx, database.SQLiteURL(dir))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	org, _, _ := auth.New(db.Client).CreateOrganization(ctx, "acme")
	svc := batch.New(batch.Deps{DB: db.Client, FastDB: db.Fast, FastSQL: db.FastSQL, Dialect: db.Dialect, Engine: engine.New(nil, engine.Options{}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, batch.Options{})

	proc, _ := svc.CreateProcessor(ctx, org.ID, batch.ProcessorInput{Name: "invoices", Type: "EXTRACT",
		Config: json.RawMessage(`{"fields": [{"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR", "required": true}]}`)})
	text := func(s string) batch.Input { return batch.Input{Text: &s} }
	b, err := svc.CreateBatch(ctx, org.ID, batch.CreateBatchInput{ProcessorID: proc.ID,
		Inputs: []batch.Input{text("Total: 12.50 EUR"), text("no total here"), text("Total: 3.00 EUR")}})
	if err != nil {
		log.Fatal(err)
	}
	runs, _ := svc.ListRuns(ctx, org.ID, b.ID, nil, batch.PageArgs{})
	for _, r := range runs.Items {
		_ = svc.ProcessRun(ctx, r.ID) // what a worker does for each run task
	}
	b, _ = svc.GetBatch(ctx, org.ID, b.ID)
	fmt.Println(b.Status, fmt.Sprintf("%+v", batch.CountsOf(b)))
	// Output: PROCESSED {Total:3 Pending:0 Processing:0 Processed:2 NeedsReview:1 Failed:0 Cancelled:0}
}
