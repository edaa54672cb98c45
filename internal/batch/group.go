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
// Requests queued with submit have no caller waiting: one goroutine leads
// the groups while such requests wait, so queuing one costs no goroutine of
// its own, and done is called with each after its group ran. Since nobody
// waits for them, that goroutine lingers a moment before a small group,
// to let more requests join it (see linger).
type grouper[T any] struct {
	run  func(group []*T)
	done func(req *T)
	// linger is how long a leader goroutine waits before running a group
	// of fewer than lingerBelow requests: each transaction costs a few
	// round trips and statements whatever it carries.
	linger time.Duration

	mu      sync.Mutex
	waiting []*member[T]
	busy    bool
	// leaders counts the goroutines started to lead submitted requests.
	leaders sync.WaitGroup
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
	g.mu.Unlock()
	g.leaders.Go(func() {
		g.mu.Lock()
		g.lead(nil)
	})
}

// wait returns once no goroutine leads submitted requests any more, that
// is, once every request submitted before the call is done.
func (g *grouper[T]) wait() { g.leaders.Wait() }

// lead runs groups until none is waiting, with g.mu held on entry and
// released on return. self is the caller's own member, nil for a leader
// goroutine. A caller hands the lead to the next waiting caller after its
// own group, or to a new goroutine when submitted requests come first; a
// leader goroutine keeps it.
func (g *grouper[T]) lead(self *member[T]) {
	for {
		if self == nil && g.linger > 0 && len(g.waiting) < lingerBelow {
			g.mu.Unlock()
			time.Sleep(g.linger)
			g.mu.Lock()
		}
		n := min(len(g.waiting), maxGroup)
		group := g.waiting[:n:n]
		g.waiting = g.waiting[n:]
		g.mu.Unlock()

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
