package netsim

import "context"

// HostOf returns the simulated host that ctx runs on (a context from
// Host.Context, or of a task spawned from one), or nil for a context on no
// host and in production.
func HostOf(ctx context.Context) *Host {
	h, _ := ctx.Value(hostKey{}).(*Host)
	return h
}

// OnCrash registers f to run at every Crash of h, after h's tasks were
// told to stop and before its sockets close. Subsystems whose state
// outlives a crash (package disk) use it to decide what the crash leaves.
// Hooks run in the order registered, on the task or harness that called
// Crash; they must not block.
func (h *Host) OnCrash(f func()) {
	defer h.net.enter().leave()
	hooks := h.crashHooks()
	hooks[h] = append(hooks[h], f)
}

// crashHooksKey keys the simulation's crash hooks (Executor.Attach).
type crashHooksKey struct{}

func (h *Host) crashHooks() map[*Host][]func() { // looked up by host, never iterated
	m, _ := h.net.ex.Attached(crashHooksKey{}).(map[*Host][]func())
	if m == nil {
		m = map[*Host][]func(){}
		h.net.ex.Attach(crashHooksKey{}, m)
	}
	return m
}

// runCrashHooks calls the hooks registered with OnCrash.
func (h *Host) runCrashHooks() {
	for _, f := range h.crashHooks()[h] {
		f()
	}
}
