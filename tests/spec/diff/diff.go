// Package diff is a differential-testing harness: it runs the same module
// through two engines and compares results, traps and the final contents
// of the exported memory. Generate makes random valid modules for it, so a
// fuzz target can search for disagreements. The IR interpreter is wired in
// here (Interp); tests add wazero, and back ends add their own Engine.
package diff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/interp"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Outcome is what one engine observed running one export.
type Outcome struct {
	Results []uint64 // raw bits; a v128 result takes two words, low first
	Trap    string   // the trap's spec message ("" if the call returned)
	Memory  []byte   // the exported "memory" after the call (nil if none)
}

// Engine instantiates a module afresh and calls one export with args
// (raw bits as in Outcome.Results). A trap is an Outcome, not an error;
// err is for anything else (a module the engine rejects, an internal
// error).
type Engine interface {
	Name() string
	Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error)
}

// Compare runs export on both engines and describes the first difference.
func Compare(ctx context.Context, a, b Engine, bin []byte, export string, args []uint64) error {
	oa, err := a.Run(ctx, bin, export, args)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Name(), err)
	}
	ob, err := b.Run(ctx, bin, export, args)
	if err != nil {
		return fmt.Errorf("%s: %w", b.Name(), err)
	}
	switch {
	case oa.Trap != ob.Trap:
		return fmt.Errorf("trap: %s %q, %s %q", a.Name(), oa.Trap, b.Name(), ob.Trap)
	case oa.Trap == "" && !slices.Equal(oa.Results, ob.Results):
		return fmt.Errorf("results: %s %#x, %s %#x", a.Name(), oa.Results, b.Name(), ob.Results)
	case !bytes.Equal(oa.Memory, ob.Memory):
		if len(oa.Memory) != len(ob.Memory) {
			return fmt.Errorf("memory size: %s %d, %s %d", a.Name(), len(oa.Memory), b.Name(), len(ob.Memory))
		}
		i := 0
		for oa.Memory[i] == ob.Memory[i] {
			i++
		}
		return fmt.Errorf("memory differs first at byte %d: %s %#x, %s %#x", i, a.Name(), oa.Memory[i], b.Name(), ob.Memory[i])
	}
	return nil
}

// Interp is the IR interpreter as an Engine: decode, validate, lower with
// the pass pipeline and the verifier, interpret.
type Interp struct {
	Options lower.Options
}

// Name implements Engine.
func (Interp) Name() string { return "interp" }

// Run implements Engine.
func (e Interp) Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return Outcome{}, err
	}
	if err := wasm.Validate(m); err != nil {
		return Outcome{}, err
	}
	opts := e.Options
	opts.Verify = true
	irm, err := lower.Module(m, opts)
	if err != nil {
		return Outcome{}, err
	}
	eng := interp.New()
	inst, err := eng.Instantiate(ctx, irm, nil)
	if err != nil {
		return trapOutcome(nil, err)
	}
	x, _ := inst.Export(export)
	f, ok := x.(*interp.Function)
	if !ok {
		return Outcome{}, fmt.Errorf("no exported function %q", export)
	}
	var in []interp.Value
	for _, t := range f.Type.Params {
		v := interp.Value{Lo: args[0]}
		args = args[1:]
		if t == wasm.V128 {
			v.Hi, args = args[0], args[1:]
		}
		in = append(in, v)
	}
	out, err := eng.Call(ctx, f, in)
	if err != nil {
		return trapOutcome(inst.Memory(), err)
	}
	o := Outcome{Memory: slices.Clone(inst.Memory())}
	for i, t := range f.Type.Results {
		o.Results = append(o.Results, out[i].Lo)
		if t == wasm.V128 {
			o.Results = append(o.Results, out[i].Hi)
		}
	}
	return o, nil
}

func trapOutcome(mem []byte, err error) (Outcome, error) {
	var trap *abi.Trap
	if errors.As(err, &trap) {
		return Outcome{Trap: trap.Code.String(), Memory: slices.Clone(mem)}, nil
	}
	return Outcome{}, err
}
