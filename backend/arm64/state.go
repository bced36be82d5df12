package arm64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file emits the operations that touch the instance: guards, memory
// accesses, globals, tables, references, calls and builtins, at the
// VMContext offsets of rtlib/abi.

// instr emits one IR instruction.
func (g *funcGen) instr(in *ir.Instr) error {
	// The flags of a comparison survive only into the next instruction.
	g.flags, g.lastFlags = flagState{}, g.flags
	switch in.Op.Info().Kind {
	case ir.KindConst, ir.KindPure:
		return g.pure(in)
	case ir.KindLoad:
		return g.load(in)
	case ir.KindStore:
		return g.store(in)
	case ir.KindTerminator:
		return g.terminator(in)
	}
	return g.special(in)
}

// flagState records that the condition flags hold comparison v's result
// as condition cond (v = cond ? 1 : 0).
type flagState struct {
	valid bool
	v     ir.Value
	cond  Cond
}

// flagsOf returns the condition that is true exactly when v != 0, if the
// instruction just before the current one was the comparison defining v
// (its CSET leaves the flags alone, and a spill store does too).
func (g *funcGen) flagsOf(v ir.Value) (Cond, bool) {
	if g.lastFlags.valid && g.lastFlags.v == v {
		return g.lastFlags.cond, true
	}
	return 0, false
}

// callBuiltinReg calls builtin b through the table of the VMContext in
// vm (the arguments are already in place).
func (g *funcGen) callBuiltinReg(b abi.Builtin, vm Reg) {
	g.a.LoadStore(LoadZX, 8, regTmp0, M(vm, abi.VMCtxBuiltins))
	g.a.LoadStore(LoadZX, 8, regTmp0, M(regTmp0, int64(b)*8))
	g.a.Blr(regTmp0)
}

// memoryDef puts the address of memory i's MemoryDefinition in r.
func (g *funcGen) memoryDef(r Reg, i uint32) {
	l := g.m.layout
	if int(i) >= l.ImportedMemories {
		g.addImm(r, regVMCtx, int64(l.MemoryDef(int(i))))
		return
	}
	g.a.LoadStore(LoadZX, 8, r, g.addrOf(regVMCtx, int64(l.MemoryPtr(int(i))), 8))
}

// memoryBase loads memory i's base address into r.
func (g *funcGen) memoryBase(r Reg, i uint32) {
	g.memoryDef(r, i)
	g.a.LoadStore(LoadZX, 8, r, M(r, abi.MemoryDefBase))
}

// memoryLength loads memory i's current byte length into r.
func (g *funcGen) memoryLength(r Reg, i uint32) {
	g.memoryDef(r, i)
	g.a.LoadStore(LoadZX, 8, r, M(r, abi.MemoryDefLength))
}

// tableDef puts the address of table i's TableDefinition in r.
func (g *funcGen) tableDef(r Reg, i uint32) {
	l := g.m.layout
	if int(i) >= l.ImportedTables {
		g.addImm(r, regVMCtx, int64(l.TableDef(int(i))))
		return
	}
	g.a.LoadStore(LoadZX, 8, r, g.addrOf(regVMCtx, int64(l.TablePtr(int(i))), 8))
}

// global puts the address of global i's storage in r.
func (g *funcGen) global(r Reg, i uint32) {
	l := g.m.layout
	if int(i) >= l.ImportedGlobals {
		g.addImm(r, regVMCtx, int64(l.GlobalDef(int(i))))
		return
	}
	g.a.LoadStore(LoadZX, 8, r, g.addrOf(regVMCtx, int64(l.GlobalPtr(int(i))), 8))
}

// tableElem checks the i32 index in idx against table i's length
// (trapping with code) and leaves the element's address in regTmp0.
func (g *funcGen) tableElem(i uint32, idx Reg, code abi.TrapCode) {
	a := g.a
	g.tableDef(regTmp0, i)
	a.LoadStore(LoadZX, 8, regAddr, M(regTmp0, abi.TableDefLength))
	a.AddExt(SUBS, true, ZR, regAddr, idx, UXTW, 0) // length - zext(idx)
	a.BCond(LS, g.trap(code))                       // length <= idx
	a.LoadStore(LoadZX, 8, regTmp0, M(regTmp0, abi.TableDefBase))
	a.AddExt(ADD, true, regTmp0, regTmp0, idx, UXTW, 3)
}

