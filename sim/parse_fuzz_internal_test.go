package sim

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// knobNames are sim.Test's knobs, flag and variable, in the order the
// fuzz target's knob string lists them.
var knobNames = [][2]string{
	{"sim.seed", envSeed}, {"sim.seeds", envSeeds}, {"sim.strategy", envStrategy},
	{"sim.explore", envExplore}, {"sim.replay", envReplay}, {"sim.checkdeterminism", envCheck},
	{"sim.time", envTime}, {"sim.shard", envShard}, {"sim.parallel", envParallel},
	{"sim.trace", envTrace},
}

// knobsFrom reads a fuzz input as knob values: "\n"-separated, one per
// knob in knobNames order; a value starting with "\x00" is not given, one
// starting with "$" is given through the environment variable.
func knobsFrom(in string) map[string]string {
	m := map[string]string{}
	for i, v := range strings.SplitN(in, "\n", len(knobNames)) {
		switch {
		case strings.HasPrefix(v, "\x00"):
		case strings.HasPrefix(v, "$"):
			m[knobNames[i][1]] = v[1:]
		default:
			m[knobNames[i][0]] = v
		}
	}
	return m
}

// formatSettings writes s back as knob values that parse to s.
func formatSettings(s settings) map[string]string {
	m := map[string]string{"sim.seeds": strconv.Itoa(s.count), "sim.explore": strconv.FormatBool(s.explore),
		"sim.checkdeterminism": strconv.FormatBool(s.check), "sim.shard": fmt.Sprintf("%d/%d", s.shard.k, s.shard.n)}
	if s.seeds != nil {
		var parts []string
		for _, r := range s.seeds {
			parts = append(parts, fmt.Sprintf("%d-%d", r.lo, r.hi))
		}
		m["sim.seed"] = strings.Join(parts, ",")
	}
	if s.stratSet {
		m["sim.strategy"] = s.strategy.String()
	}
	if s.replay != "" {
		m["sim.replay"] = s.replay
	}
	if s.budget > 0 {
		m["sim.time"] = s.budget.String()
	}
	if s.parallel > 0 {
		m["sim.parallel"] = strconv.Itoa(s.parallel)
	}
	if s.traceDir != "" {
		m["sim.trace"] = s.traceDir
	}
	return m
}

// checkSettings holds for every accepted set of knobs: each value is in
// its documented range, and the settings written back parse to themselves.
func checkSettings(t *testing.T, in map[string]string) {
	s, err := parseSettings(lookupFrom(in))
	if err != nil {
		if !strings.HasPrefix(err.Error(), "sim: ") {
			t.Fatalf("error %q does not start with sim:", err)
		}
		return
	}
	for k, v := range in {
		if strings.TrimSpace(v) == "" {
			t.Fatalf("knob %s given empty (%q) was accepted", k, v)
		}
	}
	switch {
	case s.count < 1 || s.count > MaxSeeds:
		t.Fatalf("seed count %d accepted", s.count)
	case s.parallel < 0 || s.parallel > MaxParallel:
		t.Fatalf("parallel %d accepted", s.parallel)
	case s.budget < 0:
		t.Fatalf("budget %v accepted", s.budget)
	case s.shard.k < 1 || s.shard.k > s.shard.n:
		t.Fatalf("shard %v accepted", s.shard)
	case s.strategy.depth > MaxPCTDepth || s.strategy.horizon > MaxPCTHorizon || s.strategy.depth < 0:
		t.Fatalf("strategy %v accepted", s.strategy)
	}
	for _, r := range s.seeds {
		if r.lo > r.hi {
			t.Fatalf("seed range %v accepted", r)
		}
	}
	back, err := parseSettings(lookupFrom(formatSettings(s)))
	if err != nil {
		t.Fatalf("settings %+v written back do not parse: %v", s, err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("settings do not round-trip:\n%+v\n%+v", s, back)
	}
}

// checkReplay holds for every input: ParseReplay accepts exactly the files
// Marshal writes (up to CRLF line ends), and what it accepts marshals back
// byte for byte and parses to an equal Replay.
func checkReplay(t *testing.T, data []byte) {
	r, err := ParseReplay(data)
	if err != nil {
		return
	}
	norm := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if out := r.Marshal(); !bytes.Equal(out, norm) {
		t.Fatalf("accepted a file Marshal does not write:\n%q\nmarshals as\n%q", norm, out)
	}
	if r.Test == "" || r.TimeLimit < 0 {
		t.Fatalf("accepted an out-of-range field: %+v", r)
	}
	back, err := ParseReplay(r.Marshal())
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("a parsed replay does not parse back equal: %v", err)
	}
}

