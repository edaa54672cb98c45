package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/batch"
)

// TestWorkerProcessDies runs `sheaf worker` as a separate process next to
// an in-process API, stops it while runs are in flight — killed outright,
// or asked to stop with SIGTERM — and starts a new worker process. Every
// run must end exactly once: the batch finishes with exact counts, no run
// is attempted twice, and only documents that were in flight when the
// worker stopped are downloaded a second time.
func TestWorkerProcessDies(t *testing.T) {
	bin := buildSheaf(t)
	const n, concurrency = 16, 4
	cases := []struct {
		name string
		sig  syscall.Signal
		// shutdownTimeout is the stopped worker's SHEAF_SHUTDOWN_TIMEOUT.
		shutdownTimeout string
		// releaseFirst lets the documents through before the worker
		// exits, so a graceful shutdown can finish the runs in flight.
		releaseFirst bool
		// refetched says whether the documents in flight are downloaded
		// again by the next worker.
		refetched bool
	}{
		{name: "SIGKILL", sig: syscall.SIGKILL, shutdownTimeout: "20s", refetched: true},
		{name: "SIGTERM, in-flight runs finish", sig: syscall.SIGTERM, shutdownTimeout: "20s", releaseFirst: true},
		{name: "SIGTERM, shutdown times out", sig: syscall.SIGTERM, shutdownTimeout: "500ms", refetched: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs := newGateDocs(t)
			h := setup(t)
			b := h.createBatch(h.key, h.invoice, docs.inputs(n), nil)
			first := h.startWorkerProcess(t, bin, "SHEAF_SHUTDOWN_TIMEOUT="+tc.shutdownTimeout)
			pollUntil(t, "every worker slot to hold a run in flight", func() bool {
				return docs.waiting() == concurrency && h.dbBatch(b.ID).Processing == concurrency
			})
			inFlight, _, _ := docs.counts()

			if err := first.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatalf("signalling worker: %v", err)
			}
			if tc.releaseFirst {
				docs.release()
			}
			err := first.wait(t)
			if tc.sig == syscall.SIGTERM {
				if err != nil {
					t.Errorf("worker exited with %v after SIGTERM, want a clean exit", err)
				}
				// A graceful stop finishes or hands back every run it held.
				if c := batch.CountsOf(h.dbBatch(b.ID)); c.Processing != 0 {
					t.Errorf("after a graceful stop the batch has %d runs PROCESSING, want 0 (%+v)", c.Processing, c)
				}
			}
			if tc.refetched {
				// Wait until the server has seen the stopped worker's
				// downloads break off, so none is answered after the fact.
				pollUntil(t, "the interrupted downloads to be dropped", func() bool {
					_, _, dropped := docs.counts()
					return dropped == concurrency
				})
			}
			docs.release()

			second := h.startWorkerProcess(t, bin, "SHEAF_SHUTDOWN_TIMEOUT=20s")
			h.waitBatch(h.key, b.ID, terminal)
			checkFinished(t, h, h.key, b.ID, "PROCESSED", batch.Counts{Total: n, Processed: n})
			// An idle worker stops cleanly (built with -race, it would exit
			// non-zero after a data race).
			if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatalf("signalling worker: %v", err)
			}
			if err := second.wait(t); err != nil {
				t.Errorf("second worker exited with %v after SIGTERM, want a clean exit", err)
			}

			arrived, answered, dropped := docs.counts()
			wantArrived, wantAnswered := map[string]int{}, map[string]int{}
			for i := range n {
				name := docName(i)
				wantArrived[name], wantAnswered[name] = 1, 1
				if inFlight[name] > 0 && tc.refetched {
					wantArrived[name] = 2
				}
			}
			if diff := cmp.Diff(wantArrived, arrived); diff != "" {
				t.Errorf("downloads per document (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAnswered, answered); diff != "" {
				t.Errorf("completed downloads per document (-want +got):\n%s", diff)
			}
			t.Logf("%d documents in flight when the worker stopped; %d downloads dropped", len(inFlight), dropped)
		})
	}
}

// buildSheaf builds the sheaf binary once for the test, with the race
// detector and build tags of the test binary itself: the build reuses the
// packages compiled for the test, and a race in the worker process shows.
func buildSheaf(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("this test builds the sheaf binary and needs the go command on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "sheaf")
	args := []string{"build", "-o", bin}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "-race" && s.Value == "true":
				args = append(args, "-race")
			case s.Key == "-tags" && s.Value != "":
				args = append(args, "-tags", s.Value)
			}
		}
	}
	cmd := exec.Command(gobin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// workerProcess is a `sheaf worker` child process.
type workerProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startWorkerProcess starts `sheaf worker` on the harness's database and
// Redis; env adds or overrides settings. The process is killed at the end
// of the test if it is still running.
func (h *harness) startWorkerProcess(t *testing.T, bin string, env ...string) *workerProcess {
	t.Helper()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + h.cfg.DatabaseURL,
		"REDIS_URL=" + h.cfg.RedisURL,
		"SHEAF_DATA_DIR=" + t.TempDir(),
		"SHEAF_RUN_LEASE=3s",
		"SHEAF_SWEEP_INTERVAL=200ms",
		"SHEAF_CONCURRENCY=4",
		"SHEAF_ALLOW_PRIVATE_URLS=true",
		"SHEAF_LOG_LEVEL=warn",
	}, env...)
	cmd.Stdout, cmd.Stderr = tlogWriter{t}, tlogWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting worker process: %v", err)
	}
	p := &workerProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = cmd.Wait()
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit error.
func (p *workerProcess) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(waitDeadline):
		t.Fatalf("worker process did not exit")
		return nil
	}
}

// docName is the name gateDocs.inputs gives document i.
func docName(i int) string { return fmt.Sprintf("%04d", i) }
