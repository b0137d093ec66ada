package sim

import (
	"fmt"
	"math/bits"
	"time"
	"unsafe"

	"github.com/weftsim/weft/runtime"
)

// EventKind names what happened at a point of a run.
type EventKind uint8

const (
	EvSpawn   EventKind = iota + 1 // a task was spawned (Other: the spawner)
	EvRun                          // the scheduler chose a task to run
	EvPark                         // a task parked (Op: on what)
	EvWake                         // a parked task was made runnable (Other: by whom)
	EvCancel                       // a parked task's ctx ended (S20)
	EvYield                        // a task yielded (YieldNow)
	EvAbort                        // a task was aborted or dropped by shutdown
	EvExit                         // a task ended (Op: how)
	EvAdvance                      // virtual time moved forward
	EvTimer                        // a timer fired
	EvNote                         // a subsystem's event (Op: what), e.g. a message
	EvLog                          // a log record or runtime.Note (Op: its text); not hashed
)

var kindNames = [...]string{"", "spawn", "run", "park", "wake", "cancel", "yield", "abort", "exit", "advance", "timer", "net", "log"}

//go:norace
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one entry of a run's event log.
type Event struct {
	Step uint64        // scheduling steps taken so far
	At   time.Duration // virtual time since the start of the run
	Kind EventKind
	// Delivered tells a message's delivery from its send (Msg).
	Delivered bool
	Task      runtime.TaskID
	Other     runtime.TaskID // the spawner, the waker, the task waited for
	Op        string         // what a park waits on, how a task ended, a spawned task's name, a note's text
	PC        uintptr        // for a spawn: the task's function; for a park: the wait's call site (WithWaitSites)
	Host      string         // for a spawn: the task's host (netsim); for a message: where it happens
	// Msg is the id of a netsim message, shared by the event of its send
	// and that of its delivery (Delivered); 0 for other events.
	Msg uint64
}

//go:norace
func (ev Event) String() string {
	s := fmt.Sprintf("step %d @%v", ev.Step, ev.At)
	if ev.Task != 0 {
		s += fmt.Sprintf(" task %d", ev.Task)
	}
	s += " " + ev.Kind.String()
	if ev.Op != "" {
		s += " " + ev.Op
	}
	if ev.Kind == EvSpawn && ev.Host != "" {
		s += " on " + ev.Host
	}
	if ev.Kind == EvPark && ev.PC != 0 {
		s += " at " + shortLocation(ev.PC)
	}
	if ev.Other != 0 {
		switch ev.Kind {
		case EvSpawn:
			s += fmt.Sprintf(" by task %d", ev.Other)
			if ev.PC != 0 {
				s += " at " + shortLocation(ev.PC)
			}
		case EvWake:
			s += fmt.Sprintf(" by task %d", ev.Other)
		default:
			s += fmt.Sprintf(" (task %d)", ev.Other)
		}
	}
	return s
}

// trace keeps the running hash of every event and the last events in a
// ring, which grows as events come up to its largest size.
type trace struct {
	hash    uint64
	ring    []Event
	next    int
	n       uint64 // events hashed in all
	max     int    // the ring's largest size
	wrapped bool   // the ring is full and has begun to go round
	ops     [4]opHash
}

// opHash caches the hash of an operation's name: the names are a few
// constants, hashed at every park. An entry keys on the string's bytes
// (address and length), which it keeps alive, so no other string can take
// that address while the entry stands.
type opHash struct {
	ptr *byte
	n   int
	h   uint64
}

// fill makes c the cache entry of op.
//
//go:norace
func (c *opHash) fill(op string) {
	*c = opHash{unsafe.StringData(op), len(op), stringHash(op)}
}

const hashSeed = 0x6a09e667f3bcc908

//go:norace
func newTrace(size int) trace {
	return trace{hash: hashSeed, ring: make([]Event, min(size, DefaultTraceSize)), max: size}
}

//go:norace
func (tr *trace) add(ev Event) {
	tr.digest(ev.Kind, ev.Task, ev.Other, ev.At, ev.Op)
	if len(tr.ring) > 0 {
		*tr.slot() = ev
	}
}

// digest folds an event into the running hash: its kind, task, other
// task, time and operation (what a park waits on, how a task ended, a
// note's text). The run's decisions are folded in too, as they are drawn
// (decider.fold), so two runs with one hash took the same decisions and
// met the same events.
//
//go:norace
func (tr *trace) digest(k EventKind, task, other runtime.TaskID, at time.Duration, op string) {
	v := uint64(k) | uint64(task)<<8
	if op != "" { // stringHash(op), from the cache when it can (inline: a call was a tenth of an event's hashing)
		p := unsafe.StringData(op)
		c := &tr.ops[uintptr(unsafe.Pointer(p))>>4&3]
		if c.ptr != p || c.n != len(op) {
			c.fill(op)
		}
		v ^= c.h
	}
	v ^= uint64(other)*0xff51afd7ed558ccd ^ uint64(at)*0xc4ceb9fe1a85ec53
	tr.hash = mix(tr.hash, v)
	tr.n++
}

// hash is the run's hash: the trace's, with the decisions' digest.
//
//go:norace
func (e *executor) hash() uint64 { return mix(e.trace.hash, e.dec.digest) }

// slot returns the ring's next place, to be written over. The hot path
// fills it field by field: building an Event and copying it in stalls on
// the copy (its small stores read back as wider loads).
//
//go:norace
func (tr *trace) slot() *Event {
	if tr.next == len(tr.ring) {
		if len(tr.ring) < tr.max {
			tr.ring = append(tr.ring, Event{})
		} else {
			tr.next, tr.wrapped = 0, true
		}
	}
	ev := &tr.ring[tr.next]
	tr.next++
	return ev
}

// stringHash digests s eight bytes at a time: operation names are short
// constants, hashed at every park.
//
//go:norace
func stringHash(s string) uint64 {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	if len(s) < 8 {
		var v uint64
		for i := range len(s) {
			v |= uint64(s[i]) << (8 * i)
		}
		return mix(h, v)
	}
	for i := 0; i < len(s)-8; i += 8 {
		h = mix(h, le64(s[i:]))
	}
	return mix(h, le64(s[len(s)-8:])) // the last eight bytes, overlapping
}

// le64 reads s's first eight bytes, little-endian (one load on most
// machines).
//
//go:norace
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

//go:norace
func mix(h, v uint64) uint64 {
	h ^= v * 0x9e3779b97f4a7c15
	h = bits.RotateLeft64(h, 31)
	return h * 0xbf58476d1ce4e5b9
}

// events returns the ring's content, oldest first.
//
//go:norace
func (tr *trace) events() []Event {
	if !tr.wrapped { // the run is over: its ring is the Result's
		return tr.ring[:tr.next:tr.next]
	}
	out := make([]Event, 0, len(tr.ring))
	out = append(out, tr.ring[tr.next:]...)
	return append(out, tr.ring[:tr.next]...)
}
