package disk

import (
	"context"
	"io/fs"
	"os"
)

// File is an open file: an *os.File in production, a file of a simulated
// disk in a simulation. Its methods that do I/O take a context first (S1);
// in a simulation each is a scheduling point and may wait for the disk's
// latency. Use a File from one task at a time.
type File struct {
	name string
	os   *os.File // production
	sim  *simFile // simulation
}

// Name returns the name the file was opened with.
func (f *File) Name() string { return f.name }

// Read reads up to len(p) bytes at the file's offset and advances it; at
// the end of the file it returns 0, io.EOF.
func (f *File) Read(ctx context.Context, p []byte) (int, error) {
	if f.sim != nil {
		return f.sim.read(ctx, p, -1)
	}
	if err := ctx.Err(); err != nil {
		return 0, f.pathError("read", err)
	}
	return f.os.Read(p)
}

// ReadAt reads len(p) bytes at offset off, as io.ReaderAt does.
func (f *File) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	if f.sim != nil {
		if off < 0 {
			return 0, f.pathError("readat", errNegative)
		}
		return f.sim.read(ctx, p, off)
	}
	if err := ctx.Err(); err != nil {
		return 0, f.pathError("read", err)
	}
	return f.os.ReadAt(p, off)
}

// Write writes p at the file's offset (at its end with os.O_APPEND) and
// advances it. What is written is visible to reads at once and durable
// once Sync returns.
func (f *File) Write(ctx context.Context, p []byte) (int, error) {
	if f.sim != nil {
		return f.sim.write(ctx, p, -1)
	}
	if err := ctx.Err(); err != nil {
		return 0, f.pathError("write", err)
	}
	return f.os.Write(p)
}

// WriteAt writes p at offset off, leaving the file's offset alone.
func (f *File) WriteAt(ctx context.Context, p []byte, off int64) (int, error) {
	if f.sim != nil {
		if off < 0 {
			return 0, f.pathError("writeat", errNegative)
		}
		return f.sim.write(ctx, p, off)
	}
	if err := ctx.Err(); err != nil {
		return 0, f.pathError("write", err)
	}
	return f.os.WriteAt(p, off)
}

// Seek sets the offset of the next Read or Write, as io.Seeker does. It
// does no I/O.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	if f.sim != nil {
		return f.sim.seek(offset, whence)
	}
	return f.os.Seek(offset, whence)
}

// Sync makes the file's data and size durable (fsync): what was written
// before it survives any crash. Its name is durable only once its
// directory is synced (SyncDir). Sync of a directory opened with Open
// syncs the directory.
func (f *File) Sync(ctx context.Context) error {
	if f.sim != nil {
		return f.sim.sync(ctx)
	}
	if err := ctx.Err(); err != nil {
		return f.pathError("sync", err)
	}
	return f.os.Sync()
}

// Truncate changes the file's size; like a write, it is durable once the
// file is synced.
func (f *File) Truncate(ctx context.Context, size int64) error {
	if f.sim != nil {
		if size < 0 {
			return f.pathError("truncate", errNegative)
		}
		return f.sim.truncate(ctx, size)
	}
	if err := ctx.Err(); err != nil {
		return f.pathError("truncate", err)
	}
	return f.os.Truncate(size)
}

// Stat describes the file.
func (f *File) Stat(ctx context.Context) (fs.FileInfo, error) {
	if f.sim != nil {
		return f.sim.stat(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, f.pathError("stat", err)
	}
	return f.os.Stat()
}

// Close closes the file. It takes no context, so that it can be deferred,
// and makes nothing durable (as close(2) does not): Sync first. A second
// Close returns an error matching os.ErrClosed.
func (f *File) Close() error {
	if f.sim != nil {
		return f.sim.close()
	}
	return f.os.Close()
}

func (f *File) pathError(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.name, Err: err}
}
