// Package llvm is wasmaot's first native tier: it translates the SSA IR of
// lower/ir into textual LLVM IR (LLVM 14 with typed pointers), optimises
// it with LLVM's `opt` and generates an ELF64 relocatable object with
// `llc` for x86-64 or AArch64, carrying the `.wasmaot.meta` section the
// runtime loads.
//
// # Writing the IR text
//
// The IR is written as text directly (lltext.go, lltypes.go): each block
// appends its instructions to a byte buffer as they are built, values are
// a type plus operand text, and a function's text is emitted as soon as
// it is finished. DESIGN.md chose github.com/llir/llvm; it was replaced
// for speed. For the Go toolchain's hello world (2.6 MB of wasm, 50 MB of
// LLVM text) building llir's object graph and formatting it with its
// fmt-based String took 7.4 s of CPU, more than all of lowering; writing
// the same instructions directly takes under 1 s. The text is the same
// IR llir produced, except for local names (%v<n> instead of numbers, so
// that blocks may be filled in any order), a shared attribute group for
// the function attributes, and result areas allocated as `alloca i64, N`.
//
// # Pipeline
//
// Compile (translate.go) builds one or more textual LLVM modules, and
// CompileModules (driver.go) runs, per module,
//
//	opt-14 -O<n> -mtriple=T -mcpu=C -mattr=A      (skipped at -O0)
//	llc-14 -O<n> -filetype=obj -relocation-model=pic -mtriple=T -mcpu=C -mattr=A
//	       -stack-size-section [-fast-isel at -O1; at -O0 a register allocator
//	       chosen by the largest function: see regAllocFor]
//
// with the Target's triple, CPU and features (see target.go for the
// baselines: x86-64-v2 on amd64; ARMv8.0-A with FP/NEON and x18/x28
// reserved on arm64). Every function also carries "target-cpu",
// "target-features", nounwind (no .eh_frame), "no-builtins" (LLVM may
// not invent memcpy/memset calls) and "disable-tail-calls". Modules with
// more than DefaultPartSize IR instructions are split into parts that
// compile concurrently and are merged by `ld.lld -r` with a linker script
// that keeps exactly .text, .rodata and .wasmaot.meta; a single part is
// used as llc wrote it. Code is position-independent: references to
// .rodata are PC-relative and calls between functions use ordinary
// call relocations (R_X86_64_PLT32, R_AARCH64_CALL26).
//
// The generated code follows rtlib/abi: the VMContext pointer first, the
// platform C calling convention, traps and other runtime services through
// the VMContext builtin table, and no references to symbols outside the
// object.
//
// # Guards survive optimisation
//
// The translation never hands LLVM a reason to delete a check: no nsw, nuw
// or inbounds flags, shift counts are masked as wasm specifies, division
// and float-to-int conversion only run after the IR's explicit trap_if
// checks, and every trap calls a noreturn builtin, so a bounds check,
// call_indirect type check, stack-limit check or interrupt check is an
// ordinary branch LLVM must keep. VMContext fields that cannot change
// while the instance runs (memory base, table bases, global addresses) are
// loaded with !invariant.load so LICM hoists them out of loops. A memory's
// length is kept in a stack slot that the prologue, memory.grow and every
// call refresh (see setupLengthSlots): LLVM turns it into SSA values, so
// it stays in a register through loops whose interrupt checks may call the
// yield builtin, and a bounds check is one compare of zext(addr) with
// length-extent, a limit computed once per loop.
//
// # Exact wasm semantics
//
// Float arithmetic and promote/demote use constrained intrinsics so that
// LLVM cannot fold x*1 or fptrunc(fpext x) into a signalling NaN; wasm
// min/max are FMIN/FMAX on arm64 and an exact select expansion on x86;
// nearest is roundeven; trunc_sat uses llvm.fpto[su]i.sat; shift counts
// are masked; i8x16.swizzle maps to TBL or to PSHUFB with a saturating
// bias. Tail calls are disabled so that unbounded recursion exhausts the
// stack rather than becoming a loop.
package llvm
