package disk_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/sim"
)

// onDisk runs f in a simulation with the given seed and returns the
// simulation's disk as f left it, and the run's result.
func onDisk(t *testing.T, seed uint64, f func(ctx context.Context, d *disk.Disk) error) (*disk.Disk, sim.Result) {
	t.Helper()
	var d *disk.Disk
	res := sim.Run(func(ctx context.Context) error {
		d = disk.Of(ctx)
		return f(ctx, d)
	}, sim.WithSeed(seed))
	require.NoError(t, res.Err, "seed %d", seed)
	return d, res
}

// writeFile creates name with data, syncing it (and its directory) when
// sync is set.
func writeFile(ctx context.Context, name string, data []byte, sync bool) error {
	f, err := disk.Create(ctx, name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(ctx, data); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	if err := f.Sync(ctx); err != nil {
		return err
	}
	return disk.SyncDir(ctx, "/")
}

// dump lists every file of an fs.FS with its contents, for comparing disks.
func dump(t *testing.T, fsys fs.FS) string {
	t.Helper()
	var b strings.Builder
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			fmt.Fprintf(&b, "%s/\n", p)
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		fmt.Fprintf(&b, "%s %q\n", p, data)
		return err
	})
	require.NoError(t, err)
	return b.String()
}
