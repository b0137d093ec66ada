package disk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
)

// Disk is a simulated disk: a tree of directories and files, what of it is
// durable, and the faults and latency of the device. A simulation has one
// per netsim host that uses it, and one for code on no host. Application
// code never needs it (it calls the package's functions with its context);
// tests use it to configure faults, to crash a disk that has no host, and
// to look at what is on it.
type Disk struct {
	ex    kernel.Executor
	label string       // for events: "disk h1" or "disk"
	host  *netsim.Host // nil: the simulation's own disk
	cfg   config

	root    *inode
	nodes   []*inode // every live inode, in creation order (never map order)
	nextID  int
	journal []metaOp // directory changes not yet durable, in order
	gen     int      // bumped by each crash: files opened before are stale
}

// registry is a simulation's disks (Executor.Attach).
type registry struct {
	shared *Disk
	byHost map[*netsim.Host]*Disk // looked up, never iterated
}

type registryKey struct{}

// Of returns the simulated disk that serves ctx: that of the netsim host ctx
// runs on (Host.Context), or the simulation's own for a context on no host.
// It returns nil in production, where package os serves every call. A
// host's disk is created at first use and survives the host's crashes and
// restarts: Host.Crash draws what the crash leaves of it.
func Of(ctx context.Context) *Disk {
	cur := kernel.FromContext(ctx)
	if cur == nil || !cur.Executor().Virtual() {
		return nil
	}
	ex := cur.Executor()
	reg, _ := ex.Attached(registryKey{}).(*registry)
	if reg == nil {
		reg = &registry{byHost: map[*netsim.Host]*Disk{}}
		ex.Attach(registryKey{}, reg)
	}
	kernel.RaceAcquire(unsafe.Pointer(reg)) // tasks share the registry
	defer kernel.RaceReleaseMerge(unsafe.Pointer(reg))
	h := netsim.HostOf(ctx)
	if h == nil {
		if reg.shared == nil {
			reg.shared = newDisk(ex, nil)
		}
		return reg.shared
	}
	d := reg.byHost[h]
	if d == nil {
		d = newDisk(ex, h)
		reg.byHost[h] = d
		h.OnCrash(d.Crash)
	}
	return d
}

func newDisk(ex kernel.Executor, h *netsim.Host) *Disk {
	d := &Disk{ex: ex, host: h, label: "disk", cfg: defaultConfig()}
	if h != nil {
		d.label = "disk " + h.Name()
	}
	d.root = d.newNode(true, 0o755)
	d.root.links = 1
	return d
}

// CrashMode is one way unsynced writes of a file meet a crash.
type CrashMode uint8

const (
	Lost      CrashMode = iota // none of them reached the platter
	Kept                       // all of them did, as if synced
	Torn                       // they reached it in order, cut at a sector boundary
	Reordered                  // any subset of their sectors did
)

func (m CrashMode) String() string {
	switch m {
	case Lost:
		return "lost"
	case Kept:
		return "kept"
	case Torn:
		return "torn"
	case Reordered:
		return "reordered"
	}
	return fmt.Sprintf("CrashMode(%d)", uint8(m))
}

// config is a disk's device model.
type config struct {
	writeLatency, syncLatency  netsim.Latency
	writeErr, syncErr, fullErr float64
	capacity                   int64 // 0: unlimited
	sector                     int
	modes                      []CrashMode
}

// Defaults of the options below.
const (
	DefaultWriteLatency = 20 * time.Microsecond
	DefaultSyncLatency  = time.Millisecond
	DefaultSectorSize   = 512
)

func defaultConfig() config {
	return config{
		writeLatency: netsim.Fixed(DefaultWriteLatency),
		syncLatency:  netsim.Fixed(DefaultSyncLatency),
		sector:       DefaultSectorSize,
		modes:        []CrashMode{Lost, Kept, Torn, Reordered},
	}
}

// Option configures a simulated disk (Disk.Set).
type Option func(*config)

// WithLatency sets how long a write (Write, WriteAt, Truncate) and a sync
// (File.Sync, SyncDir) take in virtual time; nil keeps the current one.
// Reads and metadata changes take none, but are scheduling points all the
// same.
func WithLatency(write, sync netsim.Latency) Option {
	return func(c *config) {
		if write != nil {
			c.writeLatency = write
		}
		if sync != nil {
			c.syncLatency = sync
		}
	}
}

