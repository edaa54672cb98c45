package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/sheaf-dev/sheaf/internal/batch"
	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/server"
)

// exampleProcessors are installed for the default organization on the
// first start, so a newcomer can submit a batch right away.
var exampleProcessors = []batch.ProcessorInput{
	{Name: "Invoice fields (example)", Type: "EXTRACT", Config: json.RawMessage(`{
  "fields": [
    {"name": "invoice_number", "type": "string", "labels": ["Invoice No", "Invoice Number", "Invoice #", "Invoice"], "regex": "[A-Z0-9][A-Z0-9-/]{2,}", "required": true},
    {"name": "invoice_date", "type": "date", "labels": ["Invoice Date", "Date"]},
    {"name": "due_date", "type": "date", "labels": ["Due Date", "Due"]},
    {"name": "total", "type": "money", "labels": ["Total Due", "Amount Due", "Total"], "required": true},
    {"name": "vendor", "type": "string", "labels": ["From", "Vendor", "Seller"]}
  ],
  "review_threshold": 0.7
}`)},
	{Name: "No-op (example)", Type: "EXTRACT", Config: json.RawMessage(`{"fields": []}`)},
}

// bootstrap prepares a fresh installation: when no organization exists it
// creates the default one, prints its API key once, writes it to
// <data dir>/admin.key (mode 0600) and installs the example processors.
func bootstrap(ctx context.Context, a *server.App, stdout io.Writer) error {
	n, err := a.DB.Organization.Query().Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	org, key, err := a.Keys.CreateOrganization(ctx, "default")
	if err != nil {
		return err
	}
	if err := writeKey(a.Cfg, key); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key: %s\n", key)
	fmt.Fprintf(stdout, "(also written to %s; it is shown only once)\n", keyFile(a.Cfg))
	for _, p := range exampleProcessors {
		if _, err := a.Svc.CreateProcessor(ctx, org.ID, p); err != nil {
			return fmt.Errorf("installing example processor %q: %w", p.Name, err)
		}
	}
	a.Log.InfoContext(ctx, "created default organization", "organization_id", org.ID)
	return nil
}

func writeKey(cfg config.Config, key string) error {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(keyFile(cfg), []byte(key+"\n"), 0o600)
}

// orgCommand implements `sheaf org create NAME`.
func orgCommand(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	if len(cfg.Args) != 2 || cfg.Args[0] != "create" {
		return fmt.Errorf("usage: sheaf org create NAME")
	}
	a, err := server.Open(ctx, cfg, cfg.Logger(os.Stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	org, key, err := a.Keys.CreateOrganization(ctx, cfg.Args[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "organization: %s\nAPI key: %s\n", org.ID, key)
	return nil
}
