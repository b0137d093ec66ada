// Package lincheck checks that a system's clients saw a linearizable
// history, with porcupine (github.com/anishathalye/porcupine) as the
// checker: the clients record every operation they invoke and what it
// returned, and a porcupine model — the sequential specification of the
// system — decides whether some order of those operations, each taking
// effect at one instant between its call and its return, explains every
// output.
//
// # Recording
//
// A [History] records from any number of tasks (or goroutines in
// production) at once; its zero value is ready. [History.Call] records an
// invocation before the operation starts and [Op.Return] its outcome after
// it ends. The order of the history is the order in which calls and
// returns were recorded, so an operation that returned before another was
// called precedes it, as linearizability requires; the clock of the
// context (virtual time in a simulation) only labels the report. An
// operation whose outcome the client never learnt (a timeout, a crash of
// the client) is left without Return: it may take effect at any time after
// its call, or never, and the model sees [Unknown] as its output. A client
// that leaves an operation pending should go on under a new client number.
//
// # Checking
//
// [History.Check] returns nil for a linearizable history and an [*Error]
// otherwise. The error names the operations that cannot be linearized:
// after the longest linearization porcupine found (of the first key, or
// partition, without a complete one), the operations that could come next
// in real time and that the model refuses. Its WriteHTML and SaveHTML
// write porcupine's visualisation: every operation on a timeline per
// client, and the partial linearizations. [History.Require] does it all
// for a test: on failure it saves the visualisation beside the replay file
// of sim.Test (or in a directory given) and fails the test with the
// report.
//
// [KV] is a ready model of a key-value store of strings ([Get], [Put]),
// checked key by key. Everything the report holds is deterministic for a
// deterministic history, so a simulation's seed reproduces it exactly.
package lincheck
