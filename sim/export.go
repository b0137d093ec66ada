package sim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/weftsim/weft/runtime"
)

// WriteTrace writes the run as Chrome trace-event JSON (the format
// ui.perfetto.dev and chrome://tracing open): a process per netsim host
// (and one for the simulation itself, with the scheduler's track and the
// tasks on no host), a track per task, a slice per scheduling step, instant
// events for parks (with what the task waits on and where), wake-ups,
// spawns, aborts, exits and panics, timer firings, messages and log
// records, and flow arrows from a spawn to the task's first step, from a
// wake-up to the woken task's next step, and from a message's send to its
// delivery.
//
// The time axis is virtual time in microseconds, with each scheduling step
// (and each stretch of the scheduler's work between steps) drawn one
// microsecond wide: steps take no virtual time, so the steps of one instant
// are laid side by side, and the axis runs ahead of virtual time by a
// microsecond per step. Every event's args carry its virtual time and step.
//
// Only the events the run kept are drawn (WithTrace; sim.Test keeps up to
// TestTraceSize): a run that kept fewer than it had starts at the first
// kept event, and its metadata says so.
func (r Result) WriteTrace(w io.Writer) error {
	data, err := json.MarshalIndent(r.traceFile(), "", " ")
	if err != nil {
		return fmt.Errorf("sim: encoding the trace: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// traceFile is the JSON object format of the trace-event format.
type traceFile struct {
	TraceEvents     []traceEvent   `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData"`
}

// traceEvent is one event of the trace-event format: ph is its phase (X a
// complete slice, i an instant, s and f the ends of a flow arrow, M
// metadata), ts its time in microseconds, pid and tid its track. The two
// ends of an arrow share id, cat and name, and each lies strictly inside
// the slice it binds to (the start's enclosing slice; the end's, with bp
// "e"), as trace viewers pair and bind them.
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  uint64         `json:"tid"`
	ID   uint64         `json:"id,omitempty"`
	S    string         `json:"s,omitempty"`
	Bp   string         `json:"bp,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// stepWidth is how wide a step is drawn, in microseconds.
const stepWidth = 1.0

// unit is a stretch of the event log drawn one stepWidth wide: a step (its
// first event is the EvRun), or the scheduler's work between two steps.
type unit struct {
	events []Event
	step   bool
	task   runtime.TaskID // the step's task
}

// units cuts events into steps and the stretches between them. A step ends
// when its task parks, yields or ends; what follows until the next step is
// the scheduler's (timers, deliveries, a shutdown's aborts).
func units(events []Event) []unit {
	var out []unit
	open := func(step bool, task runtime.TaskID) { out = append(out, unit{step: step, task: task}) }
	inStep := false
	for _, ev := range events {
		switch {
		case ev.Kind == EvRun:
			open(true, ev.Task)
			inStep = true
		case ev.Kind == EvAdvance || len(out) == 0 || (!inStep && out[len(out)-1].step):
			open(false, 0)
		}
		u := &out[len(out)-1]
		u.events = append(u.events, ev)
		if inStep && ev.Task == u.task && (ev.Kind == EvPark || ev.Kind == EvYield || ev.Kind == EvExit) {
			inStep = false
		}
	}
	return out
}

// taskInfo is what the trace shows of a task.
type taskInfo struct {
	id     runtime.TaskID
	name   string
	host   string
	by     runtime.TaskID
	failed bool
	first  float64 // ts of its first step; -1: none yet
	pid    int
}

// exporter builds a traceFile from a Result.
type exporter struct {
	r       Result
	out     []traceEvent
	tasks   map[runtime.TaskID]*taskInfo // look-ups only
	order   []*taskInfo                  // spawn order
	hosts   map[string]int               // host name -> pid; look-ups only
	flowID  uint64
	pending map[runtime.TaskID][]traceEvent // flow starts waiting for the task's next step
	sends   map[uint64]traceEvent           // message id -> its send, until delivered
}

const simPid = 1 // the simulation's process: the scheduler and tasks on no host

func (r Result) traceFile() traceFile {
	x := &exporter{r: r, tasks: map[runtime.TaskID]*taskInfo{}, hosts: map[string]int{},
		pending: map[runtime.TaskID][]traceEvent{}, sends: map[uint64]traceEvent{}}
	failed := failedTasks(r)
	us := units(r.Events)
	for i, u := range us {
		start := float64(u.events[0].At)/float64(time.Microsecond) + float64(i)*stepWidth
		x.unit(u, start)
	}
	meta := x.metadata(failed)
	other := map[string]any{
		"seed": r.Seed, "strategy": r.Strategy.String(), "steps": r.Steps, "elapsed": r.Elapsed.String(),
		"hash": fmt.Sprintf("%#016x", r.Hash), "tasks": r.Tasks, "failedTasks": failed,
		"timeAxis": "virtual time in µs; each step is drawn 1µs wide, so the axis runs ahead of virtual time by 1µs per step",
	}
	if r.Err != nil {
		other["failure"] = r.Err.Error()
	}
	if len(r.Events) > 0 && r.Events[0].Step > 1 {
		other["truncated"] = fmt.Sprintf("the run kept its events from step %d on (WithTrace)", r.Events[0].Step)
	}
	// Arrows are drawn when their end comes: put their starts in time
	// order (a stable sort: equal times keep the log's order).
	slices.SortStableFunc(x.out, func(a, b traceEvent) int { return cmp.Compare(a.Ts, b.Ts) })
	return traceFile{TraceEvents: append(meta, x.out...), DisplayTimeUnit: "ns", OtherData: other}
}

// failedTasks returns the tasks a run's failure names.
func failedTasks(r Result) []runtime.TaskID {
	var ids []runtime.TaskID
	var pe *runtime.PanicError
	var de *DeadlockError
	var se *StuckTaskError
	switch {
	case r.Err == nil:
	case errors.As(r.Err, &pe):
		ids = append(ids, pe.ID)
	case errors.As(r.Err, &de):
		for _, t := range de.Tasks {
			ids = append(ids, t.ID)
		}
	case errors.As(r.Err, &se):
		ids = append(ids, se.ID)
	case errors.As(r.Err, new(*StepLimitError)), errors.As(r.Err, new(*TimeLimitError)),
		errors.As(r.Err, new(*DivergenceError)), errors.As(r.Err, new(*InternalError)):
	default: // the root's own error (or its Goexit)
		ids = append(ids, 1)
	}
	return ids
}

func (x *exporter) task(id runtime.TaskID) *taskInfo {
	t := x.tasks[id]
	if t == nil { // spawned before the kept events began
		t = &taskInfo{id: id, first: -1, pid: simPid}
		x.tasks[id] = t
		x.order = append(x.order, t)
	}
	return t
}

func (x *exporter) pidOf(host string) int {
	if host == "" {
		return simPid
	}
	p, ok := x.hosts[host]
	if !ok {
		p = len(x.hosts) + simPid + 1
		x.hosts[host] = p
	}
	return p
}

func (x *exporter) emit(ev traceEvent) { x.out = append(x.out, ev) }

func args(ev Event) map[string]any {
	return map[string]any{"step": ev.Step, "at": "+" + ev.At.String(), "vt": int64(ev.At)}
}

// unit draws one step, or the scheduler's work between steps, from start.
func (x *exporter) unit(u unit, start float64) {
	m := float64(len(u.events))
	pid, tid := simPid, uint64(0)
	if u.step {
		t := x.task(u.task)
		pid, tid = t.pid, uint64(t.id)
		a := args(u.events[0])
		x.emit(traceEvent{Name: "step " + strconv.FormatUint(u.events[0].Step, 10), Cat: "step", Ph: "X",
			Ts: start, Dur: stepWidth, Pid: pid, Tid: tid, Args: a})
		if t.first < 0 {
			t.first = start
		}
		for _, f := range x.pending[t.id] { // arrows end here, inside the slice (bp e)
			x.emit(f)
			x.emit(traceEvent{Name: f.Name, Cat: f.Cat, Ph: "f", Bp: "e", Ts: start + stepWidth/4, Pid: pid, Tid: tid, ID: f.ID})
		}
		delete(x.pending, t.id)
	} else {
		x.emit(traceEvent{Name: "scheduler", Cat: "scheduler", Ph: "X", Ts: start, Dur: stepWidth,
			Pid: simPid, Tid: 0, Args: args(u.events[0])})
	}
	for j, ev := range u.events {
		ts := start + stepWidth*float64(j)/m
		if j == 0 && u.step {
			continue
		}
		x.event(ev, ts, pid, tid, stepWidth/(2*m))
	}
}

// event draws one event at ts; pid and tid are the track of the step (or
// the scheduler's) it belongs to.
func (x *exporter) event(ev Event, ts float64, pid int, tid uint64, width float64) {
	a := args(ev)
	instant := func(name, cat string, pid int, tid uint64) {
		x.emit(traceEvent{Name: name, Cat: cat, Ph: "i", S: "t", Ts: ts, Pid: pid, Tid: tid, Args: a})
	}
	// flowTo starts an arrow here that ends at the next step of task to.
	// (drawn once that step comes: a task that never runs again gets none).
	flowTo := func(name string, to runtime.TaskID) {
		x.flowID++
		x.pending[to] = append(x.pending[to], traceEvent{Name: name, Cat: "flow", Ph: "s", Ts: ts, Pid: pid, Tid: tid, ID: x.flowID})
	}
	switch ev.Kind {
	case EvSpawn:
		t := &taskInfo{id: ev.Task, name: ev.Op, host: ev.Host, by: ev.Other, first: -1, pid: x.pidOf(ev.Host)}
		if t.name == "" && ev.Other == 0 && ev.Task == 1 {
			t.name = "root"
		}
		if old := x.tasks[ev.Task]; old == nil {
			x.order = append(x.order, t)
		} else {
			*old = *t
			t = old
		}
		x.tasks[ev.Task] = t
		a["task"] = label(t)
		if ev.PC != 0 {
			a["func"] = shortLocation(ev.PC)
		}
		instant("spawn "+label(t), "spawn", pid, tid)
		if ev.Other != 0 {
			flowTo("spawn", ev.Task)
		}
	case EvPark:
		a["on"] = ev.Op
		if ev.Other != 0 {
			a["waitsFor"] = uint64(ev.Other)
		}
		if ev.PC != 0 {
			a["site"] = shortLocation(ev.PC)
		}
		instant("park "+ev.Op, "park", pid, tid)
	case EvWake, EvCancel:
		name := "wake"
		if ev.Kind == EvCancel {
			name = "ctx done"
		}
		a["task"] = uint64(ev.Task)
		instant(name+" "+label(x.task(ev.Task)), "wake", pid, tid)
		flowTo(name, ev.Task)
	case EvYield:
		name := "yield"
		if ev.Op != "" {
			a["at"], name = ev.Op, "yield at "+ev.Op
		}
		instant(name, "yield", pid, tid)
	case EvAbort:
		t := x.task(ev.Task)
		instant("abort", "abort", t.pid, uint64(t.id))
	case EvExit:
		t := x.task(ev.Task)
		a["how"] = ev.Op
		name := "exit: " + ev.Op
		if ev.Op == "panicked" {
			name = "panic"
		}
		instant(name, "exit", t.pid, uint64(t.id))
	case EvTimer:
		instant("timer fires", "timer", simPid, 0)
	case EvAdvance:
		instant("clock advances to +"+ev.At.String(), "clock", simPid, 0)
	case EvNote:
		a["what"] = ev.Op
		npid, ntid := pid, tid
		if ev.Task == 0 && ev.Host != "" { // on the host's network track
			npid, ntid = x.pidOf(ev.Host), 0
		}
		switch {
		case ev.Msg != 0 && !ev.Delivered:
			x.sends[ev.Msg] = traceEvent{Ts: ts, Pid: npid, Tid: ntid}
		case ev.Msg != 0:
			if s, ok := x.sends[ev.Msg]; ok {
				x.emit(traceEvent{Name: ev.Op, Cat: "net", Ph: "X", Ts: ts, Dur: width, Pid: npid, Tid: ntid, Args: a})
				x.flowID++
				s.Name, s.Cat, s.Ph, s.ID = "message", "flow", "s", x.flowID
				x.emit(s)
				x.emit(traceEvent{Name: "message", Cat: "flow", Ph: "f", Bp: "e", Ts: ts + width/4, Pid: npid, Tid: ntid, ID: x.flowID})
				return
			}
		}
		instant(ev.Op, "net", npid, ntid)
	case EvLog:
		a["text"] = ev.Op
		t := x.task(ev.Task)
		instant(ev.Op, "log", t.pid, uint64(t.id))
	}
}

// label names a task as the trace shows it.
func label(t *taskInfo) string {
	s := "task " + strconv.FormatUint(uint64(t.id), 10)
	if t.name != "" {
		s += " " + t.name
	}
	return s
}

// metadata names the processes and tracks, in spawn order.
func (x *exporter) metadata(failed []runtime.TaskID) []traceEvent {
	meta := func(name string, pid int, tid uint64, a map[string]any) traceEvent {
		return traceEvent{Name: name, Ph: "M", Pid: pid, Tid: tid, Args: a}
	}
	title := fmt.Sprintf("weft simulation (seed %d, %v)", x.r.Seed, x.r.Strategy)
	out := []traceEvent{
		meta("process_name", simPid, 0, map[string]any{"name": title}),
		meta("process_sort_index", simPid, 0, map[string]any{"sort_index": simPid}),
		meta("thread_name", simPid, 0, map[string]any{"name": "scheduler"}),
	}
	hosts := slices.SortedFunc(maps.Keys(x.hosts), func(a, b string) int { return x.hosts[a] - x.hosts[b] })
	for _, h := range hosts {
		pid := x.hosts[h]
		out = append(out,
			meta("process_name", pid, 0, map[string]any{"name": "host " + h}),
			meta("process_sort_index", pid, 0, map[string]any{"sort_index": pid}),
			meta("thread_name", pid, 0, map[string]any{"name": "network"}))
	}
	for i, t := range x.order {
		name := label(t)
		if slices.Contains(failed, t.id) {
			name += " (failed)"
			t.failed = true
		}
		out = append(out,
			meta("thread_name", t.pid, uint64(t.id), map[string]any{"name": name}),
			meta("thread_sort_index", t.pid, uint64(t.id), map[string]any{"sort_index": i + 1}))
	}
	return out
}