// WithWriteErrors makes a share p of writes fail with EIO, writing nothing.
func WithWriteErrors(p float64) Option { return func(c *config) { c.writeErr = share(p) } }

// WithSyncErrors makes a share p of syncs fail with EIO; what they were to
// make durable stays unsynced (a later sync may still persist it, a crash
// may lose it).
func WithSyncErrors(p float64) Option { return func(c *config) { c.syncErr = share(p) } }

// WithSpaceErrors makes a share p of writes that grow a file fail with
// ENOSPC, writing nothing: a disk that other tenants fill now and then.
func WithSpaceErrors(p float64) Option { return func(c *config) { c.fullErr = share(p) } }

// WithCapacity limits the bytes the disk's files may hold; a write or
// truncation past it fails with ENOSPC and changes nothing. Zero means no
// limit (the default).
func WithCapacity(bytes int64) Option {
	if bytes < 0 {
		panic("disk: WithCapacity of a negative size; give 0 for no limit")
	}
	return func(c *config) { c.capacity = bytes }
}

// WithSectorSize sets the granularity at which a crash tears writes
// (default DefaultSectorSize).
func WithSectorSize(n int) Option {
	if n <= 0 {
		panic("disk: WithSectorSize needs a positive size")
	}
	return func(c *config) { c.sector = n }
}

// WithCrashModes restricts the crash states a crash draws from (all four
// by default). The same modes decide the directory changes not yet synced:
// Lost drops them all, Kept keeps them all, and Torn or Reordered keep a
// prefix of them, drawn (a journal commits them in order).
func WithCrashModes(modes ...CrashMode) Option {
	if len(modes) == 0 {
		panic("disk: WithCrashModes needs at least one mode")
	}
	for _, m := range modes {
		if m > Reordered {
			panic(fmt.Sprintf("disk: WithCrashModes of unknown %v; use Lost, Kept, Torn or Reordered", m))
		}
	}
	return func(c *config) { c.modes = append([]CrashMode(nil), modes...) }
}

func share(p float64) float64 {
	if math.IsNaN(p) || p < 0 || p > 1 {
		panic(fmt.Sprintf("disk: a fault share of %v; give one in [0, 1]", p))
	}
	return p
}

// Set applies options to the disk; they hold from its next operation on.
func (d *Disk) Set(opts ...Option) {
	for _, o := range opts {
		o(&d.cfg)
	}
}

// ErrCrashed is returned by every method of a File opened before a crash
// of its disk: the handle died with the machine. (A host's tasks are dropped
// at its crash; a disk crashed by Disk.Crash under running tasks says so
// this way.)
var ErrCrashed = errors.New("disk: the file was opened before a crash of its disk")

// pause is the scheduling point of every operation: it waits for the
// operation's latency (or yields), then refuses the operation if the host
// went down meanwhile.
func (d *Disk) pause(ctx context.Context, lat netsim.Latency) error {
	if lat != nil {
		if dur := lat(d.ex.RandUint64); dur > 0 {
			if err := clock.Sleep(ctx, dur); err != nil {
				return err
			}
			return d.alive()
		}
	}
	runtime.YieldNow(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.alive()
}

func (d *Disk) alive() error {
	if d.host != nil && d.host.Down() {
		return errIO
	}
	return nil
}

// acquire and release bracket every operation on the disk's state: for
// the race detector the disk is synchronised as package os's files are
// (package syscall orders every read after every earlier write), so tasks
// that share it through files are not reported.
func (d *Disk) acquire() { kernel.RaceAcquire(unsafe.Pointer(d)) }
func (d *Disk) release() { kernel.RaceReleaseMerge(unsafe.Pointer(d)) }

// chance reports an event of probability p, as a decision of the
// simulation.
func (d *Disk) chance(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return float64(d.ex.RandUint64()>>11)/(1<<53) < p
}

// note records an event of the disk in the simulation's log and hash.
func (d *Disk) note(format string, args ...any) {
	d.ex.Note(d.label + ": " + fmt.Sprintf(format, args...))
}
