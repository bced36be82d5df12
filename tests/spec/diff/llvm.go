package diff

import (
	"context"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// LLVM is a compiling tier as an Engine: compiler.Compile at OptLevel for
// the host with the back end Backend ("" is the LLVM tier, "native" the
// Go code generator), rtlib.Load, and a fresh instance per Run. The
// loaded object of the most recent module is cached, since compiling
// costs far more than instantiating.
type LLVM struct {
	OptLevel int
	Backend  string
	cache    lastModule[llvmModule]
}

func (e *LLVM) backend() string {
	if e.Backend == "" {
		return "llvm"
	}
	return e.Backend
}

type llvmModule struct {
	mod     *rtlib.Module
	globals []globalExport
}

// Name implements Engine.
func (e *LLVM) Name() string { return fmt.Sprintf("%s-O%d", e.backend(), e.OptLevel) }

func (e *LLVM) prepare(bin []byte) (llvmModule, error) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return llvmModule{}, err
	}
	obj, err := compiler.Compile(bin, compiler.Options{OptLevel: e.OptLevel, Backend: e.backend()})
	if err != nil {
		return llvmModule{}, err
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		return llvmModule{}, err
	}
	return llvmModule{mod, exportedGlobals(m)}, nil
}

func closeModule(m llvmModule) { m.mod.Close() }

// Close releases the cached object.
func (e *LLVM) Close() {
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	if e.cache.ok && e.cache.err == nil {
		closeModule(e.cache.val)
	}
	e.cache.ok = false
}

// Run implements Engine.
func (e *LLVM) Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error) {
	pm, err := e.cache.get(bin, e.prepare, closeModule)
	if err != nil {
		return Outcome{}, err
	}
	inst, err := pm.mod.Instantiate(ctx, rtlib.Config{})
	if err != nil {
		return trapOutcome(Outcome{}, err)
	}
	defer inst.Close()
	f := inst.ExportedFunc(export)
	if f == nil {
		return Outcome{}, fmt.Errorf("no exported function %q", export)
	}
	res, callErr := f.Call(ctx, args...)
	o := Outcome{Memory: slices.Clone(inst.Memory())}
	for _, g := range pm.globals {
		o.Globals = append(o.Globals, maskGlobal(inst.ExportedGlobal(g.name).Get()[0], g.typ))
	}
	if callErr != nil {
		return trapOutcome(o, callErr)
	}
	// Like wazero, rtlib leaves whatever the native return register held
	// above the low 32 bits of i32 and f32 results.
	o.Results = slices.Clone(res)
	i := 0
	for _, t := range f.Results() {
		if t == abi.I32 || t == abi.F32 {
			o.Results[i] &= 0xFFFF_FFFF
		}
		i += t.Slots()
	}
	return o, nil
}
