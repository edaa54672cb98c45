package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// fetcher downloads URL inputs with a size limit, a timeout, and (unless
// allowed) no way to reach loopback, private or link-local addresses, so a
// tenant cannot make the service probe its own network.
type fetcher struct {
	client *http.Client
	max    int64
}

var errForbiddenAddr = errors.New("address is not public")

func newFetcher(opts Options) *fetcher {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !opts.AllowPrivateURLs {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			a := ap.Addr().Unmap()
			if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() {
				return fmt.Errorf("%s: %w", a, errForbiddenAddr)
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second, MaxIdleConnsPerHost: 4}
	return &fetcher{
		client: &http.Client{Transport: tr, Timeout: 2 * time.Minute,
			CheckRedirect: func(_ *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("too many redirects")
				}
				return nil
			}},
		max: opts.MaxInputBytes,
	}
}

func (f *fetcher) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &batch.RunError{Code: CodeFetchFailed, Message: err.Error()}
	}
	req.Header.Set("User-Agent", "sheaf/1 (document fetcher)")
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, errForbiddenAddr) {
			return nil, &batch.RunError{Code: CodeURLForbidden, Message: "url resolves to a private or loopback address"}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &batch.RunError{Code: CodeFetchFailed, Message: err.Error(), Transient: true}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		transient := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		return nil, &batch.RunError{Code: CodeFetchFailed, Transient: transient,
			Message: fmt.Sprintf("GET %s answered %s", url, resp.Status)}
	}
	if resp.ContentLength > f.max {
		return nil, &batch.RunError{Code: CodeInputTooLarge, Message: fmt.Sprintf("input is larger than %d bytes", f.max)}
	}
	return readLimited(resp.Body, f.max)
}
