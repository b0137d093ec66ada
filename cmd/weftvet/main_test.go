package main_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The command works as go vet's -vettool: the repository's examples are
// clean under it, and a package with escapes is reported.
func TestWeftvet_AsVetTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs go vet")
	}
	bin := filepath.Join(t.TempDir(), "weftvet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		name  string
		pkg   string
		clean bool
		want  string
	}{
		{"the examples are clean", "../../examples/...", true, ""},
		{"an escape is reported", "./testdata/escapes", false, "escapes.go:15:9: time.Since reads the wall clock, which a simulation does not control: use clock.Since(ctx, t)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command("go", "vet", "-vettool="+bin, tc.pkg).CombinedOutput()
			if tc.clean {
				if err != nil {
					t.Fatalf("go vet -vettool: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("go vet -vettool reported nothing on %s", tc.pkg)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}
