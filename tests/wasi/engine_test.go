// Package wasi_test runs real WASI programs (C built with clang-14 for
// wasm32-wasi, Go built for wasip1, and Go standard-library test binaries)
// against rtlib/wasi on every engine in the engines list.
package wasi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Engine runs a WASI command: it instantiates a wasm binary with the given
// host imports (module name → function name → function) and calls its
// "_start" export. It returns _start's error (an *wasi.ExitError after
// proc_exit) or nil when _start returns.
type Engine interface {
	Name() string
	Run(ctx context.Context, wasm []byte, imports map[string]map[string]abi.HostFunc) error
}

// preparer is an engine with a compile step: runProgram calls Prepare
// before the run's deadline starts, so that compiling a large program does
// not eat into the time the program has to run.
type preparer interface {
	Prepare(wasm []byte) error
}

// allEngines are the engines every test runs on. Add an engine here to
// have it run every program.
var allEngines = []Engine{
	wazeroEng,
	native,
	interpEngine{},
}

var (
	wazeroEng = &wazeroEngine{}
	// native is the wasmaot-native engine; the CLI tests reuse its objects.
	native = &nativeEngine{}
)

// engines are allEngines, or those named in WASI_ENGINES (comma-separated
// names, e.g. WASI_ENGINES=wasmaot-native); TestMain rejects unknown names.
var engines, enginesErr = selectEngines(os.Getenv("WASI_ENGINES"))

func selectEngines(names string) ([]Engine, error) {
	if names == "" {
		return allEngines, nil
	}
	var out []Engine
	for _, name := range strings.Split(names, ",") {
		i := slices.IndexFunc(allEngines, func(e Engine) bool { return e.Name() == name })
		if i < 0 {
			return nil, fmt.Errorf("WASI_ENGINES: no engine %q (have wazero, wasmaot-native, wasmaot-interp)", name)
		}
		out = append(out, allEngines[i])
	}
	return out, nil
}

// wazeroEngine runs programs on wazero (test-only dependency): an
// independent engine that lets the WASI layer be tested before wasmaot's
// own engines exist.
type wazeroEngine struct {
	once  sync.Once
	cache wazero.CompilationCache
}

func (*wazeroEngine) Name() string { return "wazero" }

func (e *wazeroEngine) Run(ctx context.Context, wasm []byte, imports map[string]map[string]abi.HostFunc) error {
	e.once.Do(func() {
		dir := filepath.Join(os.TempDir(), "wasmaot-wasi-test-wazero-cache")
		if c, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
			e.cache = c
		} else {
			e.cache = wazero.NewCompilationCache()
		}
	})
	cfg := wazero.NewRuntimeConfig().WithCompilationCache(e.cache).WithCloseOnContextDone(true)
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer r.Close(ctx)
	for modName, fns := range imports {
		b := r.NewHostModuleBuilder(modName)
		for name, hf := range fns {
			params, err := wazeroTypes(hf.Params)
			if err != nil {
				return err
			}
			results, err := wazeroTypes(hf.Results)
			if err != nil {
				return err
			}
			b.NewFunctionBuilder().WithGoModuleFunction(hostAdapter(hf), params, results).Export(name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return fmt.Errorf("wazero: host module %s: %w", modName, err)
		}
	}
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return fmt.Errorf("wazero: compile: %w", err)
	}
	// wazero's own WASI is not used: stdio and the rest come from rtlib/wasi.
	_, err = r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithStartFunctions("_start"))
	return err
}

// hostAdapter calls an abi.HostFunc from wazero; an error it returns
// becomes a panic, which wazero turns into the error of the guest call.
func hostAdapter(hf abi.HostFunc) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		if err := hf.Fn(ctx, wazeroCaller{mod}, stack); err != nil {
			panic(err)
		}
	}
}

// wazeroCaller shows a host function the calling module's memory.
type wazeroCaller struct{ mod api.Module }

func (c wazeroCaller) Memory() []byte {
	mem := c.mod.Memory()
	if mem == nil {
		return nil
	}
	b, _ := mem.Read(0, mem.Size())
	return b
}

func wazeroTypes(ts []abi.ValType) ([]api.ValueType, error) {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		switch t {
		case abi.I32:
			out[i] = api.ValueTypeI32
		case abi.I64:
			out[i] = api.ValueTypeI64
		case abi.F32:
			out[i] = api.ValueTypeF32
		case abi.F64:
			out[i] = api.ValueTypeF64
		case abi.ExternRef:
			out[i] = api.ValueTypeExternref
		default:
			return nil, fmt.Errorf("wazero adapter: value type %#x is not supported in host functions", byte(t))
		}
	}
	return out, nil
}
