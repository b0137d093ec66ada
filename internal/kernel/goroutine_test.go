package kernel

import (
	"sync"
	"testing"
)

func TestGoroutineTellsLiveGoroutinesApartAndStaysPut(t *testing.T) {
	me := Goroutine()
	if me == 0 {
		t.Fatal("Goroutine() = 0")
	}
	const n = 50
	ids := make(chan uintptr, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := Goroutine()
			deep(100) // grow the stack: the value must not move
			if Goroutine() != a {
				t.Error("the value changed within one goroutine")
			}
			ids <- a
			<-release // stay alive until every value is in
		}()
	}
	seen := map[uintptr]bool{me: true}
	for range n {
		id := <-ids
		if seen[id] {
			t.Errorf("two live goroutines share %#x", id)
		}
		seen[id] = true
	}
	close(release)
	if Goroutine() != me {
		t.Error("the caller's value changed")
	}
}

func deep(n int) int {
	var pad [256]byte
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%256])
}

func BenchmarkGoroutine(b *testing.B) {
	for range b.N {
		Goroutine()
	}
}
