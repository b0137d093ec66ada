package disk

import (
	"context"
	"io/fs"
	"os"
	"strings"
)

func pathErr(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

func (d *Disk) openFile(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	if err := d.pause(ctx, nil); err != nil {
		return nil, pathErr("open", name, err)
	}
	d.acquire()
	defer d.release()
	access := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	n, err := d.lookup(name)
	switch {
	case err == errNotExist && flag&os.O_CREATE != 0:
		dir, base, perr := d.parent(name)
		if perr != nil {
			return nil, pathErr("open", name, perr)
		}
		n = d.newNode(false, perm)
		d.record(metaOp{dir: dir, name: base, node: n})
		d.note("create %s", clean(name))
	case err != nil:
		return nil, pathErr("open", name, err)
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, pathErr("open", name, errExist)
	case n.dir && access != os.O_RDONLY:
		return nil, pathErr("open", name, errIsDir)
	case flag&os.O_TRUNC != 0 && access != os.O_RDONLY && len(n.data) > 0:
		n.resize(0)
		d.note("truncate %s to 0", clean(name))
	}
	n.opens++
	return &File{name: name, sim: &simFile{d: d, n: n, name: name, gen: d.gen, flag: flag}}, nil
}

func (d *Disk) readFile(ctx context.Context, name string) ([]byte, error) {
	if err := d.pause(ctx, nil); err != nil {
		return nil, pathErr("open", name, err)
	}
	d.acquire()
	defer d.release()
	n, err := d.lookup(name)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if n.dir {
		return nil, pathErr("read", name, errIsDir)
	}
	return append([]byte(nil), n.data...), nil
}

func (d *Disk) rename(ctx context.Context, oldpath, newpath string) error {
	fail := func(err error) error { return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err} }
	if err := d.pause(ctx, nil); err != nil {
		return fail(err)
	}
	d.acquire()
	defer d.release()
	from, fromName, err := d.parent(oldpath)
	if err != nil {
		return fail(err)
	}
	n := from.entries[fromName]
	if n == nil {
		return fail(errNotExist)
	}
	dir, name, err := d.parent(newpath)
	if err != nil {
		return fail(err)
	}
	if from == dir && fromName == name {
		return nil
	}
	if n.dir && strings.HasPrefix(clean(newpath), clean(oldpath)+"/") {
		return fail(errInvalid) // into its own subtree
	}
	if old := dir.entries[name]; old != nil {
		switch {
		case old.dir && !n.dir:
			return fail(errIsDir)
		case !old.dir && n.dir:
			return fail(errNotDir)
		case old.dir && len(old.entries) > 0:
			return fail(errNotEmpty)
		}
	}
	d.record(metaOp{dir: dir, name: name, node: n, from: from, fromName: fromName})
	d.note("rename %s %s", clean(oldpath), clean(newpath))
	return nil
}

func (d *Disk) remove(ctx context.Context, name string) error {
	if err := d.pause(ctx, nil); err != nil {
		return pathErr("remove", name, err)
	}
	d.acquire()
	defer d.release()
	dir, base, err := d.parent(name)
	if err != nil {
		return pathErr("remove", name, err)
	}
	n := dir.entries[base]
	switch {
	case n == nil:
		return pathErr("remove", name, errNotExist)
	case n.dir && len(n.entries) > 0:
		return pathErr("remove", name, errNotEmpty)
	}
	d.record(metaOp{dir: dir, name: base})
	d.note("remove %s", clean(name))
	return nil
}

func (d *Disk) mkdir(ctx context.Context, name string, perm fs.FileMode) error {
	if err := d.pause(ctx, nil); err != nil {
		return pathErr("mkdir", name, err)
	}
	d.acquire()
	defer d.release()
	dir, base, err := d.parent(name)
	if err != nil {
		return pathErr("mkdir", name, err)
	}
	if dir.entries[base] != nil {
		return pathErr("mkdir", name, errExist)
	}
	d.record(metaOp{dir: dir, name: base, node: d.newNode(true, perm)})
	d.note("mkdir %s", clean(name))
	return nil
}

func (d *Disk) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	if err := d.pause(ctx, nil); err != nil {
		return nil, pathErr("readdir", name, err)
	}
	d.acquire()
	defer d.release()
	n, err := d.lookup(name)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if !n.dir {
		return nil, pathErr("readdir", name, errNotDir)
	}
	return n.list(), nil
}

func (d *Disk) stat(ctx context.Context, name string) (fs.FileInfo, error) {
	if err := d.pause(ctx, nil); err != nil {
		return nil, pathErr("stat", name, err)
	}
	d.acquire()
	defer d.release()
	n, err := d.lookup(name)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return n.info(name), nil
}

func (d *Disk) syncDir(ctx context.Context, name string) error {
	if err := d.pause(ctx, d.cfg.syncLatency); err != nil {
		return pathErr("sync", name, err)
	}
	d.acquire()
	defer d.release()
	n, err := d.lookup(name)
	if err != nil {
		return pathErr("open", name, err)
	}
	if !n.dir {
		return pathErr("sync", name, errNotDir)
	}
	return d.syncDirNode(n, name)
}

func (d *Disk) syncDirNode(n *inode, name string) error {
	if d.chance(d.cfg.syncErr) {
		d.note("sync %s: EIO (injected)", clean(name))
		return pathErr("sync", name, errIO)
	}
	d.commitDir(n)
	d.note("sync dir %s", clean(name))
	return nil
}

// resize truncates or extends a file (with zeros) as an unsynced change.
func (n *inode) resize(size int64) {
	if size <= int64(len(n.data)) {
		n.data = n.data[:size:size] // a later write must not reuse the cut bytes
	} else {
		n.data = append(n.data, make([]byte, size-int64(len(n.data)))...)
	}
	n.pending = append(n.pending, piece{size: size})
}

// writeAt writes p at off as an unsynced change.
func (n *inode) writeAt(p []byte, off int64) {
	if len(p) == 0 {
		return // a nil piece would read as a truncation
	}
	if end := off + int64(len(p)); end > int64(len(n.data)) {
		n.data = append(n.data, make([]byte, end-int64(len(n.data)))...)
	}
	copy(n.data[off:], p)
	n.pending = append(n.pending, piece{off: off, data: append([]byte(nil), p...)})
}
