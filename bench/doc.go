// Package bench holds the reference workloads of docs/CONTRACT.md §7 as benchmarks,
// each run on the simulated executor, the production executor, plain
// goroutines and a testing/synctest bubble, side by side:
//
//	go test ./bench -run '^$' -bench . -count=5
//
// See PERFORMANCE.md at the repository root for the latest numbers and what
// limits each of them. The package has no API.
package bench
