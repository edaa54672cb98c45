package batch

import (
	"context"
	"sync"
	"time"
)

// maxYield is the longest a batch run waits for single runs before it goes
// on anyway, so a steady stream of single runs slows batches down but
// cannot stop them.
const maxYield = 200 * time.Millisecond

// priority lets batch runs yield the CPU to single runs (createRun,
// processDocument) in this process: a single run being processed, or
// waited for, holds batch runs at their start. Batches then run at lower
// priority than interactive calls in CPU as well as in queue order — on a
// busy worker, a single run would otherwise share the cores with every
// batch run in flight.
type priority struct {
	mu     sync.Mutex
	active int
	clear  chan struct{} // closed when active drops to zero
}

// enter marks one single run as in progress.
func (p *priority) enter() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active == 0 {
		p.clear = make(chan struct{})
	}
	p.active++
}

// leave marks one single run as done.
func (p *priority) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active--
	if p.active == 0 {
		close(p.clear)
	}
}

// yield waits while single runs are in progress, at most maxYield.
func (p *priority) yield(ctx context.Context) {
	p.mu.Lock()
	active, clear := p.active, p.clear
	p.mu.Unlock()
	if active == 0 {
		return
	}
	t := time.NewTimer(maxYield)
	defer t.Stop()
	select {
	case <-clear:
	case <-t.C:
	case <-ctx.Done():
	}
}
