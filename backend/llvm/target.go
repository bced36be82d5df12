package llvm

import (
	"fmt"
	"strings"
)

// Target is how LLVM spells one of the architectures of backend.Target:
// the triple, data layout, CPU and -mattr features given to opt and llc.
// The CPU features the code needs from the host (recorded in the metadata)
// are the backend.Target's; Attrs must enable no more than those.
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
}

// The baselines are backend.Target's (see backend/target.go). LLVM 14
// tunes x86-64-v2 for Sandy Bridge, where SHLD r,r,imm is a fast rotate;
// on AMD Zen it is a slow microcoded op, and ROL is fast everywhere, so
// -fast-shld-rotate makes rotates ROL (sha256: 0.83 s → 0.47 s on this
// machine's EPYC, native 0.45 s). On arm64, +reserve-x18 and +reserve-x28
// keep LLVM from allocating the platform register and Go's g register.
var targets = map[string]*Target{
	"amd64": {
		Arch:       "amd64",
		Triple:     "x86_64-unknown-linux-gnu",
		DataLayout: "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128",
		CPU:        "x86-64-v2",
		Attrs:      []string{"+sse4.2", "+popcnt", "+cx16", "+sahf", "-fast-shld-rotate"},
	},
	"arm64": {
		Arch:       "arm64",
		Triple:     "aarch64-unknown-linux-gnu",
		DataLayout: "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128",
		CPU:        "generic",
		Attrs:      []string{"+v8a", "+fp-armv8", "+neon", "+reserve-x18", "+reserve-x28"},
	},
}

// TargetFor returns the LLVM target for a Go architecture name ("amd64" or
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
