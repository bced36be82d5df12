// Package amd64 is wasmaot's native x86-64 back end: it turns lower/ir
// (after the passes) into x86-64 machine code written in Go, with no LLVM.
//
// The package is being built in steps (issue 14). What exists now:
//
//   - encode.go: the encoder, one method per instruction form, each form
//     checked by decoding it back with golang.org/x/arch/x86/x86asm and
//     against llvm-mc's encoding (encode_test.go).
package amd64
