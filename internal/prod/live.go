package prod

import (
	"sync"
	"sync/atomic"

	"github.com/weftsim/weft/internal/kernel"
)

// liveShards is how many locks the live set is split over: a spawner and
// the tasks ending on other threads rarely want the same one.
const liveShards = 16

// liveSet is the executor's running tasks, split into shards by task ID.
// Shutdown closes it: it refuses new tasks from then on, and tells when
// the last one has ended.
type liveSet struct {
	shards [liveShards]liveShard
	closed atomic.Bool

	mu   sync.Mutex    // guards idle
	idle chan struct{} // after close: closed once every shard is empty
}

type liveShard struct {
	mu   sync.Mutex
	list kernel.TaskList
	_    [64]byte // one shard per cache line
}

func (s *liveSet) shard(t *kernel.Task) *liveShard { return &s.shards[t.ID()%liveShards] }

// add adds t, unless the set is closed. A close either comes after t is
// in its shard (and finds it there) or before the check under the shard's
// lock (which then sees it).
func (s *liveSet) add(t *kernel.Task) bool {
	sh := s.shard(t)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if s.closed.Load() {
		return false
	}
	sh.list.PushBack(t)
	return true
}

func (s *liveSet) remove(t *kernel.Task) {
	sh := s.shard(t)
	sh.mu.Lock()
	sh.list.Remove(t)
	empty := sh.list.Len() == 0
	sh.mu.Unlock()
	if empty && s.closed.Load() {
		s.signalIfIdle()
	}
}

// close refuses new tasks, calls each for every live task, and returns a
// channel that is closed once none is left.
func (s *liveSet) close(each func(*kernel.Task)) <-chan struct{} {
	s.closed.Store(true)
	s.mu.Lock()
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	s.forEach(each)
	s.signalIfIdle()
	return idle
}

// signalIfIdle closes idle if every shard is empty. The remover that
// empties the last shard calls it after its removal, so it sees them all
// empty.
func (s *liveSet) signalIfIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle == nil {
		return
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n := sh.list.Len()
		sh.mu.Unlock()
		if n > 0 {
			return
		}
	}
	close(s.idle)
	s.idle = nil
}

// forEach calls f for every live task, one shard locked at a time.
func (s *liveSet) forEach(f func(*kernel.Task)) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for t := sh.list.Front(); t != nil; t = t.Next() {
			f(t)
		}
		sh.mu.Unlock()
	}
}
