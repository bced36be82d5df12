package rtlib

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Func is a function of an instance (defined there or imported into it).
type Func struct {
	inst              *Instance // the instance whose VMContext holds ref
	ref               uintptr   // a FuncRef record of the function
	code, vmctx       uint64    // the record's contents, fixed once linked
	typeID            uint64
	params, results   []abi.ValType
	nparams, nresults int    // slot counts
	refParams         []int  // slots of funcref parameters, checked on every call
	entry             uint64 // array-call trampoline for the signature
	name              string
}

// funcAt returns function index i of inst.
func (inst *Instance) funcAt(i int, name string) *Func {
	m := inst.mod
	ti := m.meta.FuncTypeIndex(i)
	t := m.meta.Types[ti]
	if name == "" {
		name = m.funcName(i)
	}
	rec := m.layout.FuncRef(i)
	f := &Func{inst: inst, ref: inst.addr(rec), code: inst.get64(rec + abi.FuncRefCode), vmctx: inst.get64(rec + abi.FuncRefVMCtx),
		typeID: inst.get64(rec + abi.FuncRefTypeID), params: t.Params, results: t.Results, entry: m.entry[ti], name: name}
	f.setSlots()
	return f
}

func (f *Func) setSlots() {
	f.nparams, f.nresults = slotCount(f.params), slotCount(f.results)
	slot := 0
	for _, p := range f.params {
		if p == abi.FuncRef {
			f.refParams = append(f.refParams, slot)
		}
		slot += p.Slots()
	}
}

// Params returns the parameter types.
func (f *Func) Params() []abi.ValType { return f.params }

// Results returns the result types.
func (f *Func) Results() []abi.ValType { return f.results }

// Call calls the function with arguments given as slots (see I32, F64,
// …; a v128 takes two slots, low half first) and returns the results as
// slots. A trap is returned as an error wrapping *abi.Trap; a cancelled
// or expired ctx stops the call with abi.TrapInterrupted (wrapping the
// context's error too), and a ctx already done refuses it the same way
// before any wasm code runs.
func (f *Func) Call(ctx context.Context, args ...uint64) ([]uint64, error) {
	if f == nil {
		return nil, errors.New("rtlib: call of a nil function")
	}
	if len(args) != f.nparams {
		return nil, fmt.Errorf("rtlib: %s takes %d argument slots, got %d", f.describe(), f.nparams, len(args))
	}
	var stack []uint64
	if f.nresults > 0 {
		stack = make([]uint64, max(f.nparams, f.nresults))
		copy(stack, args)
	} else {
		stack = args
	}
	if err := f.call(ctx, stack); err != nil {
		return nil, err
	}
	return stack[:f.nresults], nil
}

// CallWithStack is Call without allocations: the arguments are read from
// the start of stack and the results written over them, so stack must
// hold at least StackSize slots.
func (f *Func) CallWithStack(ctx context.Context, stack []uint64) error {
	if f == nil {
		return errors.New("rtlib: call of a nil function")
	}
	if n := f.StackSize(); len(stack) < n {
		return fmt.Errorf("rtlib: %s needs a stack of %d slots, got %d", f.describe(), n, len(stack))
	}
	return f.call(ctx, stack)
}

// StackSize is the number of slots CallWithStack needs: the larger of the
// parameter and result slot counts.
func (f *Func) StackSize() int { return max(f.nparams, f.nresults) }

func (f *Func) call(ctx context.Context, stack []uint64) error {
	if f.inst.closed.Load() {
		return errors.New("rtlib: call into a closed instance")
	}
	if end := f.inst.ended.Load(); end != nil {
		return fmt.Errorf("rtlib: call into an instance that has ended (%w)", *end)
	}
	if f.entry == 0 {
		return fmt.Errorf("rtlib: the object has no entry trampoline for %s", f.describe())
	}
	// A context that is already done never enters native code.
	if err := ctx.Err(); err != nil {
		return interruptedError(err)
	}
	for _, i := range f.refParams {
		if err := admitRef(stack[i], nil, f.inst, nil); err != nil {
			return err
		}
	}
	t, nested, err := acquireThread(ctx, f.inst)
	if err != nil {
		return err
	}
	defer releaseThread(t, nested)
	if err := t.invoke(ctx, uintptr(f.entry), uintptr(f.vmctx), uintptr(f.code), stack, f.nparams, f.nresults); err != nil {
		return err
	}
	normalizeResults(f.results, stack)
	return nil
}

