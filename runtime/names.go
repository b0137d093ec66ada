package runtime

import (
	"context"
	"fmt"

	"github.com/weftsim/weft/internal/kernel"
)

// SpawnNamed is Spawn with a name for the task. A simulation shows the name
// wherever it shows the task: its events, its trace's task tracks,
// deadlock and stuck-task reports, and the records of a log handler that
// stamps tasks (package weftlog). A name need not be unique; in production
// it is kept but shown nowhere.
func SpawnNamed[T any](ctx context.Context, name string, f func(ctx context.Context) (T, error)) *JoinHandle[T] {
	return spawnAt(ctx, f, funcEntry(f), name)
}

// SpawnNamed is JoinSet.Spawn with a name for the task (see the package's
// SpawnNamed).
func (s *JoinSet[T]) SpawnNamed(ctx context.Context, name string, f func(ctx context.Context) (T, error)) TaskID {
	return s.spawn(ctx, f, name)
}

// TaskName returns the name of the task whose context ctx is (or derives
// from): the one given to SpawnNamed, or "" for an unnamed task and outside
// any task.
func TaskName(ctx context.Context) string {
	if cur := kernel.FromContext(ctx); cur != nil && cur.IsTask() {
		return cur.Name()
	}
	return ""
}

// Note adds an annotation, formatted as fmt.Sprintf does, to a simulation's
// event log and trace: it is stamped with the virtual instant, the step and
// the task whose context ctx is, and shown in failure reports and traces
// among the scheduler's own events. Notes do not count towards the run's
// hash, so adding one does not invalidate a replay file. In production, and
// with a ctx of no simulation, Note does nothing (its arguments are not
// even formatted).
func Note(ctx context.Context, format string, args ...any) {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		return
	}
	if l, ok := cur.Executor().(kernel.Logger); ok {
		l.Log(cur, fmt.Sprintf(format, args...))
	}
}
