package batch

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestPriorityHoldsBatchRuns pins how batch runs yield to single runs: not
// at all when none is in progress, until the last one leaves when some are,
// and never longer than maxYield.
func TestPriorityHoldsBatchRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p priority
		ctx := context.Background()
		yielded := func() <-chan struct{} {
			done := make(chan struct{})
			go func() {
				p.yield(ctx)
				close(done)
			}()
			synctest.Wait()
			return done
		}
		isDone := func(ch <-chan struct{}) bool {
			select {
			case <-ch:
				return true
			default:
				return false
			}
		}

		if !isDone(yielded()) {
			t.Fatal("a batch run waited with no single run in progress")
		}

		p.enter()
		p.enter()
		held := yielded()
		p.leave()
		synctest.Wait()
		if isDone(held) {
			t.Fatal("a batch run went on while a single run was still in progress")
		}
		p.leave()
		synctest.Wait()
		if !isDone(held) {
			t.Fatal("a batch run still waits after the last single run left")
		}

		p.enter()
		held = yielded()
		time.Sleep(maxYield)
		synctest.Wait()
		if !isDone(held) {
			t.Fatalf("a batch run waited longer than %v", maxYield)
		}
		p.leave()
	})
}
