package disk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// exercise runs every call of the package under dir and describes what it
// saw, so that package os and the simulated disk can be compared.
func exercise(ctx context.Context, dir string) string {
	var log []string
	say := func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	kind := func(err error) string {
		for _, e := range []error{fs.ErrNotExist, fs.ErrExist, syscall.ENOTEMPTY, syscall.EISDIR, syscall.EBADF, os.ErrClosed, io.EOF} {
			if errors.Is(err, e) {
				return e.Error()
			}
		}
		if err != nil {
			return "other error"
		}
		return "ok"
	}
	p := func(name string) string { return filepath.Join(dir, name) }

	_, err := disk.Open(ctx, p("missing"))
	say("open missing: %s", kind(err))
	say("mkdir: %s", kind(disk.Mkdir(ctx, p("sub"), 0o755)))
	say("mkdir again: %s", kind(disk.Mkdir(ctx, p("sub"), 0o755)))
	f, err := disk.Create(ctx, p("sub/a"))
	say("create: %s", kind(err))
	n, err := f.Write(ctx, []byte("hello, "))
	say("write: %d %s", n, kind(err))
	n, err = f.WriteAt(ctx, []byte("world"), 7)
	say("write at: %d %s", n, kind(err))
	say("sync: %s", kind(f.Sync(ctx)))
	off, err := f.Seek(0, io.SeekStart)
	say("seek: %d %s", off, kind(err))
	buf := make([]byte, 5)
	n, err = f.Read(ctx, buf)
	say("read: %q %s", buf[:n], kind(err))
	n, err = f.ReadAt(ctx, buf, 10)
	say("read at the end: %q %s", buf[:n], kind(err))
	say("truncate: %s", kind(f.Truncate(ctx, 5)))
	info, err := f.Stat(ctx)
	say("stat: %s %d %v %s", info.Name(), info.Size(), info.IsDir(), kind(err))
	say("close: %s", kind(f.Close()))
	say("close again: %s", kind(f.Close()))
	_, err = f.Write(ctx, []byte("x"))
	say("write closed: %s", kind(err))

	_, err = disk.OpenFile(ctx, p("sub/a"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	say("create exclusive: %s", kind(err))
	r, err := disk.Open(ctx, p("sub/a"))
	say("open: %s", kind(err))
	_, err = r.Write(ctx, []byte("x"))
	say("write read-only: %s", kind(err))
	say("close: %s", kind(r.Close()))
	a, err := disk.OpenFile(ctx, p("sub/a"), os.O_WRONLY|os.O_APPEND, 0)
	say("open append: %s", kind(err))
	_, err = a.Write(ctx, []byte("!"))
	say("append: %s", kind(err))
	say("close: %s", kind(a.Close()))
	data, err := disk.ReadFile(ctx, p("sub/a"))
	say("read file: %q %s", data, kind(err))

	say("rename: %s", kind(disk.Rename(ctx, p("sub/a"), p("sub/b"))))
	say("rename missing: %s", kind(disk.Rename(ctx, p("sub/a"), p("sub/c"))))
	say("sync dir: %s", kind(disk.SyncDir(ctx, p("sub"))))
	entries, err := disk.ReadDir(ctx, p("sub"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	say("read dir: %v %s", names, kind(err))
	st, err := disk.Stat(ctx, p("sub"))
	say("stat dir: %s %v %s", st.Name(), st.IsDir(), kind(err))
	_, err = disk.ReadFile(ctx, p("sub"))
	say("read a dir: %s", kind(err))
	say("remove a full dir: %s", kind(disk.Remove(ctx, p("sub"))))
	say("remove: %s", kind(disk.Remove(ctx, p("sub/b"))))
	say("remove missing: %s", kind(disk.Remove(ctx, p("sub/b"))))
	say("remove dir: %s", kind(disk.Remove(ctx, p("sub"))))
	return strings.Join(log, "\n")
}

func TestSameCodeOnPackageOSAndOnTheSimulatedDisk(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	dir := t.TempDir()
	var onOS string
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		onOS = exercise(ctx, dir)
		return nil
	}))
	var simulated string
	res := sim.Run(func(ctx context.Context) error {
		if err := disk.Mkdir(ctx, "/data", 0o755); err != nil { // as t.TempDir did
			return err
		}
		simulated = exercise(ctx, "/data")
		return nil
	})
	require.NoError(t, res.Err)
	assert.Equal(t, onOS, simulated)
	t.Logf("transcript:\n%s", onOS)
}

func TestProductionHonoursAnEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := disk.Create(ctx, filepath.Join(t.TempDir(), "a"))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, disk.Of(ctx), "no simulated disk in production")
}
