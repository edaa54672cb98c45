package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/batch"
)

// presentError is the one mapping of domain errors to GraphQL errors: every
// error carries extensions.code; BAD_INPUT also names the offending input
// index and field. Unexpected errors are logged and answered as INTERNAL
// without their details.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var de *batch.Error
		switch {
		case errors.As(err, &de):
			gerr.Message = de.Error()
			gerr.Extensions = map[string]any{"code": string(de.Code)}
			if de.Index >= 0 {
				gerr.Extensions["index"] = de.Index
			}
			if de.Field != "" {
				gerr.Extensions["field"] = de.Field
			}
		case errors.Is(err, auth.ErrUnauthenticated):
			gerr.Message = "missing or invalid API key: send Authorization: Bearer <key>"
			gerr.Extensions = map[string]any{"code": string(batch.CodeUnauthorized)}
		case gerr.Extensions != nil && gerr.Extensions["code"] != nil:
			// gqlgen's own errors (parse, validation) keep their codes.
		case errors.Is(err, context.Canceled):
			gerr.Extensions = map[string]any{"code": "CANCELLED"}
		default:
			log.ErrorContext(ctx, "graphql internal error", "err", err, "path", gerr.Path.String())
			gerr.Message = "internal error"
			gerr.Extensions = map[string]any{"code": string(batch.CodeInternal)}
		}
		return gerr
	}
}
