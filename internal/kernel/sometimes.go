package kernel

// Asserter is implemented by an executor that records "sometimes"
// assertions (a simulation's): runtime.Sometimes reports each evaluation
// to it. Production executors do not, and the assertions cost nothing
// there.
type Asserter interface {
	Sometimes(name string, hit bool)
}
