package disk

import (
	"fmt"
	"maps"
	"strings"
)

// Crash is a power loss: every file open on the disk becomes stale (its
// methods return ErrCrashed), and the disk keeps what was synced plus what
// the crash state, drawn from the simulation's decisions, keeps of the
// rest:
//
//   - the directory changes not yet synced (creations, removals, renames,
//     in order) survive up to a drawn point, as a journal that had
//     committed that far: none (Lost), all (Kept) or a prefix (Torn,
//     Reordered);
//   - each file's unsynced writes and truncations are Lost, Kept, Torn (in
//     order, cut at a sector boundary, so one write may persist in part)
//     or Reordered (each sector of each write persists or not on its own).
//
// Host.Crash crashes the host's disk; call Crash for the disk of a
// simulation without hosts, or to cut power under running code.
func (d *Disk) Crash() {
	d.acquire()
	defer d.release()
	d.gen++
	var summary []string

	meta := len(d.journal)
	if meta > 0 {
		keep := 0
		switch m := d.mode(); m {
		case Kept:
			keep = meta
		case Torn, Reordered:
			keep = d.ex.RandN(meta + 1)
		}
		for _, op := range d.journal[:keep] {
			op.apply()
		}
		d.journal = nil
		summary = append(summary, fmt.Sprintf("%d of %d directory changes kept", keep, meta))
	}

	reachable := map[*inode]string{} // looked up, never iterated
	walk(d.root, func(n *inode) map[string]*inode { return n.stable }, func(p string, n *inode) { reachable[n] = p })
	live := d.nodes[:0]
	for _, n := range d.nodes { // creation order: the draws follow it
		p, ok := reachable[n]
		if !ok {
			continue // its name did not survive: gone
		}
		n.opens, n.links = 0, 1
		if n.dir {
			n.entries = maps.Clone(n.stable)
		} else if len(n.pending) > 0 {
			summary = append(summary, d.crashFile(p, n))
		}
		live = append(live, n)
	}
	clear(d.nodes[len(live):])
	d.nodes = live
	if len(summary) == 0 {
		summary = append(summary, "everything was synced")
	}
	d.note("crash: %s", strings.Join(summary, "; "))
}

// mode draws one of the configured crash modes.
func (d *Disk) mode() CrashMode { return d.cfg.modes[d.ex.RandN(len(d.cfg.modes))] }

// crashFile decides what a crash keeps of a file's unsynced changes and
// describes it.
func (d *Disk) crashFile(p string, n *inode) string {
	pieces := sectors(n.pending, int64(d.cfg.sector))
	keep := make([]bool, len(pieces))
	m := d.mode()
	switch m {
	case Kept:
		for i := range keep {
			keep[i] = true
		}
	case Torn:
		for i := range d.ex.RandN(len(pieces) + 1) {
			keep[i] = true
		}
	case Reordered:
		var bits uint64
		for i := range keep {
			if i%64 == 0 {
				bits = d.ex.RandUint64()
			}
			keep[i] = bits&(1<<(i%64)) != 0
		}
	}
	data := append([]byte(nil), n.durable...)
	kept := 0
	for i, pc := range pieces {
		if !keep[i] {
			continue
		}
		kept++
		if pc.data == nil {
			data = resized(data, pc.size)
			continue
		}
		if end := pc.off + int64(len(pc.data)); end > int64(len(data)) {
			data = resized(data, end)
		}
		copy(data[pc.off:], pc.data)
	}
	n.durable, n.data, n.pending = data, append([]byte(nil), data...), nil
	return fmt.Sprintf("%s %v, %d of %d sectors kept", p, m, kept, len(pieces))
}

// sectors splits unsynced changes at sector boundaries: a write becomes one
// piece per sector it touches, a truncation stays one piece.
func sectors(pending []piece, size int64) []piece {
	var out []piece
	for _, pc := range pending {
		if pc.data == nil {
			out = append(out, pc)
			continue
		}
		for off, rest := pc.off, pc.data; len(rest) > 0; {
			k := min(int64(len(rest)), size-off%size)
			out = append(out, piece{off: off, data: rest[:k]})
			off, rest = off+k, rest[k:]
		}
	}
	return out
}

func resized(b []byte, size int64) []byte {
	if size <= int64(len(b)) {
		return b[:size]
	}
	return append(b, make([]byte, size-int64(len(b)))...)
}
