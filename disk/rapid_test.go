package disk_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/sim/simrapid"
)

// TestSyncedDataSurvivesWhateverRapidDraws lets rapid draw every decision
// of the run, crash states included (so a failure would be shrunk to a
// minimal crash state), and checks that a crash keeps what was synced.
func TestSyncedDataSurvivesWhateverRapidDraws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		simrapid.Check(t, func(ctx context.Context) error {
			d := disk.Of(ctx)
			if err := writeFile(ctx, "/log", []byte("synced;"), true); err != nil {
				return err
			}
			f, err := disk.OpenFile(ctx, "/log", os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			for range rapid.IntRange(0, 5).Draw(t, "appends") {
				if _, err := f.Write(ctx, []byte("unsynced;")); err != nil {
					return err
				}
			}
			d.Crash()
			got, err := fs.ReadFile(d.FS("/"), "log")
			if err != nil {
				return err
			}
			if len(got) < 7 || string(got[:7]) != "synced;" {
				return errors.New("the crash lost synced data: " + string(got))
			}
			return nil
		})
	})
}
