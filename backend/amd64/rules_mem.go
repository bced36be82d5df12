package amd64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Linear memory. Memory 0's base lives in regMemBase for the whole call
// (memories never move); its length is read from the MemoryDefinition at
// every bounds check, since calls and memory.grow change it.

func init() {
	defOp(ir.OpBoundsCheck, boundsCheck)
	for _, l := range []struct {
		op     wasm.Opcode
		size   Size
		signed bool
		w      bool
	}{
		{wasm.OpI32Load, 4, false, false}, {wasm.OpI64Load, 8, false, true},
		{wasm.OpI32Load8S, 1, true, false}, {wasm.OpI32Load8U, 1, false, false},
		{wasm.OpI32Load16S, 2, true, false}, {wasm.OpI32Load16U, 2, false, false},
		{wasm.OpI64Load8S, 1, true, true}, {wasm.OpI64Load8U, 1, false, true},
		{wasm.OpI64Load16S, 2, true, true}, {wasm.OpI64Load16U, 2, false, true},
		{wasm.OpI64Load32S, 4, true, true}, {wasm.OpI64Load32U, 4, false, true},
	} {
		def(load(l.size, l.signed, l.w), l.op)
	}
	zeroExtends(wasm.OpI32Load, wasm.OpI32Load8S, wasm.OpI32Load8U, wasm.OpI32Load16S, wasm.OpI32Load16U)
	def(loadXMM(4), wasm.OpF32Load)
	def(loadXMM(8), wasm.OpF64Load)
	def(store(4), wasm.OpI32Store, wasm.OpI64Store32)
	def(store(8), wasm.OpI64Store)
	def(store(1), wasm.OpI32Store8, wasm.OpI64Store8)
	def(store(2), wasm.OpI32Store16, wasm.OpI64Store16)
	def(storeXMM(4), wasm.OpF32Store)
	def(storeXMM(8), wasm.OpF64Store)
	defOp(ir.OpMemorySize, memorySize)
	defOp(ir.OpMemoryGrow, builtinCall(abi.BuiltinMemoryGrow, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index)} }))
	defOp(ir.OpMemoryFill, memoryFill)
	defOp(ir.OpMemoryCopy, memoryCopy)
	defOp(ir.OpMemoryInit, builtinCall(abi.BuiltinMemoryInit, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index2), uint64(in.Index)} }))
	defOp(ir.OpDataDrop, builtinCall(abi.BuiltinDataDrop, func(in *ir.Instr) []uint64 { return []uint64{uint64(in.Index)} }))
}

// memoryLength returns the memory operand of memory i's byte length: in
// the VMContext for a defined memory, else through the import's pointer
// (loaded into r).
func (g *gen) memoryLength(i uint32, r Reg) Mem {
	l := g.m.layout
	if int(i) >= l.ImportedMemories {
		return M(regVMCtx, int32(l.MemoryDef(int(i))+abi.MemoryDefLength))
	}
	g.a.Load(8, r, M(regVMCtx, int32(l.MemoryPtr(int(i)))))
	return M(r, abi.MemoryDefLength)
}

// memoryBase returns memory i's base address in r.
func (g *gen) memoryBase(i uint32, r Reg) {
	l := g.m.layout
	if int(i) >= l.ImportedMemories {
		g.a.Load(8, r, M(regVMCtx, int32(l.MemoryDef(int(i))+abi.MemoryDefBase)))
		return
	}
	g.a.Load(8, r, M(regVMCtx, int32(l.MemoryPtr(int(i)))))
	g.a.Load(8, r, M(r, abi.MemoryDefBase))
}

// rangeCheck traps unless start+n <= memory i's length, for the
// zero-extended 32-bit start and n in registers (64-bit sum, no overflow).
func (g *gen) rangeCheck(i uint32, start, n Reg) {
	g.a.Lea(tmpA, MI(start, n, 1, 0))
	g.a.ALURM(CMP, true, tmpA, g.memoryLength(i, tmpC))
	g.trapIf(CondA, abi.TrapMemoryOutOfBounds)
}

// widenArg zero-extends i32 value v, now in r, unless it is known to be.
func (g *gen) widenArg(v ir.Value, r Reg) {
	if !g.zext[v] {
		g.a.MovRR(false, r, r)
	}
}

