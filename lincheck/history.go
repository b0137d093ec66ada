package lincheck

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// History records the operations clients invoke on a system under test
// and what each returned. Any number of tasks may record into one History
// at once; its zero value is ready to use. Recording is a scheduling point
// in a simulation (it takes a runtime.Mutex).
type History struct {
	mu    runtime.Mutex
	ops   []*record
	next  int64     // the order of calls and returns, as they happened
	start time.Time // of the first call: times are reported from there
}

// record is one operation: its call and, once it returned, its outcome.
type record struct {
	index         int
	client        int
	input, output any
	call, ret     int64         // positions in the order of events
	callAt, retAt time.Duration // when, since the first call (ctx's clock)
	returned      bool
}

// Op is an operation in flight, as returned by History.Call.
type Op struct {
	h *History
	r *record
}

// Unknown is the output of an operation that never returned (its client
// timed out, crashed or was dropped): the operation may have taken effect
// at any time after its call, or never. A model's Step sees it as the
// output of such an operation and must accept it when the input alone
// allows the step (a read whose result nobody saw changes nothing; a write
// of unknown outcome may have happened).
var Unknown unknown

type unknown struct{}

func (unknown) String() string { return "?" }

// Call records that client (numbered from 0, one sequence of operations
// each) invokes an operation with input, now, and returns the operation
// whose Return records its outcome. Record the call before the operation
// starts and the return after it ends: the real-time order of the
// history is the order in which calls and returns are recorded.
func (h *History) Call(ctx context.Context, client int, input any) *Op {
	if client < 0 {
		panic(fmt.Sprintf("lincheck: Call by client %d; number clients from 0", client))
	}
	h.lock(ctx)
	defer h.mu.Unlock()
	now := clock.Now(ctx)
	if len(h.ops) == 0 {
		h.start = now
	}
	r := &record{index: len(h.ops), client: client, input: input, call: h.tick(), callAt: now.Sub(h.start)}
	h.ops = append(h.ops, r)
	return &Op{h: h, r: r}
}

// Return records that the operation returned output, now. An operation
// that never returns (its outcome is unknown) stays pending: Check gives
// it the output Unknown and lets it take effect at any time after its call.
func (o *Op) Return(ctx context.Context, output any) {
	o.h.lock(ctx)
	defer o.h.mu.Unlock()
	if o.r.returned {
		panic(fmt.Sprintf("lincheck: operation %d returned twice; call Return once per Call", o.r.index))
	}
	o.r.output, o.r.ret, o.r.retAt, o.r.returned = output, o.h.tick(), clock.Now(ctx).Sub(o.h.start), true
}

// Len returns how many operations were called.
func (h *History) Len(ctx context.Context) int {
	h.lock(ctx)
	defer h.mu.Unlock()
	return len(h.ops)
}

// lock takes h.mu even if ctx has ended: an operation's outcome is
// recorded whatever its context did.
func (h *History) lock(ctx context.Context) {
	if err := h.mu.Lock(context.WithoutCancel(ctx)); err != nil {
		panic("lincheck: History lock failed: " + err.Error())
	}
}

func (h *History) tick() int64 {
	h.next++
	return h.next
}

// operations returns the history in porcupine's form: pending operations
// return after everything else, with output Unknown. Metadata holds the
// record.
func (h *History) operations(ctx context.Context) []porcupine.Operation {
	h.lock(ctx)
	defer h.mu.Unlock()
	out := make([]porcupine.Operation, len(h.ops))
	for i, r := range h.ops {
		op := porcupine.Operation{ClientId: r.client, Input: r.input, Call: r.call, Output: r.output, Return: r.ret, Metadata: r}
		if !r.returned {
			op.Output, op.Return = Unknown, math.MaxInt64
		}
		out[i] = op
	}
	return out
}
