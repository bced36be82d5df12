package backend

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Target is what code is generated for, at the level of the ISA: an
// architecture, the CPU baseline every generated instruction may assume,
// and the features beyond the architecture's own baseline that the code
// needs from the host. The object's metadata records Features, and the
// runtime refuses an object whose features its CPU lacks. How a back end
// spells the target for its tools (LLVM triples, -mattr lists) is its own
// business.
type Target struct {
	Arch abi.Arch
	// Baseline names the CPU level the code assumes (for documentation,
	// dumps and the fingerprint): "x86-64-v2" or "armv8.0-a".
	Baseline string
	// Features are the CPU features the code uses beyond what every CPU of
	// Arch has, spelled as in abi.KnownFeatures; the runtime checks them
	// at load.
	Features []string
}

// The baselines.
//
// amd64: x86-64-v2 (SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B,
// LAHF/SAHF). Every x86-64 CPU since Nehalem (2008) and Bulldozer (2011)
// has it, and it is the floor of current enterprise distributions. It
// matters for WebAssembly SIMD: PSHUFB (SSSE3) implements i8x16.swizzle
// and shuffles, SSE4.1 gives PMINSD/PMAXSD/PMULLD, PBLENDVB, PTEST,
// PMOVSX/ZX for the extend ops, PINSR/PEXTR for all lane widths and
// ROUNDPS/PD for ceil/floor/trunc/nearest. POPCNT makes i32/i64.popcnt one
// instruction. x86-64-v3 (AVX2, BMI, FMA) is left out because many small
// and older servers and Atom-class CPUs lack it, and WebAssembly's 128-bit
// SIMD gains little from AVX.
//
// arm64: ARMv8.0-A with FP and Advanced SIMD (NEON), which every
// application-class AArch64 CPU has and Go's arm64 port assumes; no LSE
// atomics, CRC or later extensions are needed by WebAssembly 2.0. Code
// must leave x18 (the platform register) and x28 (Go's g register, read
// by Go's signal handler) alone: see CheckReservedRegisters.
var targets = map[abi.Arch]Target{
	abi.ArchAMD64: {Arch: abi.ArchAMD64, Baseline: "x86-64-v2",
		Features: []string{"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt"}},
	abi.ArchARM64: {Arch: abi.ArchARM64, Baseline: "armv8.0-a"},
}

// TargetFor returns the default target of an architecture named as Go
// names it ("amd64", "arm64"; "x86_64", "x86-64" and "aarch64" are
// accepted too); "" means the host's.
func TargetFor(arch string) (Target, error) {
	var a abi.Arch
	switch arch {
	case "":
		return TargetFor(runtime.GOARCH)
	case "amd64", "x86_64", "x86-64":
		a = abi.ArchAMD64
	case "arm64", "aarch64":
		a = abi.ArchARM64
	default:
		return Target{}, fmt.Errorf("unsupported target %q (want amd64 or arm64)", arch)
	}
	t := targets[a]
	t.Features = slices.Clone(t.Features)
	return t, nil
}

// String is the target as the fingerprint and dumps show it:
// "amd64 x86-64-v2+sse3,...".
func (t Target) String() string {
	s := t.Arch.String() + " " + t.Baseline
	for i, f := range t.Features {
		if i == 0 {
			s += " +"
		} else {
			s += ",+"
		}
		s += f
	}
	return s
}
