// Package properties is the executable form of weft's contract (docs/CONTRACT.md §2–§5):
// property tests, driven by pgregory.net/rapid, over generated task programs
// (trees of tasks that spawn, yield, sleep, lock, send, receive, join,
// abort, panic and return), random strategies, seeds and shutdown points,
// plus a table of conformance cases. It has no API; run it with
//
//	go test ./properties/                      (rapid's default 100 checks)
//	go test ./properties/ -rapid.checks=10000  (a longer search)
//
// Each property is named after the clause it checks. To see that the suite
// catches a broken executor, build it with the weftbroken tag and choose a
// defect:
//
//	WEFT_BROKEN=spawn-inline      go test -tags weftbroken ./properties/ -run S10
//	WEFT_BROKEN=no-shutdown-drop  go test -tags weftbroken ./properties/ -run S16
//	WEFT_BROKEN=nondeterministic  go test -tags weftbroken ./properties/ -run Determinism
package properties
