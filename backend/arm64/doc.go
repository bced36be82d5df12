// Package arm64 is wasmaot's native AArch64 back end: it turns lower/ir
// (after the passes) into AArch64 machine code written in Go, with no LLVM,
// on the ARMv8.0-A + FP/Advanced SIMD baseline.
//
// The package is being built in steps (issue 15). What exists now:
//
//   - encode.go: the encoder, one method per instruction form, each form
//     checked by decoding it back with golang.org/x/arch/arm64/arm64asm and
//     against llvm-mc's encoding (encode_test.go).
//   - branch.go: labels and branch relaxation — conditional branches that
//     do not reach (±1 MiB, ±32 KiB for TBZ) become the inverted branch
//     over an unconditional B.
package arm64
