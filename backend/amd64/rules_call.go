package amd64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Calls, state (globals, tables, references) and guards.

func init() {
	defOp(ir.OpCall, callDirect)
	defOp(ir.OpCallImport, callImport)
	defOp(ir.OpCallIndirect, callIndirect)
	defOp(ir.OpGlobalGet, globalGet)
	defOp(ir.OpGlobalSet, globalSet)
	defOp(ir.OpRefNull, refNull)
	defOp(ir.OpRefIsNull, eqz(true))
	defOp(ir.OpRefFunc, refFunc)
	defOp(ir.OpTableGet, tableGet)
	defOp(ir.OpTableSet, tableSet)
	defOp(ir.OpTableSize, tableSize)
	defOp(ir.OpTableGrow, builtinCall(abi.BuiltinTableGrow, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index)} }))
	defOp(ir.OpTableFill, builtinCall(abi.BuiltinTableFill, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index)} }))
	defOp(ir.OpTableCopy, builtinCall(abi.BuiltinTableCopy, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index), uint64(in.Index2)} }))
	defOp(ir.OpTableInit, builtinCall(abi.BuiltinTableInit, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index2), uint64(in.Index)} }))
	defOp(ir.OpElemDrop, builtinCall(abi.BuiltinElemDrop, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index)} }))
	defOp(ir.OpTrapIf, trapIfRule)
	defOp(ir.OpInterruptCheck, interruptCheck)
	defOp(ir.OpJump, jump)
	defOp(ir.OpBrIf, brIf)
	defOp(ir.OpSwitch, switchRule)
	defOp(ir.OpReturn, returnRule)
	defOp(ir.OpTrap, trapRule)
}

// callSig returns the signature of the wasm function in calls, nil for
// other instructions.
func (m *module) callSig(in *ir.Instr) *wasm.FuncType {
	switch in.Op {
	case ir.OpCall, ir.OpCallImport:
		if int(in.Index) < len(m.funcTypes) {
			return m.funcTypes[in.Index]
		}
	case ir.OpCallIndirect:
		if int(in.Index) < len(m.wasm.Types) {
			return &m.wasm.Types[in.Index]
		}
	}
	return nil
}

// argMove is one value going to an argument place.
type argMove struct {
	v   ir.Value
	loc argLoc
}

// argMoves puts values in their argument places: stack arguments first
// (their sources may be argument registers), then the registers as one
// parallel copy.
func (g *gen) argMoves(moves []argMove) {
	var reg valueMoves
	for _, m := range moves {
		xmm := isXMM(g.f.Types[m.v])
		if m.loc.onStack {
			dst := M(RSP, m.loc.off)
			if xmm {
				g.a.StoreXMM(16, dst, g.use(m.v, xtmp0))
			} else {
				g.a.Store(8, dst, g.use(m.v, tmpR))
			}
			continue
		}
		g.addMove(&reg, regalloc.RegLoc(regalloc.Reg(m.loc.reg)), m.v)
	}
	g.emitMoves(&reg)
}

// callArgs moves a call's wasm arguments into place and sets RSI to the
// results area when the callee has several results.
func (g *gen) callArgs(sig *wasm.FuncType, args []ir.Value) error {
	if len(args) != len(sig.Params) {
		return fmt.Errorf("call with %d arguments for %d parameters", len(args), len(sig.Params))
	}
	locs, _ := classifyArgs(sig)
	moves := make([]argMove, len(args))
	for i, a := range args {
		moves[i] = argMove{v: a, loc: locs[i]}
	}
	g.argMoves(moves)
	if len(sig.Results) > 1 {
		g.a.Lea(RSI, M(RSP, g.resOff))
	}
	return nil
}

// callResults moves the results of a call to their locations.
func (g *gen) callResults(sig *wasm.FuncType, in *ir.Instr) {
	switch len(sig.Results) {
	case 0:
	case 1:
		g.set(in.Results[0], resultReg(sig.Results[0]))
	default:
		slots, _ := slotsOf(sig.Results)
		for i, r := range in.Results {
			m := M(RSP, g.resOff+8*slots[i])
			d := g.out(r)
			g.loadSlot(g.f.Types[r], d, m)
			g.finish(r, d)
		}
	}
}

func callDirect(g *gen, in *ir.Instr) error {
	sig := g.m.callSig(in)
	if sig == nil || in.Index < g.m.wasm.NumImportedFuncs {
		return fmt.Errorf("call of function %d", in.Index)
	}
	if err := g.callArgs(sig, in.Args); err != nil {
		return err
	}
	g.a.MovRR(true, RDI, regVMCtx)
	at := g.a.Call32(0)
	g.calls = append(g.calls, call{at: at, callee: in.Index})
	g.callResults(sig, in)
	return nil
}

