package disk_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/sim"
)

// boots counts, in /boots, how often its host started: synced, so every
// crash keeps it. It also leaves an unsynced /scratch.
func boots(ctx context.Context) error {
	n := 0
	if data, err := disk.ReadFile(ctx, "/boots"); err == nil {
		n, _ = strconv.Atoi(string(data))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFile(ctx, "/boots.tmp", []byte(strconv.Itoa(n+1)), true); err != nil {
		return err
	}
	if err := disk.Rename(ctx, "/boots.tmp", "/boots"); err != nil {
		return err
	}
	if err := disk.SyncDir(ctx, "/"); err != nil {
		return err
	}
	return writeFile(ctx, "/scratch", bytes.Repeat([]byte("s"), 2000), false)
}

func TestHostDiskSurvivesCrashAndRestart(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		var fsys fs.FS
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			h := n.AddHost("h1")
			other := n.AddHost("h2")
			fsys = disk.Of(h.Context(ctx)).FS("/")
			h.Start(ctx, boots)
			if err := writeFile(other.Context(ctx), "/mine", []byte("h2's"), true); err != nil {
				return err
			}
			for range 3 {
				if err := clock.Sleep(ctx, 50*time.Millisecond); err != nil {
					return err
				}
				h.Crash()
				h.Restart()
			}
			if err := clock.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
			if _, err := fs.Stat(fsys, "mine"); !errors.Is(err, fs.ErrNotExist) {
				return errors.New("a host sees another host's disk")
			}
			got, err := fs.ReadFile(disk.Of(other.Context(ctx)).FS("/"), "mine")
			if err != nil || string(got) != "h2's" {
				return errors.New("h2's disk lost its file")
			}
			return nil
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
		got, err := fs.ReadFile(fsys, "boots")
		require.NoError(t, err, "seed %d", seed)
		assert.Equal(t, "4", string(got), "seed %d: every boot read what the crash before it left", seed)
	}
}

func TestFilesOpenedBeforeACrashAreStale(t *testing.T) {
	onDisk(t, 1, func(ctx context.Context, d *disk.Disk) error {
		f, err := disk.Create(ctx, "/a")
		require.NoError(t, err)
		d.Crash()
		_, err = f.Write(ctx, []byte("x"))
		assert.ErrorIs(t, err, disk.ErrCrashed)
		assert.ErrorIs(t, f.Sync(ctx), disk.ErrCrashed)
		assert.NoError(t, f.Close())
		assert.ErrorIs(t, f.Close(), os.ErrClosed)
		return nil
	})
}

func TestInjectedFaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  disk.Option
		op   func(ctx context.Context, f *disk.File) error
		want error
	}{
		{"EIO on write", disk.WithWriteErrors(1), func(ctx context.Context, f *disk.File) error {
			_, err := f.Write(ctx, []byte("more"))
			return err
		}, syscall.EIO},
		{"EIO on sync", disk.WithSyncErrors(1), func(ctx context.Context, f *disk.File) error {
			return f.Sync(ctx)
		}, syscall.EIO},
		{"ENOSPC on growing writes", disk.WithSpaceErrors(1), func(ctx context.Context, f *disk.File) error {
			if _, err := f.WriteAt(ctx, []byte("B"), 0); err != nil { // in place: no space needed
				return errors.New("an overwrite failed: " + err.Error())
			}
			_, err := f.Write(ctx, []byte("more"))
			return err
		}, syscall.ENOSPC},
		{"ENOSPC past the capacity", disk.WithCapacity(10), func(ctx context.Context, f *disk.File) error {
			if _, err := f.WriteAt(ctx, []byte("12345"), 5); err != nil {
				return errors.New("a write within capacity failed: " + err.Error())
			}
			_, err := f.Write(ctx, []byte("!"))
			return err
		}, syscall.ENOSPC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onDisk(t, 1, func(ctx context.Context, d *disk.Disk) error {
				require.NoError(t, writeFile(ctx, "/a", []byte("base"), true))
				d.Set(tc.opt)
				f, err := disk.OpenFile(ctx, "/a", os.O_RDWR|os.O_APPEND, 0)
				require.NoError(t, err)
				defer f.Close()
				err = tc.op(ctx, f)
				assert.ErrorIs(t, err, tc.want)
				var pe *fs.PathError
				assert.ErrorAs(t, err, &pe)
				return nil
			})
		})
	}
}

