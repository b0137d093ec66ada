package sim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
)

//go:embed timeline.html
var timelinePage string

// WriteTimeline writes the run as one self-contained HTML page (its script
// and style inline, nothing loaded from the network): a lane per task,
// grouped by netsim host, with a bar per scheduling step, marks for parks,
// wake-ups, spawns, messages, log records and exits, arrows from spawns,
// wake-ups and messages to what they caused, the failing task's lane and
// the failure marked, and the details of each mark on hover. It shows the
// same events as WriteTrace, with one step per column instead of a time
// axis; the columns are labelled with virtual time where it moves.
func (r Result) WriteTimeline(w io.Writer) error {
	data, err := json.Marshal(r.traceFile()) // escapes <, > and &: safe inside <script>
	if err != nil {
		return fmt.Errorf("sim: encoding the timeline: %w", err)
	}
	title := fmt.Sprintf("seed %d, %v", r.Seed, r.Strategy)
	page := strings.Replace(timelinePage, "{{TITLE}}", html.EscapeString(title), 1)
	page = strings.Replace(page, "{{DATA}}", string(data), 1)
	_, err = io.WriteString(w, page)
	return err
}
