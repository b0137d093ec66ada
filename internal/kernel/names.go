package kernel

import "context"

// A task's name travels in its spawn context rather than in its record:
// the record is sized to its allocation class, and few tasks have a name.
// WithName tags the context; the task spawned with it claims the tag, so
// that the tasks it spawns in turn (whose contexts derive from it) are not
// named after it.

type nameKey struct{}

type nameTag struct {
	name  string
	owner *Task // the task that claimed the tag; nil until spawned
}

// WithName returns ctx for spawning one task named name.
func WithName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, &nameTag{name: name})
}

// claimName gives t the name parent carries, if no task took it yet.
func claimName(parent context.Context, t *Task) {
	if tag, ok := parent.Value(nameKey{}).(*nameTag); ok && tag.owner == nil {
		tag.owner = t
	}
}

// Name returns the task's name, or "" if it was spawned without one.
func (t *Task) Name() string {
	if _, plain := t.parent.(*Task); plain || t.parent == nil { // no tag of its own
		return ""
	}
	if tag, ok := t.parent.Value(nameKey{}).(*nameTag); ok && tag.owner == t {
		return tag.name
	}
	return ""
}
