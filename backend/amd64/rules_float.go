package amd64

import (
	"math"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Scalar float rules. x86's scalar SSE arithmetic already follows IEEE
// 754 with the NaN results wasm allows (a quiet NaN: the default NaN is
// canonical, a propagated one arithmetic); min, max and the saturating
// conversions need explicit sequences.

func init() {
	for _, r := range []struct {
		op32, op64 wasm.Opcode
		s, d       SSE
	}{
		{wasm.OpF32Add, wasm.OpF64Add, ADDSS, ADDSD},
		{wasm.OpF32Sub, wasm.OpF64Sub, SUBSS, SUBSD},
		{wasm.OpF32Mul, wasm.OpF64Mul, MULSS, MULSD},
		{wasm.OpF32Div, wasm.OpF64Div, DIVSS, DIVSD},
	} {
		defTied(fbinop(r.s), r.op32)
		defTied(fbinop(r.d), r.op64)
		foldOps[ir.Op(r.op32)], foldOps[ir.Op(r.op64)] = true, true
		// add and mul commute (wasm leaves which NaN operand propagates open)
		comm := r.op64 == wasm.OpF64Add || r.op64 == wasm.OpF64Mul
		foldSwaps[ir.Op(r.op32)], foldSwaps[ir.Op(r.op64)] = comm, comm
	}
	def(funop(SQRTSS), wasm.OpF32Sqrt)
	def(funop(SQRTSD), wasm.OpF64Sqrt)
	def(fround(false, RoundCeil), wasm.OpF32Ceil)
	def(fround(false, RoundFloor), wasm.OpF32Floor)
	def(fround(false, RoundTrunc), wasm.OpF32Trunc)
	def(fround(false, RoundNearest), wasm.OpF32Nearest)
	def(fround(true, RoundCeil), wasm.OpF64Ceil)
	def(fround(true, RoundFloor), wasm.OpF64Floor)
	def(fround(true, RoundTrunc), wasm.OpF64Trunc)
	def(fround(true, RoundNearest), wasm.OpF64Nearest)
	def(fminmax(false, true), wasm.OpF32Min)
	def(fminmax(false, false), wasm.OpF32Max)
	def(fminmax(true, true), wasm.OpF64Min)
	def(fminmax(true, false), wasm.OpF64Max)
	def(fsign(false, signAbs), wasm.OpF32Abs)
	def(fsign(false, signNeg), wasm.OpF32Neg)
	def(fsign(false, signCopy), wasm.OpF32Copysign)
	def(fsign(true, signAbs), wasm.OpF64Abs)
	def(fsign(true, signNeg), wasm.OpF64Neg)
	def(fsign(true, signCopy), wasm.OpF64Copysign)

	for _, d := range []bool{false, true} {
		ops := [...]wasm.Opcode{wasm.OpF32Eq, wasm.OpF32Ne, wasm.OpF32Lt, wasm.OpF32Gt, wasm.OpF32Le, wasm.OpF32Ge}
		if d {
			ops = [...]wasm.Opcode{wasm.OpF64Eq, wasm.OpF64Ne, wasm.OpF64Lt, wasm.OpF64Gt, wasm.OpF64Le, wasm.OpF64Ge}
		}
		def(fcompare(d, fEq), ops[0])
		def(fcompare(d, fNe), ops[1])
		def(fcompare(d, fLt), ops[2])
		def(fcompare(d, fGt), ops[3])
		def(fcompare(d, fLe), ops[4])
		def(fcompare(d, fGe), ops[5])
	}

	def(funop(CVTSD2SS), wasm.OpF32DemoteF64)
	def(funop(CVTSS2SD), wasm.OpF64PromoteF32)
	def(reinterpret(false, true), wasm.OpF32ReinterpretI32)
	def(reinterpret(true, true), wasm.OpF64ReinterpretI64)
	def(reinterpret(false, false), wasm.OpI32ReinterpretF32)
	def(reinterpret(true, false), wasm.OpI64ReinterpretF64)

	def(convertFromInt(false, false, true), wasm.OpF32ConvertI32S)
	def(convertFromInt(false, false, false), wasm.OpF32ConvertI32U)
	def(convertFromInt(false, true, true), wasm.OpF32ConvertI64S)
	def(convertFromInt(false, true, false), wasm.OpF32ConvertI64U)
	def(convertFromInt(true, false, true), wasm.OpF64ConvertI32S)
	def(convertFromInt(true, false, false), wasm.OpF64ConvertI32U)
	def(convertFromInt(true, true, true), wasm.OpF64ConvertI64S)
	def(convertFromInt(true, true, false), wasm.OpF64ConvertI64U)

	for _, c := range []struct {
		trap, sat wasm.Opcode
		double    bool
		to        intRange
	}{
		{wasm.OpI32TruncF32S, wasm.OpI32TruncSatF32S, false, rangeI32},
		{wasm.OpI32TruncF32U, wasm.OpI32TruncSatF32U, false, rangeU32},
		{wasm.OpI32TruncF64S, wasm.OpI32TruncSatF64S, true, rangeI32},
		{wasm.OpI32TruncF64U, wasm.OpI32TruncSatF64U, true, rangeU32},
		{wasm.OpI64TruncF32S, wasm.OpI64TruncSatF32S, false, rangeI64},
		{wasm.OpI64TruncF32U, wasm.OpI64TruncSatF32U, false, rangeU64},
		{wasm.OpI64TruncF64S, wasm.OpI64TruncSatF64S, true, rangeI64},
		{wasm.OpI64TruncF64U, wasm.OpI64TruncSatF64U, true, rangeU64},
	} {
		def(truncate(c.double, c.to, false), c.trap)
		def(truncate(c.double, c.to, true), c.sat)
	}
}

func fbinop(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		x, y, _ := g.operands(in)
		g.copyXMM(d, g.use(x, d))
		if m, ok := g.memArg(y); ok {
			g.a.SSERM(op, d, m)
		} else {
			g.a.SSERR(op, d, g.use(y, xtmp2))
		}
		g.finish(v, d)
		return nil
	}
}

