package rtlib

import (
	"unsafe"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

const (
	hostArch = abi.ArchARM64
	// exitReturnPC is where an exit stub's caller's return address (the
	// saved LR) lies, relative to the saved native SP.
	exitReturnPC = 80
)

func flushICacheRange(start, end uintptr)

// flushICache makes freshly written code visible to instruction fetch.
func flushICache(code []byte) {
	if len(code) > 0 {
		start := uintptr(unsafe.Pointer(&code[0]))
		flushICacheRange(start, start+uintptr(len(code)))
	}
}
