package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReplayVersion is the version of the replay file format this package
// writes and reads.
// Version 2 changed what Result.Hash digests (every decision, every
// event's operation and outcome), so v1 files' hashes no longer match.
const ReplayVersion = 2

// Replay is a run persisted for replay: enough to run it again exactly —
// the seed, the strategy, the options that shape a run, and every decision
// it took — plus what it came to (hash, failure) so a replay can tell it
// diverged. sim.Test writes one under testdata/sim/<TestName>/ for each
// failing run, and replays every file there before it explores.
type Replay struct {
	Test        string
	Seed        uint64
	Strategy    Strategy
	StepLimit   uint64
	TimeLimit   time.Duration
	Start       time.Time // written in UTC
	AllowPanics bool
	Hash        uint64
	Failure     string
	Decisions   []Decision
}

// Options returns the options that rerun r exactly.
func (r *Replay) Options() []Option {
	return []Option{
		WithSeed(r.Seed), WithStrategy(r.Strategy), WithStepLimit(r.StepLimit),
		WithTimeLimit(r.TimeLimit), WithStart(r.Start),
		func(c *config) { c.allowPanics, c.replay = r.AllowPanics, r.Decisions },
	}
}

// Marshal returns r in the replay file format: a version line, one
// "key value" line per field, the decisions, and a closing "end" line that
// tells a whole file from a truncated one.
func (r *Replay) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "weft replay v%d\n", ReplayVersion)
	fmt.Fprintf(&b, "test %s\n", strconv.Quote(r.Test))
	fmt.Fprintf(&b, "seed %d\n", r.Seed)
	fmt.Fprintf(&b, "strategy %v\n", r.Strategy)
	fmt.Fprintf(&b, "steplimit %d\n", r.StepLimit)
	fmt.Fprintf(&b, "timelimit %v\n", r.TimeLimit)
	fmt.Fprintf(&b, "start %s\n", r.Start.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "allowpanics %v\n", r.AllowPanics)
	fmt.Fprintf(&b, "hash %#016x\n", r.Hash)
	fmt.Fprintf(&b, "failure %s\n", strconv.Quote(r.Failure))
	fmt.Fprintf(&b, "decisions %d\n", len(r.Decisions))
	for i, d := range r.Decisions {
		if i > 0 && i%16 == 0 {
			b.WriteByte('\n')
		} else if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(d.String())
	}
	if len(r.Decisions) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("end\n")
	return b.Bytes()
}

// ParseReplay reads a replay file. Every problem — a wrong version, a
// missing, malformed or out-of-range field, a bad decision, a truncated
// file, a line not in the form Marshal writes — is an error naming the
// line, so a file that parses is exactly one that Marshal can write (line
// ends may be CRLF, as a checkout may leave them).
func ParseReplay(data []byte) (*Replay, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	r, err := parseReplay(data)
	if err != nil {
		return nil, err
	}
	if err := sameLines(r.Marshal(), data); err != nil {
		return nil, err
	}
	return r, nil
}

// sameLines returns nil if got and want are equal, else an error naming
// the first line at which they differ.
func sameLines(want, got []byte) error {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Errorf("line %d: %q is not in the form weft writes; want %q", i+1, g[i], w[i])
		}
	}
	if len(w) != len(g) {
		return fmt.Errorf("line %d: the file does not end as weft writes it (a missing or extra line end)", min(len(w), len(g)))
	}
	return nil
}

func parseReplay(data []byte) (*Replay, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	fail := func(format string, args ...any) (*Replay, error) {
		return nil, fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
	}
	first, ok := next()
	if !ok {
		return nil, fmt.Errorf("empty file; want a weft replay file (first line %q)", fmt.Sprintf("weft replay v%d", ReplayVersion))
	}
	var version int
	if _, err := fmt.Sscanf(first, "weft replay v%d", &version); err != nil || first != fmt.Sprintf("weft replay v%d", version) {
		return fail("not a weft replay file: first line %q", first)
	}
	if version != ReplayVersion {
		return fail("replay format v%d; this weft reads v%d", version, ReplayVersion)
	}
	r := &Replay{}
	field := func(key string) (string, error) {
		l, ok := next()
		if !ok {
			return "", fmt.Errorf("line %d: truncated: missing %q", line+1, key)
		}
		k, v, _ := strings.Cut(l, " ")
		if k != key {
			return "", fmt.Errorf("line %d: want %q, found %q", line, key, k)
		}
		return v, nil
	}
	type parser func(v string) error
	steps := []struct {
		key   string
		parse parser
	}{
		{"test", func(v string) (err error) {
			if r.Test, err = strconv.Unquote(v); err == nil && r.Test == "" {
				err = errors.New("empty; want the name of the test that recorded the file")
			}
			return
		}},
		{"seed", func(v string) (err error) { r.Seed, err = strconv.ParseUint(v, 10, 64); return }},
		{"strategy", func(v string) (err error) { r.Strategy, err = ParseStrategy(v); return }},
		{"steplimit", func(v string) (err error) { r.StepLimit, err = strconv.ParseUint(v, 10, 64); return }},
		{"timelimit", func(v string) (err error) {
			if r.TimeLimit, err = time.ParseDuration(v); err == nil && r.TimeLimit < 0 {
				err = errors.New("negative; want 0 (no limit) or a positive duration")
			}
			return
		}},
		{"start", func(v string) (err error) { r.Start, err = time.Parse(time.RFC3339Nano, v); return }},
		{"allowpanics", func(v string) (err error) { r.AllowPanics, err = strconv.ParseBool(v); return }},
		{"hash", func(v string) (err error) { r.Hash, err = strconv.ParseUint(v, 0, 64); return }},
		{"failure", func(v string) (err error) { r.Failure, err = strconv.Unquote(v); return }},
	}
	for _, st := range steps {
		v, err := field(st.key)
		if err != nil {
			return nil, err
		}
		if err := st.parse(v); err != nil {
			return fail("bad %s %q: %v", st.key, v, err)
		}
	}
	v, err := field("decisions")
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fail("bad decision count %q", v)
	}
	r.Decisions = make([]Decision, 0, min(n, 1<<20))
	for {
		l, ok := next()
		if !ok {
			return nil, fmt.Errorf("line %d: truncated: %d of %d decisions and no \"end\" line", line+1, len(r.Decisions), n)
		}
		if l == "end" {
			break
		}
		for _, tok := range strings.Fields(l) {
			d, err := parseDecision(tok)
			if err != nil {
				return fail("decision %d: %v", len(r.Decisions), err)
			}
			r.Decisions = append(r.Decisions, d)
		}
	}
	if len(r.Decisions) != n {
		return fail("%d decisions, the header says %d", len(r.Decisions), n)
	}
	if l, ok := next(); ok {
		return fail("unexpected %q after \"end\"", l)
	}
	return r, sc.Err()
}

func parseDecision(tok string) (Decision, error) {
	if raw, ok := strings.CutPrefix(tok, "r"); ok {
		v, err := strconv.ParseUint(raw, 16, 64)
		if err != nil {
			return Decision{}, fmt.Errorf("bad raw draw %q", tok)
		}
		return Decision{V: v}, nil
	}
	vs, ns, ok := strings.Cut(tok, "/")
	v, err1 := strconv.ParseUint(vs, 10, 64)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 2 || v >= uint64(n) {
		return Decision{}, fmt.Errorf("bad choice %q; want CHOICE/OPTIONS with 0 <= CHOICE < OPTIONS, OPTIONS >= 2", tok)
	}
	return Decision{N: n, V: v}, nil
}
