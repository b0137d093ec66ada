package sim_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

// chromium returns the path of a headless-capable Chromium: $WEFT_CHROMIUM,
// else chromium or chromium-browser on PATH. It skips the test, saying how
// to install one, where there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WEFT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not found (set WEFT_CHROMIUM, or install Debian's: apt-get install -y --no-install-recommends chromium): the timeline's browser test is skipped")
	return ""
}

// loadPage opens file in headless Chromium and returns the page's DOM once
// its scripts have run, and the browser's log.
func loadPage(t *testing.T, browser, file string) (dom, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	abs, err := filepath.Abs(file)
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
		"--dump-dom", "file://"+abs)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoErrorf(t, cmd.Run(), "chromium: %s", stderr.String())
	return stdout.String(), stderr.String()
}

// consoleLine is a message of the page's console in Chromium's log.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE(\(\d+\)|:\d+)?\].*$`)

func TestWriteTimeline_LoadsInChromiumAndShowsTheFailingTask(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	tb := harness(dir, "TestPing", pingPanic, sim.WithStrategy(sim.FIFO()))
	require.True(t, tb.Failed())
	page := replayBase(t, filepath.Join(dir, "TestPing"), "seed-1-fifo") + ".html"
	dom, log := loadPage(t, browser, page)
	assert.Empty(t, consoleLine.FindAllString(log, -1), "the page wrote to the console")
	assert.Contains(t, dom, `<div id="errors"></div>`, "the page reported a script error")
	assert.Regexp(t, `data-rendered="\d+ lanes, \d+ units"`, dom, "the script did not finish")
	assert.Regexp(t, `<g class="lane" data-pid="\d+" data-tid="3" data-name="task 3 requester \(failed\)" data-failed="1">`, dom,
		"the failing task's lane")
	assert.Contains(t, dom, `class="failmark"`, "the failure's mark")
	assert.Contains(t, dom, "unexpected reply pong", "the failure's text")
	assert.GreaterOrEqual(t, strings.Count(dom, `class="flow`), 3, "arrows")
}

// TestLoadPage_SeesAScriptError keeps the browser test honest: a page
// whose script fails is caught, both in the console and on the page.
func TestLoadPage_SeesAScriptError(t *testing.T) {
	browser := chromium(t)
	file := filepath.Join(t.TempDir(), "bad.html")
	page := `<!DOCTYPE html><html><body><div id="errors"></div><script>
window.addEventListener("error", function (e) { document.getElementById("errors").textContent = e.message; });
undefinedFunction();</script></body></html>`
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))
	dom, log := loadPage(t, browser, file)
	assert.NotEmpty(t, consoleLine.FindAllString(log, -1), "the console error was not seen")
	assert.NotContains(t, dom, `<div id="errors"></div>`)
}
