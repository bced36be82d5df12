package amd64

import (
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Integer rules. Convention: an i32 value in a 64-bit register has
// undefined upper 32 bits; every rule reads only the low half of i32
// operands (32-bit instructions, or an explicit zero extension).

func init() {
	def(intConst, wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const)

	defTied(binop(ADD, false), wasm.OpI32Add)
	defTied(binop(SUB, false), wasm.OpI32Sub)
	defTied(binop(AND, false), wasm.OpI32And)
	defTied(binop(OR, false), wasm.OpI32Or)
	defTied(binop(XOR, false), wasm.OpI32Xor)
	defTied(binop(ADD, true), wasm.OpI64Add)
	defTied(binop(SUB, true), wasm.OpI64Sub)
	defTied(binop(AND, true), wasm.OpI64And)
	defTied(binop(OR, true), wasm.OpI64Or)
	defTied(binop(XOR, true), wasm.OpI64Xor)
	for _, op := range []wasm.Opcode{wasm.OpI32Add, wasm.OpI32Sub, wasm.OpI32And, wasm.OpI32Or, wasm.OpI32Xor,
		wasm.OpI64Add, wasm.OpI64Sub, wasm.OpI64And, wasm.OpI64Or, wasm.OpI64Xor} {
		foldOps[ir.Op(op)] = true
		foldSwaps[ir.Op(op)] = op != wasm.OpI32Sub && op != wasm.OpI64Sub
	}
	defTied(mul(false), wasm.OpI32Mul)
	defTied(mul(true), wasm.OpI64Mul)

	def(divide(false, true, false), wasm.OpI32DivS)
	def(divide(false, false, false), wasm.OpI32DivU)
	def(divide(false, true, true), wasm.OpI32RemS)
	def(divide(false, false, true), wasm.OpI32RemU)
	def(divide(true, true, false), wasm.OpI64DivS)
	def(divide(true, false, false), wasm.OpI64DivU)
	def(divide(true, true, true), wasm.OpI64RemS)
	def(divide(true, false, true), wasm.OpI64RemU)

	defTied(shift(SHL, false), wasm.OpI32Shl)
	defTied(shift(SAR, false), wasm.OpI32ShrS)
	defTied(shift(SHR, false), wasm.OpI32ShrU)
	defTied(shift(ROL, false), wasm.OpI32Rotl)
	defTied(shift(ROR, false), wasm.OpI32Rotr)
	defTied(shift(SHL, true), wasm.OpI64Shl)
	defTied(shift(SAR, true), wasm.OpI64ShrS)
	defTied(shift(SHR, true), wasm.OpI64ShrU)
	defTied(shift(ROL, true), wasm.OpI64Rotl)
	defTied(shift(ROR, true), wasm.OpI64Rotr)

	def(clz(false), wasm.OpI32Clz)
	def(clz(true), wasm.OpI64Clz)
	def(ctz(false), wasm.OpI32Ctz)
	def(ctz(true), wasm.OpI64Ctz)
	def(popcnt(false), wasm.OpI32Popcnt)
	def(popcnt(true), wasm.OpI64Popcnt)

	def(eqz(false), wasm.OpI32Eqz)
	def(eqz(true), wasm.OpI64Eqz)
	defFlags(eqzFlags(false), wasm.OpI32Eqz)
	defFlags(eqzFlags(true), wasm.OpI64Eqz)
	for w, ops := range map[bool][]wasm.Opcode{
		false: {wasm.OpI32Eq, wasm.OpI32Ne, wasm.OpI32LtS, wasm.OpI32LtU, wasm.OpI32GtS, wasm.OpI32GtU, wasm.OpI32LeS, wasm.OpI32LeU, wasm.OpI32GeS, wasm.OpI32GeU},
		true:  {wasm.OpI64Eq, wasm.OpI64Ne, wasm.OpI64LtS, wasm.OpI64LtU, wasm.OpI64GtS, wasm.OpI64GtU, wasm.OpI64LeS, wasm.OpI64LeU, wasm.OpI64GeS, wasm.OpI64GeU},
	} {
		for i, c := range []Cond{CondE, CondNE, CondL, CondB, CondG, CondA, CondLE, CondBE, CondGE, CondAE} {
			def(compare(w, c), ops[i])
			defFlags(compareFlags(w, c), ops[i])
			foldOps[ir.Op(ops[i])], foldSwaps[ir.Op(ops[i])] = true, true
		}
	}

	def(extend(4, false, false), wasm.OpI32WrapI64)
	def(extend(4, true, true), wasm.OpI64ExtendI32S)
	defTied(extend(4, false, true), wasm.OpI64ExtendI32U)
	def(extend(1, true, false), wasm.OpI32Extend8S)
	def(extend(2, true, false), wasm.OpI32Extend16S)
	def(extend(1, true, true), wasm.OpI64Extend8S)
	def(extend(2, true, true), wasm.OpI64Extend16S)
	def(extend(4, true, true), wasm.OpI64Extend32S)

	defOp(ir.OpSelect, selectRule)

	// 32-bit instructions (setcc after a 32-bit xor for comparisons; div
	// and idiv write eax and edx, clz ends with a 32-bit xor).
	zeroExtends(wasm.OpI32Add, wasm.OpI32Sub, wasm.OpI32And, wasm.OpI32Or, wasm.OpI32Xor, wasm.OpI32Mul,
		wasm.OpI32DivS, wasm.OpI32DivU, wasm.OpI32RemS, wasm.OpI32RemU, wasm.OpI32Popcnt, wasm.OpI32Clz,
		wasm.OpI32Eqz, wasm.OpI64Eqz, wasm.OpI32WrapI64, wasm.OpI32Extend8S, wasm.OpI32Extend16S,
		wasm.OpI32Eq, wasm.OpI32Ne, wasm.OpI32LtS, wasm.OpI32LtU, wasm.OpI32GtS, wasm.OpI32GtU, wasm.OpI32LeS, wasm.OpI32LeU, wasm.OpI32GeS, wasm.OpI32GeU,
		wasm.OpI64Eq, wasm.OpI64Ne, wasm.OpI64LtS, wasm.OpI64LtU, wasm.OpI64GtS, wasm.OpI64GtU, wasm.OpI64LeS, wasm.OpI64LeU, wasm.OpI64GeS, wasm.OpI64GeU)
}

// intConst materialises a scalar constant (floats from the constant
// pool).
func intConst(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	if g.loc(v).Remat {
		return nil // recomputed at each use
	}
	d := g.out(v)
	if isXMM(g.f.Types[v]) {
		switch {
		case in.Const == 0:
			g.a.SSERR(XORPS, d, d)
		case g.f.Types[v] == ir.F32:
			g.loadConst(MOVSSload, d, in.Const, 0)
		default:
			g.loadConst(MOVSDload, d, in.Const, 0)
		}
	} else {
		g.a.MovImm(d, in.Const)
	}
	g.finish(v, d)
	return nil
}

// binop: d = a op b, with an immediate when b is a small constant and a
// memory operand when b is spilled or a folded load. a is loaded straight
// into d (d is never b's register: results share only a dying operand
// 0's). An add (or sub of a constant) whose a stays in its own register
// is one lea instead of a copy and the op (leaving the flags alone).
func binop(op ALU, w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		x, y, _ := g.operands(in)
		a := g.use(x, d)
		if a != d && (op == ADD || op == SUB) && g.leaBinop(op, w, d, a, y) {
			g.finish(v, d)
			return nil
		}
		g.copyReg(w, d, a)
		if imm, ok := g.imm32(y, w); ok {
			g.a.ALURI(op, w, d, imm)
		} else if m, ok := g.memArg(y); ok {
			g.a.ALURM(op, w, d, m)
		} else {
			g.a.ALURR(op, w, d, g.use(y, tmpD))
		}
		g.finish(v, d)
		g.zf = v + 1 // the ALU op set ZF from the result
		return nil
	}
}

