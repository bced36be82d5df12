// Package compiler is wasmaot's compile entry point: WebAssembly binary in,
// guarded native ELF object out. It runs the whole pipeline — decode,
// validate, lower to SSA IR with its passes, build the object's metadata
// once, and hand both to the selected back end (package backend) — so that
// the CLI and embedders have one function to call.
package compiler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// Version is the compiler's version; every object's metadata records it
// followed by the back end's name (see CompilerVersion).
const Version = "wasmaot-0.1"

// DefaultBackend is the back end used when Options.Backend is empty.
const DefaultBackend = "native"

// DefaultBackendFor is the back end used for target ("amd64", "arm64"; ""
// is the host) when Options.Backend is empty: the native back end
// (backend/amd64, backend/arm64) for every target, so that compiling needs
// no LLVM; "llvm" selects the LLVM tier explicitly.
func DefaultBackendFor(target string) string {
	return DefaultBackend
}

// Options control Compile.
type Options struct {
	// Target is "amd64" or "arm64"; empty means the host architecture.
	Target string
	// Backend names the code generator (see backend.Names); empty means
	// DefaultBackendFor(Target).
	Backend string
	// OptLevel is 0..3. The zero value is -O0; the CLI's default is
	// DefaultOptLevel.
	OptLevel int
	// Bounds is the bounds-check mode; only "explicit" (also "") exists.
	Bounds string
	// Jobs bounds the back end's parallelism; 0 means GOMAXPROCS.
	Jobs int
	// Dump, if set, writes views of what the compiler did.
	Dump *Dump
	// Timings, if non-nil, accumulates the time of each phase of the
	// compilation (see package timing); `make bench` reports it.
	Timings *timing.Timings
}

// DefaultOptLevel is the optimisation level of `wasmaot compile` without -O.
const DefaultOptLevel = 2

// CompilerVersion is what an object compiled by the named back end
// records as its compiler: Version/backend.
func CompilerVersion(backendName string) string { return Version + "/" + backendName }

// Compile compiles a WebAssembly binary module to an ELF64 relocatable
// object (see docs/object-format.md).
func Compile(wasmBytes []byte, opts Options) ([]byte, error) {
	return CompileContext(context.Background(), wasmBytes, opts)
}

// CompileContext is Compile with a context that cancels the back end's
// work (for the LLVM tier, its processes).
func CompileContext(ctx context.Context, wasmBytes []byte, opts Options) ([]byte, error) {
	opts = opts.withDefaults()
	target, err := backend.TargetFor(opts.Target)
	if err != nil {
		return nil, err
	}
	be, err := backend.Lookup(opts.Backend)
	if err != nil {
		return nil, err
	}
	if opts.OptLevel < 0 || opts.OptLevel > 3 {
		return nil, fmt.Errorf("optimisation level %d out of range 0..3", opts.OptLevel)
	}
	if opts.Bounds != "" && opts.Bounds != "explicit" {
		return nil, fmt.Errorf("bounds-check mode %q is not supported (only explicit)", opts.Bounds)
	}
	tm := opts.Timings
	start := tm.Start()
	m, err := wasm.Decode(wasmBytes)
	tm.Stop(timing.Decode, start)
	if err != nil {
		return nil, err
	}
	start = tm.Start()
	err = wasm.Validate(m)
	tm.Stop(timing.Validate, start)
	if err != nil {
		return nil, err
	}
	lopts := lower.Options{Passes: lower.PipelineFor(opts.OptLevel), Timings: tm}
	afterPass, err := opts.Dump.afterPass(&lopts)
	if err != nil {
		return nil, err
	}
	// A back end that compiles function by function lowers each one
	// when it gets to it (unless a dump wants the whole module's IR):
	// the IR of one function is dropped once its code is generated.
	in := &backend.Input{Target: target}
	if s, ok := be.(backend.Streaming); ok && s.Streams(target) && !opts.Dump.wantsIR() {
		s := lower.Stream(m, lopts)
		in.Module, in.Lower, in.LowerWorker = &ir.Module{Wasm: m}, s.Func, s.Worker
	} else if in.Module, err = lower.Module(m, lopts); err != nil {
		return nil, err
	}
	if in.Meta, err = backend.BuildMeta(m, target, CompilerVersion(be.Name()), sha256.Sum256(wasmBytes)); err != nil {
		return nil, err
	}
	bopts := backend.Options{OptLevel: opts.OptLevel, Jobs: opts.Jobs, Timings: tm}
	if err := opts.Dump.beforeCodegen(afterPass, in, be, bopts); err != nil {
		return nil, err
	}
	start = tm.Start()
	before := backendTime(tm)
	obj, err := be.Compile(ctx, in, bopts)
	if backendTime(tm) == before {
		// A back end that does not time its phases (the LLVM tier):
		// all of its work counts as object writing.
		tm.Stop(timing.Object, start)
	}
	start = tm.Start()
	obj, err = seal.Output(obj, err)
	tm.Stop(timing.Object, start)
	if err != nil {
		return nil, err
	}
	if err := opts.Dump.afterCodegen(obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// backendTime is the time tm holds for the back-end phases.
func backendTime(tm *timing.Timings) time.Duration {
	return tm.Get(timing.Isel) + tm.Get(timing.Regalloc) + tm.Get(timing.Encode) + tm.Get(timing.Object)
}
