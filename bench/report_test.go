package bench

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrency is the worker concurrency of every benchmark (and of the
// bare-asynq baseline of P2).
const concurrency = 8

// TestMain runs the benchmarks, then prints the table of figures, baselines
// and ratios against the goals.
// With -short every benchmark shrinks to a smoke test (for -race runs);
// its figures are then meaningless.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		p1Samples, p1Warmup = 3, 1
		p2Runs, p2Rounds = 200, 1
		p3Rounds, p3Block, p3LoadRuns = 1, 3, 2000
		p4Subscribers, p4Runs = 50, 100
	}
	code := m.Run()
	printTable(os.Stdout)
	os.Exit(code)
}

// row is one line of the report.
type row struct {
	id, what         string
	figure, baseline string
	ratio            float64 // NaN when the goal is absolute
	goal             string
	met              bool
}

var (
	rowsMu sync.Mutex
	rows   []row
)

// record adds a line to the report.
func record(r row) {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	rows = append(rows, r)
}

func printTable(w io.Writer) {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nsheaf performance — %s; worker concurrency %d; GOMAXPROCS %d; load average %s\n",
		mode(), concurrency, runtime.GOMAXPROCS(0), loadAverage())
	if testing.Short() {
		fmt.Fprintln(w, "-short: shrunken smoke run, the figures below mean nothing")
	}
	const f = "%-3s %-68s %12s %12s %7s %-9s %s\n"
	fmt.Fprintf(w, f, "", "measure", "figure", "baseline", "ratio", "goal", "")
	fmt.Fprintln(w, strings.Repeat("-", 122))
	for _, r := range rows {
		ratio := "—"
		if !math.IsNaN(r.ratio) {
			ratio = fmt.Sprintf("%.2f×", r.ratio)
		}
		verdict := "met"
		if !r.met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, f, r.id, r.what, r.figure, r.baseline, ratio, r.goal, verdict)
	}
}

// percentile returns the p-th percentile (0–100) of ds by nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// msf is a duration as a float of milliseconds, for b.ReportMetric.
func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func redisEnv() string { return os.Getenv("REDIS_URL") }

// loadAverage is the machine's 1/5/15-minute load, or "?" off Linux.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// nan marks a row without a ratio.
func nan() float64 { return math.NaN() }
