// Package amd64 is wasmaot's native x86-64 back end: it turns lower/ir
// (after the passes) into x86-64 machine code in Go, with no LLVM, and
// produces the same ELF object, metadata and ABI as the LLVM tier through
// the seam's object writer (package backend). The driver reaches it as
// the "native" back end (package backend/native); Compile is the entry
// point.
//
// # Pipeline per function
//
//  1. backend/regalloc assigns every SSA value a register or a stack slot
//     for its whole life (linear scan; abi.go describes the registers).
//  2. layoutFrame sizes the frame: callee-saved pushes, outgoing stack
//     arguments, the results area of multi-result calls, spill slots, a
//     scratch area for lane-by-lane SIMD.
//  3. The prologue saves registers, checks the stack limit (functions
//     that call wasm, and large frames), and copies the parameters to
//     their locations.
//  4. Each block's instructions are emitted by their rule (rules.go: a
//     table from op to rule, filled per kind of operation in rules_*.go);
//     block arguments are copied on each edge (regalloc.Sequence).
//  5. Cold code follows the body: interrupt-poll calls to the yield
//     builtin (saving the live caller-saved registers), one trap stub per
//     trap code, the stack-overflow trap.
//
// Functions compile in parallel; module.go places them in .text, resolves
// direct calls, and adds the entry trampolines and import stubs the seam
// describes (stubs.go).
//
// # Guards
//
// Every guard of the IR becomes explicit code that calls the trap
// builtin through the VMContext: bounds checks compare zext(addr)+extent
// with the memory's current length; trap_if tests its condition;
// call_indirect checks the index against the table length, the entry for
// null and its type ID against the expected one; table accesses check
// the index. testdata/*.txt pins the emitted code of these guards
// (go test -update rewrites it).
//
// # Encoder
//
// encode.go and encode_sse.go hold one method or descriptor per
// instruction form; encode_test.go decodes every form back with
// golang.org/x/arch/x86/x86asm and compares it with llvm-mc's encoding.
package amd64