func TestFailedSyncLeavesTheDataUnsynced(t *testing.T) {
	d, _ := onDisk(t, 1, func(ctx context.Context, d *disk.Disk) error {
		require.NoError(t, writeFile(ctx, "/a", []byte("durable"), true))
		f, err := disk.OpenFile(ctx, "/a", os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = f.Write(ctx, []byte("+more"))
		require.NoError(t, err)
		d.Set(disk.WithSyncErrors(1), disk.WithCrashModes(disk.Lost))
		require.ErrorIs(t, f.Sync(ctx), syscall.EIO)
		d.Crash()
		return nil
	})
	got, err := fs.ReadFile(d.FS("/"), "a")
	require.NoError(t, err)
	assert.Equal(t, "durable", string(got))
}

func TestWritesAndSyncsTakeTheirLatency(t *testing.T) {
	onDisk(t, 1, func(ctx context.Context, d *disk.Disk) error {
		d.Set(disk.WithLatency(netsim.Fixed(3*time.Millisecond), netsim.Fixed(7*time.Millisecond)))
		f, err := disk.Create(ctx, "/a")
		require.NoError(t, err)
		start := clock.Now(ctx)
		_, err = f.Write(ctx, []byte("x"))
		require.NoError(t, err)
		assert.Equal(t, 3*time.Millisecond, clock.Since(ctx, start))
		require.NoError(t, f.Sync(ctx))
		assert.Equal(t, 10*time.Millisecond, clock.Since(ctx, start))
		_, err = f.ReadAt(ctx, make([]byte, 1), 0)
		require.NoError(t, err)
		assert.Equal(t, 10*time.Millisecond, clock.Since(ctx, start), "reads take no time")
		return nil
	})
}

func TestFSViewIsAValidFS(t *testing.T) {
	d, _ := onDisk(t, 1, func(ctx context.Context, d *disk.Disk) error {
		require.NoError(t, disk.Mkdir(ctx, "/dir", 0o755))
		require.NoError(t, writeFile(ctx, "/dir/b", []byte("bee"), false))
		require.NoError(t, writeFile(ctx, "/a", []byte("ay"), true))
		return nil
	})
	require.NoError(t, fstest.TestFS(d.FS("/"), "a", "dir/b"))
	require.NoError(t, fstest.TestFS(d.FS("/dir"), "b"))
}

func TestSwarmDrawsTheFaultMixFromTheSeed(t *testing.T) {
	mix := func(seed uint64) string {
		var desc string
		res := sim.Run(func(ctx context.Context) error {
			desc = disk.Swarm(ctx)
			return nil
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err)
		return desc
	}
	assert.Equal(t, mix(1), mix(1))
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 10; seed++ {
		seen[mix(seed)] = true
	}
	assert.Greater(t, len(seen), 5, "seeds explore fault mixes")
}

func TestHostCrashCrashesItsDisk(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		h := n.AddHost("h1")
		d := disk.Of(h.Context(ctx))
		d.Set(disk.WithCrashModes(disk.Lost))
		h.Start(ctx, func(ctx context.Context) error {
			return writeFile(ctx, "/unsynced", []byte("x"), false)
		})
		if err := clock.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if _, err := fs.Stat(d.FS("/"), "unsynced"); err != nil {
			return errors.New("the host did not write its file")
		}
		h.Crash()
		if _, err := fs.Stat(d.FS("/"), "unsynced"); !errors.Is(err, fs.ErrNotExist) {
			return errors.New("the host's crash left its unsynced file")
		}
		return nil
	})
	require.NoError(t, res.Err)
}