// funop: d = op a (sqrt, demote, promote). d is cleared first so the
// result does not depend on d's old upper lanes.
func funop(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], xtmp1)
		g.a.SSERR(XORPS, d, d)
		g.a.SSERR(op, d, a)
		g.finish(v, d)
		return nil
	}
}

func fround(double bool, mode byte) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], xtmp1)
		g.a.Round(double, d, a, mode)
		g.finish(v, d)
		return nil
	}
}

// fminmax follows wasm: a NaN operand gives NaN; -0 < +0.
//
//	movaps d, a; ucomis a, b; jp nan; jne ordinary
//	or/andps d, b; jmp done         ; equal: ±0 gets the right sign
//	ordinary: min/max d, b; jmp done
//	nan: add d, b                   ; a quiet NaN from a or b
func fminmax(double, isMin bool) rule {
	ucom, op, add, bits := minMaxOps(double, isMin)
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		g.emitMinMax(ucom, op, add, bits, d, g.use(in.Args[0], xtmp1), g.use(in.Args[1], xtmp2))
		g.finish(v, d)
		return nil
	}
}

// minMaxOps picks emitMinMax's instructions for a width and operation.
func minMaxOps(double, isMin bool) (ucom, op, add, bits SSE) {
	ucom, op, add, bits = UCOMISS, MAXSS, ADDSS, ANDPS
	if double {
		ucom, op, add = UCOMISD, MAXSD, ADDSD
	}
	if isMin {
		op, bits = MINSS, ORPS
		if double {
			op = MINSD
		}
	}
	return
}

// emitMinMax computes d = min or max of a and b (d distinct from both).
func (g *gen) emitMinMax(ucom, op, add, bits SSE, d, a, b Reg) {
	g.a.SSERR(MOVAPS, d, a)
	g.a.SSERR(ucom, a, b)
	nan := g.a.Jcc32(CondP, 0)
	ordinary := g.a.Jcc32(CondNE, 0)
	g.a.SSERR(bits, d, b)
	done1 := g.a.Jmp32(0)
	g.a.PatchRel32(ordinary, g.a.Len())
	g.a.SSERR(op, d, b)
	done2 := g.a.Jmp32(0)
	g.a.PatchRel32(nan, g.a.Len())
	g.a.SSERR(add, d, b)
	g.a.PatchRel32(done1, g.a.Len())
	g.a.PatchRel32(done2, g.a.Len())
}

type signOp uint8

