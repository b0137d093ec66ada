package lincheck

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Check reports whether the history is linearizable with respect to model:
// nil if it is, an *Error naming the operations that cannot be linearized
// if not. The model follows porcupine's rules (a pure Step; Partition, if
// given, deterministic); its Step sees Unknown as the output of operations
// that never returned. Check waits for no task and may be called from a
// task (ctx is for the history's lock) once the operations of interest
// have returned; it takes as long as porcupine needs, without a timeout.
func (h *History) Check(ctx context.Context, model porcupine.Model) error {
	ops := h.operations(ctx)
	model.DescribeOperationMetadata = describeRecord
	res, info := porcupine.CheckOperationsVerbose(model, ops, 0)
	if res == porcupine.Ok {
		return nil
	}
	e := &Error{model: model, info: info, Total: len(ops)}
	partitions := [][]porcupine.Operation{ops}
	if model.Partition != nil {
		partitions = model.Partition(ops)
	}
	partials := info.PartialLinearizationsOperations()
	for p, part := range partitions {
		if p < len(partials) && e.explain(model, part, partials[p]) {
			break
		}
	}
	return e
}

// Error reports a history that is not linearizable.
type Error struct {
	// Total is how many operations the history holds.
	Total int
	// Linearized are the operations of the longest linearization found in
	// the first partition that has none (for a partitioned model, the
	// partition of a key, say), in linearization order.
	Linearized []Operation
	// State describes the model's state after Linearized (DescribeState).
	State string
	// Stuck are the operations that could come next after Linearized, in
	// real-time order, and that the model rejects there: the operations
	// that cannot be linearized.
	Stuck []Operation
	// HTML is the path of porcupine's visualisation, once SaveHTML wrote
	// it.
	HTML string

	model porcupine.Model
	info  porcupine.LinearizationInfo
}

// Operation describes one recorded operation.
type Operation struct {
	Index       int    // in the order of calls, from 0
	Client      int    // the client that called it
	Description string // the model's DescribeOperation of input and output
	Call        string // the virtual time of the call, since the clock's epoch
	Return      string // of the return, or "never" for a pending operation
}

func (o Operation) String() string {
	return fmt.Sprintf("#%d client %d: %s (called %s, returned %s)", o.Index, o.Client, o.Description, o.Call, o.Return)
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lincheck: the history of %d operations is not linearizable", e.Total)
	if len(e.Stuck) > 0 {
		fmt.Fprintf(&b, "; after a linearization of %d operations, none of these can take effect:", len(e.Linearized))
		for _, o := range e.Stuck {
			fmt.Fprintf(&b, "\n\t%v", o)
		}
		if len(e.Linearized) > 0 {
			fmt.Fprintf(&b, "\nthe linearization ends with:\n\t%v", e.Linearized[len(e.Linearized)-1])
		}
		fmt.Fprintf(&b, "\nthe state there: %s", e.State)
	}
	if e.HTML != "" {
		fmt.Fprintf(&b, "\nvisualisation: %s", e.HTML)
	}
	return b.String()
}

// WriteHTML writes porcupine's visualisation of the history: every
// operation on a timeline per client, and the longest linearizations
// found.
func (e *Error) WriteHTML(w io.Writer) error { return porcupine.Visualize(e.model, e.info, w) }

// SaveHTML writes the visualisation to the file path (creating its
// directory) and records the path in e.HTML, for Error to name.
func (e *Error) SaveHTML(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := porcupine.VisualizePath(e.model, e.info, path); err != nil {
		return err
	}
	e.HTML = path
	return nil
}

// explain fills in Linearized and Stuck from a partition that has no
// complete linearization, and reports whether it had none.
func (e *Error) explain(model porcupine.Model, part []porcupine.Operation, partials [][]porcupine.Operation) bool {
	var best []porcupine.Operation
	for _, l := range partials { // porcupine's order is a map's: choose deterministically
		if len(l) > len(best) || len(l) == len(best) && slices.CompareFunc(l, best, byIndex) < 0 {
			best = l
		}
	}
	if len(best) == len(part) {
		return false
	}
	state := model.Init()
	done := map[int]bool{} // looked up, never iterated
	for _, op := range best {
		_, state = model.Step(state, op.Input, op.Output)
		done[op.Metadata.(*record).index] = true
		e.Linearized = append(e.Linearized, describe(model, op))
	}
	e.State = fmt.Sprintf("%v", state)
	if model.DescribeState != nil {
		e.State = model.DescribeState(state)
	}
	var rest []porcupine.Operation
	horizon := int64(math.MaxInt64)
	for _, op := range part {
		if !done[op.Metadata.(*record).index] {
			rest = append(rest, op)
			horizon = min(horizon, op.Return)
		}
	}
	var next []porcupine.Operation // could be linearized next, in real time
	for _, op := range rest {
		if op.Call <= horizon {
			next = append(next, op)
		}
	}
	stuck := slices.DeleteFunc(slices.Clone(next), func(op porcupine.Operation) bool {
		ok, _ := model.Step(state, op.Input, op.Output)
		return ok
	})
	if len(stuck) == 0 { // porcupine stopped elsewhere: name every candidate
		stuck = next
	}
	for _, op := range stuck {
		e.Stuck = append(e.Stuck, describe(model, op))
	}
	return true
}

func byIndex(a, b porcupine.Operation) int {
	return a.Metadata.(*record).index - b.Metadata.(*record).index
}

func describe(model porcupine.Model, op porcupine.Operation) Operation {
	r := op.Metadata.(*record)
	d := fmt.Sprintf("%v -> %v", op.Input, op.Output)
	if model.DescribeOperation != nil {
		d = model.DescribeOperation(op.Input, op.Output)
	}
	o := Operation{Index: r.index, Client: r.client, Description: d, Call: since(r.callAt), Return: "never"}
	if r.returned {
		o.Return = since(r.retAt)
	}
	return o
}

func describeRecord(meta any) string {
	r := meta.(*record)
	if !r.returned {
		return fmt.Sprintf("#%d, called %s, never returned", r.index, since(r.callAt))
	}
	return fmt.Sprintf("#%d, called %s, returned %s", r.index, since(r.callAt), since(r.retAt))
}

// since formats a time of the history: "+1.5s" after its first call.
func since(d time.Duration) string { return "+" + d.String() }
