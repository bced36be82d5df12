package rtlib

import (
	"context"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// drainThreads unmaps the idle native stacks, so that the next call maps
// a new one.
func drainThreads() {
	threadPool.Lock()
	idle := threadPool.free
	threadPool.free = nil
	threadPool.Unlock()
	for _, t := range idle {
		t.unmap()
	}
}

// failing replaces a system call variable with one that fails with
// ENOMEM (what a process out of mappings gets) until the test ends.
func failing[F any](t *testing.T, v *F, fail F) {
	old := *v
	*v = fail
	t.Cleanup(func() { *v = old })
}

// TestMprotectFailure makes mprotect fail while a call maps its native
// stack: the call must fail with an error (before the fix the failure was
// ignored and the first write to the stack's state page killed the
// process), and the stack's reservation must be released.
func TestMprotectFailure(t *testing.T) {
	inst := newBasic(t, double())
	drainThreads()
	// Other tests' instances may be released (and unmapped) by finalizers
	// while this call runs, so only unmaps inside the ranges this call
	// mapped are counted.
	var mu sync.Mutex
	var mapped, unmapped int
	var ranges [][2]uintptr
	failing(t, &mprotect, func([]byte, int) error { return unix.ENOMEM })
	failing(t, &mmapPtr, func(fd int, off int64, addr unsafe.Pointer, n uintptr, prot, flags int) (unsafe.Pointer, error) {
		p, err := unix.MmapPtr(fd, off, addr, n, prot, flags)
		if err == nil {
			mu.Lock()
			mapped += int(n)
			ranges = append(ranges, [2]uintptr{uintptr(p), uintptr(p) + n})
			mu.Unlock()
		}
		return p, err
	})
	failing(t, &munmapPtr, func(p unsafe.Pointer, n uintptr) error {
		mu.Lock()
		for _, r := range ranges {
			if uintptr(p) >= r[0] && uintptr(p)+n <= r[1] {
				unmapped += int(n)
				break
			}
		}
		mu.Unlock()
		return unix.MunmapPtr(p, n)
	})
	_, err := inst.ExportedFunc("add").Call(context.Background(), I32(1), I32(2))
	if err == nil || !strings.Contains(err.Error(), "protecting a native stack") {
		t.Fatalf("call with mprotect failing: %v, want a stack protection error", err)
	}
	mu.Lock()
	if mapped == 0 || unmapped != mapped {
		t.Errorf("mapped %d bytes, unmapped %d: the failed stack leaked", mapped, unmapped)
	}
	mu.Unlock()
	mprotect = unix.Mprotect
	if got := call(t, inst, "add", I32(1), I32(2)); AsI32(got[0]) != 3 {
		t.Errorf("after the failure, add(1, 2) = %d", AsI32(got[0]))
	}
}