// normalizeResults zero-extends i32 and f32 results in their slots. The
// object contract leaves a slot's upper 32 bits undefined for them; the
// Go API promises the encoding of I32 and F32.
func normalizeResults(types []abi.ValType, stack []uint64) {
	slot := 0
	for _, t := range types {
		if t == abi.I32 || t == abi.F32 {
			stack[slot] &= 0xffff_ffff
		}
		slot += t.Slots()
	}
}

func (f *Func) describe() string {
	if f.name != "" {
		return "function " + f.name
	}
	return "function"
}

// Export returns the export called name.
func (inst *Instance) Export(name string) (Extern, error) {
	if inst.freed.Load() {
		return nil, errFreedInstance
	}
	x, ok := inst.mod.exports[name]
	if !ok {
		return nil, fmt.Errorf("no export %q", name)
	}
	switch x.Kind {
	case abi.ExternFunc:
		return inst.funcAt(int(x.Index), name), nil
	case abi.ExternMemory:
		return inst.memories[x.Index], nil
	case abi.ExternTable:
		return inst.tables[x.Index], nil
	default:
		return inst.globals[x.Index], nil
	}
}

// ExportedFunc returns the exported function called name, or nil.
func (inst *Instance) ExportedFunc(name string) *Func {
	e, err := inst.Export(name)
	if err != nil {
		return nil
	}
	f, _ := e.(*Func)
	return f
}

// ExportedGlobal returns the exported global called name, or nil.
func (inst *Instance) ExportedGlobal(name string) *Global {
	e, err := inst.Export(name)
	if err != nil {
		return nil
	}
	g, _ := e.(*Global)
	return g
}

// MemoryObject returns the instance's memory (defined or imported), or nil.
func (inst *Instance) MemoryObject() *Memory {
	if len(inst.memories) == 0 {
		return nil
	}
	return inst.memories[0]
}

// Memory returns the bytes of the instance's memory 0, defined or
// imported (nil if none; WebAssembly 2.0 allows at most one memory). The
// slice is valid until the memory grows: fetch it again after calls.
// It implements abi.Caller for host functions.
func (inst *Instance) Memory() []byte {
	if m := inst.MemoryObject(); m != nil {
		return m.Bytes()
	}
	return nil
}

// Read copies len(p) bytes at offset off out of memory.
func (inst *Instance) Read(off uint64, p []byte) error {
	mem := inst.Memory()
	if off > uint64(len(mem)) || uint64(len(p)) > uint64(len(mem))-off {
		return fmt.Errorf("read of %d bytes at %d: out of bounds of %d-byte memory", len(p), off, len(mem))
	}
	copy(p, mem[off:])
	return nil
}

// Write copies p into memory at offset off.
func (inst *Instance) Write(off uint64, p []byte) error {
	mem := inst.Memory()
	if off > uint64(len(mem)) || uint64(len(p)) > uint64(len(mem))-off {
		return fmt.Errorf("write of %d bytes at %d: out of bounds of %d-byte memory", len(p), off, len(mem))
	}
	copy(mem[off:], p)
	return nil
}

// Module returns the module the instance was created from.
func (inst *Instance) Module() *Module { return inst.mod }

// Slot encoders and decoders for Call.

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// I32 encodes an i32 argument.
func I32(v int32) uint64 { return uint64(uint32(v)) }

// I64 encodes an i64 argument.
func I64(v int64) uint64 { return uint64(v) }

// F32 encodes an f32 argument.
func F32(v float32) uint64 { return uint64(math.Float32bits(v)) }

// F64 encodes an f64 argument.
func F64(v float64) uint64 { return math.Float64bits(v) }

// AsI32 decodes an i32 result.
func AsI32(s uint64) int32 { return int32(uint32(s)) }

// AsI64 decodes an i64 result.
func AsI64(s uint64) int64 { return int64(s) }

// AsF32 decodes an f32 result.
func AsF32(s uint64) float32 { return math.Float32frombits(uint32(s)) }

// AsF64 decodes an f64 result.
func AsF64(s uint64) float64 { return math.Float64frombits(s) }
