package runtime

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
)

// goexitSite finds, in the stack of a task that called runtime.Goexit
// (as runtime/debug.Stack prints it), the first frame of the code that
// gave up: not the runtime, package testing, testify or weft's kernel. It
// returns the frame's file (base name) and line, or "" if none is found.
func goexitSite(stack []byte) string {
	lines := bytes.Split(stack, []byte("\n"))
	for i := 0; i+1 < len(lines); i++ {
		fn := string(lines[i])
		loc := bytes.TrimSpace(lines[i+1])
		if len(lines[i+1]) == 0 || lines[i+1][0] != '\t' || !bytes.Contains(loc, []byte(":")) {
			continue
		}
		i++ // loc is this frame's
		if p := strings.LastIndexByte(fn, '('); p > 0 {
			fn = fn[:p]
		}
		if helperFrame(fn) {
			continue
		}
		file, _, _ := bytes.Cut(loc, []byte(" "))
		colon := bytes.LastIndexByte(file, ':')
		if _, err := strconv.Atoi(string(file[colon+1:])); colon < 0 || err != nil {
			continue
		}
		return filepath.Base(string(file[:colon])) + string(file[colon:])
	}
	return ""
}

// helperFrame reports whether the function named fn is between a task's
// code and its runtime.Goexit: the runtime, testing, testify, the kernel.
func helperFrame(fn string) bool {
	for _, p := range []string{"runtime.", "runtime/debug.", "testing.", "github.com/stretchr/testify/", "github.com/weftsim/weft/internal/kernel."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}
