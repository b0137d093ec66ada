package runtime

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"io"

	"github.com/weftsim/weft/internal/kernel"
)

// RandReader returns an io.Reader of random bytes for libraries that take
// one (key generation, UUIDs, nonces, jitter). In a simulation the bytes
// come from the run's decisions, as Rand's draws do: the same seed gives
// the same bytes, other seeds other bytes, and replay files keep them. In
// production it is crypto/rand.Reader.
//
// A simulated RandReader is not cryptographically secure, and belongs to
// one simulation: use it from that simulation's tasks. Reads never fail.
//
// For a library that reads crypto/rand.Reader (or calls crypto/rand.Read)
// itself, set crypto/rand.Reader to a RandReader for the length of each
// simulated run and put it back afterwards; see the package
// documentation's section on randomness.
func RandReader(ctx context.Context) io.Reader {
	ex := executor(ctx)
	if !ex.Virtual() {
		return crand.Reader
	}
	return &randReader{ex: ex}
}

// randReader hands out the bytes of the executor's 64-bit draws, in order.
type randReader struct {
	ex   kernel.Executor
	buf  [8]byte
	left int // unread bytes at the end of buf
}

func (r *randReader) Read(p []byte) (int, error) {
	for i := range p {
		if r.left == 0 {
			binary.LittleEndian.PutUint64(r.buf[:], r.ex.RandUint64())
			r.left = len(r.buf)
		}
		p[i] = r.buf[len(r.buf)-r.left]
		r.left--
	}
	return len(p), nil
}
