package disk

import (
	"context"
	"io/fs"
	"os"
)

// OpenFile opens the named file with the flags of package os (os.O_RDONLY,
// os.O_WRONLY, os.O_RDWR, os.O_CREATE, os.O_EXCL, os.O_TRUNC, os.O_APPEND)
// and, for a file it creates, perm. A file created here is durable once it
// is synced and so is its name once its directory is synced (SyncDir).
func OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	if d := Of(ctx); d != nil {
		return d.openFile(ctx, name, flag, perm)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &File{name: name, os: f}, nil
}

// Open opens the named file for reading.
func Open(ctx context.Context, name string) (*File, error) {
	return OpenFile(ctx, name, os.O_RDONLY, 0)
}

// Create creates or truncates the named file and opens it for reading and
// writing (mode 0666 before umask), as os.Create does.
func Create(ctx context.Context, name string) (*File, error) {
	return OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// ReadFile returns the contents of the named file.
func ReadFile(ctx context.Context, name string) ([]byte, error) {
	if d := Of(ctx); d != nil {
		return d.readFile(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.ReadFile(name)
}

// Rename moves oldpath to newpath, replacing a file there, atomically: a
// crash leaves one of the two names, never neither. The rename is durable
// once the directory of newpath (or of oldpath) is synced with SyncDir;
// until then a crash may undo it.
func Rename(ctx context.Context, oldpath, newpath string) error {
	if d := Of(ctx); d != nil {
		return d.rename(ctx, oldpath, newpath)
	}
	if err := ctx.Err(); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return os.Rename(oldpath, newpath)
}

// Remove removes the named file or empty directory. The removal is durable
// once its directory is synced.
func Remove(ctx context.Context, name string) error {
	if d := Of(ctx); d != nil {
		return d.remove(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return os.Remove(name)
}

// Mkdir creates a directory. It is durable once its parent is synced.
func Mkdir(ctx context.Context, name string, perm fs.FileMode) error {
	if d := Of(ctx); d != nil {
		return d.mkdir(ctx, name, perm)
	}
	if err := ctx.Err(); err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return os.Mkdir(name, perm)
}

// ReadDir lists a directory, sorted by name.
func ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	if d := Of(ctx); d != nil {
		return d.readDir(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return os.ReadDir(name)
}

// Stat describes the named file.
func Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	if d := Of(ctx); d != nil {
		return d.stat(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return os.Stat(name)
}

// SyncDir makes the directory's entries durable: the files created,
// removed and renamed in it so far survive a crash.
func SyncDir(ctx context.Context, name string) error {
	if d := Of(ctx); d != nil {
		return d.syncDir(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return &fs.PathError{Op: "sync", Path: name, Err: err}
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// FS returns a read-only view of the directory dir for tests: in a
// simulation, of the disk serving ctx as it is now (what a read would see),
// without latency, faults or scheduling points; in production,
// os.DirFS(dir). It may be read after the simulation has ended.
func FS(ctx context.Context, dir string) fs.FS {
	if d := Of(ctx); d != nil {
		return d.FS(dir)
	}
	return os.DirFS(dir)
}
