package disk_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/sim"
)

// What a crash keeps: the synced log survives; the unsynced scratch file
// (data and name) is lost in this crash state.
func ExampleDisk_Crash() {
	res := sim.Run(func(ctx context.Context) error {
		d := disk.Of(ctx)
		d.Set(disk.WithCrashModes(disk.Lost))
		wal, err := disk.Create(ctx, "/wal")
		if err != nil {
			return err
		}
		wal.Write(ctx, []byte("put x 1\n"))
		wal.Sync(ctx)                       // the data is durable...
		disk.SyncDir(ctx, "/")              // ...and so is the name
		wal.Write(ctx, []byte("put x 2\n")) // not synced
		scratch, err := disk.Create(ctx, "/scratch")
		if err != nil {
			return err
		}
		scratch.Write(ctx, []byte("temporary"))
		scratch.Sync(ctx) // the data, but not the name

		d.Crash()
		_, err = wal.Write(ctx, []byte("put x 3\n"))
		fmt.Println("old handle:", err)
		entries, _ := fs.ReadDir(d.FS("/"), ".")
		for _, e := range entries {
			data, _ := fs.ReadFile(d.FS("/"), e.Name())
			fmt.Printf("%s: %q\n", e.Name(), data)
		}
		return nil
	})
	fmt.Println("passed:", res.Err == nil)
	// Output:
	// old handle: write /wal: disk: the file was opened before a crash of its disk
	// wal: "put x 1\n"
	// passed: true
}

// In production the same calls are package os's.
func ExampleCreate() {
	ctx := context.Background() // no simulation: package os
	dir, err := os.MkdirTemp("", "disk-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	f, err := disk.Create(ctx, filepath.Join(dir, "wal"))
	if err != nil {
		panic(err)
	}
	f.Write(ctx, []byte("put x 1\n"))
	fmt.Println("sync:", f.Sync(ctx))
	fmt.Println("close:", f.Close())
	data, err := disk.ReadFile(ctx, filepath.Join(dir, "wal"))
	fmt.Printf("%q %v\n", data, err)
	// Output:
	// sync: <nil>
	// close: <nil>
	// "put x 1\n" <nil>
}