// leaBinop emits d = a+b or a-b as a lea when b is a constant (that
// fits a displacement, negated for sub) or, for add, in a register, and
// reports whether it did.
func (g *gen) leaBinop(op ALU, w bool, d, a Reg, b ir.Value) bool {
	if imm, ok := g.imm32(b, w); ok {
		if op == SUB {
			if w && imm == -1<<31 {
				return false
			}
			imm = -imm // i32: -(-2^31) wraps to itself, the same sum mod 2^32
		}
		g.a.LeaW(w, d, M(a, imm))
		return true
	}
	if op != ADD || !g.loc(b).InReg() || g.folded != nil && g.folded.Results[0] == b {
		return false
	}
	g.a.LeaW(w, d, MI(a, Reg(g.loc(b).Reg), 1, 0))
	return true
}

// mul: imul d, a, imm when b is a constant that fits, else imul d, b
// after copying a into d.
func mul(w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		if imm, ok := g.imm32(in.Args[1], w); ok {
			g.a.ImulRRI(w, d, g.use(in.Args[0], d), imm)
			g.finish(v, d)
			return nil
		}
		b := g.use(in.Args[1], tmpD)
		g.copyReg(w, d, g.use(in.Args[0], d))
		g.a.ImulRR(w, d, b)
		g.finish(v, d)
		return nil
	}
}

