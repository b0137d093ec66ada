package disk_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/runtime"
)

// TestAppendOnlyFilesKeepTheirSyncedPrefixOverRandomRuns appends, syncs
// and crashes at random (the seed's choices) and checks after every crash
// what any crash state must leave of an append-only file: what was synced,
// then at most what was written, each byte either written or a hole.
func TestAppendOnlyFilesKeepTheirSyncedPrefixOverRandomRuns(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		onDisk(t, seed, func(ctx context.Context, d *disk.Disk) error {
			r := runtime.Rand(ctx)
			d.Set(disk.WithSectorSize(1 + r.IntN(64)))
			names := []string{"/a", "/b", "/c"}[:1+r.IntN(3)]
			synced := map[string][]byte{}  // what a crash must keep
			written := map[string][]byte{} // what a crash may keep
			files := map[string]*disk.File{}
			reopen := func() {
				for _, name := range names {
					f, err := disk.OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
					require.NoError(t, err)
					files[name] = f
				}
				require.NoError(t, disk.SyncDir(ctx, "/"))
			}
			reopen()
			for step := range 40 {
				name := names[r.IntN(len(names))]
				switch r.IntN(5) {
				case 0, 1, 2:
					p := bytes.Repeat([]byte{byte('a' + step%26)}, 1+r.IntN(100))
					_, err := files[name].Write(ctx, p)
					require.NoError(t, err)
					written[name] = append(written[name], p...)
				case 3:
					require.NoError(t, files[name].Sync(ctx))
					synced[name] = bytes.Clone(written[name])
				case 4:
					d.Crash()
					for _, n := range names {
						got, err := fs.ReadFile(d.FS("/"), n[1:])
						require.NoError(t, err, "seed %d", seed)
						requireCrashState(t, got, synced[n], written[n], fmt.Sprintf("seed %d step %d %s", seed, step, n))
						written[n], synced[n] = got, bytes.Clone(got)
					}
					reopen()
				}
			}
			return nil
		})
	}
}

func requireCrashState(t *testing.T, got, synced, written []byte, where string) {
	t.Helper()
	require.GreaterOrEqual(t, len(got), len(synced), "%s: synced bytes lost", where)
	require.LessOrEqual(t, len(got), len(written), "%s: more than was written", where)
	require.Equal(t, string(synced), string(got[:len(synced)]), "%s: synced bytes changed", where)
	for i := len(synced); i < len(got); i++ {
		if got[i] != 0 && got[i] != written[i] {
			t.Fatalf("%s: byte %d is %q, neither written (%q) nor a hole", where, i, got[i], written[i])
		}
	}
}
