// Package interp executes lowered IR (lower/ir) for whole module
// instances: linear memories, tables, globals, imports between instances,
// Go host functions (abi.HostFunc), traps and call-stack exhaustion.
//
// It is the reference every back end is tested against, so it favours
// exactness over speed: pure instructions are evaluated by lower/numeric,
// and the IR's own invariants are checked as it runs. In particular a load
// or store whose address is not covered by a bounds check (a wrong
// bounds-check elimination) is reported as an internal error, not as a
// trap, so tests catch it.
//
// Values are numeric.Value bits. References use the encoding of
// compiler/wast: 0 is null, an externref N is N+1, and a funcref is the
// engine-wide function number plus one, so references may cross instances
// of one Engine.
package interp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/lower/numeric"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Value is the bits of one wasm value.
type Value = numeric.Value

// Defaults for Engine limits.
const (
	DefaultMaxCallDepth   = 10000
	DefaultMaxMemoryPages = 16384      // 1 GiB: larger grows fail with -1
	DefaultMaxTableSize   = 10_000_000 // elements
	pageSize              = 65536
	wasmMaxPages          = 65536
)

// Engine owns the functions of all its instances, so that funcref values
// can be passed between them. It is safe for concurrent use; one instance
// must not be called from two goroutines at once.
type Engine struct {
	MaxCallDepth   int
	MaxMemoryPages uint32
	MaxTableSize   uint32

	mu    sync.Mutex
	funcs []*Function // funcref N+1 is funcs[N]
}

// New returns an engine with the default limits.
func New() *Engine {
	return &Engine{MaxCallDepth: DefaultMaxCallDepth, MaxMemoryPages: DefaultMaxMemoryPages, MaxTableSize: DefaultMaxTableSize}
}

// Function is a wasm function of an instance or a Go host function.
type Function struct {
	Type wasm.FuncType
	ref  uint64 // its funcref value

	inst *Instance // defining instance (nil for host functions)
	code *code     // lowered body
	host *abi.HostFunc
	name string
}

// Memory is a linear memory.
type Memory struct {
	Data   []byte
	Limits wasm.Limits // as declared; Min is the size at creation
	max    uint32      // pages: the declared maximum capped by the engine
}

// Table is a table of references.
type Table struct {
	Type  wasm.TableType // as declared; Limits.Min is the size at creation
	Elems []uint64
	max   uint32 // the declared maximum capped by the engine
}

// Global is a global variable.
type Global struct {
	Type wasm.GlobalType
	Val  Value
}

// LinkError reports an import that is missing or has the wrong type.
type LinkError struct {
	Module, Name string
	Reason       string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("import %q.%q: %s", e.Module, e.Name, e.Reason)
}

// ErrInternal wraps violations of IR invariants detected while running.
var ErrInternal = errors.New("interp: internal error")

// Instance is an instantiated module.
type Instance struct {
	eng     *Engine
	mod     *ir.Module
	funcs   []*Function
	tables  []*Table
	mems    []*Memory
	globals []*Global
	elems   [][]uint64 // element segments; nil once dropped
	datas   [][]byte   // data segments; nil once dropped
	exports map[string]any
}

// Imports resolves an import to an Extern: a *Function, *Table, *Memory
// or *Global exported by an instance of the same engine, or an
// abi.HostFunc / *abi.HostFunc for a function import.
type Imports func(module, name string) (any, bool)

func (e *Engine) register(f *Function) {
	e.mu.Lock()
	e.funcs = append(e.funcs, f)
	f.ref = uint64(len(e.funcs))
	e.mu.Unlock()
}

// funcByRef returns the function a non-null funcref denotes.
func (e *Engine) funcByRef(ref uint64) *Function {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ref == 0 || ref > uint64(len(e.funcs)) {
		return nil
	}
	return e.funcs[ref-1]
}

// Ref returns the funcref value of f.
func (f *Function) Ref() uint64 { return f.ref }

// HostFunction wraps a Go host function so that it can be exported and
// referenced like a wasm function.
func (e *Engine) HostFunction(h *abi.HostFunc) *Function {
	f := &Function{host: h, Type: wasm.FuncType{Params: wasmTypes(h.Params), Results: wasmTypes(h.Results)}}
	e.register(f)
	return f
}

func wasmTypes(ts []abi.ValType) []wasm.ValType {
	out := make([]wasm.ValType, len(ts))
	for i, t := range ts {
		out[i] = wasm.ValType(t)
	}
	return out
}

// Export returns an exported entity: *Function, *Table, *Memory or *Global.
func (inst *Instance) Export(name string) (any, bool) {
	x, ok := inst.exports[name]
	return x, ok
}

// Memory returns the instance's exported memory "memory", or nil.
func (inst *Instance) Memory() []byte {
	if m, ok := inst.exports["memory"].(*Memory); ok {
		return m.Data
	}
	return nil
}

// Call invokes the exported function name.
func (inst *Instance) Call(ctx context.Context, name string, args []Value) ([]Value, error) {
	f, ok := inst.exports[name].(*Function)
	if !ok {
		return nil, fmt.Errorf("no exported function %q", name)
	}
	return inst.eng.Call(ctx, f, args)
}

// Call invokes f with args; a trap is returned as *abi.Trap.
func (e *Engine) Call(ctx context.Context, f *Function, args []Value) (results []Value, err error) {
	if len(args) != len(f.Type.Params) {
		return nil, fmt.Errorf("function takes %d arguments, got %d", len(f.Type.Params), len(args))
	}
	mc := &machine{ctx: ctx, eng: e}
	defer mc.recover(&err)
	return mc.call(f, args, nil), nil
}
