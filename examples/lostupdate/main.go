// Command lostupdate is weft's demonstration: a bank account with a lost
// update that depends on the order of two tasks at one instant, found by
// exploring seeds, replayed exactly, and shown gone once the code is fixed.
//
// Three customers deposit into one shared account, guarded by a mutex. A
// racy deposit screens the amount against fraud rules, reads the balance
// under the lock, records the deposit in an audit log and writes the new
// balance back under the lock again. Screening and recording are
// scheduling points (here runtime.YieldNow; in a real service a network
// call), and so are the lock's operations, so another customer can run in
// between: when two deposits land at the same instant, one of them may
// overwrite the other. There is no data race (every access holds the
// lock), only an update lost between two critical sections.
// Whether it does depends only on the schedule, and under package sim the
// schedule is a function of the seed.
//
// Run it with
//
//	go run ./examples/lostupdate
//
// The output is the same on every run. The exit status is 0 when the
// demonstration went as expected: the bug is found, its seed replays with
// the same hash, and the fixed deposit passes every seed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// The workload: customer i deposits amount every periods[i], deposits times.
// The periods meet at some instants, and only there can two deposits
// interleave.
const (
	deposits = 4
	amount   = 10
)

var periods = []time.Duration{20 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond}

const (
	seeds       = 100 // explored by the demonstration
	traceEvents = 15  // of the failing run, printed
)

// Account is the shared state. Tasks share it, so mu guards it, in
// production (where they run in parallel) as in a simulation: the bug is
// not a data race but an interleaving between two critical sections.
type Account struct {
	mu      runtime.Mutex
	balance int
	audit   []int // deposits, in the order they were recorded
}

// A Deposit adds amount to a.
type Deposit func(ctx context.Context, a *Account, amount int) error

// depositRacy is the bug: check-then-act across two critical sections.
// If another deposit runs while this one records, the balance read before
// is stale, and writing it back loses that deposit.
func depositRacy(ctx context.Context, a *Account, amount int) error {
	if err := screen(ctx, amount); err != nil {
		return err
	}
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	balance := a.balance
	a.mu.Unlock()
	record(ctx)
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	a.audit = append(a.audit, amount)
	a.balance = balance + amount
	a.mu.Unlock()
	return nil
}

// depositFixed reads and writes the balance in one critical section, so
// no other deposit can come in between; it is correct in production too.
// (Holding the lock across the audit write would fix it as well.)
func depositFixed(ctx context.Context, a *Account, amount int) error {
	if err := screen(ctx, amount); err != nil {
		return err
	}
	record(ctx)
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	a.audit = append(a.audit, amount)
	a.balance += amount
	a.mu.Unlock()
	return nil
}

// screen checks a deposit against the fraud rules. Each rule consults a
// remote store; the yield after each stands for that round trip. Screening
// is not the bug, but like most real code it yields, which spreads the
// customers' steps over the schedule.
func screen(ctx context.Context, amount int) error {
	rules := []struct {
		name string
		ok   bool
	}{
		{"positive amount", amount > 0},
		{"under the reporting limit", amount < 10_000},
		{"not a round-number structuring pattern", amount%1_000 != 0},
	}
	for _, r := range rules {
		if !r.ok {
			return fmt.Errorf("deposit of $%d refused: %s", amount, r.name)
		}
		runtime.YieldNow(ctx)
	}
	return nil
}

// record stands for writing the deposit to a real audit log: while that
// I/O is in flight, other tasks run. The deposit enters the account's own
// audit trail, with the balance, once the record is written.
func record(ctx context.Context) {
	runtime.YieldNow(ctx)
}

// check is the invariant: the balance is the sum of the audited deposits.
// Both deposits keep it whenever the lock is free unless an update is
// lost.
func (a *Account) check(ctx context.Context) error {
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	defer a.mu.Unlock()
	want := 0
	for _, d := range a.audit {
		want += d
	}
	if a.balance != want {
		return &LostUpdateError{Want: want, Got: a.balance}
	}
	return nil
}

// LostUpdateError is the failure the root task returns when the invariant
// breaks.
type LostUpdateError struct {
	Want, Got int
}

func (e *LostUpdateError) Error() string {
	return fmt.Sprintf("lost update: $%d deposited, balance is $%d", e.Want, e.Got)
}

// bank is the program under test. The root task spawns one task per
// customer and joins them. A customer checks the invariant after each of its
// deposits and fails as soon as it breaks; the root returns the first
// failure, so the run stops right after the lost update.
func bank(deposit Deposit) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		start := clock.Now(ctx)
		acct := &Account{}
		var customers runtime.JoinSet[struct{}]
		for i, period := range periods {
			customers.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				for range deposits {
					if err := clock.Sleep(ctx, period); err != nil {
						return struct{}{}, err
					}
					if err := deposit(ctx, acct, amount); err != nil {
						return struct{}{}, err
					}
					if err := acct.check(ctx); err != nil {
						id, _ := runtime.CurrentTask(ctx)
						return struct{}{}, fmt.Errorf("customer %d (task %d) at +%v: %w", i+1, id, clock.Since(ctx, start), err)
					}
				}
				return struct{}{}, nil
			})
		}
		for customers.Len() > 0 {
			if _, err := customers.JoinNext(ctx); err != nil {
				return err
			}
		}
		return acct.check(ctx)
	}
}

// options are the simulation options of every run of the demonstration.
func options(seed uint64) []sim.Option {
	return []sim.Option{sim.WithSeed(seed), sim.WithStrategy(sim.Random()), sim.WithTrace(64)}
}