// callImport calls through the import's FuncRef record in the VMContext
// (the exporter's code and VMContext).
func callImport(g *gen, in *ir.Instr) error {
	sig := g.m.callSig(in)
	if sig == nil {
		return fmt.Errorf("call of function %d", in.Index)
	}
	if err := g.callArgs(sig, in.Args); err != nil {
		return err
	}
	rec := int32(g.m.layout.FuncRef(int(in.Index)))
	g.a.Load(8, RDI, M(regVMCtx, rec+abi.FuncRefVMCtx))
	g.a.CallM(M(regVMCtx, rec+abi.FuncRefCode))
	g.callResults(sig, in)
	return nil
}

// callIndirect checks the table index, the null entry and the type ID,
// then calls through the FuncRef record:
//
//	mov eax, idx ; mov rcx, &tabledef ; cmp rax, [rcx+Length] ; jae trap
//	mov rcx, [rcx+Base] ; mov rax, [rcx+rax*8] ; test rax, rax ; jz trap
//	mov rcx, [vmctx+TypeID(t)] ; cmp rcx, [rax+TypeID] ; jne trap
func callIndirect(g *gen, in *ir.Instr) error {
	sig := g.m.callSig(in)
	if sig == nil || len(in.Args) == 0 {
		return fmt.Errorf("call_indirect of type %d", in.Index)
	}
	args, idx := in.Args[:len(in.Args)-1], in.Args[len(in.Args)-1]
	g.tableElem(in.Index2, idx, abi.TrapUndefinedElement)
	g.a.Load(8, tmpA, MI(tmpC, tmpA, 8, 0))
	g.a.TestRR(true, tmpA, tmpA)
	g.trapIf(CondE, abi.TrapUninitializedElement)
	g.a.Load(8, tmpC, M(regVMCtx, int32(g.m.layout.TypeID(int(in.Index)))))
	g.a.ALURM(CMP, true, tmpC, M(tmpA, abi.FuncRefTypeID))
	g.trapIf(CondNE, abi.TrapIndirectCallTypeMismatch)
	// The record stays in RAX: argument copies use only argument
	// registers, R11 and XMM15.
	if err := g.callArgs(sig, args); err != nil {
		return err
	}
	g.a.Load(8, RDI, M(tmpA, abi.FuncRefVMCtx))
	g.a.CallM(M(tmpA, abi.FuncRefCode))
	g.callResults(sig, in)
	return nil
}

// tableDef puts the address of table i's TableDefinition in r.
func (g *gen) tableDef(i uint32, r Reg) {
	l := g.m.layout
	if int(i) >= l.ImportedTables {
		g.a.Lea(r, M(regVMCtx, int32(l.TableDef(int(i)))))
		return
	}
	g.a.Load(8, r, M(regVMCtx, int32(l.TablePtr(int(i)))))
}

// tableElem checks idx against table t's length (trapping with code) and
// leaves zext(idx) in RAX and the table's element base in RCX.
func (g *gen) tableElem(t uint32, idx ir.Value, code abi.TrapCode) {
	i := g.use(idx, tmpA)
	g.a.MovRR(false, tmpA, i)
	g.tableDef(t, tmpC)
	g.a.ALURM(CMP, true, tmpA, M(tmpC, abi.TableDefLength))
	g.trapIf(CondAE, code)
	g.a.Load(8, tmpC, M(tmpC, abi.TableDefBase))
}

func tableGet(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	g.tableElem(in.Index, in.Args[0], abi.TrapTableOutOfBounds)
	d := g.out(v)
	g.a.Load(8, d, MI(tmpC, tmpA, 8, 0))
	g.finish(v, d)
	return nil
}

func tableSet(g *gen, in *ir.Instr) error {
	g.tableElem(in.Index, in.Args[0], abi.TrapTableOutOfBounds)
	val := g.use(in.Args[1], tmpD)
	g.a.Store(8, MI(tmpC, tmpA, 8, 0), val)
	return nil
}

func tableSize(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	g.tableDef(in.Index, tmpC)
	g.a.Load(8, d, M(tmpC, abi.TableDefLength))
	g.finish(v, d)
	return nil
}

// global puts the address of global i's storage in r.
func (g *gen) global(i uint32, r Reg) Mem {
	l := g.m.layout
	if int(i) >= l.ImportedGlobals {
		return M(regVMCtx, int32(l.GlobalDef(int(i))))
	}
	g.a.Load(8, r, M(regVMCtx, int32(l.GlobalPtr(int(i)))))
	return M(r, 0)
}

