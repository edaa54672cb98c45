package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Var describes one setting: where it comes from, its default and what it
// does. It is the single source of the help text and the README table.
type Var struct {
	// Field is the name of the Config field the setting fills.
	Field string
	// Flag is the flag name without dashes, or "" for a setting read only
	// from the environment.
	Flag string
	// Env is the environment variable, or "" for a flag-only setting.
	Env string
	// Default is the default as shown to a person.
	Default string
	// Usage is a one-line description.
	Usage string
	// Secret marks a value that must never be printed or logged.
	Secret bool
}

// setting is a Var bound to its Config field.
type setting struct {
	Var
	value func(*Config) flag.Value
}

// settings lists every setting in the order of the help text. A test
// checks that every Config field but Args appears here exactly once.
var settings = []setting{
	{Var{Field: "Addr", Flag: "addr", Env: "SHEAF_ADDR",
		Usage: "HTTP listen address (host:port)"},
		func(c *Config) flag.Value { return stringVar(&c.Addr, checkAddr) }},
	{Var{Field: "DataDir", Flag: "data-dir", Env: "SHEAF_DATA_DIR",
		Usage: "directory for the embedded database, blobs and admin.key"},
		func(c *Config) flag.Value { return stringVar(&c.DataDir, checkNonEmpty) }},
	{Var{Field: "DatabaseURL", Flag: "database-url", Env: "DATABASE_URL",
		Default: "embedded SQLite at <data dir>/sheaf.db",
		Usage:   "database: postgres://, postgresql://, sqlite:// or file: URL"},
		func(c *Config) flag.Value { return stringVar(&c.DatabaseURL, checkDatabaseURL) }},
	{Var{Field: "RedisURL", Flag: "redis-url", Env: "REDIS_URL",
		Default: "embedded in-memory Redis",
		Usage:   "Redis for queues and progress: redis:// or rediss:// URL"},
		func(c *Config) flag.Value { return stringVar(&c.RedisURL, checkRedisURL) }},
	{Var{Field: "BlobURL", Flag: "blob-url", Env: "BLOB_URL",
		Default: "file://<data dir>/blobs",
		Usage:   "blob store for uploaded files (file:// or s3://)"},
		func(c *Config) flag.Value { return stringVar(&c.BlobURL, checkBlobURL) }},
	{Var{Field: "Concurrency", Flag: "concurrency", Env: "SHEAF_CONCURRENCY",
		Default: "2 × CPU cores",
		Usage:   "runs processed at once by one worker process (at least 1)"},
		func(c *Config) flag.Value { return intVar(&c.Concurrency, 1) }},
	{Var{Field: "DispatchWindow", Flag: "dispatch-window", Env: "SHEAF_DISPATCH_WINDOW",
		Default: "0 (= 2 × concurrency)",
		Usage:   "batch run tasks that may wait in the low queue, not yet taken by a worker (topped up once a quarter of it is free)"},
		func(c *Config) flag.Value { return intVar(&c.DispatchWindow, 0) }},
	{Var{Field: "MaxBatchInputs", Flag: "max-batch-inputs", Env: "SHEAF_MAX_BATCH_INPUTS",
		Usage: "most inputs one batch may have"},
		func(c *Config) flag.Value { return intVar(&c.MaxBatchInputs, 1) }},
	{Var{Field: "MaxUploadBytes", Flag: "max-upload-bytes", Env: "SHEAF_MAX_UPLOAD_BYTES",
		Usage: "largest upload or request body (bytes, or with KiB/MiB/GiB)"},
		func(c *Config) flag.Value { return bytesVar(&c.MaxUploadBytes) }},
	{Var{Field: "MaxTextBytes", Env: "SHEAF_MAX_TEXT_BYTES",
		Usage: "largest raw-text input (bytes, or with KiB/MiB/GiB)"},
		func(c *Config) flag.Value { return bytesVar(&c.MaxTextBytes) }},
	{Var{Field: "RunLease", Flag: "run-lease", Env: "SHEAF_RUN_LEASE",
		Usage: "how long a PROCESSING run may go without a heartbeat before it is re-queued"},
		func(c *Config) flag.Value { return durationVar(&c.RunLease) }},
	{Var{Field: "SweepInterval", Flag: "sweep-interval", Env: "SHEAF_SWEEP_INTERVAL",
		Usage: "how often the sweeper re-dispatches lost and expired runs"},
		func(c *Config) flag.Value { return durationVar(&c.SweepInterval) }},
	{Var{Field: "ProcessTimeout", Flag: "process-timeout", Env: "SHEAF_PROCESS_TIMEOUT",
		Usage: "how long processDocument waits for its result"},
		func(c *Config) flag.Value { return durationVar(&c.ProcessTimeout) }},
	{Var{Field: "ShutdownTimeout", Flag: "shutdown-timeout", Env: "SHEAF_SHUTDOWN_TIMEOUT",
		Usage: "longest graceful shutdown after SIGINT or SIGTERM"},
		func(c *Config) flag.Value { return durationVar(&c.ShutdownTimeout) }},
	{Var{Field: "AllowPrivateURLs", Flag: "allow-private-urls", Env: "SHEAF_ALLOW_PRIVATE_URLS",
		Usage: "let URL inputs fetch from loopback and private addresses"},
		func(c *Config) flag.Value { return boolVar(&c.AllowPrivateURLs) }},
	{Var{Field: "OCRLang", Flag: "ocr-lang", Env: "SHEAF_OCR_LANG",
		Usage: "tesseract languages for images and scans, e.g. eng or eng+deu (each needs its tesseract-ocr-LANG package)"},
		func(c *Config) flag.Value { return stringVar(&c.OCRLang, checkOCRLang) }},
	{Var{Field: "OrgActiveRunLimit", Env: "SHEAF_ORG_ACTIVE_RUN_LIMIT",
		Usage: "quota: pending + processing runs one organization may have"},
		func(c *Config) flag.Value { return intVar(&c.OrgActiveRunLimit, 1) }},
	{Var{Field: "LogFormat", Flag: "log-format", Env: "SHEAF_LOG_FORMAT",
		Usage: "log format: text or json"},
		func(c *Config) flag.Value { return stringVar(&c.LogFormat, checkLogFormat) }},
	{Var{Field: "LogLevel", Flag: "log-level", Env: "SHEAF_LOG_LEVEL",
		Usage: "lowest level logged: debug, info, warn or error"},
		func(c *Config) flag.Value { return levelVar(&c.LogLevel) }},
	{Var{Field: "LLMBaseURL", Env: "LLM_BASE_URL",
		Usage: "OpenAI-compatible endpoint for the Premium (LLM) tier; unset disables it"},
		func(c *Config) flag.Value { return stringVar(&c.LLMBaseURL, checkOptionalURL) }},
	{Var{Field: "LLMAPIKey", Env: "LLM_API_KEY", Secret: true,
		Usage: "API key for LLM_BASE_URL"},
		func(c *Config) flag.Value { return stringVar(&c.LLMAPIKey, nil) }},
	{Var{Field: "LLMModel", Env: "LLM_MODEL",
		Usage: "model name at LLM_BASE_URL"},
		func(c *Config) flag.Value { return stringVar(&c.LLMModel, nil) }},
}

