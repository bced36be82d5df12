package wasi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/interp"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// largeModule is the size from which the native engine compiles at -O0.
// Go programs (≥ 3 MB, thousands of functions) are above it, the C
// programs (≤ 100 KB) far below.
const largeModule = 1 << 20

// nativeOptLevel is the LLVM level the native engine compiles wasmBytes
// at: -O2 (the CLI's default) for small modules, -O0 for large ones,
// whose optimised compile costs minutes each. compress/flate's test
// binary (3.5 MB of code, 3,400 functions) took 28 s of CPU to compile at
// -O0, 147 s at -O1 and 213 s at -O2, and its tests ran in 14.3 s, 2.6 s
// and 2.3 s. WASI_OPT=0..3 forces one level for every module.
func nativeOptLevel(wasmBytes []byte) (int, error) {
	if s := os.Getenv("WASI_OPT"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 3 {
			return n, nil
		}
		return 0, fmt.Errorf("WASI_OPT=%q: want an optimisation level 0..3", s)
	}
	if len(wasmBytes) >= largeModule {
		return 0, nil
	}
	return 2, nil
}

// nativeLevel is nativeOptLevel without the error (which object reports).
func nativeLevel(wasmBytes []byte) int {
	level, _ := nativeOptLevel(wasmBytes)
	return level
}

// nativeEngine compiles each program with compiler.Compile for the host
// and runs the object through rtlib. Objects are cached by
// compiler.CacheKey (the wasm, the compiler build, back end, level and
// target), in memory for the run and, when WASI_OBJ_CACHE names a
// directory, on disk across runs (compiler.Cache).
type nativeEngine struct {
	mu      sync.Mutex
	objects map[string]*compiledObject
}

type compiledObject struct {
	once sync.Once
	obj  []byte
	err  error
}

func (*nativeEngine) Name() string { return "wasmaot-native" }

// Prepare compiles wasmBytes (or finds it in the cache).
func (e *nativeEngine) Prepare(wasmBytes []byte) error {
	_, err := e.object(wasmBytes)
	if err != nil {
		return fmt.Errorf("wasmaot-native: compile: %w", err)
	}
	return nil
}

func (e *nativeEngine) Run(ctx context.Context, wasmBytes []byte, imports map[string]map[string]abi.HostFunc) error {
	obj, err := e.object(wasmBytes)
	if err != nil {
		return fmt.Errorf("wasmaot-native: compile: %w", err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		return fmt.Errorf("wasmaot-native: load: %w", err)
	}
	defer mod.Close()
	inst, err := mod.Instantiate(ctx, rtlib.Config{HostFuncs: imports})
	if err != nil {
		return err
	}
	defer inst.Close()
	start := inst.ExportedFunc("_start")
	if start == nil {
		return errors.New("wasmaot-native: no _start export")
	}
	_, err = start.Call(ctx)
	return err
}

// object returns the compiled object of wasmBytes, compiling it at most
// once per test run.
func (e *nativeEngine) object(wasmBytes []byte) ([]byte, error) {
	level, err := nativeOptLevel(wasmBytes)
	if err != nil {
		return nil, err
	}
	opts := compiler.Options{OptLevel: level}
	key := compiler.CacheKey(wasmBytes, opts)

	e.mu.Lock()
	if e.objects == nil {
		e.objects = map[string]*compiledObject{}
	}
	c := e.objects[key]
	if c == nil {
		c = &compiledObject{}
		e.objects[key] = c
	}
	e.mu.Unlock()
	c.once.Do(func() {
		c.obj, c.err = compiler.Cache{Dir: os.Getenv("WASI_OBJ_CACHE")}.Compile(context.Background(), wasmBytes, opts)
	})
	return c.obj, c.err
}

// interpEngine runs programs in wasmaot's IR interpreter (decode,
// validate, lower with the default passes, lower/interp). It is far slower
// than native code, so the tests run only the C programs on it (see
// slowEngine).
type interpEngine struct{}

func (interpEngine) Name() string { return "wasmaot-interp" }

func (interpEngine) Run(ctx context.Context, wasmBytes []byte, imports map[string]map[string]abi.HostFunc) error {
	m, err := wasm.Decode(wasmBytes)
	if err != nil {
		return fmt.Errorf("wasmaot-interp: %w", err)
	}
	if err := wasm.Validate(m); err != nil {
		return fmt.Errorf("wasmaot-interp: %w", err)
	}
	irm, err := lower.Module(m, lower.Options{})
	if err != nil {
		return fmt.Errorf("wasmaot-interp: lower: %w", err)
	}
	eng := interp.New()
	inst, err := eng.Instantiate(ctx, irm, func(module, name string) (any, bool) {
		hf, ok := imports[module][name]
		return hf, ok
	})
	if err != nil {
		return err
	}
	_, err = inst.Call(ctx, "_start", nil)
	return err
}
