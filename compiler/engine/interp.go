// Package engine runs WebAssembly through wasmaot for the spec-script
// runner of compiler/wast: Interp runs the IR interpreter (decode →
// validate → lower → passes → lower/interp), Compiled compiles every
// module with a back end (through the compiler driver and its object
// cache) and runs the object in rtlib. The CLI's `wasmaot wast` and the
// spec-suite tests use them.
package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/interp"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// InterpOptions configures Interp.
type InterpOptions struct {
	// Lower is passed to lower.Module (e.g. Verify, NoPasses, Stats).
	Lower lower.Options
}

// Interp returns a wast.Engine that runs modules in the IR interpreter
// after lowering them (with the default pass pipeline unless opts.Lower
// says otherwise).
func Interp(opts InterpOptions) wast.Engine {
	return &interpEngine{eng: interp.New(), opts: opts}
}

type interpEngine struct {
	eng  *interp.Engine
	opts InterpOptions
}

type interpInstance struct {
	eng  *interp.Engine
	inst *interp.Instance
}

func (e *interpEngine) Instantiate(ctx context.Context, m *wasm.Module, _ []byte, imports func(module, name string) (wast.Extern, bool)) (wast.Instance, error) {
	irm, err := lower.Module(m, e.opts.Lower)
	if err != nil {
		return nil, err
	}
	inst, err := e.eng.Instantiate(ctx, irm, func(module, name string) (any, bool) {
		x, ok := imports(module, name)
		return x, ok
	})
	if err != nil {
		return nil, wastError(err)
	}
	return &interpInstance{eng: e.eng, inst: inst}, nil
}

// wastError classifies interpreter errors the way the script runner
// expects; internal errors stay unclassified so they count as failures.
func wastError(err error) error {
	var trap *abi.Trap
	var link *interp.LinkError
	switch {
	case errors.As(err, &trap) && trap.Code == abi.TrapCallStackExhausted:
		return fmt.Errorf("%w: %v", &wast.ExhaustionError{}, err)
	case errors.As(err, &trap):
		return &wast.TrapError{Msg: trap.Code.String()}
	case errors.As(err, &link):
		return &wast.LinkError{Msg: link.Error()}
	}
	return err
}

func (i *interpInstance) Call(ctx context.Context, export string, args []wast.Value) ([]wast.Value, error) {
	x, ok := i.inst.Export(export)
	f, isFunc := x.(*interp.Function)
	if !ok || !isFunc {
		return nil, fmt.Errorf("no exported function %q", export)
	}
	in := make([]interp.Value, len(args))
	for k, a := range args {
		in[k] = interp.Value{Lo: a.Lo, Hi: a.Hi}
	}
	out, err := i.eng.Call(ctx, f, in)
	if err != nil {
		return nil, wastError(err)
	}
	res := make([]wast.Value, len(out))
	for k, r := range out {
		res[k] = wast.Value{Type: f.Type.Results[k], Lo: r.Lo, Hi: r.Hi}
	}
	return res, nil
}

func (i *interpInstance) Global(export string) (wast.Value, error) {
	x, _ := i.inst.Export(export)
	g, ok := x.(*interp.Global)
	if !ok {
		return wast.Value{}, fmt.Errorf("no exported global %q", export)
	}
	return wast.Value{Type: g.Type.Type, Lo: g.Val.Lo, Hi: g.Val.Hi}, nil
}

func (i *interpInstance) Export(name string) (wast.Extern, bool) { return i.inst.Export(name) }
