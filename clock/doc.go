// Package clock is weft's time API. Code calls it with the context it was
// given; the context decides whose time it is (SPEC §5).
//
// # Production
//
// With a production runtime (or a context that carries no runtime) the
// functions use the wall clock.
//
// # Simulation
//
// Under package sim time is virtual: it starts at Epoch (S7), it moves only
// when no task can run, straight to the next deadline (S4), and a sleeper
// wakes at exactly its deadline (S40). Hours of timer-driven behaviour take
// milliseconds of wall time. Timers due at the same instant wake in an order
// chosen by the seed (S6).
//
// The standard library's context.WithTimeout, time.Sleep and time.After read
// the wall clock: simulated code must not use them. A task blocked in
// time.Sleep is invisible to the scheduler and is reported by the
// simulation's watchdog.
package clock