const (
	signAbs signOp = iota
	signNeg
	signCopy
)

// fsign manipulates the sign bit in a general register.
func fsign(double bool, op signOp) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], xtmp1)
		sign := uint64(1) << 31
		if double {
			sign = 1 << 63
		}
		g.a.MovXG(double, tmpA, a)
		g.a.MovImm(tmpR, sign)
		switch op {
		case signNeg:
			g.a.ALURR(XOR, double, tmpA, tmpR)
		case signAbs:
			g.a.UnaryR(NOT, double, tmpR)
			g.a.ALURR(AND, double, tmpA, tmpR)
		case signCopy:
			b := g.use(in.Args[1], xtmp2)
			g.a.MovXG(double, tmpC, b)
			g.a.ALURR(AND, double, tmpC, tmpR)
			g.a.UnaryR(NOT, double, tmpR)
			g.a.ALURR(AND, double, tmpA, tmpR)
			g.a.ALURR(OR, double, tmpA, tmpC)
		}
		g.a.MovGX(double, d, tmpA)
		g.finish(v, d)
		return nil
	}
}

type fcmp uint8

const (
	fEq fcmp = iota
	fNe
	fLt
	fGt
	fLe
	fGe
)

// fcompare: ordered comparisons come out false on NaN because ucomis sets
// ZF, PF and CF for unordered operands: a > b is "above" (CF=0, ZF=0) and
// a < b is b > a; eq needs ZF without PF, ne ZF=0 or PF.
func fcompare(double bool, c fcmp) rule {
	ucom := UCOMISS
	if double {
		ucom = UCOMISD
	}
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], xtmp1)
		b := g.use(in.Args[1], xtmp2)
		g.a.ALURR(XOR, false, d, d)
		switch c {
		case fEq, fNe:
			g.a.ALURR(XOR, false, tmpC, tmpC)
			g.a.SSERR(ucom, a, b)
			if c == fEq {
				g.a.Setcc(CondNP, tmpC)
				g.a.Setcc(CondE, d)
				g.a.ALURR(AND, false, d, tmpC)
			} else {
				g.a.Setcc(CondP, tmpC)
				g.a.Setcc(CondNE, d)
				g.a.ALURR(OR, false, d, tmpC)
			}
		case fGt:
			g.a.SSERR(ucom, a, b)
			g.a.Setcc(CondA, d)
		case fGe:
			g.a.SSERR(ucom, a, b)
			g.a.Setcc(CondAE, d)
		case fLt:
			g.a.SSERR(ucom, b, a)
			g.a.Setcc(CondA, d)
		case fLe:
			g.a.SSERR(ucom, b, a)
			g.a.Setcc(CondAE, d)
		}
		g.finish(v, d)
		return nil
	}
}

// reinterpret moves bits between a general and a vector register.
func reinterpret(w, toFloat bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		if toFloat {
			g.a.MovGX(w, d, g.use(in.Args[0], tmpD))
		} else {
			g.a.MovXG(w, d, g.use(in.Args[0], xtmp1))
		}
		g.finish(v, d)
		return nil
	}
}

// convertFromInt: signed sources convert directly (u32 as a zero-extended
// i64); u64 with the top bit set is halved with the low bit kept sticky,
// converted and doubled, which rounds correctly.
func convertFromInt(double, from64, signed bool) rule {
	add := ADDSS
	if double {
		add = ADDSD
	}
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		a := g.use(in.Args[0], tmpD)
		g.a.SSERR(XORPS, d, d)
		switch {
		case signed:
			g.a.CvtSI2F(double, from64, d, a)
		case !from64:
			g.a.MovRR(false, tmpA, a) // zero-extends
			g.a.CvtSI2F(double, true, d, tmpA)
		default:
			g.a.TestRR(true, a, a)
			big := g.a.Jcc32(CondS, 0)
			g.a.CvtSI2F(double, true, d, a)
			done := g.a.Jmp32(0)
			g.a.PatchRel32(big, g.a.Len())
			g.a.MovRR(true, tmpA, a)
			g.a.ShiftI(SHR, true, tmpA, 1)
			g.a.MovRR(true, tmpC, a)
			g.a.ALURI(AND, true, tmpC, 1)
			g.a.ALURR(OR, true, tmpA, tmpC)
			g.a.CvtSI2F(double, true, d, tmpA)
			g.a.SSERR(add, d, d)
			g.a.PatchRel32(done, g.a.Len())
		}
		g.finish(v, d)
		return nil
	}
}

