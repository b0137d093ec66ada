// Package weftlog is a log/slog handler for code that runs under weft: in
// a simulation it stamps each record with virtual time and with the seed,
// the scheduling step, the task (its ID and name) and the netsim host it
// comes from, and keeps the record in the run's event log, so that it
// shows in failure reports and traces among the scheduler's events; in
// production it passes records to the handler it wraps untouched.
//
// Wrap any handler:
//
//	logger := slog.New(weftlog.New(slog.NewTextHandler(os.Stderr, nil)))
//	logger.InfoContext(ctx, "deposit", "amount", 10)
//
// The record must be logged with the task's context (the *Context methods
// of slog.Logger, or slog.Handler.Handle with that ctx): it is how the
// handler finds the simulation. A record logged without one, or with a
// context of no simulation, goes to the wrapped handler as it is.
//
// Guarantees: in a simulation the stamped time is the virtual clock's, so
// a run's log is the same for the same seed; the records kept in the event
// log do not count towards the run's hash, so adding or removing a log
// line does not invalidate a replay file; the wrapped handler's Enabled
// decides for both.
package weftlog
