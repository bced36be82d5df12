// Package diff is a differential-testing harness: it runs the same module
// through two engines and compares results, traps and the final contents
// of the exported memory. Generate makes random valid modules for it, so a
// fuzz target can search for disagreements. The IR interpreter is wired in
// here (Interp), and so is the LLVM tier (LLVM); tests add wazero.
package diff

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/interp"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Outcome is what one engine observed running one export.
type Outcome struct {
	Results []uint64 // raw bits, i32 and f32 zero-extended; a v128 takes two words, low first
	Trap    string   // the trap's spec message ("" if the call returned)
	Memory  []byte   // the exported "memory" after the call (nil if none)
	Globals []uint64 // exported i32 and i64 globals after the call, in export order
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
	_, err := CompareAll(ctx, []Engine{a, b}, bin, export, args)
	return err
}

// CompareAll runs export once on every engine and describes the first
// difference between the first engine's outcome, which it returns, and
// another's.
func CompareAll(ctx context.Context, engines []Engine, bin []byte, export string, args []uint64) (Outcome, error) {
	outcomes := make([]Outcome, len(engines))
	for i, e := range engines {
		o, err := e.Run(ctx, bin, export, args)
		if err != nil {
			return Outcome{}, fmt.Errorf("%s: %w", e.Name(), err)
		}
		outcomes[i] = o
	}
	for i := 1; i < len(engines); i++ {
		if err := diffOutcomes(engines[0].Name(), engines[i].Name(), outcomes[0], outcomes[i]); err != nil {
			return outcomes[0], err
		}
	}
	return outcomes[0], nil
}

// diffOutcomes describes the first difference between oa and ob.
func diffOutcomes(a, b string, oa, ob Outcome) error {
	switch {
	case !sameTrap(oa.Trap, ob.Trap):
		return fmt.Errorf("trap: %s %q, %s %q", a, oa.Trap, b, ob.Trap)
	case oa.Trap == "" && !slices.Equal(oa.Results, ob.Results):
		return fmt.Errorf("results: %s %#x, %s %#x", a, oa.Results, b, ob.Results)
	case !slices.Equal(oa.Globals, ob.Globals):
		return fmt.Errorf("globals: %s %#x, %s %#x", a, oa.Globals, b, ob.Globals)
	case !bytes.Equal(oa.Memory, ob.Memory):
		if len(oa.Memory) != len(ob.Memory) {
			return fmt.Errorf("memory size: %s %d, %s %d", a, len(oa.Memory), b, len(ob.Memory))
		}
		i := 0
		for oa.Memory[i] == ob.Memory[i] {
			i++
		}
		return fmt.Errorf("memory differs first at byte %d: %s %#x, %s %#x", i, a, oa.Memory[i], b, ob.Memory[i])
	}
	return nil
}

// AnyTableTrap is the trap message of an engine that reports every failed
// table access alike (wazero's "invalid table access"); it matches each of
// the spec's table trap messages.
const AnyTableTrap = "invalid table access"

var tableTraps = []string{
	abi.TrapTableOutOfBounds.String(),
	abi.TrapUndefinedElement.String(),
	abi.TrapUninitializedElement.String(),
}

func sameTrap(a, b string) bool {
	if a == b {
		return true
	}
	if b == AnyTableTrap {
		a, b = b, a
	}
	return a == AnyTableTrap && slices.Contains(tableTraps, b)
}

// globalExport is an exported global an Outcome records.
type globalExport struct {
	name string
	typ  wasm.ValType
}

// exportedGlobals lists m's exported i32 and i64 globals that m defines
// (the harness instantiates modules without imports).
func exportedGlobals(m *wasm.Module) []globalExport {
	var gs []globalExport
	for _, x := range m.Exports {
		if x.Kind != wasm.ExternGlobal || x.Index < m.NumImportedGlobals {
			continue
		}
		if t := m.Globals[x.Index-m.NumImportedGlobals].Type.Type; t == wasm.I32 || t == wasm.I64 {
			gs = append(gs, globalExport{x.Name, t})
		}
	}
	return gs
}

