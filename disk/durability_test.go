package disk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/sim"
)

const seeds = 100

func TestSyncedDataSurvivesEveryCrashState(t *testing.T) {
	synced := bytes.Repeat([]byte("S"), 3000)
	for _, mode := range []disk.CrashMode{disk.Lost, disk.Kept, disk.Torn, disk.Reordered} {
		t.Run(mode.String(), func(t *testing.T) {
			for seed := uint64(1); seed <= seeds; seed++ {
				d, _ := onDisk(t, seed, func(ctx context.Context, d *disk.Disk) error {
					d.Set(disk.WithCrashModes(mode))
					if err := writeFile(ctx, "/a", synced[:1000], true); err != nil {
						return err
					}
					f, err := disk.OpenFile(ctx, "/a", os.O_RDWR, 0)
					if err != nil {
						return err
					}
					// An overwrite then an append, synced; then more, unsynced.
					if _, err := f.WriteAt(ctx, synced[:1000], 0); err != nil {
						return err
					}
					if _, err := f.WriteAt(ctx, synced[1000:], 1000); err != nil {
						return err
					}
					if err := f.Sync(ctx); err != nil {
						return err
					}
					if _, err := f.WriteAt(ctx, bytes.Repeat([]byte("u"), 2000), 3000); err != nil {
						return err
					}
					if err := writeFile(ctx, "/b", []byte("unsynced"), false); err != nil {
						return err
					}
					d.Crash()
					return nil
				})
				got, err := fs.ReadFile(d.FS("/"), "a")
				require.NoError(t, err, "seed %d", seed)
				require.GreaterOrEqual(t, len(got), len(synced), "seed %d", seed)
				require.Equal(t, synced, got[:len(synced)], "seed %d", seed)
			}
		})
	}
}

// crashOutcomes runs the scenario for many seeds and returns how often each
// content of the file name was left after the crash ("<missing>" if none).
func crashOutcomes(t *testing.T, name string, scenario func(ctx context.Context, d *disk.Disk) error) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for seed := uint64(1); seed <= seeds; seed++ {
		d, _ := onDisk(t, seed, func(ctx context.Context, d *disk.Disk) error {
			if err := scenario(ctx, d); err != nil {
				return err
			}
			d.Crash()
			return nil
		})
		got, err := fs.ReadFile(d.FS("/"), name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			seen["<missing>"]++
		case err != nil:
			t.Fatalf("seed %d: %v", seed, err)
		default:
			seen[string(got)]++
		}
	}
	return seen
}

