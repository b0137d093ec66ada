// Package golden compares text a test produces with a file kept under the
// repository's testdata/golden/, and rewrites the file instead when the
// test runs with -update. The difference is shown line by line (go-cmp's
// cmp.Diff), so an unintended change reads as a diff, and an intended one
// is one -update away.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/ instead of comparing with them")

// Check compares got with testdata/golden/<name> at the repository's root
// and fails t with the difference, or rewrites the file under -update.
func Check(t testing.TB, name, got string) {
	t.Helper()
	file := filepath.Join(Dir(t), filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("golden: %v (create it with -update: scripts/update-golden.sh)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("golden: %s changed (-want +got):\n%s\nIf the change is intended, rewrite the files with scripts/update-golden.sh and review the diff.", file, diff)
	}
}

// Dir returns the repository's testdata/golden directory: it walks up from
// the test's directory to the go.mod.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "golden")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("golden: no go.mod above the test's directory")
		}
		dir = parent
	}
}