// intRange is the target of a float-to-int truncation: x converts
// without overflow iff lo < x < hi (exclusive bounds, exact as float64).
type intRange struct {
	lo, hi     float64
	w, signed  bool
	minV, maxV uint64 // saturation values
}

var (
	rangeI32 = intRange{lo: -2147483649, hi: 2147483648, signed: true, minV: 0x80000000, maxV: 0x7fffffff}
	rangeU32 = intRange{lo: -1, hi: 4294967296, minV: 0, maxV: 0xffffffff}
	rangeI64 = intRange{lo: -9223372036854777856, hi: 9223372036854775808, w: true, signed: true,
		minV: 1 << 63, maxV: 1<<63 - 1}
	rangeU64 = intRange{lo: -1, hi: 18446744073709551616, w: true, minV: 0, maxV: math.MaxUint64}
)

// truncate converts a float to an integer toward zero. The trapping form
// runs after the IR's range checks, so only the conversion is emitted;
// the saturating form checks NaN and both bounds in float64 (a float32 is
// promoted exactly) and produces 0, min or max.
func truncate(double bool, to intRange, saturating bool) rule {
	return func(g *gen, in *ir.Instr) error {
		v := in.Results[0]
		d := g.out(v)
		g.emitTruncate(double, to, saturating, d, g.use(in.Args[0], xtmp1))
		g.finish(v, d)
		return nil
	}
}

// emitTruncate converts the float in a (xmm) to an integer in d (GPR);
// it uses xtmp0, xtmp1, xtmp2 and tmpR.
func (g *gen) emitTruncate(double bool, to intRange, saturating bool, d, a Reg) {
	x := a
	if !double {
		g.a.SSERR(XORPS, xtmp2, xtmp2)
		g.a.SSERR(CVTSS2SD, xtmp2, a)
		x = xtmp2
	}
	var exits []int
	if saturating {
		g.a.ALURR(XOR, false, d, d)
		g.a.SSERR(UCOMISD, x, x)
		exits = append(exits, g.a.Jcc32(CondP, 0)) // NaN → 0
		// x <= lo → min
		g.loadF64(xtmp0, to.lo)
		g.a.SSERR(UCOMISD, x, xtmp0)
		above := g.a.Jcc32(CondA, 0)
		g.a.MovImm(d, to.minV)
		exits = append(exits, g.a.Jmp32(0))
		g.a.PatchRel32(above, g.a.Len())
		// x >= hi → max
		g.loadF64(xtmp0, to.hi)
		g.a.SSERR(UCOMISD, xtmp0, x)
		below := g.a.Jcc32(CondA, 0)
		g.a.MovImm(d, to.maxV)
		exits = append(exits, g.a.Jmp32(0))
		g.a.PatchRel32(below, g.a.Len())
	}
	switch {
	case to.signed:
		g.a.CvttF2SI(true, to.w, d, x)
	case !to.w:
		g.a.CvttF2SI(true, true, d, x) // below 2^32: fits in i64
	default:
		// u64: below 2^63 convert directly, else subtract 2^63 and set
		// the top bit.
		g.loadF64(xtmp0, 9223372036854775808)
		g.a.SSERR(UCOMISD, x, xtmp0)
		big := g.a.Jcc32(CondAE, 0)
		g.a.CvttF2SI(true, true, d, x)
		done := g.a.Jmp32(0)
		g.a.PatchRel32(big, g.a.Len())
		g.a.SSERR(MOVAPS, xtmp1, x)
		g.a.SSERR(SUBSD, xtmp1, xtmp0)
		g.a.CvttF2SI(true, true, d, xtmp1)
		g.a.MovImm(tmpR, 1<<63)
		g.a.ALURR(XOR, true, d, tmpR)
		g.a.PatchRel32(done, g.a.Len())
	}
	for _, at := range exits {
		g.a.PatchRel32(at, g.a.Len())
	}
}

// loadF64 puts a float64 constant in x.
func (g *gen) loadF64(x Reg, f float64) {
	g.a.MovImm(tmpR, math.Float64bits(f))
	g.a.MovGX(true, x, tmpR)
}
