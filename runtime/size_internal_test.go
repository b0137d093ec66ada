package runtime

import (
	"testing"
	"unsafe"
)

// A task's handle (record, function and result in one allocation) must stay
// in the 352-byte size class: one class up costs W1 and W5 (docs/CONTRACT.md §7) about
// 8 % of their memory. Shrink something before adding a field.
func TestJoinHandleFitsItsSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(JoinHandle[int]{}); n > 352 {
		t.Fatalf("JoinHandle[int] is %d bytes, over the 352-byte size class", n)
	}
}
