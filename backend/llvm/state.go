package llvm

import (
	"fmt"

	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

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
		callee := b.m.function(abi.FuncSymbol(int(in.Index)), b.m.sigType(sig))
		b.call(in, sig, callee, b.vmctx, b.args(in))
	case ir.OpCallImport:
		sig := b.m.wm.FuncTypeOf(in.Index)
		rec := b.cur.NewGetElementPtr(types.I8, b.vmctx, i64c(int64(b.m.layout.FuncRef(int(in.Index)))))
		b.callRecord(in, sig, rec, b.args(in))
	case ir.OpCallIndirect:
		return b.callIndirect(in)
	case ir.OpGlobalGet:
		gt := b.m.wm.GlobalTypeOf(in.Index)
		t := b.m.valType(gt.Type)
		b.define(in, b.load(t, b.global(in.Index), 0, !gt.Mutable))
	case ir.OpGlobalSet:
		b.store(b.arg(in, 0), b.global(in.Index), 0)
	case ir.OpRefNull:
		b.define(in, i64c(0))
	case ir.OpRefIsNull:
		b.define(in, b.cur.NewZExt(b.cur.NewICmp(enum.IPredEQ, b.arg(in, 0), i64c(0)), types.I32))
	case ir.OpRefFunc:
		rec := b.cur.NewGetElementPtr(types.I8, b.vmctx, i64c(int64(b.m.layout.FuncRef(int(in.Index)))))
		b.define(in, b.cur.NewPtrToInt(rec, types.I64))
	case ir.OpTableGet:
		elem := b.tableElem(in.Index, b.arg(in, 0), abi.TrapTableOutOfBounds)
		ld := b.cur.NewLoad(types.I64, elem)
		ld.Align = 8
		ld.Metadata = append(ld.Metadata, b.m.stateTag())
		b.define(in, ld)
	case ir.OpTableSet:
		elem := b.tableElem(in.Index, b.arg(in, 0), abi.TrapTableOutOfBounds)
		st := b.cur.NewStore(b.arg(in, 1), elem)
		st.Align = 8
		st.Metadata = append(st.Metadata, b.m.stateTag())
	case ir.OpTableSize:
		length := b.load(types.I64, b.tableDef(in.Index), abi.TableDefLength, false)
		b.define(in, b.cur.NewTrunc(length, types.I32))
	case ir.OpTableGrow:
		b.define(in, b.callBuiltin(abi.BuiltinTableGrow, types.I32, u32c(in.Index), b.arg(in, 0), b.arg(in, 1)))
	case ir.OpTableFill:
		b.callBuiltin(abi.BuiltinTableFill, types.Void, u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpTableCopy:
		b.callBuiltin(abi.BuiltinTableCopy, types.Void, u32c(in.Index), u32c(in.Index2), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpTableInit:
		b.callBuiltin(abi.BuiltinTableInit, types.Void, u32c(in.Index2), u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpElemDrop:
		b.callBuiltin(abi.BuiltinElemDrop, types.Void, u32c(in.Index))
	case ir.OpMemorySize:
		pages := b.cur.NewLShr(b.memoryLength(in.Index), i64c(16))
		b.define(in, b.cur.NewTrunc(pages, types.I32))
	case ir.OpMemoryGrow:
		b.define(in, b.callBuiltin(abi.BuiltinMemoryGrow, types.I32, u32c(in.Index), b.arg(in, 0)))
	case ir.OpMemoryFill:
		b.callBuiltin(abi.BuiltinMemoryFill, types.Void, u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpMemoryCopy:
		b.callBuiltin(abi.BuiltinMemoryCopy, types.Void, u32c(in.Index), u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpMemoryInit:
		b.callBuiltin(abi.BuiltinMemoryInit, types.Void, u32c(in.Index2), u32c(in.Index), b.arg(in, 0), b.arg(in, 1), b.arg(in, 2))
	case ir.OpDataDrop:
		b.callBuiltin(abi.BuiltinDataDrop, types.Void, u32c(in.Index))
	default:
		return fmt.Errorf("unsupported operation")
	}
	return nil
}

func u32c(v uint32) constant.Constant { return i32c(int64(v)) }

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
	ld := b.cur.NewLoad(types.I64, elem)
	ld.Align = 8
	ld.Metadata = append(ld.Metadata, b.m.stateTag())
	b.trapIf(b.cur.NewICmp(enum.IPredEQ, ld, i64c(0)), abi.TrapUninitializedElement)
	rec := b.cur.NewIntToPtr(ld, types.I8Ptr)
	got := b.load(types.I64, rec, abi.FuncRefTypeID, true)
	want := b.load(types.I64, b.vmctx, int64(b.m.layout.TypeID(int(in.Index))), true)
	b.trapIf(b.cur.NewICmp(enum.IPredNE, got, want), abi.TrapIndirectCallTypeMismatch)
	b.callRecord(in, sig, rec, args[:len(args)-1])
	return nil
}

// callRecord calls the function a FuncRef record describes, passing the
// record's VMContext.
func (b *funcBuilder) callRecord(in *ir.Instr, sig *wasm.FuncType, rec value.Value, args []value.Value) {
	code := b.loadPtr(rec, abi.FuncRefCode, true)
	vm := b.loadPtr(rec, abi.FuncRefVMCtx, true)
	fp := b.cur.NewBitCast(code, types.NewPointer(b.m.sigType(sig)))
	b.call(in, sig, fp, vm, args)
}

// call emits a call under the calling convention and defines in's results.
func (b *funcBuilder) call(in *ir.Instr, sig *wasm.FuncType, callee, vmctx value.Value, args []value.Value) {
	all := []value.Value{vmctx}
	var area value.Value
	if len(sig.Results) > 1 {
		area = b.resultsSlots(sig.Results)
		all = append(all, area)
	}
	all = append(all, args...)
	call := b.cur.NewCall(callee, all...)
	switch {
	case len(sig.Results) == 1:
		b.define(in, call)
	case area != nil:
		for i, v := range b.loadSlots(area, sig.Results) {
			b.vals[in.Results[i]] = v
		}
	}
}

// resultsSlots returns the function's results area, grown to hold ts.
func (b *funcBuilder) resultsSlots(ts []wasm.ValType) value.Value {
	n := uint64(slotCount(ts))
	if b.resultsArea == nil {
		b.resultsArea = b.entryAlloca(types.NewArray(n, types.I64))
	} else if at := b.resultsArea.ElemType.(*types.ArrayType); at.Len < n {
		at.Len = n
	}
	return b.cur.NewBitCast(b.resultsArea, i64Ptr)
}

// slotCount is how many uint64 slots values of types ts take.
func slotCount(ts []wasm.ValType) int {
	n := 0
	for _, t := range ts {
		n += abi.ValType(t).Slots()
	}
	return n
}

// storeSlots writes vals (of types ts) into consecutive slots at p (i64*).
func (b *funcBuilder) storeSlots(p value.Value, ts []wasm.ValType, vals []value.Value) {
	slot := 0
	for i, t := range ts {
		sp := b.cur.NewGetElementPtr(types.I64, p, i64c(int64(slot)))
		st := b.cur.NewStore(vals[i], b.cur.NewBitCast(sp, types.NewPointer(b.m.valType(t))))
		st.Align = 8
		slot += abi.ValType(t).Slots()
	}
}

// loadSlots reads values of types ts from consecutive slots at p.
func (b *funcBuilder) loadSlots(p value.Value, ts []wasm.ValType) []value.Value {
	out := make([]value.Value, len(ts))
	slot := 0
	for i, t := range ts {
		sp := b.cur.NewGetElementPtr(types.I64, p, i64c(int64(slot)))
		lt := b.m.valType(t)
		ld := b.cur.NewLoad(lt, b.cur.NewBitCast(sp, types.NewPointer(lt)))
		ld.Align = 8
		out[i] = ld
		slot += abi.ValType(t).Slots()
	}
	return out
}
