// Package disk is weft's file API: open, create, read, write, sync,
// truncate, close, rename, remove, mkdir, list and sync a directory, each
// taking a context first (S1). With a context that does not belong to a
// simulation the calls are package os's, so the code under test is the
// code that ships. In a simulation they go to a simulated disk that loses
// what real disks lose at a crash.
//
// # Durability
//
// A simulated disk keeps the contract real file systems give, no more:
//
//   - what is written is visible to every read at once;
//   - File.Sync makes the file's data and size durable: what was written
//     before it survives every crash;
//   - a file's name (its creation, removal or rename) is durable once its
//     directory is synced with SyncDir (or File.Sync of the directory
//     opened with Open); syncing a directory commits, in order, every
//     directory change made before the last change to that directory, as a
//     journaling file system's commit would;
//   - Rename is atomic: after a crash the file is under the old name or
//     the new one, never neither;
//   - Close makes nothing durable.
//
// The disk survives a crash of its host: a restarted host reads what the
// crash left (S70).
//
// # Crash states
//
// At a crash — netsim's Host.Crash for a host's disk, Disk.Crash for the
// simulation's own — everything not yet durable meets a crash state drawn
// from the simulation's decisions, so it follows the seed, is kept in
// replay files and is shrunk with the schedule:
//
//   - the directory changes not yet durable survive up to a drawn point,
//     in order;
//   - each file's unsynced writes are Lost, Kept, Torn (they reached the
//     platter in order and the crash cut them at a sector boundary, so a
//     write may survive in part) or Reordered (each sector of each write
//     survived or not on its own).
//
// Files open at the crash are dead: their methods return ErrCrashed. The
// crash and what it kept of each file are recorded in the run's event log
// and hash, as is every write, sync and directory change.
//
// # Simulation
//
// A simulation has one disk per netsim host that uses one (the context's
// host, from Host.Context) and one for code on no host; Of returns the disk
// serving a context. A disk is a tree of directories rooted at "/";
// relative names start there too, so "data/wal" and "/data/wal" are the
// same file. Errors are *fs.PathError (*os.LinkError for Rename) wrapping
// the errno package os would report, so errors.Is(err, fs.ErrNotExist) and
// errors.Is(err, syscall.EIO) work as they do with os.
//
// Every call that takes a context is a scheduling point. Writes and truncations take the disk's
// write latency and syncs its sync latency, in virtual time (WithLatency);
// reads and directory changes take none. Faults are options of a disk
// (Disk.Set): EIO on a share of writes or syncs, ENOSPC on a share of
// growing writes or past a capacity. Swarm draws latency and fault shares
// from the seed, beside netsim's Network.Swarm, which crashes the hosts.
//
// FS returns an fs.FS view of a disk for tests: no latency, no faults, no
// scheduling point, readable after the simulation has ended.
//
// # Production
//
// With a production context every function is package os's (OpenFile,
// ReadFile, Rename, Remove, Mkdir, ReadDir, Stat; SyncDir opens the
// directory and syncs it) and a File wraps an *os.File. A context that
// has ended makes a call return its error before it starts; a call that
// has started is not interrupted.
package disk
