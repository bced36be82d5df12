package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// WasmaotConfigs names the wasmaot configurations the harness asks for:
// each backend at each -O level measured.
var WasmaotConfigs = []string{"wasmaot-llvm -O2", "wasmaot-llvm -O0", "wasmaot-native -O2"}

// wasmaotConfig is a back end and -O level.
type wasmaotConfig struct {
	backend  string
	optLevel int
}

// wasmaotOptLevels maps the configurations to their back end and level.
var wasmaotOptLevels = map[string]wasmaotConfig{
	"wasmaot-llvm -O2":   {"llvm", 2},
	"wasmaot-llvm -O0":   {"llvm", 0},
	"wasmaot-native -O2": {"native", 2},
}

// NewWasmaot constructs the wasmaot engine for one configuration from
// WasmaotConfigs.
func NewWasmaot(config string) (WasmEngine, error) {
	c, ok := wasmaotOptLevels[config]
	if !ok {
		return nil, fmt.Errorf("unknown wasmaot configuration %q", config)
	}
	return &Wasmaot{name: config, backend: c.backend, optLevel: c.optLevel, ctx: context.Background()}, nil
}

// Wasmaot compiles modules with wasmaot's compiler (the LLVM back end, opt
// and llc run as child processes, or the native back end in-process, both
// GOMAXPROCS-parallel) to an object, and runs the object with rtlib and
// rtlib/wasi.
type Wasmaot struct {
	name     string
	backend  string
	optLevel int
	ctx      context.Context
}

// Name implements Engine.
func (w *Wasmaot) Name() string { return w.name }

// Prepare implements Engine.
func (w *Wasmaot) Prepare(a *Artifact) (Program, error) { return PrepareWasm(w, a) }

// Compile implements WasmEngine: wasm to object, then loading the object.
func (w *Wasmaot) Compile(wasm []byte) (Module, error) {
	obj, err := compiler.CompileContext(w.ctx, wasm, compiler.Options{Backend: w.backend, OptLevel: w.optLevel})
	if err != nil {
		return nil, err
	}
	return w.Deserialize(obj)
}

// Deserialize implements WasmEngine: the precompiled form is the object.
func (w *Wasmaot) Deserialize(obj []byte) (Module, error) {
	m, err := rtlib.Load(obj)
	if err != nil {
		return nil, err
	}
	return &wasmaotModule{ctx: w.ctx, obj: obj, module: m}, nil
}

// Close implements Engine.
func (*Wasmaot) Close() error { return nil }

type wasmaotModule struct {
	ctx    context.Context
	obj    []byte
	module *rtlib.Module
}

// hostPlusOne is the "env" "host" import of the call benchmarks.
var hostPlusOne = abi.HostFunc{
	Params:  []abi.ValType{abi.I32},
	Results: []abi.ValType{abi.I32},
	Fn: func(_ context.Context, _ abi.Caller, stack []uint64) error {
		stack[0] = uint64(uint32(stack[0]) + 1)
		return nil
	},
}

// Instantiate gives each instance its own WASI state, as WASI descriptor
// tables are per instance.
func (m *wasmaotModule) Instantiate(cfg InstanceConfig) (Instance, error) {
	w, err := wasi.New(wasi.Config{Args: cfg.Args, Stdout: cfg.Stdout})
	if err != nil {
		return nil, err
	}
	inst, err := m.module.Instantiate(m.ctx, rtlib.Config{
		HostModules: map[string]abi.HostModule{wasi.ModuleName: w},
		HostFuncs:   map[string]map[string]abi.HostFunc{"env": {"host": hostPlusOne}},
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	return &wasmaotInstance{ctx: m.ctx, inst: inst, wasi: w}, nil
}

func (m *wasmaotModule) Serialize() ([]byte, error) { return m.obj, nil }

func (m *wasmaotModule) Close() error { return m.module.Close() }

type wasmaotInstance struct {
	ctx  context.Context
	inst *rtlib.Instance
	wasi *wasi.WASI
}

func (i *wasmaotInstance) Start() error {
	start := i.inst.ExportedFunc("_start")
	if start == nil {
		return errors.New("module has no _start export")
	}
	err := start.CallWithStack(i.ctx, nil)
	var exit *wasi.ExitError
	if errors.As(err, &exit) && exit.Code == 0 {
		return nil
	}
	return err
}

func (i *wasmaotInstance) Func(name string) (Func, error) {
	f := i.inst.ExportedFunc(name)
	if f == nil {
		return nil, fmt.Errorf("no exported function %q", name)
	}
	return wasmaotFunc{ctx: i.ctx, f: f}, nil
}

func (i *wasmaotInstance) Close() error {
	return errors.Join(i.inst.Close(), i.wasi.Close())
}

type wasmaotFunc struct {
	ctx context.Context
	f   *rtlib.Func
}

// Call uses rtlib's allocation-free call path.
func (f wasmaotFunc) Call(stack []uint64) error { return f.f.CallWithStack(f.ctx, stack) }
