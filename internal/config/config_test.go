package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// env is a fake environment for Parse.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// fullEnv sets every environment variable to a value that differs from its
// default, so a setting bound to the wrong field shows up in the diff.
var fullEnv = env{
	"SHEAF_ADDR":                 "0.0.0.0:9090",
	"SHEAF_DATA_DIR":             "/var/lib/sheaf",
	"DATABASE_URL":               "postgres://sheaf:pw@db:5432/sheaf?sslmode=disable",
	"REDIS_URL":                  "rediss://cache:6380/3",
	"BLOB_URL":                   "s3://bucket?region=eu-west-1",
	"SHEAF_CONCURRENCY":          "7",
	"SHEAF_DISPATCH_WINDOW":      "50",
	"SHEAF_MAX_BATCH_INPUTS":     "5000",
	"SHEAF_MAX_UPLOAD_BYTES":     "10MiB",
	"SHEAF_MAX_TEXT_BYTES":       "4096",
	"SHEAF_RUN_LEASE":            "5m",
	"SHEAF_SWEEP_INTERVAL":       "30s",
	"SHEAF_PROCESS_TIMEOUT":      "1m",
	"SHEAF_SHUTDOWN_TIMEOUT":     "45s",
	"SHEAF_ALLOW_PRIVATE_URLS":   "true",
	"SHEAF_ORG_ACTIVE_RUN_LIMIT": "250",
	"SHEAF_OCR_LANG":             "eng+deu",
	"SHEAF_LOG_FORMAT":           "json",
	"SHEAF_LOG_LEVEL":            "debug",
	"LLM_BASE_URL":               "https://llm.example/v1",
	"LLM_API_KEY":                "sk-secret",
	"LLM_MODEL":                  "small-model",
}

func fromFullEnv() Config {
	return Config{
		Addr:              "0.0.0.0:9090",
		DataDir:           "/var/lib/sheaf",
		DatabaseURL:       "postgres://sheaf:pw@db:5432/sheaf?sslmode=disable",
		RedisURL:          "rediss://cache:6380/3",
		BlobURL:           "s3://bucket?region=eu-west-1",
		Concurrency:       7,
		DispatchWindow:    50,
		MaxBatchInputs:    5000,
		MaxUploadBytes:    10 << 20,
		MaxTextBytes:      4096,
		RunLease:          5 * time.Minute,
		SweepInterval:     30 * time.Second,
		ProcessTimeout:    time.Minute,
		ShutdownTimeout:   45 * time.Second,
		AllowPrivateURLs:  true,
		OrgActiveRunLimit: 250,
		OCRLang:           "eng+deu",
		LogFormat:         "json",
		LogLevel:          slog.LevelDebug,
		LLMBaseURL:        "https://llm.example/v1",
		LLMAPIKey:         "sk-secret",
		LLMModel:          "small-model",
	}
}

