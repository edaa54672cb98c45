package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sheaf-dev/sheaf/ent/apikey"
	"github.com/sheaf-dev/sheaf/internal/auth"
	"github.com/sheaf-dev/sheaf/internal/testutil"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	db := testutil.DB(t)
	keys := auth.New(db.Client)
	ctx := context.Background()
	acme, acmeKey, err := keys.CreateOrganization(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	globex, globexKey, _ := keys.CreateOrganization(ctx, "globex")
	revoked, _ := keys.CreateKey(ctx, acme.ID, "old")
	if err := db.APIKey.Update().Where(apikey.Name("old")).SetRevokedAt(time.Now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key, org string
	}{
		{"acme", acmeKey, acme.ID},
		{"globex", globexKey, globex.ID},
		{"revoked", revoked, ""},
		{"unknown", "sk_" + "A0000000000000000000000000000000000000000000", ""},
		{"not a key", "hello", ""},
		{"empty", "", ""},
	} {
		org, err := keys.Authenticate(ctx, tc.key)
		if tc.org == "" {
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("%s: Authenticate = %q, %v; want ErrUnauthenticated", tc.name, org, err)
			}
			continue
		}
		if err != nil || org != tc.org {
			t.Errorf("%s: Authenticate = %q, %v; want %q", tc.name, org, err, tc.org)
		}
	}
	if stored, _ := db.APIKey.Query().Where(apikey.Hash(acmeKey)).Count(ctx); stored != 0 {
		t.Error("the raw key is stored; only its hash may be")
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	db := testutil.DB(t)
	keys := auth.New(db.Client)
	org, key, _ := keys.CreateOrganization(context.Background(), "acme")
	h := keys.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := auth.Organization(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(got))
	}))
	for _, tc := range []struct {
		header string
		status int
		body   string
	}{
		{"Bearer " + key, 200, org.ID},
		{"bearer " + key, 200, org.ID},
		{"Basic " + key, 401, ""},
		{"Bearer sk_nope", 401, ""},
		{"", 401, ""},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || (tc.body != "" && rec.Body.String() != tc.body) {
			t.Errorf("Authorization %q: got %d %q, want %d %q", tc.header, rec.Code, rec.Body.String(), tc.status, tc.body)
		}
	}
}