// divide: the IR has already trapped on a zero divisor and on signed
// overflow of div_s; rem_s by -1 is 0 in wasm but faults in idiv, so it
// is done without dividing.
func divide(w, signed, rem bool) rule {
	return func(g *gen, in *ir.Instr) error {
		if k := g.consts[in.Args[1]]; k != nil && g.divideByConst(in, w, signed, rem, k.Const) {
			return nil
		}
		v := in.Results[0]
		b := g.use(in.Args[1], tmpC)
		if b != tmpC {
			g.a.MovRR(true, tmpC, b)
		}
		a := g.use(in.Args[0], tmpA)
		if a != tmpA {
			g.a.MovRR(true, tmpA, a)
		}
		skip := -1
		if signed && rem {
			// rdx = 0; if b == -1 the remainder is 0
			g.a.ALURR(XOR, false, tmpD, tmpD)
			g.a.ALURI(CMP, w, tmpC, -1)
			skip = g.a.Jcc32(CondE, 0)
		}
		if signed {
			g.a.SignExtendAX(w)
			g.a.UnaryR(IDIV, w, tmpC)
		} else {
			g.a.ALURR(XOR, false, tmpD, tmpD)
			g.a.UnaryR(DIV, w, tmpC)
		}
		if skip >= 0 {
			g.a.PatchRel32(skip, g.a.Len())
		}
		r := tmpA
		if rem {
			r = tmpD
		}
		g.set(v, r)
		return nil
	}
}

// shift: a constant count is an immediate; otherwise the count goes to
// CL. x86 masks the count like wasm (mod 32 or 64).
func shift(op Shift, w bool) rule {
	mask := int32(31)
	if w {
		mask = 63
	}
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		if n, ok := g.imm32(in.Args[1], w); ok {
			g.copyReg(w, d, g.use(in.Args[0], d))
			g.a.ShiftI(op, w, d, uint8(n&mask))
			g.finish(v, d)
			return nil
		}
		n := g.use(in.Args[1], tmpC)
		if n != tmpC {
			g.a.MovRR(false, tmpC, n)
		}
		g.copyReg(w, d, g.use(in.Args[0], d))
		g.a.ShiftCL(op, w, d)
		g.finish(v, d)
		return nil
	}
}

// clz = bsr ^ (bits-1), with bsr's undefined result for 0 replaced by
// 2*bits-1 so that the xor gives bits.
func clz(w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		bits := int32(32)
		if w {
			bits = 64
		}
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], tmpD)
		g.a.MovRI32(tmpC, uint32(2*bits-1))
		g.a.Bsr(w, d, a)
		g.a.Cmov(CondE, w, d, tmpC)
		g.a.ALURI(XOR, w, d, bits-1)
		g.finish(v, d)
		return nil
	}
}

