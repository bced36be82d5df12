package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// CompiledOptions configures Compiled.
type CompiledOptions struct {
	// Compile selects the back end, target and optimisation level. A
	// target other than this machine's cannot run here: set CompileOnly.
	Compile compiler.Options
	// Cache keeps the objects (see compiler.Cache), so that repeated
	// suite runs skip the back end.
	Cache compiler.Cache
	// CompileOnly compiles every module into Cache and runs nothing:
	// Instantiate returns ErrCompileOnly. An x86-64 machine uses it to
	// cross-compile a suite's objects for an arm64 build of wasmaot
	// (run under emulation) to find in the same cache.
	CompileOnly bool
}

// Compiled returns a wast.Engine that compiles every module with the
// compiler driver (compiler.Compile with opts.Compile), loads the object
// with rtlib and runs it natively.
func Compiled(opts CompiledOptions) wast.Engine { return &compiledEngine{opts: opts} }

// ErrCompileOnly is what Instantiate returns with CompiledOptions.CompileOnly.
var ErrCompileOnly = errors.New("compiled only, not run")

type compiledEngine struct{ opts CompiledOptions }

type compiledInstance struct{ inst *rtlib.Instance }

func (e *compiledEngine) Instantiate(ctx context.Context, m *wasm.Module, bin []byte, imports func(module, name string) (wast.Extern, bool)) (wast.Instance, error) {
	obj, err := e.opts.Cache.Compile(ctx, bin, e.opts.Compile)
	if err != nil {
		return nil, err
	}
	if e.opts.CompileOnly {
		return nil, ErrCompileOnly
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		return nil, err
	}
	cfg := rtlib.Config{Externs: map[string]map[string]rtlib.Extern{}}
	for _, im := range m.Imports {
		x, ok := imports(im.Module, im.Name)
		ext, isExt := x.(rtlib.Extern)
		if !ok || !isExt {
			return nil, &wast.LinkError{Msg: fmt.Sprintf("unknown import %s.%s", im.Module, im.Name)}
		}
		if cfg.Externs[im.Module] == nil {
			cfg.Externs[im.Module] = map[string]rtlib.Extern{}
		}
		cfg.Externs[im.Module][im.Name] = ext
	}
	inst, err := mod.Instantiate(ctx, cfg)
	if err != nil {
		return nil, rtlibError(err, true)
	}
	return &compiledInstance{inst: inst}, nil
}

// rtlibError classifies runtime errors for the script runner. At
// instantiation, an error that is not a trap is a link error.
func rtlibError(err error, instantiating bool) error {
	var trap *abi.Trap
	switch {
	case errors.As(err, &trap) && trap.Code == abi.TrapCallStackExhausted:
		return fmt.Errorf("%w: %v", &wast.ExhaustionError{}, err)
	case errors.As(err, &trap):
		return &wast.TrapError{Msg: trap.Code.String()}
	case instantiating && strings.HasPrefix(err.Error(), "import "):
		return &wast.LinkError{Msg: err.Error()}
	}
	return err
}

func (i *compiledInstance) Call(ctx context.Context, export string, args []wast.Value) ([]wast.Value, error) {
	f := i.inst.ExportedFunc(export)
	if f == nil {
		return nil, fmt.Errorf("no exported function %q", export)
	}
	var slots []uint64
	for _, a := range args {
		slots = append(slots, a.Lo)
		if a.Type == wasm.V128 {
			slots = append(slots, a.Hi)
		}
	}
	out, err := f.Call(ctx, slots...)
	if err != nil {
		return nil, rtlibError(err, false)
	}
	res := make([]wast.Value, 0, len(f.Results()))
	for _, t := range f.Results() {
		v := wast.Value{Type: wasm.ValType(t), Lo: out[0]}
		out = out[1:]
		if t == abi.V128 {
			v.Hi, out = out[0], out[1:]
		}
		if t == abi.I32 || t == abi.F32 {
			v.Lo &= 0xFFFFFFFF
		}
		res = append(res, v)
	}
	return res, nil
}

func (i *compiledInstance) Global(export string) (wast.Value, error) {
	g := i.inst.ExportedGlobal(export)
	if g == nil {
		return wast.Value{}, fmt.Errorf("no exported global %q", export)
	}
	s := g.Get()
	v := wast.Value{Type: wasm.ValType(g.Type().Type), Lo: s[0]}
	if len(s) > 1 {
		v.Hi = s[1]
	}
	return v, nil
}

func (i *compiledInstance) Export(name string) (wast.Extern, bool) {
	x, err := i.inst.Export(name)
	return x, err == nil
}