// Vars returns the description of every setting, in help-text order. A
// Default left empty in the table above is the formatted value of
// Defaults, so the two cannot disagree.
func Vars() []Var {
	def := Defaults()
	vars := make([]Var, len(settings))
	for i, s := range settings {
		vars[i] = s.Var
		if vars[i].Default == "" {
			vars[i].Default = s.value(&def).String()
		}
	}
	return vars
}

// writeUsage prints the help text: flags first, then the settings read
// only from the environment.
func writeUsage(w io.Writer, name string) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\n", name)
	fmt.Fprint(w, "Flags override environment variables, which override defaults.\n\nFlags:\n")
	var envOnly []Var
	for _, v := range Vars() {
		if v.Flag == "" {
			envOnly = append(envOnly, v)
			continue
		}
		fmt.Fprintf(w, "  --%s (env %s)\n      %s (default: %s)\n", v.Flag, v.Env, v.Usage, showDefault(v))
	}
	fmt.Fprint(w, "\nEnvironment only:\n")
	for _, v := range envOnly {
		fmt.Fprintf(w, "  %s\n      %s (default: %s)\n", v.Env, v.Usage, showDefault(v))
	}
}

func showDefault(v Var) string {
	if v.Default == "" {
		return "unset"
	}
	return v.Default
}

// WriteMarkdown writes the settings as the Markdown table the README's
// configuration section carries.
func WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Environment variable | Flag | Default | Description |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, v := range Vars() {
		flagName := ""
		if v.Flag != "" {
			flagName = "`--" + v.Flag + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Env, flagName, mdDefault(v), v.Usage)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdDefault shows a literal default as code and a described one as text.
func mdDefault(v Var) string {
	switch {
	case v.Default == "":
		return "unset"
	case strings.Contains(v.Default, " "):
		return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(v.Default)
	default:
		return "`" + v.Default + "`"
	}
}
