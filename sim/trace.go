package sim

import (
	"fmt"
	"math/bits"
	"time"

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
)

var kindNames = [...]string{"", "spawn", "run", "park", "wake", "cancel", "yield", "abort", "exit", "advance", "timer", "net"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one entry of a run's event log.
type Event struct {
	Step  uint64        // scheduling steps taken so far
	At    time.Duration // virtual time since the start of the run
	Kind  EventKind
	Task  runtime.TaskID
	Other runtime.TaskID // the spawner, the waker, the task waited for
	Op    string         // what a park waits on, how a task ended
	PC    uintptr        // for a spawn: the task's function, shown as file:line
}

func (ev Event) String() string {
	s := fmt.Sprintf("step %d @%v", ev.Step, ev.At)
	if ev.Task != 0 {
		s += fmt.Sprintf(" task %d", ev.Task)
	}
	s += " " + ev.Kind.String()
	if ev.Op != "" {
		s += " " + ev.Op
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
// ring.
type trace struct {
	hash uint64
	ring []Event
	next int
	n    uint64 // events recorded in all
}

const hashSeed = 0x6a09e667f3bcc908

func newTrace(size int) trace {
	return trace{hash: hashSeed, ring: make([]Event, size)}
}

func (tr *trace) add(ev Event) {
	tr.digest(ev.Kind, ev.Task, ev.Other, ev.At, ev.Op)
	if len(tr.ring) > 0 {
		*tr.slot() = ev
	}
}

// digest folds an event into the running hash.
func (tr *trace) digest(k EventKind, task, other runtime.TaskID, at time.Duration, op string) {
	v := uint64(k) | uint64(task)<<8
	if k == EvNote { // its text is the event
		v ^= stringHash(op)
	}
	v ^= uint64(other)*0xff51afd7ed558ccd ^ uint64(at)*0xc4ceb9fe1a85ec53
	tr.hash = mix(tr.hash, v)
	tr.n++
}

// slot returns the ring's next place, to be written over. The hot path
// fills it field by field: building an Event and copying it in stalls on
// the copy (its small stores read back as wider loads).
func (tr *trace) slot() *Event {
	ev := &tr.ring[tr.next]
	if tr.next++; tr.next == len(tr.ring) {
		tr.next = 0
	}
	return ev
}

// stringHash is FNV-1a.
func stringHash(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := range len(s) {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return h
}

func mix(h, v uint64) uint64 {
	h ^= v * 0x9e3779b97f4a7c15
	h = bits.RotateLeft64(h, 31)
	return h * 0xbf58476d1ce4e5b9
}

// events returns the ring's content, oldest first.
func (tr *trace) events() []Event {
	size := uint64(len(tr.ring))
	if tr.n < size {
		return append([]Event(nil), tr.ring[:tr.n]...)
	}
	out := make([]Event, 0, size)
	out = append(out, tr.ring[tr.next:]...)
	return append(out, tr.ring[:tr.next]...)
}
