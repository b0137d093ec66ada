// Package sim runs weft programs deterministically: one task at a time,
// chosen by a seeded scheduler, in virtual time. The program is the same
// code that runs in production on package [runtime] and package [clock]; only
// its tests import sim. A run is a pure function of the program, the seed,
// the strategy and the options (S2), so a failing seed replays exactly, and
// many seeds and strategies explore the interleavings a deployment would
// meet.
//
// Clause numbers such as S4 refer to weft's contract, docs/CONTRACT.md in
// the weft repository, whose numbering is stable.
//
// # Running
//
// [Run] runs a function as the root task of a fresh simulation, shuts the
// simulation down (dropping the tasks left behind, S16) and returns a
// [Result]: the seed and strategy, the failure if any, the number of
// scheduling steps, the virtual time that passed, a Hash of every event, and
// the last events ([WithTrace]). [Test] runs a test body once per seed and
// reports the first failure with the command that replays it. [New] returns a
// simulated *runtime.Runtime to drive by hand with BlockOn and Shutdown;
// [StatsOf] tells a running simulation's tasks, timers, steps and time.
//
// # Scheduling
//
// Exactly one task runs at a time. Control passes only at scheduling
// points, and every operation on a weft primitive is one, whether or not
// it has to wait (S2): each Mutex, RWMutex, Semaphore, Chan, Notify,
// WaitGroup, Once, Barrier and Select operation, each netsim socket call,
// Spawn, Abort, [runtime.YieldNow], the waits of Join and of package
// clock, and the end of a task. Package runtime's documentation lists them
// all, with where each operation has its point (before it acts, or after
// it releases; never in its middle). A point at which no other task is
// runnable is not a step: the task goes on at no cost.
//
// Running one task at a time does not make unsynchronised sharing
// correct. Memory shared by tasks must be synchronised through weft's
// primitives (or sync/atomic), as in production, where the same code runs
// in parallel; `go test -race` checks it in a simulation too, seeing only
// the happens-before edges the program creates (S2a; see Data races).
//
// The scheduler loop (S4) fires the timers that are due; if no task is
// runnable it advances virtual time to the earliest deadline, and if there
// is none the run fails with a [*DeadlockError]; otherwise the strategy
// picks one runnable task, which runs to its next scheduling point. At a
// point that need not wait, the running task is one of the candidates.
// Every decision draws on one PRNG seeded by [WithSeed] (S5):
//
//   - [FIFO] runs tasks in run-queue order, like Tokio's current-thread
//     scheduler: it is not preemptive, so at a point that need not wait
//     the running task goes on (the step is counted all the same);
//   - [Random] (the default) picks uniformly among the running task and
//     the runnable ones;
//   - [PCT](depth) gives tasks random priorities, runs the highest, and
//     lowers the running task at depth-1 random steps of the run's length,
//     which [Test] measures; it finds bugs that need a few specific
//     orderings with a probability it bounds.
//
// Timers due at the same instant fire in an order chosen by the seed, not
// in creation order (S6).
//
// The scheduler sees only what goes through weft. A task that blocks on a
// native channel, a sync.Mutex, time.Sleep or real I/O stalls the run: after
// [WithWatchdog]'s wall-clock limit the run fails with a [*StuckTaskError]
// carrying the task's stack. Goroutines started with the go statement,
// global randomness and map iteration order are outside the seed's control
// and make runs irreproducible.
//
// # Data races
//
// Under go test -race a simulation shows the race detector the
// happens-before edges the program creates and none of the scheduler's
// switches (S2a), so two tasks touching the same memory with nothing of
// the program's ordering them are a DATA RACE, as they would be in
// production, and Test fails with the seed and the command that replays
// it (under -race; the seed schedules the same run in either build). A
// race build runs each task on a goroutine of its own and passes control
// with its synchronisation hidden from the detector; normal builds are
// unchanged. The edges are:
//
//   - Spawn: what the spawner did before it, before the task's first
//     instruction;
//   - a task's end, before a Join (JoinHandle, JoinSet) that observes it,
//     and every task's end before Shutdown returns;
//   - a primitive's operations, in the order they happen: each Mutex,
//     RWMutex, Semaphore, Notify, WaitGroup, Once, Barrier and Chan is
//     ordered as if by its own lock, as production's lock orders it, and
//     a task woken from a wait comes after whoever woke it (an Unlock, a
//     send, a Close, a Notify; a Select comes after the case that won);
//   - a cancellation, before the wait it ends with ctx.Err();
//   - arming a timer (clock.Sleep, a clock.Timer or Ticker, a deadline),
//     before what it does when it fires;
//   - the simulated network: its operations (socket calls, and the
//     deliveries between steps) are ordered as if behind one lock taken
//     for each operation and released while it waits, so a message's send
//     comes before its delivery and before the read that returns it.
//
// So the detector sees what a production run may show it, or less: a race
// is missed when the two accesses are ordered by something else the tasks
// do in between (both operate on one primitive, or both use the
// network), and only the interleavings of the explored seeds are checked.
// A foreign [DecisionSource] (package sim/simrapid, [Fuzz]) keeps state of
// its own that every step draws from, so its draws are ordered, and most
// races between tasks are hidden under it. The detector reports each race
// once per test binary; with [Parallel] exploration the seed of a race is
// not known: rerun without it.
//
// # Time
//
// The virtual clock starts at [clock.Epoch], 2000-01-01T00:00:00Z, unless
// [WithStart] says otherwise (S7). It never moves while a task is runnable and
// never moves backwards (S4); a sleeper wakes at exactly its deadline (S40).
// An hour of timeouts takes microseconds of wall time. The standard
// library's context.WithTimeout, time.Now and time.Sleep read the wall
// clock: simulated code must use package clock instead.
//
// # Determinism
//
// For equal program, seed, strategy and options, two runs take the same
// decisions in the same order: their Results have equal Hash, Steps,
// Elapsed and events. Result.Hash digests every decision the run takes —
// the schedule, timer ties, Select cases, runtime.Rand and runtime.Buggify
// draws, netsim's faults — and every event with its operation and outcome
// (what a task parked on; whether it returned, failed, panicked, was
// cancelled or called runtime.Goexit): two runs with equal hashes took the
// same decisions and met the same events, barring a 64-bit collision. A
// replay file stores the hash (format v2 since the hash took decisions
// in). A context cancelled by a task
// is observed at the next scheduling step, never by a racing goroutine
// (S20).
//
// # Failures
//
// Result.Err is nil if the run passed. Otherwise it is
//
//   - the root task's error, or its panic as a [*runtime.PanicError];
//   - a [*DeadlockError]: no task can run and no timer is pending; it lists
//     each blocked task, what it waits in, which task it waits for, where
//     it was spawned, and its stack. A cycle of waiting among tasks (Join
//     targets, Mutex holders, RWMutex writers and readers) is reported the
//     moment it forms, even while other tasks can still run, with the
//     cycle in Cycle; waits whose ctx can end are not counted in a cycle;
//   - a [*WallClockError] (a deadlock, for errors.As): a task waits with a
//     context whose deadline is on the wall clock (the standard library's
//     context.WithTimeout), which the simulation cannot see;
//   - a [*StepLimitError]: the run took more steps than [WithStepLimit] allows,
//     a livelock;
//   - a [*TimeLimitError]: virtual time would pass [WithTimeLimit];
//   - a [*StuckTaskError]: a task did not reach a yield point in time; its
//     message names what the goroutine blocks on (time.Sleep, a native
//     channel such as time.After's, sync.Mutex, real I/O) and the weft call
//     to use instead;
//   - a [*DivergenceError]: a replay left its recording;
//   - an [*UnobservedPanicError]: a task panicked or called runtime.Goexit
//     and no Join observed it (S17), unless [AllowUnobservedPanics]. It
//     gives the step and virtual time of the panic; the run goes on after
//     it (a Join may still come), unless [StopOnPanic] stops it there;
//   - an [*InternalError]: a panic in the scheduler itself.
//
// Errors' texts are the same for every run of a seed: stacks are kept in
// fields (PanicError.Stack, InternalError.Stack), not in the text.
//
// Misuse panics with a message starting with "sim:" that names the cure:
// blocking outside any task or with the context of another task (S32),
// nesting BlockOn, spawning onto a running simulation from outside it.
//
// # Testing
//
// [Test] runs the body for seeds 1..N, the same on every run so that CI is
// reproducible, and fails at the first failing seed with a report: the
// seed, the step and virtual time of the failure, the strategy, what
// failed in the test's terms (a t.Fatal inside a task is reported at the
// line that called it), the stacks, the events up to the failure, the
// replay file it wrote and the go test command that replays it. t.Fatal,
// t.FailNow and testify's require work inside tasks. A passing Test logs
// one line (shown by go test -v): the seeds run, the strategy, the steps
// and virtual time in all, the distinct hashes and the wall time.
// [OnResult] hands the test every seed's Result; [ExpectFailure] turns a
// test of a planted bug around: it passes at the first failing seed and
// fails if none fails.
//
// Each knob is a flag and an environment variable; the flag wins. A knob
// given empty, malformed or out of range is an error that names the flag
// or variable, the value and what it accepts, never a default:
//
//   - -sim.seed / WEFT_SIM_SEED: run these seeds (N, A-B, comma-separated);
//   - -sim.seeds / WEFT_SIM_SEEDS: how many seeds to run ([DefaultSeeds];
//     1 to [MaxSeeds]);
//   - -sim.strategy / WEFT_SIM_STRATEGY: fifo, random, pct, pct:DEPTH,
//     pct:DEPTH:HORIZON or exhaustive:P ([ParseStrategy]; DEPTH up to
//     [MaxPCTDepth], HORIZON up to [MaxPCTHorizon], P up to
//     [MaxExhaustiveBound]);
//   - -sim.explore / WEFT_SIM_EXPLORE: start from a fresh random seed
//     instead of 1, and log it;
//   - -sim.time / WEFT_SIM_TIME: explore for a wall-clock budget (30s); at
//     least one seed runs, however small the budget;
//   - -sim.shard / WEFT_SIM_SHARD: K/N, the seeds s with s mod N = K-1, so
//     that N CI jobs split the seeds exactly; N alone takes K-1 from
//     JOB_COMPLETION_INDEX, the index a Kubernetes Indexed Job gives each
//     pod (an error if it is missing or out of range);
//   - -sim.parallel / WEFT_SIM_PARALLEL: explore on several goroutines (see
//     [Parallel]; 1 to [MaxParallel]);
//   - -sim.checkdeterminism / WEFT_SIM_CHECKDETERMINISM: run each seed twice
//     and name the first event at which the runs differ ([CheckDeterminism]);
//   - -sim.replay / WEFT_SIM_REPLAY: replay one replay file;
//   - -sim.trace / WEFT_SIM_TRACE: write every run's trace into a
//     directory ([WithTraceDir]);
//   - -sim.strictreplay / WEFT_SIM_STRICTREPLAY: replay files exactly,
//     failing at the first decision that no longer fits;
//   - -sim.shrink / WEFT_SIM_SHRINK: time to spend shrinking a failure
//     (10s), or off.
//
// On a terminal, a long exploration redraws a progress line every few
// seconds (runs, runs per second, failures, time left) and erases it when
// done; nothing is drawn when standard error is not a terminal.
//
// The flags are defined only in test binaries of packages that import sim,
// so pass knobs to go test ./... through the environment variables
// (WEFT_SIM_SEEDS=1000 go test ./...). The replay command names the
// package by import path: it works from any directory of the module.
//
// The watchdog ([WithWatchdog]) reports a task that stays in one step for
// longer than its limit: every overrun by more than 1/64 of the limit (at
// least a millisecond), plus however late the OS runs the watchdog, is
// reported, even if the task moves on afterwards; a step within the limit
// never is.
//
// # Replay files
//
// Every decision of a run goes through one [DecisionSource]. When a seed
// fails, Test writes a [Replay] file — seed, strategy, options, every
// decision, the run's hash, the format version — under
// testdata/sim/<TestName>/ ([WithReplayDir]), and every later Test replays
// the files there before it explores (unless -sim.seed names the seeds to
// run): commit one and it is a regression test. Test replays a file as an
// input: its decisions drive the run while they fit the program, and where
// they no longer do (the program changed since) the run goes on
// deterministically — a recorded choice taken modulo the options offered,
// every decision past the recording's end the first option — so the file
// fails while its bug is there and passes once it is fixed; the log (go
// test -v) says whether the file ran exactly or where it diverged. With
// -sim.strictreplay, and for [Run] with [Replay.Options], a replay that
// leaves its recording fails with the first decision at which it diverged
// ([DivergenceError]). A malformed file, a field out of range, or a file
// recorded by another test is an error naming the line or the test
// ([ParseReplay]). A file's name holds the seed, the strategy and a digest
// of the other settings that shape a run, so runs with other settings keep
// files of their own.
//
// # Traces
//
// Beside the replay file of a failing seed, Test writes the run's trace:
// seed-N-STRATEGY-DIGEST.trace.json, Chrome trace-event JSON for ui.perfetto.dev
// or chrome://tracing ([Result.WriteTrace]), and seed-N-STRATEGY-DIGEST.html, a
// self-contained timeline ([Result.WriteTimeline]). Both show a track per
// task (named by runtime.SpawnNamed) grouped by netsim host, a slice per
// step, instants for parks, wake-ups, spawns, aborts, exits, timers,
// messages and log records, and arrows from spawns, wake-ups and messages
// to what they caused. Test keeps the last [TestTraceSize] events of each
// run for them; log records (package weftlog) and runtime.Note annotations
// are among them, stamped with the step and virtual time, and are listed
// in the failure report. They are not part of the hash.
//
// # Sometimes assertions
//
// runtime.Sometimes(ctx, cond, name) and runtime.Reachable(ctx, name) state
// that some run should get there (with cond true): a leader change, a
// retry. At the end of an exploration Test logs (go test -v) each named
// assertion with how many runs reached and hit it, and with
// [RequireSometimes] fails the test when one was never hit — a seed sweep
// that never took the path that matters says so.
//
// # Exhaustive exploration
//
// Under [Exhaustive](p) (-sim.strategy=exhaustive:P), Test runs every
// schedule with at most p preemptions instead of seeds — iterative context
// bounding: all schedules without a preemption, then with one, and so on —
// and logs "explored N schedules with at most p preemptions, complete", or
// fails with the first failing schedule (one with the fewest preemptions),
// its schedule step by step and its replay file. Schedules are numbered in
// the order explored, the same on every run, and -sim.seed=N with the
// strategy runs schedule N: the replay line works as for seeds.
//
// # Shrinking and fuzzing
//
// Test shrinks every failure a seed finds before it reports it: delta
// debugging of the run's decisions (dropping chunks of them, lowering them
// to 0) keeps each candidate that fails in the same way — the same error
// type and message shape — in fewer steps. The report says "shrunk from A
// to B steps", prints the shrunk schedule step by step, and the replay
// file written is the shrunk run's. -sim.shrink / WEFT_SIM_SHRINK bounds
// the time it takes ([DefaultShrinkTime]) or turns it off.
//
// [WithDecisions] lets another engine drive the decisions. Package
// sim/simrapid draws them from pgregory.net/rapid, whose shrinker reduces a
// failing schedule to a minimal one, printed step by step
// ([Result.Schedule]); [Fuzz] makes a go test -fuzz target whose bytes are
// the decisions ([Bytes], [RunBytes]). Application code takes its
// randomness and fault injection through runtime.Rand and runtime.Buggify,
// which are decisions too: seeded, replayed, shrunk.
package sim
