package disk

import (
	"context"
	"io"
	"io/fs"
	"os"
)

// simFile is an open file of a simulated disk.
type simFile struct {
	d      *Disk
	n      *inode
	name   string
	gen    int
	flag   int
	off    int64
	closed bool
}

// What an operation needs of a file's access mode.
const (
	anyAccess = iota
	readAccess
	writeAccess
)

// check refuses a closed file, a file of an earlier generation (opened
// before a crash) and an access the flags do not allow.
func (f *simFile) check(op string, need int) error {
	access := f.flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	switch {
	case f.closed:
		return pathErr(op, f.name, os.ErrClosed)
	case f.gen != f.d.gen:
		return pathErr(op, f.name, ErrCrashed)
	case need == writeAccess && access == os.O_RDONLY, need == readAccess && access == os.O_WRONLY:
		return pathErr(op, f.name, errBadFD)
	}
	return nil
}

// read reads at off, or at the file's offset when off < 0.
func (f *simFile) read(ctx context.Context, p []byte, off int64) (int, error) {
	if err := f.d.pause(ctx, nil); err != nil {
		return 0, pathErr("read", f.name, err)
	}
	f.d.acquire()
	defer f.d.release()
	if err := f.check("read", readAccess); err != nil {
		return 0, err
	}
	if f.n.dir {
		return 0, pathErr("read", f.name, errIsDir)
	}
	at := off
	if off < 0 {
		at = f.off
	}
	if at >= int64(len(f.n.data)) {
		if len(p) == 0 && off < 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	k := copy(p, f.n.data[at:])
	if off < 0 {
		f.off += int64(k)
		return k, nil
	}
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

// write writes at off, or at the file's offset (its end with O_APPEND)
// when off < 0.
func (f *simFile) write(ctx context.Context, p []byte, off int64) (int, error) {
	d := f.d
	if err := d.pause(ctx, d.cfg.writeLatency); err != nil {
		return 0, pathErr("write", f.name, err)
	}
	d.acquire()
	defer d.release()
	if err := f.check("write", writeAccess); err != nil {
		return 0, err
	}
	at := off
	switch {
	case off >= 0:
	case f.flag&os.O_APPEND != 0:
		at = int64(len(f.n.data))
	default:
		at = f.off
	}
	grow := at + int64(len(p)) - int64(len(f.n.data))
	if err := f.fault("write", grow); err != nil {
		return 0, err
	}
	f.n.writeAt(p, at)
	f.n.modTime = d.ex.Now()
	if off < 0 {
		f.off = at + int64(len(p))
	}
	d.note("write %s %d@%d", clean(f.name), len(p), at)
	return len(p), nil
}

// fault draws the injected faults of a write that grows the file by grow
// bytes.
func (f *simFile) fault(op string, grow int64) error {
	d := f.d
	if d.chance(d.cfg.writeErr) {
		d.note("%s %s: EIO (injected)", op, clean(f.name))
		return pathErr(op, f.name, errIO)
	}
	if grow > 0 && (d.cfg.capacity > 0 && d.used()+grow > d.cfg.capacity || d.chance(d.cfg.fullErr)) {
		d.note("%s %s: ENOSPC", op, clean(f.name))
		return pathErr(op, f.name, errNoSpace)
	}
	return nil
}

func (f *simFile) truncate(ctx context.Context, size int64) error {
	d := f.d
	if err := d.pause(ctx, d.cfg.writeLatency); err != nil {
		return pathErr("truncate", f.name, err)
	}
	d.acquire()
	defer d.release()
	if err := f.check("truncate", writeAccess); err != nil {
		return err
	}
	if err := f.fault("truncate", size-int64(len(f.n.data))); err != nil {
		return err
	}
	f.n.resize(size)
	f.n.modTime = d.ex.Now()
	d.note("truncate %s to %d", clean(f.name), size)
	return nil
}

func (f *simFile) sync(ctx context.Context) error {
	d := f.d
	if err := d.pause(ctx, d.cfg.syncLatency); err != nil {
		return pathErr("sync", f.name, err)
	}
	d.acquire()
	defer d.release()
	if err := f.check("sync", anyAccess); err != nil { // fsync works on any access mode
		return err
	}
	if f.n.dir {
		return d.syncDirNode(f.n, f.name)
	}
	if d.chance(d.cfg.syncErr) {
		d.note("sync %s: EIO (injected)", clean(f.name))
		return pathErr("sync", f.name, errIO)
	}
	f.n.durable = append([]byte(nil), f.n.data...)
	f.n.pending = nil
	d.note("sync %s", clean(f.name))
	return nil
}

func (f *simFile) stat(ctx context.Context) (fs.FileInfo, error) {
	if err := f.d.pause(ctx, nil); err != nil {
		return nil, pathErr("stat", f.name, err)
	}
	f.d.acquire()
	defer f.d.release()
	if err := f.check("stat", anyAccess); err != nil {
		return nil, err
	}
	return f.n.info(f.name), nil
}

func (f *simFile) seek(offset int64, whence int) (int64, error) {
	f.d.acquire()
	defer f.d.release()
	if err := f.check("seek", anyAccess); err != nil {
		return 0, err
	}
	at := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		at += f.off
	case io.SeekEnd:
		at += int64(len(f.n.data))
	default:
		return 0, pathErr("seek", f.name, errInvalid)
	}
	if at < 0 {
		return 0, pathErr("seek", f.name, errInvalid)
	}
	f.off = at
	return at, nil
}

func (f *simFile) close() error {
	f.d.acquire()
	defer f.d.release()
	if f.closed {
		return pathErr("close", f.name, os.ErrClosed)
	}
	f.closed = true
	if f.gen == f.d.gen {
		f.n.opens--
	}
	return nil
}
