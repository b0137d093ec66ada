//go:build race

package sim_test

// underRace: a task stuck in time.Sleep or on time.After's channel resumes
// on its own, with no happens-before edge to the watchdog that reported it,
// so the race detector flags the abandoned simulation's bookkeeping.
const underRace = true
