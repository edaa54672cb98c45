// Package auth manages organizations and their API keys and maps a request
// to the organization it acts for.
//
// Keys look like "sk_<43 base64url characters>"; only their SHA-256 hash is
// stored, so a leaked database does not leak usable keys.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/apikey"
)

// ErrUnauthenticated means a request carried no key or an unknown, revoked
// or malformed one.
var ErrUnauthenticated = errors.New("missing or invalid API key")

// Keys issues and checks API keys.
type Keys struct{ db *ent.Client }

// New returns Keys over the database.
func New(db *ent.Client) *Keys { return &Keys{db: db} }

// CreateOrganization creates a tenant with one API key and returns both;
// the key is shown only here.
func (k *Keys) CreateOrganization(ctx context.Context, name string) (*ent.Organization, string, error) {
	o, err := k.db.Organization.Create().SetName(name).Save(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("creating organization: %w", err)
	}
	key, err := k.CreateKey(ctx, o.ID, "admin")
	return o, key, err
}

// CreateKey issues a new key for an organization.
func (k *Keys) CreateKey(ctx context.Context, orgID, name string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	key := "sk_" + base64.RawURLEncoding.EncodeToString(buf)
	if err := k.db.APIKey.Create().SetOrganizationID(orgID).SetName(name).SetHash(hash(key)).Exec(ctx); err != nil {
		return "", fmt.Errorf("storing API key: %w", err)
	}
	return key, nil
}

// Authenticate returns the organization a key belongs to.
func (k *Keys) Authenticate(ctx context.Context, key string) (string, error) {
	if !strings.HasPrefix(key, "sk_") || len(key) > 100 {
		return "", ErrUnauthenticated
	}
	row, err := k.db.APIKey.Query().Where(apikey.Hash(hash(key)), apikey.RevokedAtIsNil()).Only(ctx)
	if ent.IsNotFound(err) {
		return "", ErrUnauthenticated
	}
	if err != nil {
		return "", fmt.Errorf("checking API key: %w", err)
	}
	return row.OrganizationID, nil
}

func hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

type ctxKey struct{}

// principal is what the middleware learned about a request.
type principal struct {
	org string
	err error
}

// WithOrganization returns a context acting for org.
func WithOrganization(ctx context.Context, org string) context.Context {
	return context.WithValue(ctx, ctxKey{}, principal{org: org})
}

// Organization returns the organization the context acts for, or
// ErrUnauthenticated.
func Organization(ctx context.Context) (string, error) {
	p, ok := ctx.Value(ctxKey{}).(principal)
	if !ok {
		return "", ErrUnauthenticated
	}
	if p.err != nil {
		return "", p.err
	}
	return p.org, nil
}

// BearerToken extracts the key from an "Authorization: Bearer <key>" value.
func BearerToken(header string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Middleware authenticates the request's bearer key, if any, and records
// the outcome in the request context; handlers ask Organization.
func (k *Keys) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := BearerToken(r.Header.Get("Authorization"))
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		org, err := k.Authenticate(r.Context(), token)
		ctx := context.WithValue(r.Context(), ctxKey{}, principal{org: org, err: err})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
