// Package plain does not import weft: nothing is reported.
package plain

import (
	"sync"
	"time"
)

var mu sync.Mutex

func F(ch chan int) time.Time {
	go func() { ch <- 1 }()
	<-ch
	return time.Now()
}
