package batch

import (
	"sync"
	"time"
)

// maxGroup bounds how many requests one group transaction carries, and a
// leader goroutine lingers before groups of fewer than lingerBelow.
const (
	maxGroup    = 64
	lingerBelow = maxGroup / 4
)

// grouper runs requests in groups, one group at a time: the caller that
// finds no group running runs one with every request waiting, then hands
// the lead to the oldest request that arrived meanwhile. An idle caller
// therefore runs alone at once, and under load every transaction carries
// the work of all the callers that queued behind the previous one — group
// commit, as databases do for their own log.
//
// Requests queued with submit have no caller waiting: a goroutine leads
// the groups while such requests wait, so queuing one costs no goroutine of
// its own, and done is called with each after its group ran. When only
// such requests wait, that goroutine lingers a moment before a small group,
// to let more requests join it (see linger).
type grouper[T any] struct {
	run  func(group []*T)
	done func(req *T)
	// linger is how long a leader goroutine waits before running a group
	// of fewer than lingerBelow submitted requests: each transaction costs
	// a few round trips and statements whatever it carries.
	linger time.Duration

	mu      sync.Mutex
	waiting []*member[T]
	busy    bool
	// leaders counts the goroutines leading submitted requests; idle is
	// signalled when it drops to zero.
	leaders int
	idle    sync.Cond
}

// member is one queued request and how its caller learns that it is done
// or that it leads the next group (wake is nil for a submitted request).
type member[T any] struct {
	req  *T
	wake chan struct{}
	lead bool
}

// do queues req and returns once the group that carried it has run.
func (g *grouper[T]) do(req *T) {
	m := &member[T]{req: req, wake: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, m)
	if g.busy {
		g.mu.Unlock()
		<-m.wake
		if !m.lead {
			return
		}
		g.mu.Lock()
	}
	g.busy = true
	g.lead(m)
}

// submit queues req and returns at once; done(req) follows its group.
func (g *grouper[T]) submit(req *T) {
	g.mu.Lock()
	g.waiting = append(g.waiting, &member[T]{req: req})
	if g.busy {
		g.mu.Unlock()
		return
	}
	g.busy = true
	g.goLead()
}

// goLead starts a goroutine that leads the waiting requests; g.mu is held
// and released.
func (g *grouper[T]) goLead() {
	g.leaders++
	g.mu.Unlock()
	go func() {
		g.mu.Lock()
		g.lead(nil)
		g.mu.Lock()
		if g.leaders--; g.leaders == 0 {
			g.cond().Broadcast()
		}
		g.mu.Unlock()
	}()
}

// cond returns g.idle, bound to g.mu; g.mu is held.
func (g *grouper[T]) cond() *sync.Cond {
	if g.idle.L == nil {
		g.idle.L = &g.mu
	}
	return &g.idle
}

// wait returns once no goroutine leads submitted requests. Requests a
// caller of do leads are not waited for: Service.Flush waits for those
// through the backlog.
func (g *grouper[T]) wait() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.leaders > 0 {
		g.cond().Wait()
	}
}

// lead runs groups until none is waiting, with g.mu held on entry and
// released on return. self is the caller's own member, nil for a leader
// goroutine. A caller hands the lead to the next waiting caller after its
// own group, or to a new goroutine when submitted requests come first; a
// leader goroutine keeps it.
func (g *grouper[T]) lead(self *member[T]) {
	for {
		if self == nil {
			g.lingerFor()
		}
		n := min(len(g.waiting), maxGroup)
		group := g.waiting[:n:n]
		g.waiting = g.waiting[n:]
		g.mu.Unlock()
		g.runGroup(group, self)

		g.mu.Lock()
		switch {
		case len(g.waiting) == 0:
			g.busy = false
			g.mu.Unlock()
			return
		case self == nil:
			continue
		case g.waiting[0].wake != nil:
			next := g.waiting[0]
			next.lead = true
			close(next.wake)
			g.mu.Unlock()
			return
		default:
			g.goLead()
			return
		}
	}
}

// lingerFor waits linger, g.mu released meanwhile, before a group of fewer
// than lingerBelow requests that all were submitted; g.mu is held.
func (g *grouper[T]) lingerFor() {
	if g.linger <= 0 || len(g.waiting) >= lingerBelow {
		return
	}
	for _, m := range g.waiting {
		if m.wake != nil { // a caller waits
			return
		}
	}
	g.mu.Unlock()
	time.Sleep(g.linger)
	g.mu.Lock()
}

// runGroup runs a group and tells its members: done for submitted
// requests, a wake for waiting callers other than self.
func (g *grouper[T]) runGroup(group []*member[T], self *member[T]) {
	reqs := make([]*T, len(group))
	for i, x := range group {
		reqs[i] = x.req
	}
	g.run(reqs)
	for _, x := range group {
		switch {
		case x.wake == nil:
			g.done(x.req)
		case x != self:
			close(x.wake)
		}
	}
}
