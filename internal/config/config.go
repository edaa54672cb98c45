// Package config holds sheaf's settings: one Config struct, parsed once at
// start-up from command-line flags and environment variables.
//
// A flag overrides its environment variable, which overrides the default.
// Every setting is described once, in the table returned by Vars, from which
// both `sheaf --help` and the README's configuration table are made. Values
// are checked while they are parsed, so a bad value is reported with the
// name of the flag or variable that carried it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Config is the complete configuration of a sheaf process. The zero value
// is not useful: start from Defaults or Parse.
type Config struct {
	// Addr is the HTTP listen address (host:port).
	Addr string
	// DataDir holds the embedded SQLite database, the blobs when BlobURL
	// is empty, and admin.key. Parse makes it absolute.
	DataDir string
	// DatabaseURL selects the database: empty for embedded SQLite at
	// <DataDir>/sheaf.db, or a postgres://, postgresql://, sqlite:// or
	// file: URL. See Database.
	DatabaseURL string
	// RedisURL is a redis:// or rediss:// URL; empty starts an in-process,
	// in-memory Redis. See EmbeddedRedis.
	RedisURL string
	// BlobURL is a gocloud.dev/blob URL; empty stores blobs under
	// <DataDir>/blobs. See Blobs.
	BlobURL string
	// Concurrency is how many runs one worker process handles at once.
	Concurrency int
	// DispatchWindow is how many batch run tasks may wait in the low
	// queue, not yet taken by a worker; 0 means 2 × Concurrency. See Window.
	DispatchWindow int
	// MaxBatchInputs is the largest number of inputs one batch may have.
	MaxBatchInputs int
	// MaxUploadBytes is the largest uploaded file or request body accepted.
	MaxUploadBytes int64
	// MaxTextBytes is the largest raw-text input accepted.
	MaxTextBytes int64
	// RunLease is how long a PROCESSING run may go without a heartbeat
	// before the sweeper re-queues it.
	RunLease time.Duration
	// SweepInterval is how often the sweeper looks for lost and stale runs.
	SweepInterval time.Duration
	// ProcessTimeout is how long processDocument waits for its run.
	ProcessTimeout time.Duration
	// ShutdownTimeout bounds a graceful shutdown after SIGINT / SIGTERM.
	ShutdownTimeout time.Duration
	// AllowPrivateURLs lets URL inputs reach loopback and private
	// addresses, which are refused otherwise.
	AllowPrivateURLs bool
	// OCRLang are the tesseract languages images and scanned pages are read
	// in, joined by "+".
	OCRLang string
	// OrgActiveRunLimit is the quota of PENDING + PROCESSING runs one
	// organization may have.
	OrgActiveRunLimit int
	// LogFormat is "text" or "json".
	LogFormat string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// LLMBaseURL is the OpenAI-compatible endpoint of the Premium tier;
	// empty disables it.
	LLMBaseURL string
	// LLMAPIKey authenticates to LLMBaseURL. It is never logged.
	LLMAPIKey string
	// LLMModel names the model used at LLMBaseURL.
	LLMModel string

	// Args holds the arguments left after the flags, for subcommands that
	// take operands. It is not a setting.
	Args []string
}

// Defaults returns the configuration used when no flag or environment
// variable is set.
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "./sheaf-data",
		Concurrency:       2 * runtime.NumCPU(),
		MaxBatchInputs:    1000,
		MaxUploadBytes:    50 << 20,
		MaxTextBytes:      1 << 20,
		RunLease:          2 * time.Minute,
		SweepInterval:     10 * time.Second,
		ProcessTimeout:    30 * time.Second,
		ShutdownTimeout:   30 * time.Second,
		OrgActiveRunLimit: 1_000_000,
		OCRLang:           "eng",
		LogFormat:         "text",
		LogLevel:          slog.LevelInfo,
	}
}

// Parse builds a Config from defaults, then the environment read through
// getenv, then the flags in args, each overriding the one before. Errors
// name the flag or variable at fault and are returned, not printed. On -h
// or --help Parse writes the usage text, headed by name (the program or
// subcommand), to stderr and returns flag.ErrHelp, which callers should
// treat as success.
func Parse(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors are returned, not printed, so the caller reports each once.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, s := range settings {
		v := s.value(&c)
		if s.Env != "" {
			if e := getenv(s.Env); e != "" {
				if err := v.Set(e); err != nil {
					return Config{}, fmt.Errorf("%s: invalid value %q: %w", s.Env, redact(s.Var, e), err)
				}
			}
		}
		if s.Flag != "" {
			fs.Var(v, s.Flag, s.Usage)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stderr, name)
			return Config{}, flag.ErrHelp
		}
		return Config{}, fmt.Errorf("%w (run %s -h for the settings)", err, name)
	}
	c.Args = fs.Args()
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return Config{}, fmt.Errorf("data directory %q: %w", c.DataDir, err)
	}
	c.DataDir = abs
	return c, nil
}

// EmbeddedRedis reports whether the process runs its own in-memory Redis
// because RedisURL is empty.
func (c Config) EmbeddedRedis() bool { return c.RedisURL == "" }

// EmbeddedDB reports whether the database is the default SQLite file under
// DataDir because DatabaseURL is empty.
func (c Config) EmbeddedDB() bool { return c.DatabaseURL == "" }

// Database returns the database kind, "sqlite" or "postgres", and the
// data source name to open it with. For SQLite the DSN is a "file:" name,
// with the query of a sqlite:// or file: URL kept, to which the caller adds
// its pragmas; for PostgreSQL it is DatabaseURL unchanged.
func (c Config) Database() (kind, dsn string) {
	if c.DatabaseURL == "" {
		return "sqlite", "file:" + filepath.Join(c.DataDir, "sheaf.db")
	}
	u, err := url.Parse(c.DatabaseURL)
	if err == nil && (strings.EqualFold(u.Scheme, "postgres") || strings.EqualFold(u.Scheme, "postgresql")) {
		return "postgres", c.DatabaseURL
	}
	dsn = "file:" + sqlitePath(c.DatabaseURL)
	if i := strings.IndexByte(c.DatabaseURL, '?'); i >= 0 {
		dsn += c.DatabaseURL[i:]
	}
	return "sqlite", dsn
}

// Blobs returns the blob store URL: BlobURL, or a file:// URL for
// <DataDir>/blobs (made absolute) when BlobURL is empty.
func (c Config) Blobs() string {
	if c.BlobURL != "" {
		return c.BlobURL
	}
	dir, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
	if err != nil {
		dir = filepath.Join(c.DataDir, "blobs")
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// Window returns how many batch run tasks the dispatcher keeps waiting in
// the low queue: DispatchWindow, or 2 × Concurrency when it is 0.
func (c Config) Window() int {
	if c.DispatchWindow > 0 {
		return c.DispatchWindow
	}
	return 2 * max(c.Concurrency, 1)
}

// Logger returns a slog.Logger writing to w in LogFormat at LogLevel.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// LogValue makes a Config loggable as a group of its settings, keyed by
// environment variable, with secrets and URL passwords redacted.
func (c Config) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(settings))
	for _, s := range settings {
		key := s.Env
		if key == "" {
			key = s.Flag
		}
		attrs = append(attrs, slog.String(key, redact(s.Var, s.value(&c).String())))
	}
	return slog.GroupValue(attrs...)
}

// redact hides a secret setting's value and the password in a URL.
func redact(v Var, s string) string {
	if s == "" {
		return s
	}
	if v.Secret {
		return "REDACTED"
	}
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			return u.Redacted()
		}
	}
	return s
}
