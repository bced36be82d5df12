package engine

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Wasmtime runs modules with wasmtime (Cranelift, default configuration:
// optimising for speed, parallel compilation) through wasmtime-go.
type Wasmtime struct {
	engine *wasmtime.Engine
	linker *wasmtime.Linker // WASI plus "env" "host", shared by all stores
}

// NewWasmtime creates a wasmtime engine.
func NewWasmtime() (*Wasmtime, error) {
	e := wasmtime.NewEngine()
	l := wasmtime.NewLinker(e)
	if err := l.DefineWasi(); err != nil {
		return nil, err
	}
	if err := l.FuncWrap("env", "host", func(x int32) int32 { return x + 1 }); err != nil {
		return nil, err
	}
	return &Wasmtime{engine: e, linker: l}, nil
}

// Name implements Engine.
func (*Wasmtime) Name() string { return "wasmtime" }

// Prepare implements Engine.
func (w *Wasmtime) Prepare(a *Artifact) (Program, error) { return PrepareWasm(w, a) }

// Compile implements WasmEngine. wasmtime-go has no implicit cache unless
// one is configured, and none is.
func (w *Wasmtime) Compile(wasm []byte) (Module, error) {
	m, err := wasmtime.NewModule(w.engine, wasm)
	if err != nil {
		return nil, err
	}
	return &wasmtimeModule{w: w, module: m}, nil
}

// Deserialize implements WasmEngine.
func (w *Wasmtime) Deserialize(precompiled []byte) (Module, error) {
	m, err := wasmtime.NewModuleDeserialize(w.engine, precompiled)
	if err != nil {
		return nil, err
	}
	return &wasmtimeModule{w: w, module: m}, nil
}

// Close implements Engine.
func (w *Wasmtime) Close() error {
	w.linker.Close()
	w.engine.Close()
	return nil
}

type wasmtimeModule struct {
	w      *Wasmtime
	module *wasmtime.Module
}

// Instantiate creates a store per instance, as WASI state is per store.
// wasmtime's WASI writes stdout only to files, so a requested stdout goes
// through a temporary file copied to cfg.Stdout by Start.
func (m *wasmtimeModule) Instantiate(cfg InstanceConfig) (Instance, error) {
	wasi := wasmtime.NewWasiConfig()
	wasi.SetArgv(cfg.Args)
	inst := &wasmtimeInstance{stdout: cfg.Stdout}
	if cfg.Stdout != nil {
		f, err := os.CreateTemp("", "bench-wasmtime-stdout-")
		if err != nil {
			return nil, err
		}
		f.Close()
		inst.stdoutPath = f.Name()
		if err := wasi.SetStdoutFile(inst.stdoutPath); err != nil {
			os.Remove(inst.stdoutPath)
			return nil, err
		}
	}
	inst.store = wasmtime.NewStore(m.w.engine)
	inst.store.SetWasi(wasi)
	var err error
	if inst.instance, err = m.w.linker.Instantiate(inst.store, m.module); err != nil {
		inst.Close()
		return nil, err
	}
	return inst, nil
}

func (m *wasmtimeModule) Serialize() ([]byte, error) { return m.module.Serialize() }

func (m *wasmtimeModule) Close() error {
	m.module.Close()
	return nil
}

type wasmtimeInstance struct {
	store      *wasmtime.Store
	instance   *wasmtime.Instance
	stdout     io.Writer
	stdoutPath string
}

func (i *wasmtimeInstance) Start() error {
	start := i.instance.GetFunc(i.store, "_start")
	if start == nil {
		return errors.New("module has no _start export")
	}
	_, runErr := start.Call(i.store)
	var wErr *wasmtime.Error
	if errors.As(runErr, &wErr) {
		if status, ok := wErr.ExitStatus(); ok && status == 0 {
			runErr = nil
		}
	}
	if i.stdoutPath != "" {
		out, err := os.ReadFile(i.stdoutPath)
		if err != nil {
			return errors.Join(runErr, err)
		}
		if _, err := i.stdout.Write(out); err != nil {
			return errors.Join(runErr, err)
		}
	}
	return runErr
}

func (i *wasmtimeInstance) Func(name string) (Func, error) {
	f := i.instance.GetFunc(i.store, name)
	if f == nil {
		return nil, fmt.Errorf("no exported function %q", name)
	}
	return &wasmtimeFunc{store: i.store, f: f, params: len(f.Type(i.store).Params())}, nil
}

func (i *wasmtimeInstance) Close() error {
	i.store.Close()
	if i.stdoutPath != "" {
		return os.Remove(i.stdoutPath)
	}
	return nil
}

type wasmtimeFunc struct {
	store  *wasmtime.Store
	f      *wasmtime.Func
	params int
}

// Call supports the i32 signatures used by the harness: () -> () and
// (i32) -> i32.
func (f *wasmtimeFunc) Call(stack []uint64) error {
	var (
		res any
		err error
	)
	if f.params == 0 {
		res, err = f.f.Call(f.store)
	} else {
		res, err = f.f.Call(f.store, int32(stack[0]))
	}
	if err != nil {
		return err
	}
	if v, ok := res.(int32); ok {
		stack[0] = uint64(uint32(v))
	}
	return nil
}
