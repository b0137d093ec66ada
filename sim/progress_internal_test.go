package sim

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// lockedBuffer is a strings.Builder safe for the drawing goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgress_RedrawsALineAndErasesIt(t *testing.T) {
	var out lockedBuffer
	p := startProgressOn(&out, time.Millisecond, "TestX", 0, time.Minute)
	p.ran(false)
	p.ran(true)
	assert.Eventually(t, func() bool { return strings.Contains(out.String(), "2 runs") }, 5*time.Second, time.Millisecond)
	p.end()
	s := out.String()
	assert.Contains(t, s, "\r\033[Ksim: TestX: 2 runs (")
	assert.Contains(t, s, "1 failures, ")
	assert.Contains(t, s, "left")
	assert.True(t, strings.HasSuffix(s, "\r\033[K"), "the line is erased at the end")
}

func TestProgress_LineShowsTimeLeft(t *testing.T) {
	p := &progress{}
	p.runs.Store(50)
	assert.Equal(t, "sim: T: 50 runs (10/s), 0 failures, 25s left", p.line("T", 5*time.Second, 0, 30*time.Second))
	assert.Equal(t, "sim: T: 50 runs (10/s), 0 failures, 50 of 100, about 5s left", p.line("T", 5*time.Second, 100, 0))
	var none *progress
	none.ran(true) // off: nothing to count
	none.end()
}

func TestProgress_OffWhenStderrIsNotATerminal(t *testing.T) {
	// go test gives the test binary a pipe, not a terminal.
	assert.Nil(t, startProgress("TestX", 100, 0))
}
