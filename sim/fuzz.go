package sim

import (
	"context"
	"encoding/binary"
	"testing"
)

// Bytes is a DecisionSource that reads decisions from a byte string, as a
// coverage-guided fuzzer produces them: each choice takes two bytes, each
// raw draw eight; once the bytes run out every decision is 0 (the first
// option). Equal bytes give equal runs.
type Bytes struct {
	Data []byte
	pos  int
}

func (b *Bytes) take(n int) []byte {
	if b.pos >= len(b.Data) {
		return nil
	}
	end := min(b.pos+n, len(b.Data))
	p := b.Data[b.pos:end]
	b.pos = end
	return p
}

// IntN implements DecisionSource.
func (b *Bytes) IntN(n int) int {
	var buf [2]byte
	copy(buf[:], b.take(2))
	return int(binary.LittleEndian.Uint16(buf[:])) % n
}

// Uint64 implements DecisionSource.
func (b *Bytes) Uint64() uint64 {
	var buf [8]byte
	copy(buf[:], b.take(8))
	return binary.LittleEndian.Uint64(buf[:])
}

// RunBytes runs f with its decisions read from data (see Bytes).
func RunBytes(data []byte, f func(ctx context.Context) error, opts ...Option) Result {
	opts = append(opts[:len(opts):len(opts)], WithDecisions(&Bytes{Data: data}), WithTrace(4096))
	return Run(f, opts...)
}

// Fuzz makes a fuzz target of f: go test -fuzz drives the scheduling
// decisions with its bytes, guided by coverage, and a failing run fails
// the target with the schedule that led to it. Crashers land in Go's own
// testdata/fuzz corpus and replay with plain go test.
//
//	func FuzzTransfer(f *testing.F) { sim.Fuzz(f, transfer) }
func Fuzz(f *testing.F, body func(ctx context.Context) error, opts ...Option) {
	f.Helper()
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		res := RunBytes(data, body, opts...)
		if res.Err != nil {
			t.Fatalf("%v\nschedule (%d steps):\n%s", res.Err, res.Steps, res.Schedule())
		}
	})
}
