package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// value is a flag.Value over one Config field. The same value parses the
// environment variable and the flag, so both report the same errors and
// apply the same bounds.
type value[T any] struct {
	p      *T
	parse  func(string) (T, error)
	format func(T) string
}

func newValue[T any](p *T, parse func(string) (T, error), format func(T) string) *value[T] {
	return &value[T]{p: p, parse: parse, format: format}
}

// Set parses s and stores it in the field.
func (v *value[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.p = x
	return nil
}

// String formats the field's current value.
func (v *value[T]) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return v.format(*v.p)
}

// boolValue lets a boolean flag be given without "=true".
type boolValue struct{ *value[bool] }

// IsBoolFlag tells the flag package that "--flag" alone means true.
func (boolValue) IsBoolFlag() bool { return true }

func stringVar(p *string, check func(string) error) *value[string] {
	return newValue(p, func(s string) (string, error) {
		if check != nil {
			if err := check(s); err != nil {
				return "", err
			}
		}
		return s, nil
	}, func(s string) string { return s })
}

func intVar(p *int, min int) *value[int] {
	return newValue(p, func(s string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, errors.New("not an integer")
		}
		if n < min {
			return 0, fmt.Errorf("must be at least %d", min)
		}
		return n, nil
	}, strconv.Itoa)
}

func durationVar(p *time.Duration) *value[time.Duration] {
	return newValue(p, func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return 0, errors.New("not a duration (use a unit, e.g. 30s, 2m, 1h)")
		}
		if d <= 0 {
			return 0, errors.New("must be positive")
		}
		return d, nil
	}, time.Duration.String)
}

func boolVar(p *bool) boolValue {
	return boolValue{newValue(p, func(s string) (bool, error) {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return false, errors.New("not a boolean (use true or false)")
		}
		return b, nil
	}, strconv.FormatBool)}
}

func bytesVar(p *int64) *value[int64] {
	return newValue(p, func(s string) (int64, error) {
		n, err := parseBytes(s)
		if err != nil {
			return 0, err
		}
		if n < 1 {
			return 0, errors.New("must be at least 1 byte")
		}
		return n, nil
	}, formatBytes)
}

func levelVar(p *slog.Level) *value[slog.Level] {
	return newValue(p, func(s string) (slog.Level, error) {
		var l slog.Level
		if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
			return 0, errors.New("not a log level (use debug, info, warn or error)")
		}
		return l, nil
	}, func(l slog.Level) string { return strings.ToLower(l.String()) })
}

// byteUnits are the suffixes parseBytes accepts, longest first so that
// "MiB" is not read as "B".
var byteUnits = []struct {
	suffix string
	size   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// parseBytes reads a size such as "1048576", "512KiB", "50MiB" or "2GB".
// Single-letter suffixes (K, M, G) are binary, as in most CLI tools.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if len(s) > len(u.suffix) && strings.EqualFold(s[len(s)-len(u.suffix):], u.suffix) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.size
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("not a size (use bytes or a unit, e.g. 1048576, 512KiB, 50MiB)")
	}
	if n > 0 && n > (1<<63-1)/mult {
		return 0, errors.New("size too large")
	}
	return n * mult, nil
}

// formatBytes writes n with the largest binary unit that divides it.
func formatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// checkAddr accepts a TCP listen address of the form host:port.
func checkAddr(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("not a host:port address (e.g. 127.0.0.1:8080 or :8080)")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

func checkNonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

// checkDatabaseURL accepts "" (embedded SQLite), postgres:// and
// postgresql:// URLs, and sqlite:// or file: SQLite paths.
func checkDatabaseURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %v", errors.Unwrap(err))
	}
	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
		return nil
	case "sqlite", "file":
		if sqlitePath(s) == "" {
			return errors.New("SQLite URL has no file path (e.g. sqlite:///var/lib/sheaf/sheaf.db or file:sheaf.db)")
		}
		return nil
	case "":
		return errors.New("missing scheme: use postgres://, postgresql://, sqlite:// or file:")
	default:
		return fmt.Errorf("unsupported scheme %q: use postgres://, postgresql://, sqlite:// or file:", u.Scheme)
	}
}

// sqlitePath returns the file path of a sqlite:// or file: URL, without
// its query, or "" when there is none.
func sqlitePath(s string) string {
	rest := s
	for _, p := range []string{"sqlite://", "file://", "file:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			rest = s[len(p):]
			break
		}
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// checkRedisURL accepts "" (embedded Redis) and redis:// or rediss:// URLs
// with a host and an optional database number path.
func checkRedisURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %v", errors.Unwrap(err))
	}
	switch strings.ToLower(u.Scheme) {
	case "redis", "rediss":
	case "":
		return errors.New("missing scheme: use redis:// or rediss://")
	default:
		return fmt.Errorf("unsupported scheme %q: use redis:// or rediss://", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("missing host (e.g. redis://127.0.0.1:6379/0)")
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return fmt.Errorf("database %q is not a non-negative number", db)
		}
	}
	return nil
}

// checkBlobURL accepts "" (blobs under the data directory) and any URL
// with a scheme; gocloud.dev/blob decides which schemes it can open.
func checkBlobURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %v", errors.Unwrap(err))
	}
	if u.Scheme == "" {
		return errors.New("missing scheme (e.g. file:///var/lib/sheaf/blobs or s3://bucket?region=eu-west-1)")
	}
	return nil
}

func checkLogFormat(s string) error {
	switch s {
	case "text", "json":
		return nil
	}
	return errors.New(`must be "text" or "json"`)
}

// checkOptionalURL accepts "" or an absolute http(s) URL.
func checkOptionalURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an http:// or https:// URL")
	}
	return nil
}

// checkOCRLang accepts tesseract language codes joined by "+".
func checkOCRLang(s string) error {
	for _, code := range strings.Split(s, "+") {
		if code == "" || len(code) > 20 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" {
			return fmt.Errorf("want tesseract language codes joined by +, e.g. eng+deu")
		}
	}
	return nil
}
