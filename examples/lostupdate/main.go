// Command lostupdate is weft's demonstration: a bank account with a lost
// update that ordinary tests almost never see, found by exploring seeds,
// replayed exactly, and shown gone once the code is fixed.
//
// Three customers deposit into one shared account. A deposit reads the
// balance, records the deposit in an audit log, and writes the new balance
// back. Recording is a yield point (here runtime.YieldNow; in a real service
// a channel send, a lock or a network write), so another customer can run in
// between: when two deposits land at the same instant, one of them may
// overwrite the other. Whether it does depends only on the schedule, and
// under package sim the schedule is a function of the seed.
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

// The workload. Customer i deposits every period[i]; the periods meet at
// some instants, and only there can two deposits interleave.
const (
	deposits = 4  // per customer
	amount   = 10 // per deposit
)

var periods = []time.Duration{20 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond}

// seeds is how many seeds the demonstration explores.
const seeds = 100

// traceEvents is how many of the last events the report prints.
const traceEvents = 15

// Account is the shared state. Tasks of a simulation run one at a time, so
// plain fields are safe there; the bug is not a data race but an
// interleaving at a yield point.
type Account struct {
	balance int
	audit   []int // deposits, in the order they were recorded
}

// A Deposit adds amount to a.
type Deposit func(ctx context.Context, a *Account, amount int)

// depositRacy is the bug: check-then-act across a yield point. The balance
// read before the audit write is stale if another deposit ran meanwhile,
// and writing it back loses that deposit.
func depositRacy(ctx context.Context, a *Account, amount int) {
	balance := a.balance
	a.record(ctx, amount)
	a.balance = balance + amount
}

// depositFixed reads and writes the balance with no yield point in between,
// so no other task can run there. (Holding a lock across the audit write
// would fix it as well: the read and the write would form one critical
// section.)
func depositFixed(ctx context.Context, a *Account, amount int) {
	a.record(ctx, amount)
	a.balance += amount
}

// record appends to the audit log. The yield stands for the I/O of a real
// audit log: while it is in flight, other tasks run.
func (a *Account) record(ctx context.Context, amount int) {
	runtime.YieldNow(ctx)
	a.audit = append(a.audit, amount)
}

// check is the invariant: the balance is the sum of the audited deposits.
// Both deposits keep it at every yield point unless an update is lost.
func (a *Account) check() error {
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
// customer and joins them; a customer checks the invariant after each of its
// deposits and fails as soon as it breaks, and the root returns the first
// failure, so the run stops right after the lost update.
func bank(deposit Deposit) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		acct := &Account{}
		var customers runtime.JoinSet[struct{}]
		for i, period := range periods {
			customers.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				for range deposits {
					if err := clock.Sleep(ctx, period); err != nil {
						return struct{}{}, err
					}
					deposit(ctx, acct, amount)
					if err := acct.check(); err != nil {
						return struct{}{}, fmt.Errorf("customer %d at %v: %w", i+1, clock.Now(ctx).Format(time.TimeOnly+".000"), err)
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
		return acct.check()
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
	fmt.Fprintf(w, "%d customers deposit $%d %d times each, every %v; strategy random\n\n",
		len(periods), amount, deposits, periods)

	fmt.Fprintf(w, "1. Exploring seeds 1..%d with the racy deposit (read, audit, write back)\n", n)
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
	fmt.Fprintf(w, "   seeds 1..%d passed; seed %d failed\n", f.Seed-1, f.Seed)
	fmt.Fprintf(w, "   failure: %v\n", f.Err)
	fmt.Fprintf(w, "   expected balance $%d, got $%d\n", r.Lost.Want, r.Lost.Got)
	fmt.Fprintf(w, "   %d scheduling steps, %d tasks, virtual time +%v\n", f.Steps, f.Tasks, f.Elapsed)
	ev := f.Events
	if len(ev) > traceEvents {
		ev = ev[len(ev)-traceEvents:]
	}
	fmt.Fprintf(w, "   last %d events:\n", len(ev))
	for _, e := range ev {
		fmt.Fprintf(w, "     %v\n", e)
	}

	fmt.Fprintf(w, "\n2. Replaying seed %d twice\n", f.Seed)
	for i := range r.Replays {
		res := sim.Run(bank(depositRacy), options(f.Seed)...)
		r.Replays[i] = res
		fmt.Fprintf(w, "   replay %d: hash %#016x, %d steps, +%v, failure: %v\n", i+1, res.Hash, res.Steps, res.Elapsed, res.Err)
	}
	for _, res := range r.Replays {
		if res.Hash != f.Hash || res.Steps != f.Steps || res.Elapsed != f.Elapsed || fmt.Sprint(res.Err) != fmt.Sprint(f.Err) {
			return r, fmt.Errorf("replay of seed %d differs from the failing run: hash %#016x vs %#016x", f.Seed, res.Hash, f.Hash)
		}
	}
	fmt.Fprintf(w, "   identical to the failing run (hash %#016x): same seed, same run\n", f.Hash)

	fmt.Fprintf(w, "\n3. Exploring seeds 1..%d with the fixed deposit (no yield point between read and write)\n", n)
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

func main() {
	if _, err := Demonstrate(os.Stdout, seeds); err != nil {
		fmt.Fprintf(os.Stderr, "lostupdate: the demonstration did not go as expected: %v\n", err)
		os.Exit(1)
	}
}
