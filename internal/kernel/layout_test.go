package kernel

import (
	"testing"
	"unsafe"
)

// The task record is laid out for the memory traffic of a simulation with
// many sleeping tasks (W3, measured with cachegrind): the fields a timer's
// wake-up uses sit in two cache lines, and the sleep timer in the first.
// A field added in front of them should not push them apart.
func TestTaskLayoutKeepsWakeUpFieldsTogether(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is tuned for 64-bit platforms")
	}
	var x Task
	line := func(off uintptr) uintptr { return off / 64 }
	w := unsafe.Offsetof(x.waiter)
	if l := line(unsafe.Offsetof(x.timer)); l != 0 {
		t.Errorf("Task.timer is in line %d, want 0", l)
	}
	if l := line(unsafe.Offsetof(x.Sim) + unsafe.Offsetof(x.Sim.Waiter)); l != 0 {
		t.Errorf("Task.Sim.Waiter is in line %d, want 0", l)
	}
	for name, off := range map[string]uintptr{
		"Task":        unsafe.Offsetof(x.waiter.Task),
		"lead":        unsafe.Offsetof(x.waiter.lead),
		"state.local": unsafe.Offsetof(x.waiter.state) + unsafe.Offsetof(x.waiter.state.local),
		"winner":      unsafe.Offsetof(x.waiter.winner),
	} {
		if l := line(w + off); l != 1 {
			t.Errorf("Task.waiter.%s is in line %d, want 1", name, l)
		}
	}
}
