// Command weftvet reports what escapes a weft simulation: in packages that
// import weft's runtime, clock or netsim, each go statement, wall-clock
// call (time.Now, Sleep, After, ...; context.WithTimeout and
// WithDeadline), draw from a global random source (math/rand,
// math/rand/v2, crypto/rand.Read), native channel operation and
// sync.Mutex, RWMutex, WaitGroup or Cond, with the weft call to use
// instead. Where the rewrite is mechanical (time.Now() to clock.Now(ctx)
// with a ctx in scope, context.WithTimeout to clock.WithTimeout) it
// suggests a fix, which -fix applies.
//
// Run it on packages:
//
//	go run github.com/weftsim/weft/cmd/weftvet ./...
//
// or as a vet tool:
//
//	go build -o weftvet github.com/weftsim/weft/cmd/weftvet
//	go vet -vettool=$PWD/weftvet ./...
//
// A deliberate use is kept with a comment that says why, on its line or
// the line above:
//
//	//weftvet:ignore the harness measures wall time, outside the simulation
//	start := time.Now()
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/weftsim/weft/analysis/weftvet"
)

func main() { singlechecker.Main(weftvet.Analyzer) }
