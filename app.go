package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sheaf-dev/sheaf/internal/config"
	"github.com/sheaf-dev/sheaf/internal/server"
)

type role int

const (
	roleAPI role = 1 << iota
	roleWorker
)

// serve runs the API and/or the worker until ctx ends, then shuts down
// gracefully. The API's address is taken first, before any connection is
// opened (an outgoing connection could otherwise take the port), and when
// one role fails the other is stopped too.
func serve(ctx context.Context, cfg config.Config, stdout io.Writer, roles role) error {
	var ln net.Listener
	if roles&roleAPI != 0 {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
		}
		defer ln.Close()
	}
	log := cfg.Logger(os.Stderr)
	a, err := server.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := bootstrap(ctx, a, stdout); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	n := 0
	if roles&roleWorker != 0 {
		n++
		w := a.Worker()
		go func() { errc <- w.Run(ctx) }()
	}
	if ln != nil {
		n++
		go func() { errc <- serveHTTP(ctx, a, ln) }()
	}
	var first error
	for range n {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// serveHTTP serves the API on ln until ctx ends.
func serveHTTP(ctx context.Context, a *server.App, ln net.Listener) error {
	srv := &http.Server{Handler: a.Routes(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	a.Log.Info("sheaf listening", "url", "http://"+ln.Addr().String(), "graphiql", "http://"+ln.Addr().String()+"/graphiql")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	a.Log.Info("http server stopped")
	return err
}

// keyFile is where the first start writes the admin key.
func keyFile(cfg config.Config) string { return filepath.Join(cfg.DataDir, "admin.key") }
