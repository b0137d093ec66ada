package disk

import (
	"errors"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"syscall"
	"time"
)

// inode is a file or directory of a simulated disk. A file holds what reads
// see (data), what a crash keeps for sure (durable) and the changes between
// the two (pending); a directory holds its entries as they are (entries)
// and as a crash keeps them for sure (stable), the journal holding the
// changes between.
type inode struct {
	id      int
	dir     bool
	perm    fs.FileMode
	modTime time.Time

	data, durable []byte
	pending       []piece

	entries, stable map[string]*inode // looked up; listed only sorted

	links int // names in the current tree
	opens int // open files of the current generation
}

// piece is an unsynced change of a file: a write of data at off, or (data
// nil) a truncation to size.
type piece struct {
	off  int64
	data []byte
	size int64
}

// metaOp is a directory change not yet durable: from[fromName] goes away
// (a rename) and dir[name] becomes node (nil: is removed).
type metaOp struct {
	dir      *inode
	name     string
	node     *inode
	from     *inode
	fromName string
}

func (op metaOp) apply() {
	if op.from != nil {
		delete(op.from.stable, op.fromName)
	}
	if op.node == nil {
		delete(op.dir.stable, op.name)
	} else {
		op.dir.stable[op.name] = op.node
	}
}

func (op metaOp) touches(dir *inode) bool { return op.dir == dir || op.from == dir }

func (d *Disk) newNode(dir bool, perm fs.FileMode) *inode {
	d.nextID++
	n := &inode{id: d.nextID, dir: dir, perm: perm & fs.ModePerm, modTime: d.ex.Now()}
	if dir {
		n.entries, n.stable = map[string]*inode{}, map[string]*inode{}
	}
	d.nodes = append(d.nodes, n)
	return n
}

// record appends a directory change to the journal and makes it in the
// current tree.
func (d *Disk) record(op metaOp) {
	if op.from != nil {
		delete(op.from.entries, op.fromName)
	}
	if old := op.dir.entries[op.name]; old != nil {
		old.links--
	}
	if op.node == nil {
		delete(op.dir.entries, op.name)
	} else {
		op.dir.entries[op.name] = op.node
		if op.from == nil {
			op.node.links++
		}
	}
	op.dir.modTime = d.ex.Now()
	d.journal = append(d.journal, op)
}

// commitDir makes durable every journalled change up to the last one that
// touches dir, as a journaling file system's commit does.
func (d *Disk) commitDir(dir *inode) {
	last := -1
	for i, op := range d.journal {
		if op.touches(dir) {
			last = i
		}
	}
	for _, op := range d.journal[:last+1] {
		op.apply()
	}
	d.journal = slices.Delete(d.journal, 0, last+1)
}

var (
	errNotExist = syscall.ENOENT
	errExist    = syscall.EEXIST
	errNotDir   = syscall.ENOTDIR
	errIsDir    = syscall.EISDIR
	errNotEmpty = syscall.ENOTEMPTY
	errBadFD    = syscall.EBADF
	errInvalid  = syscall.EINVAL
	errIO       = syscall.EIO
	errNoSpace  = syscall.ENOSPC
	errNegative = errors.New("negative offset")
)

// clean turns a name into an absolute slash path: a disk has one root, and
// relative names start there.
func clean(name string) string { return path.Clean("/" + name) }

// lookup finds the inode of a name in the current tree.
func (d *Disk) lookup(name string) (*inode, error) {
	n := d.root
	for _, part := range strings.Split(clean(name), "/")[1:] {
		if part == "" {
			continue
		}
		if !n.dir {
			return nil, errNotDir
		}
		if n = n.entries[part]; n == nil {
			return nil, errNotExist
		}
	}
	return n, nil
}

// parent finds the directory that holds name, and name's last element.
func (d *Disk) parent(name string) (*inode, string, error) {
	p := clean(name)
	if p == "/" {
		return nil, "", errInvalid
	}
	dir, base := path.Split(p)
	n, err := d.lookup(dir)
	if err != nil {
		return nil, "", err
	}
	if !n.dir {
		return nil, "", errNotDir
	}
	return n, base, nil
}

// used is the bytes the files of the current tree (and open ones) hold.
func (d *Disk) used() int64 {
	var sum int64
	for _, n := range d.nodes {
		if n.links > 0 || n.opens > 0 {
			sum += int64(len(n.data))
		}
	}
	return sum
}

// walk calls f for every inode reachable in the tree given by entries (the
// current or the stable one), parents first, names sorted.
func walk(root *inode, entries func(*inode) map[string]*inode, f func(p string, n *inode)) {
	var visit func(p string, n *inode)
	visit = func(p string, n *inode) {
		f(p, n)
		if !n.dir {
			return
		}
		es := entries(n)
		for _, name := range slices.Sorted(maps.Keys(es)) {
			visit(path.Join(p, name), es[name])
		}
	}
	visit("/", root)
}

// info describes an inode under a name.
func (n *inode) info(name string) fs.FileInfo {
	mode := n.perm
	if n.dir {
		mode |= fs.ModeDir
	}
	return fileInfo{name: path.Base(clean(name)), size: int64(len(n.data)), mode: mode, mod: n.modTime}
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
	mod  time.Time
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return fi.mod }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return nil }

// list returns the entries of a directory inode, sorted by name.
func (n *inode) list() []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(n.entries))
	for _, name := range slices.Sorted(maps.Keys(n.entries)) {
		out = append(out, fs.FileInfoToDirEntry(n.entries[name].info(name)))
	}
	return out
}
