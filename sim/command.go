package sim

import (
	"fmt"
	"regexp"
	goruntime "runtime"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
)

// testID names a test for the commands that rerun it: its import path
// (empty when unknown) and its name.
type testID struct {
	pkg, name string
}

// ReplayCommand returns the go test command line that reruns the named test
// with one seed and strategy. It names the package of its caller (for a
// test, the test's package) by import path, so that the command works from
// any directory of the module, its root included.
func ReplayCommand(testName string, seed uint64, s Strategy) string {
	return testID{callerPackage(), testName}.replay(seed, s)
}

// command returns the go test command line that runs the test alone with
// the given flags.
func (id testID) command(flags string) string {
	parts := strings.Split(id.name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	pkg := ""
	if id.pkg != "" {
		pkg = id.pkg + " "
	}
	race := "" // a race found under -race shows under -race
	if kernel.RaceEnabled {
		race = "-race "
	}
	return fmt.Sprintf("go test %s%s-run '%s' %s", race, pkg, strings.Join(parts, "/"), flags)
}

// simPackage is this package's import path.
var simPackage = func() string {
	pc, _, _, _ := goruntime.Caller(0)
	return packageOf(goruntime.FuncForPC(pc).Name())
}()

// callerPackage returns the import path of the package of the first
// function on the calling goroutine's stack that belongs neither to this
// package nor to Go's runtime or testing: the test that called sim.Test.
// An external test package (x_test) counts as its package (x), which is
// what go test takes. It is "" if there is none.
func callerPackage() string {
	pcs := make([]uintptr, 32)
	frames := goruntime.CallersFrames(pcs[:goruntime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		switch pkg := packageOf(f.Function); pkg {
		case simPackage, "runtime", "testing", "":
		default:
			return strings.TrimSuffix(pkg, "_test")
		}
		if !more {
			return ""
		}
	}
}

// packageOf returns the import path in a function's full name, such as
// "example.com/a/b.(*T).M.func1" (example.com/a/b).
func packageOf(function string) string {
	slash := strings.LastIndexByte(function, '/')
	dot := strings.IndexByte(function[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return function[:slash+1+dot]
}

// replay returns the command that reruns the test with one seed and
// strategy.
func (id testID) replay(seed uint64, s Strategy) string {
	return id.command(fmt.Sprintf("-sim.seed=%d -sim.strategy=%v", seed, s))
}