// memoryCopy checks both ranges before anything is written (a trapping
// copy writes nothing), then calls the runtime's memmove(dst, src, n),
// which handles overlap, as a C call: no exit to Go. The op clobbers
// like a call, so every caller-saved register is free here.
func memoryCopy(g *gen, in *ir.Instr) error {
	g.argMoves([]argMove{{v: in.Args[0], loc: argLoc{reg: RDI}}, {v: in.Args[1], loc: argLoc{reg: RSI}},
		{v: in.Args[2], loc: argLoc{reg: RDX}}})
	g.widenArg(in.Args[0], RDI)
	g.widenArg(in.Args[1], RSI)
	g.widenArg(in.Args[2], RDX)
	g.rangeCheck(in.Index, RDI, RDX)
	g.rangeCheck(in.Index, RSI, RDX)
	g.memoryBase(in.Index, tmpA)
	g.a.ALURR(ADD, true, RDI, tmpA)
	g.a.ALURR(ADD, true, RSI, tmpA)
	g.callRuntime("memmove")
	return nil
}

// memoryFill checks the range, then calls the runtime's memset(dst,
// val, n) (which uses val's low byte) as a C call.
func memoryFill(g *gen, in *ir.Instr) error {
	g.argMoves([]argMove{{v: in.Args[0], loc: argLoc{reg: RDI}}, {v: in.Args[1], loc: argLoc{reg: RSI}},
		{v: in.Args[2], loc: argLoc{reg: RDX}}})
	g.widenArg(in.Args[0], RDI)
	g.widenArg(in.Args[2], RDX)
	g.rangeCheck(in.Index, RDI, RDX)
	g.memoryBase(in.Index, tmpA)
	g.a.ALURR(ADD, true, RDI, tmpA)
	g.callRuntime("memset")
	return nil
}

// boundsCheck traps unless zext(addr)+extent <= length (for a constant
// addr, length is compared with the sum as an immediate):
//
//	mov eax, addr ; zero-extends (lea rax, [addr+extent] when addr is
//	add rax, extent ;               known zero-extended)
//	cmp rax, [length] ; ja trap
func boundsCheck(g *gen, in *ir.Instr) error {
	if k := g.consts[in.Args[0]]; k != nil {
		// A static address: cmp qword [length], end ; jb trap.
		if end := uint64(uint32(k.Const)) + in.Const; end <= 0x7fffffff {
			g.a.ALUMI(CMP, true, g.memoryLength(in.Index, tmpC), int32(end))
			g.trapIf(CondB, abi.TrapMemoryOutOfBounds)
			return nil
		}
	}
	a := g.use(in.Args[0], tmpA)
	switch {
	case g.zext[in.Args[0]] && in.Const <= 0x7fffffff:
		g.a.Lea(tmpA, M(a, int32(in.Const)))
	case in.Const <= 0x7fffffff:
		g.a.MovRR(false, tmpA, a)
		g.a.ALURI(ADD, true, tmpA, int32(in.Const))
	default:
		g.a.MovRR(false, tmpA, a)
		g.a.MovImm(tmpC, in.Const)
		g.a.ALURR(ADD, true, tmpA, tmpC)
	}
	g.a.ALURM(CMP, true, tmpA, g.memoryLength(in.Index, tmpC))
	g.trapIf(CondA, abi.TrapMemoryOutOfBounds)
	return nil
}

// effAddr returns the memory operand of memory 0 at zext(addr)+offset;
// it uses tmpR (and tmpA for offsets of 2^31 and more) unless addr is
// a constant (a static address: a displacement) or known zero-extended
// (then it indexes with addr's own register).
func (g *gen) effAddr(addr ir.Value, offset uint32) Mem {
	if k := g.consts[addr]; k != nil {
		if ea := uint64(uint32(k.Const)) + uint64(offset); ea <= 0x7fffffff {
			return M(regMemBase, int32(ea))
		}
	}
	a := g.use(addr, tmpR)
	if g.zext[addr] && offset <= 0x7fffffff {
		return MI(regMemBase, a, 1, int32(offset))
	}
	g.a.MovRR(false, tmpR, a)
	if offset > 0x7fffffff {
		g.a.MovRI32(tmpA, offset)
		g.a.ALURR(ADD, true, tmpR, tmpA)
		offset = 0
	}
	return MI(regMemBase, tmpR, 1, int32(offset))
}

