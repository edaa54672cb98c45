package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
)

// Options configure the GraphQL handler.
type Options struct {
	Service *batch.Service
	Keys    *auth.Keys
	// ProcessTimeout bounds processDocument's wait (default 30s).
	ProcessTimeout time.Duration
	// MaxUploadBytes caps a multipart request (default 50 MiB).
	MaxUploadBytes int64
	// CheckOrigin vets websocket origins (nil: gorilla's same-origin check,
	// and requests without an Origin header are allowed).
	CheckOrigin func(*http.Request) bool
	Logger      *slog.Logger
}

// NewHandler returns the /graphql endpoint: POST, GET, multipart uploads
// and websockets (graphql-transport-ws and the legacy graphql-ws), with
// API-key authentication from the Authorization header or, on websockets,
// the connection_init payload.
func NewHandler(o Options) http.Handler {
	if o.ProcessTimeout <= 0 {
		o.ProcessTimeout = 30 * time.Second
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 50 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Service: o.Service, ProcessTimeout: o.ProcessTimeout}}))
	readLimit := int64(1 << 20)
	srv.AddTransport(transport.Websocket{
		Implementation:        GorillaWebsocket{CheckOrigin: o.CheckOrigin},
		InitFunc:              initFunc(o.Keys),
		InitTimeout:           15 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
		PayloadReadLimit:      &readLimit,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// The request may exceed the file by the other parts and the encoding.
	maxRequest := o.MaxUploadBytes + 1<<20
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: maxRequest, MaxMemory: 8 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(2000))
	srv.SetErrorPresenter(presentError(o.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Logger.ErrorContext(ctx, "graphql resolver panicked", "panic", p)
		return errors.New("internal error")
	})
	return o.Keys.Middleware(limitUploads(srv, maxRequest, o.MaxUploadBytes))
}

// limitUploads answers a multipart request whose declared length exceeds
// maxRequest with BAD_INPUT itself: gqlgen's multipart transport refuses it
// with an error that carries no extensions.code.
func limitUploads(next http.Handler, maxRequest, maxFile int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength <= maxRequest || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_ = json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{
			Message:    fmt.Sprintf("file is larger than the limit of %d bytes", maxFile),
			Extensions: map[string]any{"code": string(batch.CodeBadInput), "field": "file"},
		}}})
	})
}

// GraphiQL returns the in-browser IDE for endpoint.
func GraphiQL(endpoint string) http.Handler {
	return playground.Handler("sheaf GraphQL", endpoint)
}

// closeForbidden is the websocket close code for a rejected connection_init.
const closeForbidden = 4403

// initFunc authenticates a websocket: a connection already authenticated
// by its HTTP Authorization header is accepted; otherwise the
// connection_init payload must carry the key as "Authorization" ("Bearer
// <key>" or the bare key) or "apiKey". A bad key closes the socket with
// 4403 Forbidden (after a connection_error message under the legacy
// graphql-ws protocol): graphql-ws clients stop after their bounded retry
// budget instead of reconnecting forever, as they would on a plain close.
func initFunc(keys *auth.Keys) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if _, err := auth.Organization(ctx); err == nil {
			return ctx, nil, nil
		}
		key := p.Authorization()
		if key == "" {
			key = p.GetString("apiKey")
		}
		if strings.Contains(key, " ") {
			key = auth.BearerToken(key)
		}
		org, err := keys.Authenticate(ctx, key)
		if err != nil {
			// gqlgen takes the close code from the returned context, which
			// must not be nil.
			ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
			return transport.AppendCloseReason(ctx, "Forbidden"), nil, fmt.Errorf("forbidden: %w", err)
		}
		return auth.WithOrganization(ctx, org), nil, nil
	}
}

var _ graphql.ExecutableSchema = NewExecutableSchema(Config{})
