package abi

// Native stacks and the per-thread state.
//
// Compiled code always runs on a native stack mapped by the runtime. Every
// native stack is a region of NativeStackSize bytes aligned to
// NativeStackSize. Its lowest page holds the ThreadState of the execution
// running on it, followed by a PROT_NONE guard; the stack proper grows down
// from the top of the region.
//
// The stack limit, the interrupt flag and fuel belong to an execution, not
// to an instance: a call into an imported function keeps running on the
// caller's stack under the caller's deadline, and one instance may be
// running on several goroutines at once. Compiled code therefore finds them
// from its own stack pointer, not from the VMContext:
//
//	ts := sp &^ (NativeStackSize-1)
//
// (sp read with llvm.read_register "rsp"/"sp", or the address of any
// alloca in the frame).
const (
	// NativeStackSize is the size and alignment of a native stack region.
	NativeStackSize = 8 << 20
	// NativeStackMask clears the in-region bits of a stack address.
	NativeStackMask = ^uint64(NativeStackSize - 1)
)

// ThreadState offsets, from the base of the native stack region.
const (
	// ThreadInterrupt is a uint32; nonzero asks compiled code to call the
	// yield builtin. Check it with an atomic (monotonic) or volatile load
	// at function entry and at every loop header.
	ThreadInterrupt = 0x00
	// ThreadFuel is an int64 of remaining fuel. Code compiled with fuel
	// metering charges for its work at function entry and at every loop
	// header (the points that also poll ThreadInterrupt):
	//
	//	f := load i64 [ts+ThreadFuel] - cost   ; cost ≥ 1: the wasm
	//	store f -> [ts+ThreadFuel]             ; instructions up to the
	//	if f < 0: call yield(vmctx)            ; next charge point
	//
	// Plain loads and stores suffice (only the running execution writes
	// it), and the count may live in a register within a function, but it
	// must be in memory before any call and reloaded after it, because
	// callees, builtins and host calls charge the same count. yield traps
	// with TrapOutOfFuel when the budget is spent; without a budget the
	// runtime starts executions at MaxInt64 and refills.
	ThreadFuel = 0x08
	// ThreadStackLimit is the lowest stack pointer at which a function may
	// begin. Prologue: if sp < limit, call trap(vmctx, TrapCallStackExhausted).
	// At least MaxFrameBelowLimit bytes of mapped stack lie below the limit,
	// so a function whose frame is no larger never reaches the guard page.
	// A back end that emits larger frames must also check sp-frameSize.
	ThreadStackLimit = 0x10
	// ThreadRuntime is where the runtime's private fields begin.
	ThreadRuntime = 0x40
)

// MaxFrameBelowLimit is the stack space guaranteed to exist below
// ThreadStackLimit (for one frame plus the builtin that it may call).
const MaxFrameBelowLimit = 128 << 10