func globalGet(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	m := g.global(in.Index, tmpC)
	d := g.out(v)
	g.loadSlot(g.f.Types[v], d, m)
	g.finish(v, d)
	return nil
}

func globalSet(g *gen, in *ir.Instr) error {
	t := g.f.Types[in.Args[0]]
	scratch := tmpD
	if isXMM(t) {
		scratch = xtmp1
	}
	val := g.use(in.Args[0], scratch)
	g.a.storeValue(t, g.global(in.Index, tmpC), val)
	return nil
}

func refNull(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	g.a.ALURR(XOR, false, d, d)
	g.finish(v, d)
	return nil
}

// refFunc is the address of the function's FuncRef record.
func refFunc(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	g.a.Lea(d, M(regVMCtx, int32(g.m.layout.FuncRef(int(in.Index)))))
	g.finish(v, d)
	return nil
}

func trapIfRule(g *gen, in *ir.Instr) error {
	g.testCond(in.Args[0])
	g.branchOn(CondNE, in)
	return nil
}

// interruptCheck polls the thread's interrupt flag:
//
//	mov rax, rsp ; and rax, mask ; cmp dword [rax], 0 ; jne poll
//
// The out-of-line poll saves the caller-saved registers the function
// uses, calls yield and returns here.
func interruptCheck(g *gen, in *ir.Instr) error {
	g.threadState(tmpA)
	g.a.ALUMI(CMP, false, M(tmpA, abi.ThreadInterrupt), 0)
	at := g.a.Jcc32(CondNE, 0)
	back := g.a.Len()
	g.cold = append(g.cold, func() {
		g.a.PatchRel32(at, g.a.Len())
		var save []Reg
		for r := 0; r < 64; r++ {
			if g.alloc.Used.Has(regalloc.Reg(r)) && !allocConfig.CalleeSaved.Has(regalloc.Reg(r)) {
				save = append(save, Reg(r))
			}
		}
		size := int32(16 * len(save))
		if size > 0 {
			g.a.ALURI(SUB, true, RSP, size)
		}
		for i, r := range save {
			if r.IsXMM() {
				g.a.StoreXMM(16, M(RSP, int32(16*i)), r)
			} else {
				g.a.Store(8, M(RSP, int32(16*i)), r)
			}
		}
		g.callBuiltin(abi.BuiltinYield)
		for i, r := range save {
			if r.IsXMM() {
				g.a.LoadXMM(16, r, M(RSP, int32(16*i)))
			} else {
				g.a.Load(8, r, M(RSP, int32(16*i)))
			}
		}
		if size > 0 {
			g.a.ALURI(ADD, true, RSP, size)
		}
		j := g.a.Jmp32(0)
		g.a.PatchRel32(j, back)
	})
	return nil
}

func jump(g *gen, in *ir.Instr) error {
	g.edgeMoves(in.Succs[0])
	g.jumpTo(in.Succs[0].Block)
	return nil
}

// brIf: test the condition, then each edge's copies run on that edge
// only.
func brIf(g *gen, in *ir.Instr) error {
	g.testCond(in.Args[0])
	g.branchOn(CondNE, in)
	return nil
}

// testCond sets ZF from the i32 condition c, unless the instruction just
// emitted computed c with an ALU op that left it there.
func (g *gen) testCond(c ir.Value) {
	if g.zfPrev == c+1 {
		return
	}
	r := g.use(c, tmpC)
	g.a.TestRR(false, r, r)
}

// branchOn finishes a brif or trap_if whose condition is in the flags
// as cond.
func (g *gen) branchOn(cond Cond, in *ir.Instr) {
	if in.Op == ir.OpTrapIf {
		g.trapIf(cond, in.Trap)
		return
	}
	then, els := in.Succs[0], in.Succs[1]
	// A loop exit whose edge copies values, beside an edge staying in the
	// loop that copies nothing, gets its copies out of line, so the path
	// round the loop takes no branch here.
	tm, em := g.hasMoves(then), g.hasMoves(els)
	switch {
	case tm && !em && g.exits(then.Block) && !g.exits(els.Block):
		g.coldEdge(cond, then)
		g.jumpTo(els.Block)
		return
	case em && !tm && g.exits(els.Block) && !g.exits(then.Block):
		g.coldEdge(cond.Invert(), els)
		g.jumpTo(then.Block)
		return
	}
	if !tm {
		g.jccTo(cond, then.Block)
		g.edgeMoves(els)
		g.jumpTo(els.Block)
		return
	}
	skip := g.a.Jcc32(cond.Invert(), 0)
	g.edgeMoves(then)
	g.forceJump(then.Block) // the else edge's code follows, not the target

	g.a.PatchRel32(skip, g.a.Len())
	g.edgeMoves(els)
	g.jumpTo(els.Block)
}

