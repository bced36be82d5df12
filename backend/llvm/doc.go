// Package llvm is wasmaot's first native tier: it translates the SSA IR of
// lower/ir into LLVM IR (github.com/llir/llvm, LLVM 14 with typed
// pointers), optimises it with LLVM's `opt` and generates an ELF64
// relocatable object with `llc` for x86-64 or AArch64, carrying the
// `.wasmaot.meta` section the runtime loads.
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
// loaded with !invariant.load so LICM hoists them out of loops; the memory
// length is reloaded because memory.grow changes it.
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
