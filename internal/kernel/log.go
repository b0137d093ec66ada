package kernel

// Logger is implemented by the simulated executor: it keeps a user's
// annotations and log records in the run's event log, beside the
// scheduler's own events, without folding them into the run's hash (so
// that adding a log line does not invalidate a replay file).
type Logger interface {
	// Log records text (a note, a formatted log record) as an event of
	// t, the running task or an Outside binding. It panics if t is a
	// task of the simulation that is not running.
	Log(t *Task, text string)
	// Stamp returns what a log record is stamped with: the run's seed
	// and the scheduling steps taken so far.
	Stamp() (seed, step uint64)
}

// Messenger is implemented by the simulated executor: netsim tells it of
// each message it sends and delivers, so that a trace can draw an arrow
// from one to the other. id is the message's, unique within the network;
// host is where the event happens.
type Messenger interface {
	NoteMessage(what, host string, id uint64, delivered bool)
}