// foldOps are the ops whose rule reads operand 1 through memArg, as a
// memory operand of the same width as the operation.
var foldOps = map[ir.Op]bool{}

// foldSwaps are the foldOps that may take the folded load as operand 0
// too, reading their operands swapped (operands): the commutative ones,
// and compares (with the condition mirrored).
var foldSwaps = map[ir.Op]bool{}

// foldLoads are the loads of a whole operand-sized value, which such a
// memory operand can replace.
var foldLoads = map[ir.Op]bool{
	ir.Op(wasm.OpI32Load): true, ir.Op(wasm.OpI64Load): true,
	ir.Op(wasm.OpF32Load): true, ir.Op(wasm.OpF64Load): true,
}

// foldsLoad reports whether load ld can be left to next, which uses its
// result once, as operand 1 (or operand 0 for foldSwaps): nothing comes
// between them, so the access reads the same memory there. For an
// integer operation the address must not be in the result's register,
// which the rule writes before forming the operand (an XMM result cannot
// be). An offset of 2^31 or more is not folded: effAddr would add it
// through tmpA, which may be the rule's result register by then.
func (g *gen) foldsLoad(ld, next *ir.Instr) bool {
	if !foldLoads[ld.Op] || !foldOps[next.Op] || ld.Offset > 0x7fffffff {
		return false
	}
	v := ld.Results[0]
	if len(next.Args) != 2 || next.Args[0] == next.Args[1] || g.uses[v] != 1 {
		return false
	}
	if next.Args[1] != v && (next.Args[0] != v || !foldSwaps[next.Op]) {
		return false
	}
	if isXMM(g.f.Types[v]) {
		return true
	}
	a, r := g.loc(ld.Args[0]), g.loc(next.Results[0])
	return !a.InReg() || !r.InReg() || a.Reg != r.Reg
}

func load(size Size, signed, w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		m := g.effAddr(in.Args[0], in.Offset)
		d := g.out(v)
		if signed {
			g.a.LoadSX(size, w, d, m)
		} else {
			g.a.Load(size, d, m)
		}
		g.finish(v, d)
		return nil
	}
}

func loadXMM(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		m := g.effAddr(in.Args[0], in.Offset)
		d := g.out(v)
		g.a.LoadXMM(size, d, m)
		g.finish(v, d)
		return nil
	}
}

// store: a constant value that fits is stored as an immediate.
func store(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		if k := g.consts[in.Args[1]]; k != nil && (size < 8 || fitsImm32(k.Const)) {
			g.a.StoreImm(size, g.effAddr(in.Args[0], in.Offset), int32(k.Const))
			return nil
		}
		val := g.use(in.Args[1], tmpC)
		m := g.effAddr(in.Args[0], in.Offset)
		g.a.Store(size, m, val)
		return nil
	}
}

func storeXMM(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		val := g.use(in.Args[1], xtmp1)
		m := g.effAddr(in.Args[0], in.Offset)
		g.a.StoreXMM(size, m, val)
		return nil
	}
}

func memorySize(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	g.a.Load(8, d, g.memoryLength(in.Index, tmpC))
	g.a.ShiftI(SHR, true, d, 16)
	g.finish(v, d)
	return nil
}

// builtinCall calls a builtin with constant arguments (from consts) and
// then the instruction's operands, as a C call: vmctx in RDI, the rest in
// RSI, RDX, RCX, R8, R9. Its result, if any, comes back in RAX.
func builtinCall(b abi.Builtin, consts func(*ir.Instr) []uint64) rule {
	return func(g *gen, in *ir.Instr) error {
		cs := consts(in)
		if 1+len(cs)+len(in.Args) > len(intArgRegs) {
			return fmt.Errorf("builtin %v takes too many arguments", b)
		}
		var moves []argMove
		for i, a := range in.Args {
			moves = append(moves, argMove{v: a, loc: argLoc{reg: intArgRegs[1+len(cs)+i]}})
		}
		g.argMoves(moves)
		for i, c := range cs {
			g.a.MovImm(intArgRegs[1+i], c)
		}
		g.callBuiltin(b)
		if len(in.Results) == 1 {
			g.set(in.Results[0], RAX)
		}
		return nil
	}
}
