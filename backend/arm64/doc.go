// Package arm64 is wasmaot's native AArch64 back end: it turns lower/ir
// (after the passes) into AArch64 machine code written in Go, with no LLVM,
// on the ARMv8.0-A + FP/Advanced SIMD baseline, producing the same object,
// metadata and ABI (AAPCS64, VMContext first, several results through a
// hidden results-area pointer) as the LLVM tier. backend/native selects it
// for arm64 targets (--backend native).
//
//   - encode.go, neon.go: the encoder, one method per instruction form,
//     each form checked by decoding it back with
//     golang.org/x/arch/arm64/arm64asm and against llvm-mc's encoding
//     (encode_test.go, neon_test.go).
//   - branch.go: labels and branch relaxation — conditional branches that
//     do not reach (±1 MiB, ±32 KiB for TBZ) become the inverted branch
//     over an unconditional B.
//   - abi.go: register roles (x18 and x28 are never used; x19 holds the
//     VMContext, x20 the base of memory 0), the register allocator's
//     configuration (backend/regalloc) and AAPCS64 argument assignment.
//   - func.go: one function — frame, prologue (stack-limit check before
//     the frame is allocated), parameters, edges, terminators, returns.
//   - isel.go, simd.go: instruction selection as rule tables for the
//     scalar and the v128 operations; state.go: guards, memory, globals,
//     tables, calls and builtins; stubs.go: entry trampolines, import
//     stubs and the per-function yield stub interrupt polls call.
//   - module.go: parallel compilation of the functions, layout of .text,
//     call resolution, jump tables in .rodata, the ELF object.
package arm64
