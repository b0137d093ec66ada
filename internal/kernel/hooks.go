package kernel

// Hooks set by package runtime at init, so that package sim can build a
// *runtime.Runtime around its executor and describe task outcomes with the
// runtime's error types without those appearing in runtime's public API.
var (
	// NewRuntime returns a *runtime.Runtime (as any) driven by ex.
	NewRuntime func(ex Executor) any
	// OutcomeError returns the error Join would report for a finished task,
	// without marking it observed.
	OutcomeError func(t *Task) error
)
