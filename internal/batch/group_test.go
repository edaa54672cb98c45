package batch

import (
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestGrouperRunsEveryRequestOnce pins the group commit: concurrent callers
// are carried by groups that never overlap, every request is in exactly one
// group, no group exceeds maxGroup, and callers that queue behind a running
// group share the next one.
func TestGrouperRunsEveryRequestOnce(t *testing.T) {
	type req struct{ id, group int }
	var (
		mu      sync.Mutex
		running bool
		groups  int
		sizes   []int
	)
	release := make(chan struct{})
	first := make(chan struct{})
	g := grouper[req]{run: func(reqs []*req) {
		mu.Lock()
		if running {
			t.Error("two groups ran at once")
		}
		running = true
		groups++
		n := groups
		sizes = append(sizes, len(reqs))
		mu.Unlock()
		if n == 1 {
			close(first)
			<-release // hold the first group while the others queue
		}
		for _, r := range reqs {
			if r.group != 0 {
				t.Errorf("request %d ran in groups %d and %d", r.id, r.group, n)
			}
			r.group = n
		}
		mu.Lock()
		running = false
		mu.Unlock()
	}}

	const callers = 3*maxGroup + 5
	reqs := make([]*req, callers)
	for i := range reqs {
		reqs[i] = &req{id: i}
	}
	var wg sync.WaitGroup
	wg.Go(func() { g.do(reqs[0]) })
	<-first
	for _, r := range reqs[1:] {
		wg.Go(func() { g.do(r) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting < callers-1; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d callers queued behind the first group", waiting, callers-1)
		}
		runtime.Gosched()
		g.mu.Lock()
		waiting = len(g.waiting)
		g.mu.Unlock()
	}
	close(release)
	wg.Wait()

	for _, r := range reqs {
		if r.group == 0 {
			t.Errorf("request %d never ran", r.id)
		}
	}
	for i, n := range sizes {
		if n > maxGroup {
			t.Errorf("group %d carried %d requests, more than %d", i+1, n, maxGroup)
		}
	}
	// One group for the first caller, then full groups for the others:
	// they all queued while it ran.
	if groups != 1+(callers-1+maxGroup-1)/maxGroup {
		t.Errorf("%d callers ran in %d groups (sizes %v); queued callers should share groups", callers, groups, sizes)
	}
}

// TestGrouperSubmitDoesNotWait pins the background path of the group
// commit: submit returns at once, every submitted request runs in exactly
// one group and is handed to done once, after its group ran; a caller of
// do that queues among them returns once its own group ran; and wait
// returns only when all of that is over.
func TestGrouperSubmitDoesNotWait(t *testing.T) {
	type req struct {
		id, group int
		done      bool
	}
	var (
		mu     sync.Mutex
		groups int
		dones  int
	)
	release := make(chan struct{})
	g := grouper[req]{
		run: func(reqs []*req) {
			mu.Lock()
			groups++
			n := groups
			mu.Unlock()
			if n == 1 {
				<-release // hold the first group while the others queue
			}
			if len(reqs) > maxGroup {
				t.Errorf("group %d carried %d requests", n, len(reqs))
			}
			for _, r := range reqs {
				if r.group != 0 {
					t.Errorf("request %d ran in groups %d and %d", r.id, r.group, n)
				}
				r.group = n
			}
		},
		done: func(r *req) {
			if r.group == 0 || r.done {
				t.Errorf("request %d handed to done before its group ran, or twice", r.id)
			}
			r.done = true
			mu.Lock()
			dones++
			mu.Unlock()
		},
	}
	const n = 2*maxGroup + 5
	reqs := make([]*req, n)
	for i := range reqs {
		reqs[i] = &req{id: i}
		g.submit(reqs[i]) // never blocks, though the first group is held
	}
	waiter := &req{id: n}
	returned := make(chan struct{})
	go func() {
		g.do(waiter)
		close(returned)
	}()
	close(release)
	<-returned
	if waiter.group == 0 {
		t.Error("do returned before its request ran")
	}
	g.wait()
	mu.Lock()
	defer mu.Unlock()
	if dones != n {
		t.Errorf("done called %d times, want %d", dones, n)
	}
	for _, r := range reqs {
		if r.group == 0 || !r.done {
			t.Errorf("request %d: group %d, done %v", r.id, r.group, r.done)
		}
	}
}

// TestGrouperLingersBeforeSmallBackgroundGroups pins the linger: requests
// submitted while the leader goroutine waits join its group, and a caller
// of do, who waits for the commit, never lingers.
func TestGrouperLingersBeforeSmallBackgroundGroups(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sizes []int
		g := grouper[int]{run: func(reqs []*int) { sizes = append(sizes, len(reqs)) }, done: func(*int) {},
			linger: time.Millisecond}
		reqs := make([]int, 5)
		g.submit(&reqs[0])
		time.Sleep(time.Millisecond / 2) // the leader is lingering
		for i := range reqs[1:] {
			g.submit(&reqs[i+1])
		}
		g.wait()
		if len(sizes) != 1 || sizes[0] != len(reqs) {
			t.Errorf("submitted requests ran in groups of %v, want one of %d", sizes, len(reqs))
		}
		start := time.Now()
		g.do(new(int))
		if d := time.Since(start); d != 0 {
			t.Errorf("do took %v, want no linger", d)
		}
	})
}
