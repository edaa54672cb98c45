package config_test

import (
	"fmt"
	"os"

	"github.com/sheaf-dev/sheaf/internal/config"
)

// A flag overrides the environment, which overrides the default.
func ExampleParse() {
	env := map[string]string{
		"SHEAF_CONCURRENCY": "4",
		"SHEAF_RUN_LEASE":   "5m",
	}
	args := []string{"--concurrency", "8", "--redis-url", "redis://127.0.0.1:6379/0"}
	cfg, err := config.Parse("sheaf", args, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Concurrency, cfg.Window(), cfg.RunLease, cfg.EmbeddedRedis(), cfg.EmbeddedDB())
	// Output: 8 16 5m0s false true
}

// Bad values are reported with the variable or flag that carried them.
func ExampleParse_error() {
	env := map[string]string{"SHEAF_LOG_FORMAT": "xml"}
	_, err := config.Parse("sheaf", nil, func(k string) string { return env[k] }, os.Stderr)
	fmt.Println(err)
	// Output: SHEAF_LOG_FORMAT: invalid value "xml": must be "text" or "json"
}