func absDefaults(t *testing.T) Config {
	t.Helper()
	c := Defaults()
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	c.DataDir = dir
	return c
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  env
		args []string
		want func(c *Config)
	}{
		{
			name: "defaults",
			want: func(*Config) {},
		},
		{
			name: "environment overrides defaults",
			env:  fullEnv,
			want: func(c *Config) { *c = fromFullEnv() },
		},
		{
			name: "flags override environment",
			env:  fullEnv,
			args: []string{
				"--addr", ":7000", "--data-dir=/srv/sheaf",
				"--database-url", "sqlite:///srv/sheaf/x.db",
				"--redis-url", "redis://127.0.0.1:6379/0",
				"--blob-url", "file:///srv/blobs",
				"--concurrency", "3", "--dispatch-window", "0",
				"--max-batch-inputs", "10", "--max-upload-bytes", "2048",
				"--run-lease", "90s", "--sweep-interval", "1s",
				"--process-timeout", "5s", "--shutdown-timeout", "2s",
				"--allow-private-urls=false", "--log-format", "text", "--log-level", "WARN",
			},
			want: func(c *Config) {
				*c = fromFullEnv()
				c.Addr, c.DataDir = ":7000", "/srv/sheaf"
				c.DatabaseURL = "sqlite:///srv/sheaf/x.db"
				c.RedisURL, c.BlobURL = "redis://127.0.0.1:6379/0", "file:///srv/blobs"
				c.Concurrency, c.DispatchWindow, c.MaxBatchInputs, c.MaxUploadBytes = 3, 0, 10, 2048
				c.RunLease, c.SweepInterval = 90*time.Second, time.Second
				c.ProcessTimeout, c.ShutdownTimeout = 5*time.Second, 2*time.Second
				c.AllowPrivateURLs, c.LogFormat, c.LogLevel = false, "text", slog.LevelWarn
			},
		},
		{
			name: "boolean flag without a value",
			args: []string{"-allow-private-urls"},
			want: func(c *Config) { c.AllowPrivateURLs = true },
		},
		{
			name: "byte sizes with units",
			env:  env{"SHEAF_MAX_TEXT_BYTES": "512KiB", "SHEAF_MAX_UPLOAD_BYTES": "1GB"},
			want: func(c *Config) { c.MaxTextBytes, c.MaxUploadBytes = 512<<10, 1e9 },
		},
		{
			name: "relative data dir made absolute",
			args: []string{"--data-dir", "rel/data"},
			want: func(c *Config) {
				dir, _ := filepath.Abs("rel/data")
				c.DataDir = dir
			},
		},
		{
			name: "accepted database URLs",
			env:  env{"DATABASE_URL": "file:sheaf.db?_pragma=busy_timeout(5000)"},
			args: []string{},
			want: func(c *Config) { c.DatabaseURL = "file:sheaf.db?_pragma=busy_timeout(5000)" },
		},
		{
			name: "postgresql scheme",
			env:  env{"DATABASE_URL": "postgresql:///sheaf?host=/run/postgresql"},
			want: func(c *Config) { c.DatabaseURL = "postgresql:///sheaf?host=/run/postgresql" },
		},
		{
			name: "operands after the flags",
			args: []string{"--concurrency", "1", "a.pdf", "b.pdf"},
			want: func(c *Config) { c.Concurrency, c.Args = 1, []string{"a.pdf", "b.pdf"} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			got, err := Parse("sheaf", tt.args, tt.env.get, &stderr)
			if err != nil {
				t.Fatalf("Parse: %v\nstderr:\n%s", err, stderr.String())
			}
			want := absDefaults(t)
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  env
		args []string
		want []string // substrings of the error
	}{
		{"negative concurrency env", env{"SHEAF_CONCURRENCY": "-1"}, nil,
			[]string{"SHEAF_CONCURRENCY", `"-1"`, "at least 1"}},
		{"zero concurrency flag", nil, []string{"--concurrency", "0"},
			[]string{"-concurrency", "at least 1"}},
		{"non-numeric concurrency", env{"SHEAF_CONCURRENCY": "many"}, nil,
			[]string{"SHEAF_CONCURRENCY", "not an integer"}},
		{"negative dispatch window", nil, []string{"--dispatch-window=-5"},
			[]string{"-dispatch-window", "at least 0"}},
		{"unparsable duration env", env{"SHEAF_RUN_LEASE": "2 minutes"}, nil,
			[]string{"SHEAF_RUN_LEASE", "not a duration"}},
		{"duration without unit flag", nil, []string{"--sweep-interval", "10"},
			[]string{"-sweep-interval", "not a duration"}},
		{"zero duration", env{"SHEAF_SHUTDOWN_TIMEOUT": "0s"}, nil,
			[]string{"SHEAF_SHUTDOWN_TIMEOUT", "must be positive"}},
		{"negative duration flag", nil, []string{"--process-timeout", "-1s"},
			[]string{"-process-timeout", "must be positive"}},
		{"bad log format env", env{"SHEAF_LOG_FORMAT": "xml"}, nil,
			[]string{"SHEAF_LOG_FORMAT", `"xml"`, `"text" or "json"`}},
		{"bad OCR languages env", env{"SHEAF_OCR_LANG": "eng deu"}, nil,
			[]string{"SHEAF_OCR_LANG", `"eng deu"`, "eng+deu"}},
		{"bad log format flag", nil, []string{"--log-format", "JSON5"},
			[]string{"-log-format", `"text" or "json"`}},
		{"bad log level", env{"SHEAF_LOG_LEVEL": "loud"}, nil,
			[]string{"SHEAF_LOG_LEVEL", "not a log level"}},
		{"bad database scheme", env{"DATABASE_URL": "mysql://root@localhost/sheaf"}, nil,
			[]string{"DATABASE_URL", `unsupported scheme "mysql"`, "postgres://"}},
		{"database URL without scheme", nil, []string{"--database-url", "localhost:5432"},
			[]string{"-database-url"}},
		{"sqlite URL without path", env{"DATABASE_URL": "sqlite://"}, nil,
			[]string{"DATABASE_URL", "no file path"}},
		{"bad redis scheme", env{"REDIS_URL": "http://127.0.0.1:6379"}, nil,
			[]string{"REDIS_URL", `unsupported scheme "http"`, "redis://"}},
		{"redis without host", nil, []string{"--redis-url", "redis:///0"},
			[]string{"-redis-url", "missing host"}},
		{"redis bad db", env{"REDIS_URL": "redis://127.0.0.1:6379/x"}, nil,
			[]string{"REDIS_URL", `database "x"`}},
		{"blob URL without scheme", env{"BLOB_URL": "/var/blobs"}, nil,
			[]string{"BLOB_URL", "missing scheme"}},
		{"bad addr", env{"SHEAF_ADDR": "8080"}, nil,
			[]string{"SHEAF_ADDR", "host:port"}},
		{"bad port", nil, []string{"--addr", "127.0.0.1:http"},
			[]string{"-addr", "port"}},
		{"empty data dir flag", nil, []string{"--data-dir="},
			[]string{"-data-dir", "must not be empty"}},
		{"bad bool", env{"SHEAF_ALLOW_PRIVATE_URLS": "maybe"}, nil,
			[]string{"SHEAF_ALLOW_PRIVATE_URLS", "not a boolean"}},
		{"bad size", env{"SHEAF_MAX_UPLOAD_BYTES": "50 megs"}, nil,
			[]string{"SHEAF_MAX_UPLOAD_BYTES", "not a size"}},
		{"zero size", env{"SHEAF_MAX_TEXT_BYTES": "0"}, nil,
			[]string{"SHEAF_MAX_TEXT_BYTES", "at least 1 byte"}},
		{"quota below one", env{"SHEAF_ORG_ACTIVE_RUN_LIMIT": "0"}, nil,
			[]string{"SHEAF_ORG_ACTIVE_RUN_LIMIT", "at least 1"}},
		{"bad LLM URL", env{"LLM_BASE_URL": "llm.local"}, nil,
			[]string{"LLM_BASE_URL", "http"}},
		{"unknown flag", nil, []string{"--concurency", "2"},
			[]string{"-concurency"}},
		{"env-only setting has no flag", nil, []string{"--max-text-bytes", "10"},
			[]string{"-max-text-bytes"}},
		{"bad flag value wins over good env", env{"SHEAF_CONCURRENCY": "4"}, []string{"--concurrency", "-2"},
			[]string{"-concurrency", "at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			_, err := Parse("sheaf", tt.args, tt.env.get, &stderr)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if stderr.Len() != 0 {
				t.Errorf("Parse printed %q; errors should only be returned", stderr.String())
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestParseErrorRedactsSecrets(t *testing.T) {
	t.Parallel()
	_, err := Parse("sheaf", nil, env{"DATABASE_URL": "mysql://root:hunter2@db/sheaf"}.get, new(bytes.Buffer))
	if err == nil {
		t.Fatal("Parse succeeded, want an error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q reveals the password", err)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "--help"} {
		var stderr bytes.Buffer
		_, err := Parse("sheaf serve", []string{arg}, env{}.get, &stderr)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("Parse(%s) error = %v, want flag.ErrHelp", arg, err)
		}
		out := stderr.String()
		if !strings.Contains(out, "Usage: sheaf serve") {
			t.Errorf("help does not name the command:\n%s", out)
		}
		for _, v := range Vars() {
			if v.Flag != "" && !strings.Contains(out, "--"+v.Flag+" ") {
				t.Errorf("help lacks flag --%s", v.Flag)
			}
			if v.Env != "" && !strings.Contains(out, v.Env) {
				t.Errorf("help lacks variable %s", v.Env)
			}
			if !strings.Contains(out, v.Default) {
				t.Errorf("help lacks default %q of %s", v.Default, v.Field)
			}
		}
	}
}

// TestVarsCoverConfig fails when a Config field has no row in the settings
// table, so the help text and the README cannot silently miss a setting.
func TestVarsCoverConfig(t *testing.T) {
	t.Parallel()
	notSettings := map[string]bool{"Args": true}
	seen := map[string]int{}
	flags, envs := map[string]bool{}, map[string]bool{}
	for _, v := range Vars() {
		seen[v.Field]++
		if v.Flag == "" && v.Env == "" {
			t.Errorf("%s has neither a flag nor an environment variable", v.Field)
		}
		if v.Usage == "" {
			t.Errorf("%s has no description", v.Field)
		}
		if v.Flag != "" {
			if flags[v.Flag] {
				t.Errorf("flag --%s used twice", v.Flag)
			}
			flags[v.Flag] = true
		}
		if v.Env != "" {
			if envs[v.Env] {
				t.Errorf("variable %s used twice", v.Env)
			}
			envs[v.Env] = true
			if _, ok := fullEnv[v.Env]; !ok {
				t.Errorf("variable %s is missing from fullEnv, so its binding is untested", v.Env)
			}
		}
	}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		switch {
		case notSettings[name]:
		case seen[name] == 0:
			t.Errorf("Config.%s has no entry in settings (vars.go)", name)
		case seen[name] > 1:
			t.Errorf("Config.%s has %d entries in settings", name, seen[name])
		}
		delete(seen, name)
	}
	for name := range seen {
		t.Errorf("settings names %q, which is not a Config field", name)
	}
}

func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	vars := Vars()
	if got, want := len(lines), len(vars)+2; got != want {
		t.Fatalf("table has %d lines, want %d:\n%s", got, want, b.String())
	}
	for i, v := range vars {
		row := lines[i+2]
		if !strings.HasPrefix(row, "| `"+v.Env+"` |") || strings.Count(row, "|") != 5 {
			t.Errorf("row %d = %q, want a 4-column row for %s", i, row, v.Env)
		}
	}
	if !strings.Contains(b.String(), "| `SHEAF_MAX_UPLOAD_BYTES` | `--max-upload-bytes` | `50MiB` |") {
		t.Errorf("table lacks the upload limit row with its default:\n%s", b.String())
	}
}

func TestVarsDefaults(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"Addr": "127.0.0.1:8080", "DataDir": "./sheaf-data", "MaxBatchInputs": "1000",
		"MaxUploadBytes": "50MiB", "MaxTextBytes": "1MiB", "RunLease": "2m0s",
		"SweepInterval": "10s", "ProcessTimeout": "30s", "ShutdownTimeout": "30s",
		"AllowPrivateURLs": "false", "OrgActiveRunLimit": "1000000",
		"LogFormat": "text", "LogLevel": "info", "LLMAPIKey": "",
	}
	got := map[string]string{}
	for _, v := range Vars() {
		if _, ok := want[v.Field]; ok {
			got[v.Field] = v.Default
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
	if c := Defaults(); c.Concurrency != 2*runtime.NumCPU() || c.Window() != 4*runtime.NumCPU() {
		t.Errorf("Concurrency = %d, Window() = %d, want 2 and 4 × %d CPUs", c.Concurrency, c.Window(), runtime.NumCPU())
	}
}

func TestDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, kind, dsn string
		embedded       bool
	}{
		{"", "sqlite", "file:/data/sheaf.db", true},
		{"postgres://u@h:5432/db?sslmode=disable", "postgres", "postgres://u@h:5432/db?sslmode=disable", false},
		{"postgresql:///db", "postgres", "postgresql:///db", false},
		{"sqlite:///var/x.db", "sqlite", "file:/var/x.db", false},
		{"sqlite://rel/x.db?_pragma=foreign_keys(1)", "sqlite", "file:rel/x.db?_pragma=foreign_keys(1)", false},
		{"file:x.db", "sqlite", "file:x.db", false},
		{"file:///abs/x.db?mode=ro", "sqlite", "file:/abs/x.db?mode=ro", false},
	}
	for _, tt := range tests {
		c := Config{DataDir: "/data", DatabaseURL: tt.url}
		kind, dsn := c.Database()
		if kind != tt.kind || dsn != tt.dsn || c.EmbeddedDB() != tt.embedded {
			t.Errorf("Database(%q) = %q, %q, embedded %v; want %q, %q, %v",
				tt.url, kind, dsn, c.EmbeddedDB(), tt.kind, tt.dsn, tt.embedded)
		}
	}
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	c := Config{DataDir: "/data dir", Concurrency: 3}
	if got, want := c.Blobs(), "file:///data%20dir/blobs"; got != want {
		t.Errorf("Blobs() = %q, want %q", got, want)
	}
	c.BlobURL = "s3://b"
	if got := c.Blobs(); got != "s3://b" {
		t.Errorf("Blobs() = %q, want the BlobURL", got)
	}
	if got := c.Window(); got != 6 {
		t.Errorf("Window() = %d, want 2 × Concurrency = 6", got)
	}
	c.DispatchWindow = 10
	if got := c.Window(); got != 10 {
		t.Errorf("Window() = %d, want DispatchWindow = 10", got)
	}
	if !c.EmbeddedRedis() {
		t.Error("EmbeddedRedis() = false with RedisURL unset")
	}
	c.RedisURL = "redis://127.0.0.1:6379/0"
	if c.EmbeddedRedis() {
		t.Error("EmbeddedRedis() = true with RedisURL set")
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	c := Defaults()
	c.LogFormat, c.LogLevel = "json", slog.LevelWarn
	var b bytes.Buffer
	log := c.Logger(&b)
	log.Info("hidden")
	log.Warn("shown", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatalf("want one JSON record at warn level, got %q: %v", b.String(), err)
	}
	if rec["msg"] != "shown" {
		t.Errorf("record = %v, want msg shown", rec)
	}

	c.LogFormat = "text"
	b.Reset()
	c.Logger(&b).Warn("plain")
	if !strings.Contains(b.String(), "msg=plain") {
		t.Errorf("text logger wrote %q", b.String())
	}
}

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	c := fromFullEnv()
	c.RedisURL = "redis://:redispw@cache:6379/0"
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	out := b.String()
	for _, secret := range []string{"sk-secret", ":pw@", "redispw"} {
		if strings.Contains(out, secret) {
			t.Errorf("logged config reveals %q: %s", secret, out)
		}
	}
	for _, want := range []string{"config.SHEAF_CONCURRENCY=7", "config.LLM_API_KEY=REDACTED", "config.LLM_MODEL=small-model"} {
		if !strings.Contains(out, want) {
			t.Errorf("logged config lacks %q: %s", want, out)
		}
	}
}
