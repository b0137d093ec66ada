package a

import (
	"context"
	"time"
)

// without the clock import: the fix adds it
func elsewhere(c context.Context) {
	d := time.Now()                                    // want `time.Now reads the wall clock`
	ctx, cancel := context.WithTimeout(c, time.Second) // want `context.WithTimeout expires on the wall clock`
	defer cancel()
	time.Sleep(time.Since(d)) // want `time.Sleep reads the wall clock` `time.Since reads the wall clock`
	_ = ctx
}
