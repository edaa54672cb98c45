// Command sheaf is a batch document-processing service: it extracts fields
// from, classifies and splits thousands of documents per call, processes
// them asynchronously, and streams progress over GraphQL subscriptions.
//
// Usage:
//
//	sheaf [serve]        API + dashboard + worker in one process (default)
//	sheaf api            only the HTTP API and dashboard
//	sheaf worker         only the background worker
//	sheaf org create N   create an organization and print its API key
//	sheaf eval DIR       score the document engine on a corpus (sheaf eval -h)
//	sheaf version        print the version
//
// Every subcommand takes the settings of `sheaf -h` as flags or environment
// variables. With no DATABASE_URL and REDIS_URL it runs on an embedded
// SQLite file and an in-memory Redis under ./sheaf-data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/eval"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sheaf:", err)
		os.Exit(1)
	}
}

// run is the whole program: it parses the subcommand and settings, then
// runs until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "sheaf", version)
		return nil
	}
	if cmd == "eval" {
		opts, err := eval.ParseFlags(args, os.Stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return err
		}
		return eval.Run(ctx, opts, stdout)
	}
	cfg, err := config.Parse("sheaf "+cmd, args, getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout, roleAPI|roleWorker)
	case "api":
		return serve(ctx, cfg, stdout, roleAPI)
	case "worker":
		return serve(ctx, cfg, stdout, roleWorker)
	case "org":
		return orgCommand(ctx, cfg, stdout)
	}
	return fmt.Errorf("unknown command %q (want serve, api, worker, org, eval or version)", cmd)
}
