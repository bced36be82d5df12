package engine

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// Wazero runs modules with wazero in compiler mode and wazero's own WASI.
//
// wazero has no serialized module format; its closest analogue of loading
// a precompiled module is compiling against a warm file-system
// compilation cache. Serialize therefore warms that cache and returns the
// wasm bytes, and Deserialize compiles them on a second runtime that reads
// the cache, so only decoding, validation and loading machine code remain.
type Wazero struct {
	ctx      context.Context
	runtime  wazero.Runtime // no cache: Compile measures real compilation
	cached   wazero.Runtime // backed by cacheDir, for Serialize/Deserialize
	cacheDir string
}

// NewWazero creates a wazero engine.
func NewWazero() (*Wazero, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-wazero-cache-")
	if err != nil {
		return nil, err
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	w := &Wazero{ctx: ctx, cacheDir: dir}
	if w.runtime, err = newWazeroRuntime(ctx, wazero.NewRuntimeConfigCompiler()); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if w.cached, err = newWazeroRuntime(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(cache)); err != nil {
		w.runtime.Close(ctx)
		os.RemoveAll(dir)
		return nil, err
	}
	return w, nil
}

// newWazeroRuntime creates a runtime with WASI and the "env" host module.
func newWazeroRuntime(ctx context.Context, cfg wazero.RuntimeConfig) (wazero.Runtime, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	plusOne := api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
		stack[0] = uint64(uint32(stack[0]) + 1)
	})
	_, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(plusOne, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("host").Instantiate(ctx)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return rt, nil
}

// Name implements Engine.
func (*Wazero) Name() string { return "wazero" }

// Prepare implements Engine.
func (w *Wazero) Prepare(a *Artifact) (Program, error) { return PrepareWasm(w, a) }

// Compile implements WasmEngine. Closing the module evicts it from the
// runtime's in-memory cache, so compiling the same bytes again compiles.
func (w *Wazero) Compile(wasm []byte) (Module, error) {
	return w.compile(w.runtime, wasm)
}

// Deserialize implements WasmEngine (see the type's comment).
func (w *Wazero) Deserialize(precompiled []byte) (Module, error) {
	return w.compile(w.cached, precompiled)
}

func (w *Wazero) compile(rt wazero.Runtime, wasm []byte) (Module, error) {
	cm, err := rt.CompileModule(w.ctx, wasm)
	if err != nil {
		return nil, err
	}
	return &wazeroModule{w: w, rt: rt, compiled: cm, wasm: wasm}, nil
}

// Close implements Engine.
func (w *Wazero) Close() error {
	err := errors.Join(w.runtime.Close(w.ctx), w.cached.Close(w.ctx))
	return errors.Join(err, os.RemoveAll(w.cacheDir))
}

type wazeroModule struct {
	w        *Wazero
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	wasm     []byte
}

func (m *wazeroModule) Instantiate(cfg InstanceConfig) (Instance, error) {
	// An empty name lets many instances of one module live side by side.
	mc := wazero.NewModuleConfig().WithName("").WithStartFunctions().WithArgs(cfg.Args...)
	if cfg.Stdout != nil {
		mc = mc.WithStdout(cfg.Stdout)
	}
	mod, err := m.rt.InstantiateModule(m.w.ctx, m.compiled, mc)
	if err != nil {
		return nil, err
	}
	return &wazeroInstance{ctx: m.w.ctx, mod: mod}, nil
}

func (m *wazeroModule) Serialize() ([]byte, error) {
	// Compiling on the cached runtime writes the cache entry.
	cm, err := m.w.cached.CompileModule(m.w.ctx, m.wasm)
	if err != nil {
		return nil, err
	}
	if err := cm.Close(m.w.ctx); err != nil {
		return nil, err
	}
	return m.wasm, nil
}

func (m *wazeroModule) Close() error { return m.compiled.Close(m.w.ctx) }

type wazeroInstance struct {
	ctx context.Context
	mod api.Module
}

func (i *wazeroInstance) Start() error {
	start := i.mod.ExportedFunction("_start")
	if start == nil {
		return errors.New("module has no _start export")
	}
	_, err := start.Call(i.ctx)
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 0 {
		return nil
	}
	return err
}

func (i *wazeroInstance) Func(name string) (Func, error) {
	f := i.mod.ExportedFunction(name)
	if f == nil {
		return nil, fmt.Errorf("no exported function %q", name)
	}
	return wazeroFunc{ctx: i.ctx, f: f}, nil
}

func (i *wazeroInstance) Close() error { return i.mod.Close(i.ctx) }

type wazeroFunc struct {
	ctx context.Context
	f   api.Function
}

func (f wazeroFunc) Call(stack []uint64) error { return f.f.CallWithStack(f.ctx, stack) }
