package rtlib

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The memory-management system calls of the runtime. They are variables
// so that tests can make them fail (a process out of mappings fails
// mmap and mprotect with ENOMEM); every result is checked.
var (
	mmapPtr   = unix.MmapPtr
	mprotect  = unix.Mprotect
	munmapPtr = unix.MunmapPtr
)

// mmap maps n bytes of anonymous memory. Unlike unix.Mmap it keeps no
// record of the mapping, so that any page-aligned part of it can be
// unmapped on its own (unix.Munmap always unmaps a whole unix.Mmap
// mapping).
func mmap(n int, prot, flags int) ([]byte, error) {
	p, err := mmapPtr(-1, 0, nil, uintptr(n), prot, flags|unix.MAP_ANON)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), n), nil
}

// unmap releases a page-aligned range of mappings the runtime made.
// munmap fails only if its arguments are wrong, or if unmapping part of a
// mapping would split it beyond the process's mapping limit; the range
// then stays mapped (leaked, never reused), which is safe, and the error
// is returned for the callers that can act on it; cleanup paths with
// nothing to report (an error being returned already, a freed stack)
// ignore it deliberately.
func unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return munmapPtr(unsafe.Pointer(&b[0]), uintptr(len(b)))
}
