package sim

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Sometimes records an evaluation of runtime.Sometimes in the run.
//
//go:norace
func (e *executor) Sometimes(name string, hit bool) {
	if e.sometimes == nil {
		e.sometimes = map[string]bool{}
	}
	e.sometimes[name] = e.sometimes[name] || hit
}

// RequireSometimes makes sim.Test fail when a runtime.Sometimes (or
// Reachable) assertion was never hit by any run of its exploration: each
// of names, which the summary lists even if no run reached them, or with
// no names every assertion that some run evaluated.
//
//go:norace
func RequireSometimes(names ...string) Option {
	return func(c *config) {
		c.requireSometimes = true
		c.expectSometimes = append(c.expectSometimes, names...)
	}
}

// coverage counts, across the runs of an exploration, the runs that
// reached each Sometimes assertion and those that hit it. Safe for
// concurrent use (Parallel).
type coverage struct {
	mu      sync.Mutex
	runs    int
	reached map[string]int
	hit     map[string]int
}

//go:norace
func (c *coverage) add(r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	for name, hit := range r.sometimes { // counting: the order does not matter
		if c.reached == nil {
			c.reached, c.hit = map[string]int{}, map[string]int{}
		}
		c.reached[name]++
		if hit {
			c.hit[name]++
		}
	}
}

// finish logs the summary (go test -v) and fails t if the config requires
// an assertion that no run hit.
//
//go:norace
func (c *coverage) finish(t testing.TB, cfg config) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.reached)+len(cfg.expectSometimes))
	for name := range c.reached {
		names = append(names, name)
	}
	for _, name := range cfg.expectSometimes {
		if _, ok := c.reached[name]; !ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var b strings.Builder
	var never []string
	fmt.Fprintf(&b, "sim: sometimes assertions over %d runs:", c.runs)
	for _, name := range names {
		r, h := c.reached[name], c.hit[name]
		if h == 0 && (len(cfg.expectSometimes) == 0 || slices.Contains(cfg.expectSometimes, name)) {
			never = append(never, fmt.Sprintf("%q", name))
		}
		switch {
		case r == 0:
			fmt.Fprintf(&b, "\n\t%q: never reached", name)
		case h == 0:
			fmt.Fprintf(&b, "\n\t%q: never hit (reached in %d runs)", name, r)
		default:
			fmt.Fprintf(&b, "\n\t%q: hit in %d runs (reached in %d)", name, h, r)
		}
	}
	t.Logf("%s", b.String())
	if cfg.requireSometimes && len(never) > 0 {
		t.Errorf("sim: no run of %d hit the sometimes assertion(s) %s (sim.RequireSometimes); explore more (-sim.seeds, -sim.time, another strategy) or make the path reachable",
			c.runs, strings.Join(never, ", "))
	}
}