// special emits the operations with their own typing rules.
func (g *funcGen) special(in *ir.Instr) error {
	a := g.a
	switch in.Op {
	case ir.OpBoundsCheck:
		// Trap unless zext(addr)+extent <= length, tested as
		// length-extent < zext(addr) in signed 64-bit arithmetic (no
		// overflow: length <= 2^32, extent < 2^33).
		addr := g.get(in.Args[0], regTmp0)
		g.memoryLength(regTmp1, in.Index)
		if ImmAddEncodable(in.Const) {
			a.AddImm(SUB, true, regTmp1, regTmp1, uint32(in.Const))
		} else {
			a.MovImm(true, regAddr, in.Const)
			a.AddSub(SUB, true, regTmp1, regTmp1, regAddr, LSL, 0)
		}
		a.AddExt(SUBS, true, ZR, regTmp1, addr, UXTW, 0)
		a.BCond(LT, g.trap(abi.TrapMemoryOutOfBounds))
	case ir.OpTrapIf:
		if cond, ok := g.flagsOf(in.Args[0]); ok {
			a.BCond(cond, g.trap(in.Trap))
			break
		}
		c := g.get(in.Args[0], regTmp0)
		a.Cbnz(false, c, g.trap(in.Trap))
	case ir.OpInterruptCheck:
		p := pollSite{slow: a.NewLabel(), cont: a.NewLabel()}
		a.MovSP(regTmp0, SP)
		a.LogicImm(AND, true, regTmp0, regTmp0, abi.NativeStackMask)
		a.LoadStore(LoadZX, 4, regTmp0, M(regTmp0, abi.ThreadInterrupt))
		a.Cbnz(false, regTmp0, p.slow)
		a.Bind(p.cont)
		g.polls = append(g.polls, p)
	case ir.OpSelect:
		return g.sel(in)
	case ir.OpCall:
		g.call(in, g.m.wm.FuncTypeOf(in.Index), in.Args, func() {
			a.Mov(true, X0, regVMCtx)
			g.calls = append(g.calls, callSite{at: a.Len(), target: int(in.Index)})
			a.Emit(0x94000000) // BL, displacement patched at layout
		})
	case ir.OpCallImport:
		rec := int64(g.m.layout.FuncRef(int(in.Index)))
		g.call(in, g.m.wm.FuncTypeOf(in.Index), in.Args, func() {
			g.addImm(regTmp1, regVMCtx, rec)
			g.callRecord()
		})
	case ir.OpCallIndirect:
		if int(in.Index) >= len(g.m.wm.Types) {
			return fmt.Errorf("type index %d out of range", in.Index)
		}
		n := len(in.Args) - 1
		idx := g.get(in.Args[n], regTmp1)
		g.tableElem(in.Index2, idx, abi.TrapUndefinedElement)
		a.LoadStore(LoadZX, 8, regTmp1, M(regTmp0, 0))
		a.Cbz(true, regTmp1, g.trap(abi.TrapUninitializedElement))
		a.LoadStore(LoadZX, 8, regTmp0, M(regTmp1, abi.FuncRefTypeID))
		a.LoadStore(LoadZX, 8, regAddr, g.addrOf(regVMCtx, int64(g.m.layout.TypeID(int(in.Index))), 8))
		a.AddSub(SUBS, true, ZR, regTmp0, regAddr, LSL, 0)
		a.BCond(NE, g.trap(abi.TrapIndirectCallTypeMismatch))
		// The record stays in x17 while the arguments move (moves use
		// x15, x16 and x14 only).
		g.call(in, &g.m.wm.Types[in.Index], in.Args[:n], g.callRecord)
	case ir.OpGlobalGet:
		res := in.Results[0]
		if !g.loc(res).Valid {
			return nil
		}
		g.global(regTmp0, in.Index)
		rd := g.dst(res)
		g.loadVal(g.f.Types[res], rd, M(regTmp0, 0))
		g.put(res, rd)
	case ir.OpGlobalSet:
		t := g.f.Types[in.Args[0]]
		v := g.get(in.Args[0], g.argScratch(t))
		g.global(regTmp0, in.Index)
		a.LoadStore(Store, valSize(abi.ValType(t)), v, M(regTmp0, 0))
	case ir.OpRefNull:
		return g.define(in, func(rd Reg) { a.Mov(true, rd, ZR) })
	case ir.OpRefIsNull:
		r := g.get(in.Args[0], regTmp0)
		return g.define(in, func(rd Reg) {
			a.AddImm(SUBS, true, ZR, r, 0)
			a.Cset(false, rd, EQ)
		})
	case ir.OpRefFunc:
		return g.define(in, func(rd Reg) { g.addImm(rd, regVMCtx, int64(g.m.layout.FuncRef(int(in.Index)))) })
	case ir.OpTableGet:
		idx := g.get(in.Args[0], regTmp1)
		g.tableElem(in.Index, idx, abi.TrapTableOutOfBounds)
		return g.define(in, func(rd Reg) { a.LoadStore(LoadZX, 8, rd, M(regTmp0, 0)) })
	case ir.OpTableSet:
		idx := g.get(in.Args[0], regTmp1)
		g.tableElem(in.Index, idx, abi.TrapTableOutOfBounds)
		v := g.get(in.Args[1], regTmp1)
		a.LoadStore(Store, 8, v, M(regTmp0, 0))
	case ir.OpTableSize:
		g.tableDef(regTmp0, in.Index)
		return g.define(in, func(rd Reg) { a.LoadStore(LoadZX, 4, rd, M(regTmp0, abi.TableDefLength)) })
	case ir.OpMemorySize:
		g.memoryLength(regTmp0, in.Index)
		return g.define(in, func(rd Reg) { a.LsrImm(true, rd, regTmp0, 16) })
	case ir.OpMemoryGrow:
		g.builtin(in, abi.BuiltinMemoryGrow, []uint64{uint64(in.Index)})
	case ir.OpMemoryFill:
		g.memoryBulk(in, "memset", false)
	case ir.OpMemoryCopy:
		g.memoryBulk(in, "memmove", true)
	case ir.OpMemoryInit:
		g.builtin(in, abi.BuiltinMemoryInit, []uint64{uint64(in.Index2), uint64(in.Index)})
	case ir.OpDataDrop:
		g.builtin(in, abi.BuiltinDataDrop, []uint64{uint64(in.Index)})
	case ir.OpTableGrow:
		g.builtin(in, abi.BuiltinTableGrow, []uint64{uint64(in.Index)})
	case ir.OpTableFill:
		g.builtin(in, abi.BuiltinTableFill, []uint64{uint64(in.Index)})
	case ir.OpTableCopy:
		g.builtin(in, abi.BuiltinTableCopy, []uint64{uint64(in.Index), uint64(in.Index2)})
	case ir.OpTableInit:
		g.builtin(in, abi.BuiltinTableInit, []uint64{uint64(in.Index2), uint64(in.Index)})
	case ir.OpElemDrop:
		g.builtin(in, abi.BuiltinElemDrop, []uint64{uint64(in.Index)})
	default:
		return fmt.Errorf("unsupported operation")
	}
	return nil
}

