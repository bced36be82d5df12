// Package abi is the contract between compiled code and the runtime: the
// VMContext layout as named offsets, trap codes, the builtin table, the
// object-file metadata format, and the shape of Go host functions. The
// compiler back ends and rtlib both import it; it imports neither.
package abi

import "context"

// ValType is a WebAssembly value type, numbered by its binary encoding
// (the same numbers as compiler/wasm, which rtlib must not import).
type ValType byte

// Value types.
const (
	I32       ValType = 0x7F
	I64       ValType = 0x7E
	F32       ValType = 0x7D
	F64       ValType = 0x7C
	V128      ValType = 0x7B
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6F
)

// Slots returns how many uint64 stack slots a value of type t occupies in
// a host call: two for v128 (low half first), one otherwise.
func (t ValType) Slots() int {
	if t == V128 {
		return 2
	}
	return 1
}

// Caller is what a host function sees of the instance that called it.
type Caller interface {
	// Memory returns the caller's memory 0, defined or imported (nil if it
	// has none); WebAssembly 2.0 allows at most one memory, which WASI
	// programs export as "memory". The slice is valid until the guest runs again: fetch it
	// anew after anything that may grow memory.
	Memory() []byte
}

// HostFunc is a Go function that a module may import. Arguments arrive in
// stack (each value in Slots() slots, in parameter order); the function
// writes its results back to the start of stack, which is long enough for
// both. A non-nil error traps the calling instance with that error.
type HostFunc struct {
	Params, Results []ValType
	Fn              func(ctx context.Context, caller Caller, stack []uint64) error
}

// Ending is implemented by the errors of host functions that end the
// calling instance for good (WASI's proc_exit): the call returns the
// error, and the runtime refuses every later call into the instance.
type Ending interface {
	error
	EndsInstance()
}

// HostModule provides the functions of one import module by name. It
// suits providers that make their functions per instance (WASI binds its
// functions to one guest's descriptor table): the runtime asks only for
// the functions a module imports.
type HostModule interface {
	HostFunc(name string) (HostFunc, bool)
}

func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	}
	return "valtype(0x" + string("0123456789abcdef"[byte(t)>>4]) + string("0123456789abcdef"[byte(t)&15]) + ")"
}