func TestUnsyncedDataIsLostInSomeSeedsAndKeptInOthers(t *testing.T) {
	seen := crashOutcomes(t, "a", func(ctx context.Context, d *disk.Disk) error {
		if err := writeFile(ctx, "/a", []byte("durable"), true); err != nil {
			return err
		}
		f, err := disk.OpenFile(ctx, "/a", os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		_, err = f.Write(ctx, []byte("+unsynced"))
		return err
	})
	t.Logf("outcomes over %d seeds: %v", seeds, seen)
	assert.Positive(t, seen["durable"], "the unsynced append lost")
	assert.Positive(t, seen["durable+unsynced"], "the unsynced append kept")
	assert.Len(t, seen, 2, "a one-sector append is kept or lost, nothing else")
}

func TestTornWritesOccurAtSectorBoundaries(t *testing.T) {
	const sector = disk.DefaultSectorSize
	payload := bytes.Repeat([]byte("x"), 1000)
	seen := crashOutcomes(t, "a", func(ctx context.Context, d *disk.Disk) error {
		d.Set(disk.WithCrashModes(disk.Torn))
		if err := writeFile(ctx, "/a", []byte("0123456789"), true); err != nil {
			return err
		}
		f, err := disk.OpenFile(ctx, "/a", os.O_RDWR, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteAt(ctx, payload, 100) // sectors [100,512) [512,1024) [1024,1100)
		return err
	})
	t.Logf("lengths over %d seeds: %v", seeds, lengths(seen))
	gap := string(make([]byte, 90))
	want := map[string]bool{
		"0123456789": true,
		"0123456789" + gap + string(payload[:sector-100]):   true,
		"0123456789" + gap + string(payload[:2*sector-100]): true,
		"0123456789" + gap + string(payload):                true,
	}
	for content := range seen {
		assert.True(t, want[content], "a crash left %d bytes, not cut at a sector boundary", len(content))
	}
	torn := seen["0123456789"+gap+string(payload[:sector-100])] + seen["0123456789"+gap+string(payload[:2*sector-100])]
	assert.Positive(t, torn, "no seed tore the write")
}

func TestReorderedWritesLeaveHoles(t *testing.T) {
	seen := crashOutcomes(t, "a", func(ctx context.Context, d *disk.Disk) error {
		d.Set(disk.WithCrashModes(disk.Reordered), disk.WithSectorSize(4))
		if err := writeFile(ctx, "/a", nil, true); err != nil {
			return err
		}
		f, err := disk.OpenFile(ctx, "/a", os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		for _, word := range []string{"aaaa", "bbbb", "cccc"} {
			if _, err := f.Write(ctx, []byte(word)); err != nil {
				return err
			}
		}
		return nil
	})
	t.Logf("outcomes over %d seeds: %v", seeds, seen)
	assert.Positive(t, seen["\x00\x00\x00\x00bbbb"]+seen["aaaa\x00\x00\x00\x00cccc"]+seen["\x00\x00\x00\x00\x00\x00\x00\x00cccc"],
		"a later write survived an earlier one that was lost")
}

func lengths(seen map[string]int) map[int]int {
	out := map[int]int{}
	for s, n := range seen {
		out[len(s)] += n
	}
	return out
}

func TestRenameIsDurableOnceItsDirectoryIsSynced(t *testing.T) {
	replace := func(syncDir bool) func(ctx context.Context, d *disk.Disk) error {
		return func(ctx context.Context, d *disk.Disk) error {
			if err := writeFile(ctx, "/snap", []byte("old"), true); err != nil {
				return err
			}
			f, err := disk.Create(ctx, "/snap.tmp")
			if err != nil {
				return err
			}
			if _, err := f.Write(ctx, []byte("new")); err != nil {
				return err
			}
			if err := f.Sync(ctx); err != nil {
				return err
			}
			if err := disk.Rename(ctx, "/snap.tmp", "/snap"); err != nil {
				return err
			}
			if syncDir {
				return disk.SyncDir(ctx, "/")
			}
			return nil
		}
	}
	synced := crashOutcomes(t, "snap", replace(true))
	assert.Equal(t, map[string]int{"new": seeds}, synced)

	unsynced := crashOutcomes(t, "snap", replace(false))
	t.Logf("without SyncDir over %d seeds: %v", seeds, unsynced)
	assert.Positive(t, unsynced["old"], "a crash undid the rename")
	assert.Positive(t, unsynced["new"], "a crash kept the rename")
	assert.Zero(t, unsynced["<missing>"], "a rename is atomic: one of the names survives")
}

func TestNewFileNeedsItsDirectorySynced(t *testing.T) {
	seen := crashOutcomes(t, "wal", func(ctx context.Context, d *disk.Disk) error {
		f, err := disk.Create(ctx, "/wal")
		if err != nil {
			return err
		}
		if _, err := f.Write(ctx, []byte("record")); err != nil {
			return err
		}
		return f.Sync(ctx) // the data, not the name
	})
	t.Logf("outcomes over %d seeds: %v", seeds, seen)
	assert.Positive(t, seen["<missing>"], "the unsynced name lost")
	assert.Positive(t, seen["record"], "the unsynced name kept, with its synced data")
}

func TestSameSeedSameDiskAfterTheCrash(t *testing.T) {
	scenario := func(ctx context.Context, d *disk.Disk) error {
		if err := disk.Mkdir(ctx, "/dir", 0o755); err != nil {
			return err
		}
		for _, name := range []string{"/dir/a", "/dir/b", "/c"} {
			if err := writeFile(ctx, name, bytes.Repeat([]byte(name), 400), false); err != nil {
				return err
			}
		}
		if err := disk.Rename(ctx, "/c", "/dir/c"); err != nil {
			return err
		}
		d.Crash()
		return nil
	}
	states := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		d1, r1 := onDisk(t, seed, scenario)
		d2, r2 := onDisk(t, seed, scenario)
		a, b := dump(t, d1.FS("/")), dump(t, d2.FS("/"))
		require.Equal(t, a, b, "seed %d", seed)
		require.Equal(t, r1.Hash, r2.Hash, "seed %d", seed)
		states[a] = true
	}
	assert.Greater(t, len(states), 3, "the seed decides the crash state")
}

// zeros is a decision source that always takes the first option: the
// crash states follow it, as they follow any engine that drives a run.
type zeros struct{}

func (zeros) IntN(int) int   { return 0 }
func (zeros) Uint64() uint64 { return 0 }

func TestCrashStatesAreDecisionsRecordedAndReplayed(t *testing.T) {
	scenario := func(d **disk.Disk) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			*d = disk.Of(ctx)
			for _, name := range []string{"/a", "/b", "/c"} {
				if err := writeFile(ctx, name, bytes.Repeat([]byte(name), 700), name == "/a"); err != nil {
					return err
				}
			}
			(*d).Crash()
			return nil
		}
	}
	var first, replayed, driven *disk.Disk
	res := sim.Run(scenario(&first), sim.WithSeed(7), sim.WithRecording())
	require.NoError(t, res.Err)
	require.NotEmpty(t, res.Decisions)
	again := sim.Run(scenario(&replayed), res.Replay(t.Name()).Options()...)
	require.NoError(t, again.Err)
	assert.Equal(t, res.Hash, again.Hash)
	assert.Equal(t, dump(t, first.FS("/")), dump(t, replayed.FS("/")), "a replay file reproduces the crash state")

	res = sim.Run(scenario(&driven), sim.WithDecisions(zeros{}))
	require.NoError(t, res.Err)
	// Option 0 everywhere: the unsynced changes of the directory and of
	// every file are Lost; only the synced /a is left.
	assert.Equal(t, "./\na "+fmt.Sprintf("%q", bytes.Repeat([]byte("/a"), 700))+"\n", dump(t, driven.FS("/")))
}