// maskGlobal keeps the bits of a global's value that its type defines.
func maskGlobal(v uint64, t wasm.ValType) uint64 {
	if t == wasm.I32 {
		return v & 0xFFFF_FFFF
	}
	return v
}

// lastModule caches what an engine prepared for the most recent module
// binary, so that calling many exports of one module prepares it once.
type lastModule[T any] struct {
	mu  sync.Mutex
	key [sha256.Size]byte
	val T
	err error
	ok  bool
}

// get returns the prepared value for bin, calling prepare on a miss and
// release (if non-nil) on the value it replaces.
func (c *lastModule[T]) get(bin []byte, prepare func([]byte) (T, error), release func(T)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := sha256.Sum256(bin)
	if !c.ok || c.key != key {
		if c.ok && c.err == nil && release != nil {
			release(c.val)
		}
		c.key, c.ok = key, true
		c.val, c.err = prepare(bin)
	}
	return c.val, c.err
}

// Interp is the IR interpreter as an Engine: decode, validate, lower with
// the pass pipeline and the verifier, interpret. The lowered module is
// cached, every Run instantiates it afresh.
type Interp struct {
	Options lower.Options
	cache   lastModule[interpModule]
}

type interpModule struct {
	ir      *ir.Module
	globals []globalExport
}

// Name implements Engine.
func (*Interp) Name() string { return "interp" }

func (e *Interp) prepare(bin []byte) (interpModule, error) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return interpModule{}, err
	}
	if err := wasm.Validate(m); err != nil {
		return interpModule{}, err
	}
	opts := e.Options
	opts.Verify = true
	irm, err := lower.Module(m, opts)
	if err != nil {
		return interpModule{}, err
	}
	return interpModule{irm, exportedGlobals(m)}, nil
}

// Run implements Engine.
func (e *Interp) Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error) {
	pm, err := e.cache.get(bin, e.prepare, nil)
	if err != nil {
		return Outcome{}, err
	}
	eng := interp.New()
	inst, err := eng.Instantiate(ctx, pm.ir, nil)
	if err != nil {
		return trapOutcome(Outcome{}, err)
	}
	x, _ := inst.Export(export)
	f, ok := x.(*interp.Function)
	if !ok {
		return Outcome{}, fmt.Errorf("no exported function %q", export)
	}
	if len(args) != slotCount(f.Type.Params) {
		return Outcome{}, fmt.Errorf("%s takes %d argument slots, got %d", export, slotCount(f.Type.Params), len(args))
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
	out, callErr := eng.Call(ctx, f, in)
	o := Outcome{Memory: slices.Clone(inst.Memory())}
	for _, g := range pm.globals {
		x, _ := inst.Export(g.name)
		o.Globals = append(o.Globals, maskGlobal(x.(*interp.Global).Val.Lo, g.typ))
	}
	if callErr != nil {
		return trapOutcome(o, callErr)
	}
	for i, t := range f.Type.Results {
		o.Results = append(o.Results, out[i].Lo)
		if t == wasm.V128 {
			o.Results = append(o.Results, out[i].Hi)
		}
	}
	return o, nil
}

// slotCount is the number of uint64 slots values of types ts take.
func slotCount(ts []wasm.ValType) int {
	n := len(ts)
	for _, t := range ts {
		if t == wasm.V128 {
			n++
		}
	}
	return n
}

// trapOutcome turns a trap into o with its message; other errors stay
// errors.
func trapOutcome(o Outcome, err error) (Outcome, error) {
	var trap *abi.Trap
	if errors.As(err, &trap) {
		o.Trap = trap.Code.String()
		o.Results = nil
		return o, nil
	}
	return Outcome{}, err
}
