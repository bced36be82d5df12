package llvm

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// special translates the operations with their own typing rules: checks,
// calls, globals, references, tables and bulk memory.
func (b *funcBuilder) special(in *ir.Instr) error {
	switch in.Op {
	case ir.OpBoundsCheck:
		b.boundsCheck(in.Index, b.arg(in, 0), in.Const)
	case ir.OpTrapIf:
		b.trapIf(b.isTrue(b.arg(in, 0)), in.Trap)
	case ir.OpInterruptCheck:
		b.interruptCheck()
	case ir.OpSelect:
		b.define(in, b.cur.NewSelect(b.isTrue(b.arg(in, 2)), b.arg(in, 0), b.arg(in, 1)))
	case ir.OpCall:
		sig := b.m.wm.FuncTypeOf(in.Index)
		callee := b.m.function(abi.FuncSymbol(int(in.Index)), b.m.funcSig(in.Index))
		b.call(in, sig, callee.ref(), b.vmctx, b.args(in))
	case ir.OpCallImport:
		sig := b.m.wm.FuncTypeOf(in.Index)
		rec := b.cur.NewGetElementPtr(tI8, b.vmctx, i64c(int64(b.m.layout.FuncRef(int(in.Index)))))
		b.callRecord(in, sig, b.m.funcSig(in.Index), rec, b.args(in))
	case ir.OpCallIndirect:
		if err := b.callIndirect(in); err != nil {
			return err
		}
	case ir.OpGlobalGet:
		gt := b.m.wm.GlobalTypeOf(in.Index)
		t := b.m.valType(gt.Type)
		b.define(in, b.load(t, b.global(in.Index), 0, !gt.Mutable))
	case ir.OpGlobalSet:
		b.store(b.arg(in, 0), b.global(in.Index), 0)
	case ir.OpRefNull:
		b.define(in, i64c(0))
	case ir.OpRefIsNull:
		b.define(in, b.bool32(b.cur.NewICmp("eq", b.arg(in, 0), i64c(0))))
	case ir.OpRefFunc:
		rec := b.cur.NewGetElementPtr(tI8, b.vmctx, i64c(int64(b.m.layout.FuncRef(int(in.Index)))))
		b.define(in, b.cur.NewPtrToInt(rec, tI64))
	case ir.OpTableGet:
		elem := b.tableElem(in.Index, b.arg(in, 0), abi.TrapTableOutOfBounds)
		b.define(in, b.cur.load(tI64, elem, 8, false, attachState))
	case ir.OpTableSet:
		elem := b.tableElem(in.Index, b.arg(in, 0), abi.TrapTableOutOfBounds)
		b.cur.store(b.arg(in, 1), elem, 8, attachState)
	case ir.OpTableSize:
		length := b.load(tI64, b.tableDef(in.Index), abi.TableDefLength, false)
		b.define(in, b.cur.NewTrunc(length, tI32))
	case ir.OpTableGrow:
		b.define(in, b.callBuiltin(abi.BuiltinTableGrow, tI32, "", u32c(in.Index), b.arg(in, 0), b.arg(in, 1)))
	case ir.OpTableFill:
		b.callBuiltin(abi.BuiltinTableFill, tVoid, "", u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpTableCopy:
		b.callBuiltin(abi.BuiltinTableCopy, tVoid, "", u32c(in.Index), u32c(in.Index2), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpTableInit:
		b.callBuiltin(abi.BuiltinTableInit, tVoid, "", u32c(in.Index2), u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpElemDrop:
		b.callBuiltin(abi.BuiltinElemDrop, tVoid, "", u32c(in.Index))
	case ir.OpMemorySize:
		pages := b.cur.NewLShr(b.memoryLength(in.Index), i64c(16))
		b.define(in, b.cur.NewTrunc(pages, tI32))
	case ir.OpMemoryGrow:
		b.define(in, b.callBuiltin(abi.BuiltinMemoryGrow, tI32, "", u32c(in.Index), b.arg(in, 0)))
	case ir.OpMemoryFill:
		b.memoryFill(in)
	case ir.OpMemoryCopy:
		b.memoryCopy(in)
	case ir.OpMemoryInit:
		b.callBuiltin(abi.BuiltinMemoryInit, tVoid, "", u32c(in.Index2), u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpDataDrop:
		b.callBuiltin(abi.BuiltinDataDrop, tVoid, "", u32c(in.Index))
	default:
		return fmt.Errorf("unsupported operation")
	}
	switch in.Op {
	case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect, ir.OpMemoryGrow:
		b.refreshLengths()
	}
	return nil
}

// callIndirect checks the table index, the null entry and the signature,
// then calls through the FuncRef record.
func (b *funcBuilder) callIndirect(in *ir.Instr) error {
	if int(in.Index) >= len(b.m.wm.Types) {
		return fmt.Errorf("type index %d out of range", in.Index)
	}
	sig := &b.m.wm.Types[in.Index]
	args := b.args(in)
	idx := args[len(args)-1]
	elem := b.tableElem(in.Index2, idx, abi.TrapUndefinedElement)
	ld := b.cur.load(tI64, elem, 8, false, attachState)
	b.trapIf(b.cur.NewICmp("eq", ld, i64c(0)), abi.TrapUninitializedElement)
	rec := b.cur.NewIntToPtr(ld, tI8Ptr)
	got := b.load(tI64, rec, abi.FuncRefTypeID, true)
	want := b.load(tI64, b.vmctx, int64(b.m.layout.TypeID(int(in.Index))), true)
	b.trapIf(b.cur.NewICmp("ne", got, want), abi.TrapIndirectCallTypeMismatch)
	b.callRecord(in, sig, b.m.typeSig(in.Index), rec, args[:len(args)-1])
	return nil
}

// callRecord calls the function a FuncRef record describes (of LLVM
// function type ft), passing the record's VMContext.
func (b *funcBuilder) callRecord(in *ir.Instr, sig *wasm.FuncType, ft *llType, rec value, args []value) {
	code := b.loadPtr(rec, abi.FuncRefCode, true)
	vm := b.loadPtr(rec, abi.FuncRefVMCtx, true)
	fp := b.cur.NewBitCast(code, ptrTo(ft))
	b.call(in, sig, fp, vm, args)
}

// call emits a call under the calling convention and defines in's results.
func (b *funcBuilder) call(in *ir.Instr, sig *wasm.FuncType, callee, vmctx value, args []value) {
	all := make([]value, 0, 2+len(args))
	all = append(all, vmctx)
	var area value
	if len(sig.Results) > 1 {
		area = b.resultsSlots(sig.Results)
		all = append(all, area)
	}
	all = append(all, args...)
	call := b.cur.NewCall(callee, all...)
	switch {
	case len(sig.Results) == 1:
		b.define(in, call)
	case area.valid():
		for i, v := range b.loadSlots(area, slotsOf(sig.Results)) {
			b.vals[in.Results[i]] = v
		}
	}
}

// resultsSlots returns the function's results area, grown to hold ts.
func (b *funcBuilder) resultsSlots(ts []wasm.ValType) value {
	_, n := backend.SlotLayout(abiTypes(ts))
	if b.resultsArea == nil {
		b.resultsArea = b.fn.slots(uint64(n))
	}
	b.resultsArea.count = max(b.resultsArea.count, uint64(n))
	return b.resultsArea.v
}

// slotsOf places values of types ts in consecutive slots.
func slotsOf(ts []wasm.ValType) []backend.Slot {
	slots, _ := backend.SlotLayout(abiTypes(ts))
	return slots
}

func abiTypes(ts []wasm.ValType) []abi.ValType {
	out := make([]abi.ValType, len(ts))
	for i, t := range ts {
		out[i] = abi.ValType(t)
	}
	return out
}

// storeSlots writes vals into their slots at p (i64*).
func (b *funcBuilder) storeSlots(p value, slots []backend.Slot, vals []value) {
	for i, s := range slots {
		sp := b.cur.NewGetElementPtr(tI64, p, i64c(int64(s.Index)))
		b.cur.store(vals[i], b.cur.NewBitCast(sp, ptrTo(b.m.valType(ir.Type(s.Type)))), 8, "")
	}
}

// loadSlots reads the values in slots at p.
func (b *funcBuilder) loadSlots(p value, slots []backend.Slot) []value {
	out := make([]value, len(slots))
	for i, s := range slots {
		sp := b.cur.NewGetElementPtr(tI64, p, i64c(int64(s.Index)))
		lt := b.m.valType(ir.Type(s.Type))
		out[i] = b.cur.load(lt, b.cur.NewBitCast(sp, ptrTo(lt)), 8, false, "")
	}
	return out
}
