// Package simrapid bridges package sim and pgregory.net/rapid: rapid draws
// every scheduling decision (and every decision application code takes
// through runtime.Rand and runtime.Buggify), so rapid's shrinker reduces a
// failing schedule to a minimal one, which Check prints step by step.
//
//	func TestTransfer(t *testing.T) {
//		rapid.Check(t, func(t *rapid.T) {
//			simrapid.Check(t, func(ctx context.Context) error { ... })
//		})
//	}
//
// It lives apart from sim so that sim itself does not depend on rapid.
package simrapid
