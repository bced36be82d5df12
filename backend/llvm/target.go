package llvm

import (
	"fmt"
	"strings"
)

// Target describes one architecture the back end generates code for: the
// LLVM triple, CPU and -mattr features given to opt and llc, and the CPU
// features the generated code needs from the host, which the object's
// metadata records so that the runtime can refuse objects its CPU cannot
// run.
type Target struct {
	// Arch is the Go name of the architecture: "amd64" or "arm64".
	Arch string
	// Triple is the LLVM target triple.
	Triple string
	// DataLayout is the LLVM data layout string for Triple.
	DataLayout string
	// CPU is the baseline processor given to opt and llc (-mcpu).
	CPU string
	// Attrs are the LLVM -mattr entries: the features on top of CPU and,
	// on arm64, the register reservations.
	Attrs []string
	// HostFeatures names the CPU features the code needs beyond the
	// architecture's baseline, spelled as in abi.KnownFeatures; the
	// metadata records them so the runtime can check them at load.
	HostFeatures []string
}

// The baselines.
//
// amd64: x86-64-v2 (SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B,
// LAHF/SAHF). Every x86-64 CPU since Nehalem (2008) and Bulldozer (2011)
// has it, and it is the floor of current enterprise distributions. It
// matters for WebAssembly SIMD: PSHUFB (SSSE3) implements i8x16.swizzle
// and shuffles, SSE4.1 gives PMINSD/PMAXSD/PMULLD, PBLENDVB, PTEST,
// PMOVSX/ZX for the extend ops, PINSR/PEXTR for all lane widths and
// ROUNDPS/PD for ceil/floor/trunc/nearest, which without it become libm
// calls. POPCNT makes i32/i64.popcnt one instruction. x86-64-v3 (AVX2,
// BMI, FMA) is left out because many small and older servers and Atom-class
// CPUs lack it, and WebAssembly's 128-bit SIMD gains little from AVX.
// LLVM 14 tunes x86-64-v2 for Sandy Bridge, where SHLD r,r,imm is a fast
// rotate; on AMD Zen it is a slow microcoded op, and ROL is fast
// everywhere, so -fast-shld-rotate makes rotates ROL (sha256: 0.83 s →
// 0.47 s on this machine's EPYC, native 0.45 s).
//
// arm64: ARMv8.0-A with FP and Advanced SIMD (NEON), which every
// application-class AArch64 CPU has and Go's arm64 port assumes; no LSE
// atomics, CRC or later extensions are needed by WebAssembly 2.0. x18 (the
// platform register) and x28 (Go's g register, read by Go's signal
// handler) are reserved so that LLVM never allocates them.
var targets = map[string]*Target{
	"amd64": {
		Arch:         "amd64",
		Triple:       "x86_64-unknown-linux-gnu",
		DataLayout:   "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128",
		CPU:          "x86-64-v2",
		Attrs:        []string{"+sse4.2", "+popcnt", "+cx16", "+sahf", "-fast-shld-rotate"},
		HostFeatures: []string{"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt"},
	},
	"arm64": {
		Arch:         "arm64",
		Triple:       "aarch64-unknown-linux-gnu",
		DataLayout:   "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128",
		CPU:          "generic",
		Attrs:        []string{"+v8a", "+fp-armv8", "+neon", "+reserve-x18", "+reserve-x28"},
		HostFeatures: nil, // FP and ASIMD are part of the arm64 baseline
	},
}

// TargetFor returns the target for a Go architecture name ("amd64" or
// "arm64"; "x86_64" and "aarch64" are accepted as aliases).
func TargetFor(arch string) (*Target, error) {
	switch arch {
	case "x86_64", "x86-64":
		arch = "amd64"
	case "aarch64":
		arch = "arm64"
	}
	t, ok := targets[arch]
	if !ok {
		return nil, fmt.Errorf("llvm: unsupported target %q (want amd64 or arm64)", arch)
	}
	return t, nil
}

// mattr returns the -mattr argument.
func (t *Target) mattr() string { return strings.Join(t.Attrs, ",") }
