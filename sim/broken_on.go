//go:build weftbroken

package sim

import "os"

// broken names a deliberate defect, chosen by WEFT_BROKEN, in a build with
// the weftbroken tag. It exists to show that the property suite catches a
// broken executor (go test -tags weftbroken ./properties/):
//
//   - spawn-inline: Spawn runs the new task at once, inside the spawner
//     (breaks S10, and S11 with a sync.Mutex);
//   - no-shutdown-drop: Shutdown marks the runtime closed but leaves its
//     tasks parked (breaks S16);
//   - nondeterministic: Random draws from the global source instead of the
//     seeded PRNG (breaks S2/S5).
var broken = os.Getenv("WEFT_BROKEN")
