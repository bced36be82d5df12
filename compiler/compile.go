// Package compiler is wasmaot's compile entry point: WebAssembly binary in,
// guarded native ELF object out. It runs the whole pipeline — decode,
// validate, lower to SSA IR with its passes, and the LLVM back end — so
// that the CLI and embedders have one function to call.
package compiler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
)

// Version is recorded in every object's metadata.
const Version = "wasmaot-0.1-llvm14"

// Options control Compile.
type Options struct {
	// Target is "amd64" or "arm64"; empty means the host architecture.
	Target string
	// OptLevel is 0..3. The zero value is -O0; the CLI's default is
	// DefaultOptLevel.
	OptLevel int
	// Bounds is the bounds-check mode; only "explicit" (also "") exists.
	Bounds string
	// Jobs bounds concurrent LLVM processes; 0 means GOMAXPROCS.
	Jobs int
}

// DefaultOptLevel is the optimisation level of `wasmaot compile` without -O.
const DefaultOptLevel = 2

// Compile compiles a WebAssembly binary module to an ELF64 relocatable
// object (see docs/object-format.md).
func Compile(wasmBytes []byte, opts Options) ([]byte, error) {
	return CompileContext(context.Background(), wasmBytes, opts)
}

// CompileContext is Compile with a context that cancels the LLVM
// processes.
func CompileContext(ctx context.Context, wasmBytes []byte, opts Options) ([]byte, error) {
	arch := opts.Target
	if arch == "" {
		arch = runtime.GOARCH
	}
	target, err := llvm.TargetFor(arch)
	if err != nil {
		return nil, err
	}
	if opts.Bounds != "" && opts.Bounds != "explicit" {
		return nil, fmt.Errorf("bounds-check mode %q is not supported (only explicit)", opts.Bounds)
	}
	m, err := wasm.Decode(wasmBytes)
	if err != nil {
		return nil, err
	}
	if err := wasm.Validate(m); err != nil {
		return nil, err
	}
	lowered, err := lower.Module(m, lower.Options{})
	if err != nil {
		return nil, err
	}
	return llvm.Compile(ctx, lowered, llvm.Options{
		Target:          target,
		OptLevel:        opts.OptLevel,
		Jobs:            opts.Jobs,
		SourceSHA256:    sha256.Sum256(wasmBytes),
		CompilerVersion: Version,
	})
}
