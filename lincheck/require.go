package lincheck

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
)

// Require checks the history against model and, if it is not
// linearizable, writes porcupine's visualisation to
// dir/linearizability.html and fails t with the report, which names the
// operations that cannot be linearized and the file (t.Fatal). With dir
// "", the file goes to testdata/sim/<TestName>/, where sim.Test writes the
// replay file of a failing seed by default: the two sit side by side.
// Pass t.ArtifactDir() to keep it out of the source tree.
func (h *History) Require(ctx context.Context, t testing.TB, model porcupine.Model, dir string) {
	t.Helper()
	err := h.Check(ctx, model)
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) {
		if dir == "" {
			dir = filepath.Join("testdata", "sim", testDir(t.Name()))
		}
		if serr := e.SaveHTML(filepath.Join(dir, "linearizability.html")); serr != nil {
			t.Logf("lincheck: could not write the visualisation: %v", serr)
		}
	}
	t.Fatal(err)
}

// testDir turns a test name into a relative path as sim.Test does for its
// replay directory.
func testDir(name string) string {
	return filepath.FromSlash(strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '*', '?', '"', '<', '>', '|', ' ':
			return '_'
		}
		return r
	}, name))
}