func ctz(w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		bits := uint32(32)
		if w {
			bits = 64
		}
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], tmpD)
		g.a.MovRI32(tmpC, bits)
		g.a.Bsf(w, d, a)
		g.a.Cmov(CondE, w, d, tmpC)
		g.finish(v, d)
		return nil
	}
}

func popcnt(w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		g.a.Popcnt(w, d, g.use(in.Args[0], tmpD))
		g.finish(v, d)
		return nil
	}
}

func eqz(w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		g.a.ALURR(XOR, false, d, d)
		g.a.Setcc(eqzFlags(w)(g, in), d)
		g.finish(v, d)
		return nil
	}
}

// compare: d = a c b as 0 or 1 (d is distinct from a and b, so it can be
// cleared first).
func compare(w bool, c Cond) rule {
	flags := compareFlags(w, c)
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		g.a.ALURR(XOR, false, d, d)
		g.a.Setcc(flags(g, in), d)
		g.finish(v, d)
		return nil
	}
}

// compareFlags: cmp a, b (with an immediate when b is a small constant,
// a memory operand when b is spilled or a folded load; cmp b, a and the
// mirrored condition when a is the folded load).
func compareFlags(w bool, c Cond) flagRule {
	return func(g *gen, in *ir.Instr) Cond {
		x, y, swapped := g.operands(in)
		c := c
		if swapped {
			c = c.Mirror()
		}
		a := g.use(x, tmpC)
		if imm, ok := g.imm32(y, w); ok {
			g.a.ALURI(CMP, w, a, imm)
			return c
		}
		if m, ok := g.memArg(y); ok {
			g.a.ALURM(CMP, w, a, m)
			return c
		}
		g.a.ALURR(CMP, w, a, g.use(y, tmpD))
		return c
	}
}

func eqzFlags(w bool) flagRule {
	return func(g *gen, in *ir.Instr) Cond {
		a := g.use(in.Args[0], tmpD)
		g.a.TestRR(w, a, a)
		return CondE
	}
}

// imm32 returns v's value as a sign-extended 32-bit immediate when v is
// a constant that fits (any i32 for 32-bit operations).
func (g *gen) imm32(v ir.Value, w bool) (int32, bool) {
	in := g.consts[v]
	if in == nil {
		return 0, false
	}
	if !w {
		return int32(uint32(in.Const)), true
	}
	if x := int64(in.Const); x >= -1<<31 && x < 1<<31 {
		return int32(x), true
	}
	return 0, false
}

// extend covers wrap (a 32-bit move) and the sign and zero extensions.
// i64.extend_i32_u of a value known zero-extended, in the register the
// result takes (tied), is nothing.
func extend(size Size, signed, w bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], tmpD)
		if !(size == 4 && !signed && w && a == d && g.zext[in.Args[0]]) {
			g.a.Extend(size, signed, w, d, a)
		}
		g.finish(v, d)
		return nil
	}
}

// selectRule: d = c ? a : b, for every type.
func selectRule(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	c := g.use(in.Args[2], tmpC)
	if isXMM(g.f.Types[v]) {
		b := g.use(in.Args[1], xtmp1)
		g.a.SSERR(MOVAPS, d, b)
		g.a.TestRR(false, c, c)
		skip := g.a.Jcc32(CondE, 0)
		a := g.use(in.Args[0], xtmp2)
		g.a.SSERR(MOVAPS, d, a)
		g.a.PatchRel32(skip, g.a.Len())
	} else {
		b := g.use(in.Args[1], tmpD)
		g.a.MovRR(true, d, b)
		a := g.use(in.Args[0], tmpR)
		g.a.TestRR(false, c, c)
		g.a.Cmov(CondNE, true, d, a)
	}
	g.finish(v, d)
	return nil
}
