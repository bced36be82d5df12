package rtlib

import (
	_ "unsafe" // for go:linkname
)

// The assembly side (switch_$GOARCH.s). The stub* and native* routines use
// the C ABI and are called only by native code; their Go declarations exist
// so that the assembler and vet know them.
func callNative(ts uintptr)
func resumeNative(ts uintptr)
func nativeAddrs(out *[numNativeAddrs]uintptr)

func stubTrap()
func stubHostCall()
func stubYield()
func stubMemoryGrow()
func stubMemoryFill()
func stubMemoryCopy()
func stubMemoryInit()
func stubDataDrop()
func stubTableGrow()
func stubTableFill()
func stubTableCopy()
func stubTableInit()
func stubElemDrop()
func nativeMemmove()
func nativeMemset()

// numNativeAddrs is the builtin stubs followed by memmove and memset.
const numNativeAddrs = 15

// entersyscall and exitsyscall tell the Go scheduler that this goroutine
// runs code that cannot reach a safepoint, exactly as cgo calls and system
// calls do: GC and other goroutines proceed meanwhile (docs/runtime.md).
//
//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// runNative runs native code on the thread whose state is at ts until it
// returns or exits. Between entersyscall and exitsyscall nothing may grow
// the goroutine stack, hence nosplit and the direct assembly calls.
//
//go:nosplit
func runNative(ts uintptr, resume bool) {
	entersyscall()
	if resume {
		resumeNative(ts)
	} else {
		callNative(ts)
	}
	exitsyscall()
}
