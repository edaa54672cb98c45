package batch

import "sync"

// maxGroup bounds how many requests one group transaction carries.
const maxGroup = 64

// grouper runs requests in groups, one group at a time: the caller that
// finds no group running runs one with every request waiting, then hands
// the lead to the oldest request that arrived meanwhile. An idle caller
// therefore runs alone at once, and under load every transaction carries
// the work of all the callers that queued behind the previous one — group
// commit, as databases do for their own log.
type grouper[T any] struct {
	run func(group []*T)

	mu      sync.Mutex
	waiting []*member[T]
	busy    bool
}

// member is one queued request and how it learns that it is done or that
// it leads the next group.
type member[T any] struct {
	req  *T
	done chan struct{}
	lead bool
}

// do queues req and returns once the group that carried it has run.
func (g *grouper[T]) do(req *T) {
	m := &member[T]{req: req, done: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, m)
	if g.busy {
		g.mu.Unlock()
		<-m.done
		if !m.lead {
			return
		}
		g.mu.Lock()
	}
	g.busy = true
	n := min(len(g.waiting), maxGroup)
	group := g.waiting[:n:n]
	g.waiting = g.waiting[n:]
	g.mu.Unlock()

	reqs := make([]*T, len(group))
	for i, x := range group {
		reqs[i] = x.req
	}
	g.run(reqs)

	g.mu.Lock()
	if len(g.waiting) > 0 {
		next := g.waiting[0]
		next.lead = true
		close(next.done)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	for _, x := range group {
		if x != m {
			close(x.done)
		}
	}
}
