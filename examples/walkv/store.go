package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/runtime"
)

// Bugs are the planted bugs; the zero value is the correct store.
type Bugs struct {
	// AckBeforeSync applies and acknowledges a put once its log record is
	// written, and syncs the log every flushEvery, in the background.
	AckBeforeSync bool
	// RenameWithoutDirSync renames a new snapshot into place without
	// syncing the directory, then empties the log.
	RenameWithoutDirSync bool
}

// compactEvery is how many logged puts trigger a new snapshot.
const compactEvery = 4

// store is a key-value map kept durable by a write-ahead log (dir/wal)
// and a snapshot (dir/snap). Every log record carries a log sequence
// number (LSN); the snapshot holds the state up to the LSN it names.
type store struct {
	dir  string
	bugs Bugs

	mu     runtime.Mutex // serialises puts, snapshots and reads of data
	data   map[string]string
	lsn    uint64 // of the last logged put
	logged int    // records in the log since the snapshot
	wal    *disk.File
}

// open recovers the store from dir: the snapshot, then the log records
// that follow it without a gap; then it writes a fresh snapshot and an
// empty log, so new records never follow a torn tail.
func open(ctx context.Context, dir string, bugs Bugs) (*store, error) {
	s := &store{dir: dir, bugs: bugs, data: map[string]string{}}
	if err := disk.Mkdir(ctx, dir, 0o755); err == nil {
		if err := disk.SyncDir(ctx, path.Dir(dir)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	if err := s.loadSnapshot(ctx); err != nil {
		return nil, err
	}
	if err := s.replay(ctx); err != nil {
		return nil, err
	}
	wal, err := disk.OpenFile(ctx, s.file("wal"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	s.wal = wal
	if err := s.start(ctx); err != nil {
		wal.Close()
		return nil, err
	}
	return s, nil
}

// start makes the log's name durable (it may be new) and replaces the
// snapshot and the log by a snapshot of what was recovered.
func (s *store) start(ctx context.Context) error {
	if err := disk.SyncDir(ctx, s.dir); err != nil {
		return err
	}
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.snapshot(ctx)
}

func (s *store) file(name string) string { return path.Join(s.dir, name) }

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// get reads a key.
func (s *store) get(ctx context.Context, key string) (string, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	return s.data[key], nil
}

// put logs and applies a write; ack is called once the put may be
// acknowledged. A put whose log write or sync failed is not applied (it may
// still surface after a crash: its client cannot know).
func (s *store) put(ctx context.Context, key, value string, ack func()) error {
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, err := s.wal.Write(ctx, frame(fmt.Sprintf("%d\x00%s\x00%s", s.lsn+1, key, value))); err != nil {
		return err
	}
	s.lsn++
	s.logged++
	if s.bugs.AckBeforeSync {
		s.data[key] = value
		ack() // BUG: acknowledged before the record is durable (flush syncs it later)
	} else {
		if err := s.wal.Sync(ctx); err != nil {
			return err
		}
		s.data[key] = value
		ack()
	}
	if s.logged >= compactEvery {
		return s.snapshot(ctx)
	}
	return nil
}

// flushEvery is how often the AckBeforeSync store syncs its log.
const flushEvery = 100 * time.Millisecond

// flush syncs the log now and then, as a store that acknowledges before it
// syncs (AckBeforeSync) does, until ctx ends or the host crashes.
func (s *store) flush(ctx context.Context) error {
	for {
		if err := clock.Sleep(ctx, flushEvery); err != nil {
			return err
		}
		if err := s.mu.Lock(ctx); err != nil {
			return err
		}
		err := s.wal.Sync(ctx)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// snapshot writes the state to snap.tmp, syncs it, renames it over snap,
// syncs the directory, and only then empties the log. s.mu is held.
func (s *store) snapshot(ctx context.Context) error {
	var buf bytes.Buffer
	buf.Write(frame("snap\x00" + strconv.FormatUint(s.lsn, 10)))
	for _, k := range sortedKeys(s.data) {
		buf.Write(frame(k + "\x00" + s.data[k]))
	}
	tmp := s.file("snap.tmp")
	f, err := disk.Create(ctx, tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(ctx, buf.Bytes()); err != nil {
		return err
	}
	if err := f.Sync(ctx); err != nil {
		return err
	}
	if err := disk.Rename(ctx, tmp, s.file("snap")); err != nil {
		return err
	}
	if !s.bugs.RenameWithoutDirSync {
		if err := disk.SyncDir(ctx, s.dir); err != nil {
			return err
		}
	} // BUG otherwise: a crash may undo the rename after the log is emptied
	if err := s.wal.Truncate(ctx, 0); err != nil {
		return err
	}
	if err := s.wal.Sync(ctx); err != nil {
		return err
	}
	s.logged = 0
	return nil
}

func (s *store) loadSnapshot(ctx context.Context) error {
	data, err := disk.ReadFile(ctx, s.file("snap"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	recs, rest := records(data)
	if len(rest) > 0 || len(recs) == 0 {
		return &corruptError{fmt.Sprintf("snapshot %s is corrupt after %d records", s.file("snap"), len(recs))}
	}
	head := strings.Split(recs[0], "\x00")
	if len(head) != 2 || head[0] != "snap" {
		return &corruptError{fmt.Sprintf("snapshot %s has no header", s.file("snap"))}
	}
	if s.lsn, err = strconv.ParseUint(head[1], 10, 64); err != nil {
		return &corruptError{fmt.Sprintf("snapshot %s: %v", s.file("snap"), err)}
	}
	for _, r := range recs[1:] {
		k, v, _ := strings.Cut(r, "\x00")
		s.data[k] = v
	}
	return nil
}

// replay applies the log records that continue the snapshot: those of an
// older log are skipped, and a gap, a torn or a corrupt record ends it.
func (s *store) replay(ctx context.Context) error {
	data, err := disk.ReadFile(ctx, s.file("wal"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	recs, _ := records(data)
	for _, r := range recs {
		parts := strings.SplitN(r, "\x00", 3)
		if len(parts) != 3 {
			break
		}
		lsn, err := strconv.ParseUint(parts[0], 10, 64)
		if err != nil {
			break
		}
		if lsn <= s.lsn {
			continue // already in the snapshot
		}
		if lsn != s.lsn+1 {
			break
		}
		s.data[parts[1]] = parts[2]
		s.lsn = lsn
	}
	return nil
}

// frame wraps a record: its length, its CRC-32, itself.
func frame(rec string) []byte {
	b := make([]byte, 8, 8+len(rec))
	binary.LittleEndian.PutUint32(b, uint32(len(rec)))
	binary.LittleEndian.PutUint32(b[4:], crc32.ChecksumIEEE([]byte(rec)))
	return append(b, rec...)
}

// records reads framed records up to the first torn or corrupt one, and
// returns what follows them.
func records(data []byte) ([]string, []byte) {
	var out []string
	for len(data) >= 8 {
		n := binary.LittleEndian.Uint32(data)
		sum := binary.LittleEndian.Uint32(data[4:])
		if n == 0 || uint64(n) > uint64(len(data)-8) || crc32.ChecksumIEEE(data[8:8+n]) != sum {
			break
		}
		out = append(out, string(data[8:8+n]))
		data = data[8+n:]
	}
	return out, data
}

// corruptError reports a snapshot that cannot be read: a bug, since
// snapshots are synced before they are renamed into place.
type corruptError struct{ msg string }

func (e *corruptError) Error() string { return e.msg }