// define computes in's single result with emit(rd) and stores it.
func (g *funcGen) define(in *ir.Instr, emit func(rd Reg)) error {
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	rd := g.dst(res)
	emit(rd)
	g.put(res, rd)
	return nil
}

// argScratch is an operand scratch register for a value of type t.
func (g *funcGen) argScratch(t ir.Type) Reg {
	if allocConfig.ClassOf(t) == regalloc.Float {
		return vTmp0
	}
	return regTmp1
}

// sel emits select a, b, c: a if c != 0 else b.
func (g *funcGen) sel(in *ir.Instr) error {
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	t := g.f.Types[res]
	c := g.get(in.Args[2], regTmp0)
	g.a.AddImm(SUBS, false, ZR, c, 0)
	switch t {
	case ir.F32, ir.F64:
		x, y := g.get(in.Args[0], vTmp0), g.get(in.Args[1], vTmp1)
		rd := g.dst(res)
		g.a.Fcsel(t == ir.F64, rd, x, y, NE)
		g.put(res, rd)
	case ir.V128:
		// All-ones mask when c != 0, then a bitwise select.
		x, y := g.get(in.Args[0], vTmp0), g.get(in.Args[1], vTmp1)
		g.a.CondSelect(CSINV, true, regTmp0, ZR, ZR, EQ) // csetm x16, ne
		rd := g.dst(res)
		g.a.DupGen(D2, rd, regTmp0)
		g.a.V3(VBSL, B16, rd, x, y)
		g.put(res, rd)
	default:
		x, y := g.get(in.Args[0], regTmp1), g.get(in.Args[1], regAddr)
		rd := g.dst(res)
		g.a.CondSelect(CSEL, true, rd, x, y, NE)
		g.put(res, rd)
	}
	return nil
}

