// Package clock is weft's time API. Code calls it with the context it was
// given; the context decides whose time it is (docs/CONTRACT.md §5).
//
// # Functions
//
//   - [Now], [Since], [Until]: the current time;
//   - [Sleep], [SleepUntil]: pause the calling task (a yield point);
//   - [NewTimer]: a one-shot timer that any number of tasks can Wait for,
//     with Stop and Reset;
//   - [NewTicker]: a periodic ticker, with a [MissedTick] behaviour for a
//     consumer that falls behind ([Burst] by default, [Delay], [Skip]);
//   - [OnTimer], [OnTick]: a timer or a ticker as a case of runtime.Select,
//     next to channel operations (a tick goes to the case only if it wins);
//   - [WithDeadline], [WithTimeout]: contexts that expire on this clock;
//     [Timeout] runs a function under one.
//
// Every wait returns ctx.Err() if its context ends first, and is a
// cancellation point where an aborted task is dropped.
//
// # Production
//
// With a production runtime, or a context that carries no runtime, time is
// the wall clock: timers are the runtime's timers (no polling loop), and
// WithDeadline is context.WithDeadline.
//
// # Simulation
//
// Under package sim time is virtual and belongs to one simulation: it starts
// at [Epoch] (S7), it moves only when no task can run, straight to the next
// deadline (S4), and a sleeper wakes at exactly its deadline (S40). Hours of
// timer-driven behaviour take milliseconds of wall time. Timers due at the
// same instant fire in an order chosen by the seed (S6). A stopped timer,
// an aborted sleep and a cancelled deadline context leave no timer behind.
//
// A deadline context expires in virtual time (S41): its Err and
// context.Cause report context.DeadlineExceeded. A context derived from it
// with the standard library is cancelled at the same step; its Err reports
// context.Canceled and its Cause context.DeadlineExceeded.
//
// The standard library's context.WithTimeout, time.Sleep, time.After and
// time.Now read the wall clock: simulated code must not use them. A task
// blocked in time.Sleep is invisible to the scheduler and is reported by the
// simulation's watchdog.
package clock
