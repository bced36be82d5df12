package llvm

import (
	"fmt"
	"os/exec"
	"sync"
)

// Tools are the paths of the LLVM 14 programs the back end runs.
type Tools struct {
	Opt, Llc, Lld string
}

var (
	toolsOnce sync.Once
	toolsVal  *Tools
	toolsErr  error
)

// FindTools locates opt, llc and ld.lld, preferring the "-14" suffixed
// names Debian installs and falling back to the unsuffixed ones. The error
// names the missing program and the package that provides it.
func FindTools() (*Tools, error) {
	toolsOnce.Do(func() {
		var t Tools
		for _, want := range []struct {
			dst  *string
			name string
			pkg  string
		}{
			{&t.Opt, "opt", "llvm-14"},
			{&t.Llc, "llc", "llvm-14"},
			{&t.Lld, "ld.lld", "lld-14"},
		} {
			path, err := lookTool(want.name)
			if err != nil {
				toolsErr = fmt.Errorf("llvm: %s-14 (or %s) not found in PATH; install the Debian package %s (make deps)", want.name, want.name, want.pkg)
				return
			}
			*want.dst = path
		}
		toolsVal = &t
	})
	return toolsVal, toolsErr
}

func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name + "-14"); err == nil {
		return p, nil
	}
	return exec.LookPath(name)
}