// callRecord calls the function whose FuncRef record is in x17, passing
// the record's VMContext.
func (g *funcGen) callRecord() {
	g.a.LoadStore(LoadZX, 8, X0, M(regTmp1, abi.FuncRefVMCtx))
	g.a.LoadStore(LoadZX, 8, regTmp1, M(regTmp1, abi.FuncRefCode))
	g.a.Blr(regTmp1)
}

// call moves args into place under the calling convention, emits the
// call with emit (which sets x0 and branches), and defines the results.
// x17 is preserved up to emit.
func (g *funcGen) call(in *ir.Instr, sig *wasm.FuncType, args []ir.Value, emit func()) {
	a := g.a
	fixed := 1
	multi := len(sig.Results) > 1
	if multi {
		fixed = 2
	}
	places, _ := assignArgs(abiTypes(sig.Params), fixed)
	// Stack arguments first (they read the values' own places), then the
	// register ones as one parallel copy.
	var moves [2][]regalloc.Move
	for i, v := range args {
		t := g.f.Types[v]
		if places[i].Reg == ZR {
			scratch := regMove // not x17, which may hold the callee's record
			if allocConfig.ClassOf(t) == regalloc.Float {
				scratch = vTmp0
			}
			r := g.get(v, scratch)
			a.LoadStore(Store, valSize(abi.ValType(t)), r, g.spAddr(places[i].Stack, valSize(abi.ValType(t))))
			continue
		}
		c := allocConfig.ClassOf(t)
		moves[c] = append(moves[c], regalloc.Move{Dst: regalloc.RegLoc(allocReg(places[i].Reg)), Src: g.loc(v)})
	}
	g.parallelMoves(moves)
	if multi {
		g.addImm(X1, SP, int64(g.resultsOff))
	}
	emit()
	switch {
	case len(sig.Results) == 1:
		res := in.Results[0]
		out := X0
		if allocConfig.ClassOf(g.f.Types[res]) == regalloc.Float {
			out = V0
		}
		g.put(res, out)
	case multi:
		slots, _ := backend.SlotLayout(abiTypes(sig.Results))
		for i, res := range in.Results {
			if !g.loc(res).Valid {
				continue
			}
			t := g.f.Types[res]
			rd := g.dst(res)
			g.loadVal(t, rd, g.spAddr(g.resultsOff+slots[i].Offset(), valSize(abi.ValType(t))))
			g.put(res, rd)
		}
	}
}

// builtin calls a builtin with the VMContext, the immediates imms and
// then in's operands (all of them 32- or 64-bit integers), and defines
// in's result from w0 if it has one.
func (g *funcGen) builtin(in *ir.Instr, b abi.Builtin, imms []uint64) {
	var moves [2][]regalloc.Move
	for i, v := range in.Args {
		moves[regalloc.Int] = append(moves[regalloc.Int], regalloc.Move{Dst: regalloc.RegLoc(allocReg(X0 + Reg(1+len(imms)+i))), Src: g.loc(v)})
	}
	g.parallelMoves(moves)
	for i, c := range imms {
		g.a.MovImm(false, X0+Reg(1+i), c)
	}
	g.a.Mov(true, X0, regVMCtx)
	g.callBuiltinReg(b, regVMCtx)
	if len(in.Results) == 1 {
		g.put(in.Results[0], X0)
	}
}

