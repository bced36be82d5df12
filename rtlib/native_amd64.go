package rtlib

import "github.com/wasmaot/wasmaot/rtlib/abi"

const (
	hostArch = abi.ArchAMD64
	// exitReturnPC is where an exit stub's caller's return address lies,
	// relative to the saved native SP (above the six pushed registers).
	exitReturnPC = 48
)

// flushICache is a no-op: x86 keeps instruction fetch coherent with stores.
func flushICache([]byte) {}
