package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

const cfg = `{"fields": [{"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"}]}`

func job(in batch.JobInput) batch.Job {
	return batch.Job{RunID: "run_x", ProcessorType: "EXTRACT", ProcessorConfig: []byte(cfg), Input: in}
}

// TestProcessURL covers what a URL input can do: succeed, fail for good,
// fail transiently (so the batch layer retries), be too large, or point at
// a private address.
func TestProcessURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte("Total: 9.99 EUR\n"))
		case "/missing":
			http.NotFound(w, r)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("a", 2048)))
		case "/pdf":
			_, _ = w.Write([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
		}
	}))
	defer srv.Close()
	open := New(nil, Options{AllowPrivateURLs: true, MaxInputBytes: 1024})
	guarded := New(nil, Options{MaxInputBytes: 1024})
	for _, tc := range []struct {
		name      string
		e         *Engine
		path      string
		code      string
		transient bool
	}{
		{"ok", open, "/ok", "", false},
		{"not found", open, "/missing", CodeFetchFailed, false},
		{"unavailable", open, "/busy", CodeFetchFailed, true},
		{"too large", open, "/big", CodeInputTooLarge, false},
		{"damaged pdf", open, "/pdf", "PDF_CORRUPT", false},
		{"loopback refused", guarded, "/ok", CodeURLForbidden, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.e.Process(context.Background(), job(batch.JobInput{Kind: "url", URL: srv.URL + tc.path}))
			if tc.code == "" {
				if err != nil || !strings.Contains(string(res.Output), `"amount":9.99`) {
					t.Fatalf("Process = %s, %v; want the total", res.Output, err)
				}
				return
			}
			var re *batch.RunError
			if !errors.As(err, &re) {
				t.Fatalf("Process error = %v, want a *batch.RunError", err)
			}
			got := [2]any{re.Code, re.Transient}
			if diff := cmp.Diff([2]any{tc.code, tc.transient}, got); diff != "" {
				t.Errorf("code, transient (-want +got):\n%s\nmessage: %s", diff, re.Message)
			}
		})
	}
}

// TestProcessText checks raw text and a bad processor config.
func TestProcessText(t *testing.T) {
	e := New(nil, Options{})
	res, err := e.Process(context.Background(), job(batch.JobInput{Kind: "text", Text: "Total: 12.50 EUR"}))
	if err != nil || res.NeedsReview || !strings.Contains(string(res.Output), `"amount":12.5`) {
		t.Fatalf("Process = %s, %v", res.Output, err)
	}
	if e.parser != nil {
		t.Error("processing text started the PDF parser; only PDFs and images need it")
	}
	bad := job(batch.JobInput{Kind: "text", Text: "x"})
	bad.ProcessorConfig = []byte(`{"fields": [{"name": "x", "type": "nope", "labels": ["X"]}]}`)
	_, err = e.Process(context.Background(), bad)
	var re *batch.RunError
	if !errors.As(err, &re) || re.Code != CodeBadConfig {
		t.Fatalf("Process with a bad config = %v, want %s", err, CodeBadConfig)
	}
}