// memoryBulk is memory.copy (copy set) or memory.fill: the operands go to
// x0-x2 as memmove(dst, src, n) or memset(dst, val, n) take them, every
// range is checked before anything is written (a trapping copy writes
// nothing), then the runtime's C function is called directly, no exit to
// Go. The op clobbers like a call, so caller-saved registers are free.
func (g *funcGen) memoryBulk(in *ir.Instr, symbol string, copy bool) {
	a := g.a
	var moves [2][]regalloc.Move
	for i, v := range in.Args {
		moves[regalloc.Int] = append(moves[regalloc.Int], regalloc.Move{Dst: regalloc.RegLoc(allocReg(X0 + Reg(i))), Src: g.loc(v)})
	}
	g.parallelMoves(moves)
	ranges := []Reg{X0}
	if copy {
		ranges = append(ranges, X1)
	}
	a.Mov(false, X2, X2) // zero-extend the i32 operands
	for _, r := range ranges {
		a.Mov(false, r, r)
	}
	g.memoryLength(regTmp1, in.Index)
	for _, r := range ranges {
		a.AddSub(ADD, true, regTmp0, r, X2, LSL, 0)
		a.AddSub(SUBS, true, ZR, regTmp0, regTmp1, LSL, 0)
		a.BCond(HI, g.trap(abi.TrapMemoryOutOfBounds))
	}
	g.memoryBase(regTmp1, in.Index)
	for _, r := range ranges {
		a.AddSub(ADD, true, r, r, regTmp1, LSL, 0)
	}
	g.runtimeCalls = append(g.runtimeCalls, runtimeCall{adrp: a.Len(), symbol: symbol})
	a.Adrp(regTmp0)
	a.LoadStore(LoadZX, 8, regTmp0, M(regTmp0, 0))
	a.Blr(regTmp0)
}

// effectiveAddr returns the operand for an access of size bytes at
// memory 0's base + zext(addr) + offset (the IR guarantees a dominating
// bounds check covers it).
func (g *funcGen) effectiveAddr(addr ir.Value, offset uint32, size Size) Mem {
	r := g.get(addr, regTmp0)
	if offset == 0 {
		return MX(regMemBase, r, UXTW, false)
	}
	g.a.AddExt(ADD, true, regAddr, regMemBase, r, UXTW, 0)
	m := M(regAddr, int64(offset))
	if m.Encodable(size) {
		return m
	}
	g.a.MovImm(true, regMove, uint64(offset))
	return MX(regAddr, regMove, UXTX, false)
}

// memAccess is how a scalar load or store moves its bytes.
type memAccess struct {
	size Size
	kind LoadKind // for loads
}

var loads = map[wasm.Opcode]memAccess{
	wasm.OpI32Load: {4, LoadZX}, wasm.OpI64Load: {8, LoadZX}, wasm.OpF32Load: {4, LoadZX}, wasm.OpF64Load: {8, LoadZX},
	wasm.OpI32Load8S: {1, LoadSX32}, wasm.OpI32Load8U: {1, LoadZX}, wasm.OpI32Load16S: {2, LoadSX32}, wasm.OpI32Load16U: {2, LoadZX},
	wasm.OpI64Load8S: {1, LoadSX64}, wasm.OpI64Load8U: {1, LoadZX}, wasm.OpI64Load16S: {2, LoadSX64}, wasm.OpI64Load16U: {2, LoadZX},
	wasm.OpI64Load32S: {4, LoadSX64}, wasm.OpI64Load32U: {4, LoadZX},
	wasm.OpV128Load: {16, LoadZX},
}

var stores = map[wasm.Opcode]Size{
	wasm.OpI32Store: 4, wasm.OpI64Store: 8, wasm.OpF32Store: 4, wasm.OpF64Store: 8,
	wasm.OpI32Store8: 1, wasm.OpI32Store16: 2, wasm.OpI64Store8: 1, wasm.OpI64Store16: 2, wasm.OpI64Store32: 4,
	wasm.OpV128Store: 16,
}

// load emits a scalar load. AArch64 allows unaligned accesses to normal
// memory, as wasm's alignment hints require.
func (g *funcGen) load(in *ir.Instr) error {
	acc, ok := loads[wasm.Opcode(in.Op)]
	if !ok {
		return g.simdLoad(in)
	}
	m := g.effectiveAddr(in.Args[0], in.Offset, acc.size)
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	rd := g.dst(res)
	g.a.LoadStore(acc.kind, acc.size, rd, m)
	g.put(res, rd)
	return nil
}

// store emits a scalar store.
func (g *funcGen) store(in *ir.Instr) error {
	size, ok := stores[wasm.Opcode(in.Op)]
	if !ok {
		return g.simdStoreLane(in)
	}
	t := g.f.Types[in.Args[1]]
	v := g.get(in.Args[1], g.argScratch(t))
	m := g.effectiveAddr(in.Args[0], in.Offset, size)
	g.a.LoadStore(Store, size, v, m)
	return nil
}
