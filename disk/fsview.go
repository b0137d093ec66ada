package disk

import (
	"io"
	"io/fs"
	"path"
)

// FS returns a read-only view of the directory dir of the disk as it is
// now (what a read would see; Crash changes it). It costs no virtual time,
// injects no fault and is no scheduling point, so tests may read it from a
// task, from the harness or after the simulation has ended. Each file
// opened through it is a copy of the file at the time it was opened.
func (d *Disk) FS(dir string) fs.FS { return view{d: d, dir: clean(dir)} }

type view struct {
	d   *Disk
	dir string
}

func (v view) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, pathErr("open", name, fs.ErrInvalid)
	}
	v.d.acquire()
	defer v.d.release()
	n, err := v.d.lookup(path.Join(v.dir, name))
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	f := &viewFile{info: n.info(name)}
	if name == "." {
		f.info = n.info(path.Base(v.dir))
	}
	if n.dir {
		f.entries = n.list()
	} else {
		f.data = append([]byte(nil), n.data...)
	}
	return f, nil
}

type viewFile struct {
	info    fs.FileInfo
	data    []byte
	off     int
	entries []fs.DirEntry // a directory's, not yet listed
}

func (f *viewFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *viewFile) Close() error               { return nil }

func (f *viewFile) Read(p []byte) (int, error) {
	if f.info.IsDir() {
		return 0, pathErr("read", f.info.Name(), errIsDir)
	}
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	k := copy(p, f.data[f.off:])
	f.off += k
	return k, nil
}

// ReadDir lists a directory as fs.ReadDirFile does.
func (f *viewFile) ReadDir(count int) ([]fs.DirEntry, error) {
	if !f.info.IsDir() {
		return nil, pathErr("readdir", f.info.Name(), errNotDir)
	}
	if count <= 0 {
		out := f.entries
		f.entries = nil
		return out, nil
	}
	if len(f.entries) == 0 {
		return nil, io.EOF
	}
	k := min(count, len(f.entries))
	out := f.entries[:k:k]
	f.entries = f.entries[k:]
	return out, nil
}