// checkWrittenReplay holds for every Replay a run can produce: Marshal
// writes a file ParseReplay reads back equal.
func checkWrittenReplay(t *testing.T, r *Replay) {
	back, err := ParseReplay(r.Marshal())
	if err != nil {
		t.Fatalf("Marshal wrote a file ParseReplay rejects: %v\n%s", err, r.Marshal())
	}
	if !back.Start.Equal(r.Start) {
		t.Fatalf("start %v came back as %v", r.Start, back.Start)
	}
	back.Start = r.Start
	if !reflect.DeepEqual(back, r) {
		t.Fatalf("the replay came back changed:\n%+v\n%+v", r, back)
	}
}

// replayFrom builds a valid Replay out of fuzz values.
func replayFrom(test, failure string, seed, hash, steps uint64, limit, start int64, zone int, strat uint8, raw []byte) *Replay {
	if test == "" {
		test = "TestX"
	}
	strategies := []Strategy{FIFO(), Random(), PCT(1 + int(strat)%MaxPCTDepth), PCT(1 + int(strat)%MaxPCTDepth).PCTHorizon(1 + int(hash%MaxPCTHorizon))}
	r := &Replay{
		Test: test, Seed: seed, Strategy: strategies[int(strat)%len(strategies)], StepLimit: steps,
		TimeLimit: time.Duration(max(limit, 0)), AllowPanics: strat&0x80 != 0, Hash: hash, Failure: failure,
		Start:     time.Unix(0, start).In(time.FixedZone("z", (zone%1440)*60)),
		Decisions: []Decision{},
	}
	for i := 0; i+2 <= len(raw); i += 2 {
		if n := int(raw[i]); n >= 2 {
			r.Decisions = append(r.Decisions, Decision{N: n, V: uint64(raw[i+1]) % uint64(n)})
		} else {
			r.Decisions = append(r.Decisions, Decision{V: uint64(raw[i+1]) << (8 * (i % 8))})
		}
	}
	return r
}

// FuzzSettingsAndReplay fuzzes the two parsers of sim.Test's input: the
// knobs (flags and environment variables) and replay files. go test runs
// its seed corpus; go test -fuzz FuzzSettingsAndReplay explores.
func FuzzSettingsAndReplay(f *testing.F) {
	sample := replayFrom("TestSample/sub", "sim: deadlock", 3, 0xabc, 100, int64(time.Hour), 0, 60, 2, []byte{3, 1, 0, 7, 2, 1})
	for _, knobs := range []string{
		"", "17\n5\npct:2\ntrue\nx.replay\n1\n30s\n2/3\n4", "$0x10-20, 40\n\x00\n$FIFO",
		"\n\n\n", "1-2,,3\n0\npct:0", "\x00\n$\n", "\x00\n1000000000\npct:100:1000000000\n\x00\n\x00\n\x00\n1ns\n1/1\n256",
		"\x00\n\x00\npct:100000000", "\x00\n\x00\n\x00\n\x00\n\x00\n\x00\n\x00\n\x00\n1000000",
	} {
		f.Add(knobs, sample.Marshal(), "T", "", uint64(1), uint64(2), uint64(0), int64(0), int64(0), 0, uint8(0), []byte{})
	}
	for _, data := range [][]byte{
		{}, []byte("weft replay v1\n"), []byte("weft replay v2\n"),
		bytes.ReplaceAll(sample.Marshal(), []byte("\n"), []byte("\r\n")),
		bytes.Replace(sample.Marshal(), []byte("timelimit 1h0m0s"), []byte("timelimit -1s"), 1),
		bytes.Replace(sample.Marshal(), []byte("seed 3"), []byte("seed 03"), 1),
		bytes.Replace(sample.Marshal(), []byte(`test "TestSample/sub"`), []byte(`test ""`), 1),
	} {
		f.Add("", data, "TestY", "boom", uint64(9), uint64(1)<<63, uint64(5), int64(-1), int64(1)<<62, -61, uint8(0x83), []byte{5, 4, 0, 255, 1, 1})
	}
	f.Fuzz(func(t *testing.T, knobs string, data []byte, test, failure string, seed, hash, steps uint64, limit, start int64, zone int, strat uint8, raw []byte) {
		checkSettings(t, knobsFrom(knobs))
		checkReplay(t, data)
		checkWrittenReplay(t, replayFrom(test, failure, seed, hash, steps, limit, start, zone, strat, raw))
	})
}