// Report is what the demonstration found.
type Report struct {
	Failing     sim.Result       // the first failing run
	Lost        *LostUpdateError // its failure
	Replays     [2]sim.Result    // the failing seed, run twice more
	FixedPassed int              // seeds the fixed deposit passed
}

// Demonstrate explores seeds 1..n with the racy deposit, stops at the first
// failing seed and describes it, replays that seed twice, then runs the
// fixed deposit on the same seeds. It writes its narrative to w and returns
// an error if anything did not go as the demonstration expects.
func Demonstrate(w io.Writer, n int) (Report, error) {
	var r Report
	fmt.Fprintf(w, "weft demonstration: a lost update in a bank account\n")
	fmt.Fprintf(w, "%d customers (tasks 2-%d; task 1 is the root) deposit $%d every %v, %d times each\n",
		len(periods), len(periods)+1, amount, periods, deposits)
	fmt.Fprintf(w, "a deposit screens the amount (3 yields), reads the balance under the lock, records it (1 yield),\n")
	fmt.Fprintf(w, "then writes it back under the lock again\n\n")

	fmt.Fprintf(w, "1. Exploring seeds 1..%d with the racy deposit (strategy random)\n", n)
	found := false
	for seed := uint64(1); seed <= uint64(n); seed++ {
		res := sim.Run(bank(depositRacy), options(seed)...)
		if res.Err == nil {
			continue
		}
		if !errors.As(res.Err, &r.Lost) {
			return r, fmt.Errorf("seed %d failed, but not with a lost update: %w", seed, res.Err)
		}
		r.Failing, found = res, true
		break
	}
	if !found {
		return r, fmt.Errorf("no seed of 1..%d lost an update; the demonstration expects one to", n)
	}
	f := r.Failing
	if f.Seed == 2 {
		fmt.Fprintf(w, "   seed 1 passed; seed 2 failed\n")
	} else if f.Seed > 2 {
		fmt.Fprintf(w, "   seeds 1..%d passed; seed %d failed\n", f.Seed-1, f.Seed)
	} else {
		fmt.Fprintf(w, "   seed 1 failed\n")
	}
	fmt.Fprintf(w, "   failure:  %v\n", f.Err)
	fmt.Fprintf(w, "   expected: balance $%d\n", r.Lost.Want)
	fmt.Fprintf(w, "   got:      balance $%d\n", r.Lost.Got)
	fmt.Fprintf(w, "   run:      %d scheduling steps, %d tasks, virtual time +%v\n", f.Steps, f.Tasks, f.Elapsed)
	ev, shutdown := untilRootExit(f.Events)
	if len(ev) > traceEvents {
		ev = ev[len(ev)-traceEvents:]
	}
	fmt.Fprintf(w, "   last %d events until the root returned (a yield is a fraud rule, the audit write,\n", len(ev))
	fmt.Fprintf(w, "   or a scheduling point of the lock; the balance is read in the critical section\n")
	fmt.Fprintf(w, "   before the audit write and written back in the one after it):\n")
	for _, e := range ev {
		fmt.Fprintf(w, "     %v\n", e)
	}
	if shutdown > 0 {
		fmt.Fprintf(w, "     ... then %d events of the shutdown that dropped the other customers\n", shutdown)
	}

	fmt.Fprintf(w, "\n2. Replaying seed %d twice\n", f.Seed)
	for i := range r.Replays {
		res := sim.Run(bank(depositRacy), options(f.Seed)...)
		r.Replays[i] = res
		fmt.Fprintf(w, "   replay %d: hash %#016x, %d steps, +%v: %v\n", i+1, res.Hash, res.Steps, res.Elapsed, res.Err)
	}
	for _, res := range r.Replays {
		if res.Hash != f.Hash || res.Steps != f.Steps || res.Elapsed != f.Elapsed || fmt.Sprint(res.Err) != fmt.Sprint(f.Err) {
			return r, fmt.Errorf("a replay of seed %d differs from the failing run (hash %#016x, want %#016x)", f.Seed, res.Hash, f.Hash)
		}
	}
	fmt.Fprintf(w, "   both identical to the failing run (hash %#016x): same seed, same run\n", f.Hash)

	fmt.Fprintf(w, "\n3. Exploring seeds 1..%d with the fixed deposit (read and write in one critical section)\n", n)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		res := sim.Run(bank(depositFixed), options(seed)...)
		if res.Err != nil {
			return r, fmt.Errorf("the fixed deposit failed with seed %d: %w", seed, res.Err)
		}
		r.FixedPassed++
	}
	fmt.Fprintf(w, "   all %d seeds passed\n", r.FixedPassed)
	return r, nil
}

// untilRootExit cuts events after the root task's exit, which is where the
// run failed; what follows is the shutdown that drops the tasks left (S16).
// It returns the events kept and how many were cut.
func untilRootExit(events []sim.Event) ([]sim.Event, int) {
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Kind == sim.EvExit && e.Task == rootTask {
			return events[:i+1], len(events) - i - 1
		}
	}
	return events, 0
}

// rootTask is the ID of the task that runs the function given to sim.Run:
// the first task of the run (S19).
const rootTask = 1

func main() {
	if _, err := Demonstrate(os.Stdout, seeds); err != nil {
		fmt.Fprintf(os.Stderr, "lostupdate: the demonstration did not go as expected: %v\n", err)
		os.Exit(1)
	}
}
