// Package engine defines the engines the benchmark harness compares and
// implements the ones available today: native executables, wazero
// (compiler mode) and wasmtime (through wasmtime-go, cgo).
//
// Every engine can run a whole program (Engine.Prepare, then Program.Run),
// which is what execution-time measurements use. Engines that run
// WebAssembly in-process also implement WasmEngine, which exposes the
// finer steps measured separately: compile, serialize/deserialize a
// precompiled module, instantiate, call an export, and call back into Go.
package engine

import (
	"errors"
	"io"
)

// ErrNotAvailable reports an engine that cannot be constructed in this
// build or on this machine; the harness lists it as not measured.
var ErrNotAvailable = errors.New("engine not available")

// ErrUnsupported reports an optional operation an engine does not offer.
var ErrUnsupported = errors.New("operation not supported by this engine")

// Artifact is one benchmark program in both of its builds.
type Artifact struct {
	Name       string
	Wasm       []byte // the wasm32-wasi (or wasip1) build
	NativePath string // the native executable
}

// Engine runs whole programs.
type Engine interface {
	Name() string
	// Prepare does the per-program work done once before timed runs:
	// compiling for wasm engines, nothing for native code.
	Prepare(a *Artifact) (Program, error)
	Close() error
}

// Program is a prepared benchmark program.
type Program interface {
	// Run executes the program once (a fresh instance running _start, or
	// a fresh process) with args after the program name, and returns what
	// it wrote to stdout. A non-zero exit status is an error.
	Run(args []string) ([]byte, error)
	Close() error
}

// WasmEngine is an Engine that runs WebAssembly in the harness process.
type WasmEngine interface {
	Engine
	// Compile turns wasm bytes into a module ready to instantiate. It must
	// not be served from a cache of an earlier compilation of the same
	// bytes once that module has been closed.
	Compile(wasm []byte) (Module, error)
	// Deserialize loads a module precompiled by Module.Serialize.
	Deserialize(precompiled []byte) (Module, error)
}

// Module is a compiled module owned by a WasmEngine.
type Module interface {
	// Instantiate creates an instance without running _start. WASI
	// preview1 is bound with cfg's arguments and stdout, and the import
	// "env" "host" (i32) -> i32, if present, is bound to a Go function
	// returning its argument plus one.
	Instantiate(cfg InstanceConfig) (Instance, error)
	// Serialize returns a precompiled form for Deserialize, or
	// ErrUnsupported.
	Serialize() ([]byte, error)
	Close() error
}

// InstanceConfig configures one instance.
type InstanceConfig struct {
	Args   []string  // argv, including the program name
	Stdout io.Writer // nil discards output
}

// Instance is one instantiated module.
type Instance interface {
	// Start runs the WASI command entry point _start. An exit through
	// proc_exit(0) is success.
	Start() error
	// Func looks up an exported function for repeated calls.
	Func(name string) (Func, error)
	Close() error
}

// Func is an exported function taking and returning only i32 values.
type Func interface {
	// Call passes the function's parameters in stack[:nparams] and leaves
	// its results in stack[:nresults]; stack must be large enough for
	// both. Callers reuse stack so that a call need not allocate.
	Call(stack []uint64) error
}