// coldEdge emits a jcc to a stub after the function's body that performs
// e's copies and jumps to its target.
func (g *gen) coldEdge(c Cond, e *ir.BlockCall) {
	at := g.a.Jcc32(c, 0)
	g.cold = append(g.cold, func() {
		g.a.PatchRel32(at, g.a.Len())
		g.edgeMoves(e)
		g.forceJump(e.Block)
	})
}

// switchRule dispatches through a table of 32-bit offsets placed after
// the jump; targets whose edges copy values get an edge stub each.
//
//	mov eax, idx ; cmp rax, n ; jae default    (idx itself when zero-extended)
//	lea rcx, [rip+table] ; movsxd rax, [rcx+rax*4] ; add rax, rcx ; jmp rax
func switchRule(g *gen, in *ir.Instr) error {
	n := len(in.Succs) - 1
	idx := g.use(in.Args[0], tmpA)
	if !g.zext[in.Args[0]] {
		g.a.MovRR(false, tmpA, idx)
		idx = tmpA
	}
	def := in.Succs[n]
	var defJump int
	if n > 0 {
		g.a.ALURI(CMP, true, idx, int32(min(n, 1<<31-1)))
		defJump = g.a.Jcc32(CondAE, 0)
		lea := g.a.LeaRIP(tmpC)
		g.a.LoadSX(4, true, tmpA, MI(tmpC, idx, 4, 0))
		g.a.ALURR(ADD, true, tmpA, tmpC)
		g.a.JmpR(tmpA)
		table := g.a.Len()
		g.a.PatchRel32(lea, table)
		g.a.Code = append(g.a.Code, make([]byte, 4*n)...)
		g.switches = append(g.switches, [2]int{table, n})
		// Each case: its target block's offset when the edge copies
		// nothing, else an edge stub (copies + jump).
		for k := 0; k < n; k++ {
			if !g.hasMoves(in.Succs[k]) {
				g.tables = append(g.tables, tableEntry{at: table + 4*k, table: table, block: g.blockNum(in.Succs[k].Block)})
				continue
			}
			at := g.a.Len()
			rel := int32(at - table)
			put32(g.a.Code[table+4*k:], rel)
			g.edgeMoves(in.Succs[k])
			g.forceJump(in.Succs[k].Block)
		}
		g.a.PatchRel32(defJump, g.a.Len())
	}
	g.edgeMoves(def)
	g.jumpTo(def.Block)
	return nil
}

// forceJump emits a jmp to b even when b comes next.
func (g *gen) forceJump(b *ir.Block) {
	at := g.a.Jmp32(0)
	g.jumps = append(g.jumps, fixup{at: at, block: g.blockNum(b)})
}

func put32(b []byte, v int32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// returnRule returns the function's results: one in RAX or XMM0, several
// through the results area whose pointer the prologue saved.
func returnRule(g *gen, in *ir.Instr) error {
	sig := &g.f.Sig
	if len(in.Args) != len(sig.Results) {
		return fmt.Errorf("return of %d values for %d results", len(in.Args), len(sig.Results))
	}
	switch len(in.Args) {
	case 0:
	case 1:
		var vm valueMoves
		g.addMove(&vm, regalloc.RegLoc(regalloc.Reg(resultReg(sig.Results[0]))), in.Args[0])
		g.emitMoves(&vm)
	default:
		slots, _ := slotsOf(sig.Results)
		g.a.Load(8, tmpR, M(RSP, g.miscOff))
		for i, a := range in.Args {
			t := g.f.Types[a]
			m := M(tmpR, 8*slots[i])
			switch {
			case t == ir.F32:
				g.a.StoreXMM(4, m, g.use(a, xtmp0))
			case t == ir.F64:
				g.a.StoreXMM(8, m, g.use(a, xtmp0))
			case t == ir.V128:
				g.a.StoreXMM(16, m, g.use(a, xtmp0))
			default:
				g.a.Store(8, m, g.use(a, tmpA))
			}
		}
	}
	g.epilogue()
	return nil
}

func trapRule(g *gen, in *ir.Instr) error {
	at := g.a.Jmp32(0)
	g.trapJmps[in.Trap] = append(g.trapJmps[in.Trap], at)
	return nil
}
