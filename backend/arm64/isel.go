package arm64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// This file selects instructions for constants and the pure scalar
// operations, as rules: one table per shape of operation (binary integer,
// comparison, float binary, float unary, conversion), each entry naming the
// machine form. The semantics are wasm's exactly (lower/numeric is the
// reference); the notes on each table say why the AArch64 form agrees.

// intBinary are the two-operand integer operations with one machine
// instruction each (or two, for rotl and rem). Shifts and rotates use
// the count modulo the width, as wasm does; div/rem operands have been
// checked by trap_if before (see lower/ir).
var intBinary = map[wasm.Opcode]struct {
	x    bool
	emit func(a *Asm, x bool, rd, rn, rm Reg)
}{
	wasm.OpI32Add: {false, addReg(ADD)}, wasm.OpI64Add: {true, addReg(ADD)},
	wasm.OpI32Sub: {false, addReg(SUB)}, wasm.OpI64Sub: {true, addReg(SUB)},
	wasm.OpI32Mul: {false, (*Asm).Mul}, wasm.OpI64Mul: {true, (*Asm).Mul},
	wasm.OpI32And: {false, logicReg(AND)}, wasm.OpI64And: {true, logicReg(AND)},
	wasm.OpI32Or: {false, logicReg(ORR)}, wasm.OpI64Or: {true, logicReg(ORR)},
	wasm.OpI32Xor: {false, logicReg(EOR)}, wasm.OpI64Xor: {true, logicReg(EOR)},
	wasm.OpI32Shl: {false, dp2(LSLV)}, wasm.OpI64Shl: {true, dp2(LSLV)},
	wasm.OpI32ShrS: {false, dp2(ASRV)}, wasm.OpI64ShrS: {true, dp2(ASRV)},
	wasm.OpI32ShrU: {false, dp2(LSRV)}, wasm.OpI64ShrU: {true, dp2(LSRV)},
	wasm.OpI32Rotr: {false, dp2(RORV)}, wasm.OpI64Rotr: {true, dp2(RORV)},
	wasm.OpI32Rotl: {false, rotl}, wasm.OpI64Rotl: {true, rotl},
	wasm.OpI32DivS: {false, dp2(SDIV)}, wasm.OpI64DivS: {true, dp2(SDIV)},
	wasm.OpI32DivU: {false, dp2(UDIV)}, wasm.OpI64DivU: {true, dp2(UDIV)},
	// rem = n - (n/m)*m; INT_MIN rem -1 gives INT_MIN - INT_MIN = 0.
	wasm.OpI32RemS: {false, rem(SDIV)}, wasm.OpI64RemS: {true, rem(SDIV)},
	wasm.OpI32RemU: {false, rem(UDIV)}, wasm.OpI64RemU: {true, rem(UDIV)},
}

func addReg(op AddSubImm) func(a *Asm, x bool, rd, rn, rm Reg) {
	return func(a *Asm, x bool, rd, rn, rm Reg) { a.AddSub(op, x, rd, rn, rm, LSL, 0) }
}

func logicReg(op Logic) func(a *Asm, x bool, rd, rn, rm Reg) {
	return func(a *Asm, x bool, rd, rn, rm Reg) { a.LogicReg(op, false, x, rd, rn, rm, LSL, 0) }
}

func dp2(op DP2) func(a *Asm, x bool, rd, rn, rm Reg) {
	return func(a *Asm, x bool, rd, rn, rm Reg) { a.DataProc2(op, x, rd, rn, rm) }
}

// rotl by n is rotr by -n (the count is taken modulo the width).
func rotl(a *Asm, x bool, rd, rn, rm Reg) {
	a.AddSub(SUB, x, regAddr, ZR, rm, LSL, 0)
	a.DataProc2(RORV, x, rd, rn, regAddr)
}

func rem(div DP2) func(a *Asm, x bool, rd, rn, rm Reg) {
	return func(a *Asm, x bool, rd, rn, rm Reg) {
		a.DataProc2(div, x, regAddr, rn, rm)
		a.Msub(x, rd, regAddr, rm, rn)
	}
}

// intCompare are the integer comparisons: CMP then CSET of the condition.
var intCompare = map[wasm.Opcode]struct {
	x    bool
	cond Cond
}{
	wasm.OpI32Eq: {false, EQ}, wasm.OpI32Ne: {false, NE},
	wasm.OpI32LtS: {false, LT}, wasm.OpI32LtU: {false, LO}, wasm.OpI32GtS: {false, GT}, wasm.OpI32GtU: {false, HI},
	wasm.OpI32LeS: {false, LE}, wasm.OpI32LeU: {false, LS}, wasm.OpI32GeS: {false, GE}, wasm.OpI32GeU: {false, HS},
	wasm.OpI64Eq: {true, EQ}, wasm.OpI64Ne: {true, NE},
	wasm.OpI64LtS: {true, LT}, wasm.OpI64LtU: {true, LO}, wasm.OpI64GtS: {true, GT}, wasm.OpI64GtU: {true, HI},
	wasm.OpI64LeS: {true, LE}, wasm.OpI64LeU: {true, LS}, wasm.OpI64GeS: {true, GE}, wasm.OpI64GeU: {true, HS},
}

// floatCompare are the float comparisons: FCMP then CSET. An unordered
// comparison sets C and V: MI, LS, GT and GE are false then, and NE is
// true, exactly wasm's results with a NaN operand.
var floatCompare = map[wasm.Opcode]struct {
	double bool
	cond   Cond
}{
	wasm.OpF32Eq: {false, EQ}, wasm.OpF32Ne: {false, NE}, wasm.OpF32Lt: {false, MI},
	wasm.OpF32Gt: {false, GT}, wasm.OpF32Le: {false, LS}, wasm.OpF32Ge: {false, GE},
	wasm.OpF64Eq: {true, EQ}, wasm.OpF64Ne: {true, NE}, wasm.OpF64Lt: {true, MI},
	wasm.OpF64Gt: {true, GT}, wasm.OpF64Le: {true, LS}, wasm.OpF64Ge: {true, GE},
}

// floatBinary are the float arithmetic operations. FMIN/FMAX return a NaN
// when either operand is one and order -0 below +0, as wasm's min/max do;
// generated NaNs are the default NaN, which is wasm's canonical NaN, and
// propagated ones are quieted (arithmetic NaNs).
var floatBinary = map[wasm.Opcode]struct {
	double bool
	op     FP2
}{
	wasm.OpF32Add: {false, FADD}, wasm.OpF32Sub: {false, FSUB}, wasm.OpF32Mul: {false, FMUL}, wasm.OpF32Div: {false, FDIV},
	wasm.OpF32Min: {false, FMIN}, wasm.OpF32Max: {false, FMAX},
	wasm.OpF64Add: {true, FADD}, wasm.OpF64Sub: {true, FSUB}, wasm.OpF64Mul: {true, FMUL}, wasm.OpF64Div: {true, FDIV},
	wasm.OpF64Min: {true, FMIN}, wasm.OpF64Max: {true, FMAX},
}

// floatUnary are the one-operand float operations. FABS and FNEG only
// change the sign bit (NaN payloads kept, as wasm's abs/neg); FRINTN
// rounds ties to even (nearest), FRINTP/M/Z are ceil, floor, trunc.
var floatUnary = map[wasm.Opcode]struct {
	double bool
	op     FP1
}{
	wasm.OpF32Abs: {false, FABS}, wasm.OpF32Neg: {false, FNEG}, wasm.OpF32Sqrt: {false, FSQRT},
	wasm.OpF32Ceil: {false, FRINTP}, wasm.OpF32Floor: {false, FRINTM}, wasm.OpF32Trunc: {false, FRINTZ}, wasm.OpF32Nearest: {false, FRINTN},
	wasm.OpF64Abs: {true, FABS}, wasm.OpF64Neg: {true, FNEG}, wasm.OpF64Sqrt: {true, FSQRT},
	wasm.OpF64Ceil: {true, FRINTP}, wasm.OpF64Floor: {true, FRINTM}, wasm.OpF64Trunc: {true, FRINTZ}, wasm.OpF64Nearest: {true, FRINTN},
	// Demote/promote: FCVT (double is the source precision). NaNs come
	// out quieted, an arithmetic NaN as wasm allows.
	wasm.OpF32DemoteF64: {true, FCVT}, wasm.OpF64PromoteF32: {false, FCVT},
}

// conversions between general and SIMD&FP registers. FCVTZS/FCVTZU round
// toward zero and saturate, with NaN giving 0: exactly trunc_sat, and the
// trapping truncations have been range-checked by trap_if before.
// SCVTF/UCVTF round to nearest even under the default FPCR.
var conversions = map[wasm.Opcode]struct {
	op        FPInt
	x, double bool
}{
	wasm.OpI32TruncF32S: {FCVTZS, false, false}, wasm.OpI32TruncF32U: {FCVTZU, false, false},
	wasm.OpI32TruncF64S: {FCVTZS, false, true}, wasm.OpI32TruncF64U: {FCVTZU, false, true},
	wasm.OpI64TruncF32S: {FCVTZS, true, false}, wasm.OpI64TruncF32U: {FCVTZU, true, false},
	wasm.OpI64TruncF64S: {FCVTZS, true, true}, wasm.OpI64TruncF64U: {FCVTZU, true, true},
	wasm.OpI32TruncSatF32S: {FCVTZS, false, false}, wasm.OpI32TruncSatF32U: {FCVTZU, false, false},
	wasm.OpI32TruncSatF64S: {FCVTZS, false, true}, wasm.OpI32TruncSatF64U: {FCVTZU, false, true},
	wasm.OpI64TruncSatF32S: {FCVTZS, true, false}, wasm.OpI64TruncSatF32U: {FCVTZU, true, false},
	wasm.OpI64TruncSatF64S: {FCVTZS, true, true}, wasm.OpI64TruncSatF64U: {FCVTZU, true, true},
	wasm.OpF32ConvertI32S: {SCVTF, false, false}, wasm.OpF32ConvertI32U: {UCVTF, false, false},
	wasm.OpF32ConvertI64S: {SCVTF, true, false}, wasm.OpF32ConvertI64U: {UCVTF, true, false},
	wasm.OpF64ConvertI32S: {SCVTF, false, true}, wasm.OpF64ConvertI32U: {UCVTF, false, true},
	wasm.OpF64ConvertI64S: {SCVTF, true, true}, wasm.OpF64ConvertI64U: {UCVTF, true, true},
	wasm.OpI32ReinterpretF32: {FMOVtoGP, false, false}, wasm.OpI64ReinterpretF64: {FMOVtoGP, true, true},
	wasm.OpF32ReinterpretI32: {FMOVtoFP, false, false}, wasm.OpF64ReinterpretI64: {FMOVtoFP, true, true},
}

// intUnary are the one-operand integer operations.
var intUnary = map[wasm.Opcode]struct {
	x    bool
	emit func(a *Asm, x bool, rd, rn Reg)
}{
	wasm.OpI32Clz: {false, dp1(CLZ)}, wasm.OpI64Clz: {true, dp1(CLZ)},
	wasm.OpI32Ctz: {false, ctz}, wasm.OpI64Ctz: {true, ctz},
	wasm.OpI32Popcnt: {false, popcnt}, wasm.OpI64Popcnt: {true, popcnt},
	wasm.OpI32Eqz: {false, eqz}, wasm.OpI64Eqz: {true, eqz},
	wasm.OpI32Extend8S: {false, extendS(1)}, wasm.OpI32Extend16S: {false, extendS(2)},
	wasm.OpI64Extend8S: {true, extendS(1)}, wasm.OpI64Extend16S: {true, extendS(2)}, wasm.OpI64Extend32S: {true, extendS(4)},
	wasm.OpI64ExtendI32S: {true, extendS(4)},
	// A 32-bit move clears the upper half: wrap and zero-extension.
	wasm.OpI64ExtendI32U: {false, mov}, wasm.OpI32WrapI64: {false, mov},
}

func dp1(op DP1) func(a *Asm, x bool, rd, rn Reg) {
	return func(a *Asm, x bool, rd, rn Reg) { a.DataProc1(op, x, rd, rn) }
}

func ctz(a *Asm, x bool, rd, rn Reg) {
	a.DataProc1(RBIT, x, rd, rn)
	a.DataProc1(CLZ, x, rd, rd)
}

// popcnt counts per byte in a vector register and sums the bytes.
func popcnt(a *Asm, x bool, rd, rn Reg) {
	a.FPConvert(FMOVtoFP, x, x, vTmp0, rn)
	a.Cnt8B(vTmp0, vTmp0)
	a.Addv8B(vTmp0, vTmp0)
	a.FPConvert(FMOVtoGP, false, false, rd, vTmp0)
}

func eqz(a *Asm, x bool, rd, rn Reg) {
	a.AddImm(SUBS, x, ZR, rn, 0)
	a.Cset(false, rd, EQ)
}

func extendS(from int) func(a *Asm, x bool, rd, rn Reg) {
	return func(a *Asm, x bool, rd, rn Reg) { a.Extend(true, x, rd, rn, from) }
}

func mov(a *Asm, x bool, rd, rn Reg) { a.Mov(x, rd, rn) }

// pure emits a constant or pure scalar operation.
func (g *funcGen) pure(in *ir.Instr) error {
	a := g.a
	op := wasm.Opcode(in.Op)
	if in.IsConst() {
		return g.constant(in)
	}
	if !in.Op.Info().IsWasm || len(in.Results) != 1 {
		return fmt.Errorf("unsupported operation")
	}
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	if handled, err := g.simd(in); handled || err != nil {
		return err
	}
	if r, ok := intBinary[op]; ok {
		rn, rm := g.get(in.Args[0], regTmp0), g.get(in.Args[1], regTmp1)
		rd := g.dst(res)
		r.emit(a, r.x, rd, rn, rm)
		g.put(res, rd)
		return nil
	}
	if r, ok := intCompare[op]; ok {
		rn, rm := g.get(in.Args[0], regTmp0), g.get(in.Args[1], regTmp1)
		a.AddSub(SUBS, r.x, ZR, rn, rm, LSL, 0)
		rd := g.dst(res)
		a.Cset(false, rd, r.cond)
		g.put(res, rd)
		g.flags = flagState{valid: true, v: res, cond: r.cond}
		return nil
	}
	if r, ok := intUnary[op]; ok {
		rn := g.get(in.Args[0], regTmp0)
		rd := g.dst(res)
		r.emit(a, r.x, rd, rn)
		g.put(res, rd)
		if op == wasm.OpI32Eqz || op == wasm.OpI64Eqz {
			g.flags = flagState{valid: true, v: res, cond: EQ}
		}
		return nil
	}
	if r, ok := floatCompare[op]; ok {
		rn, rm := g.get(in.Args[0], vTmp0), g.get(in.Args[1], vTmp1)
		a.Fcmp(r.double, rn, rm)
		rd := g.dst(res)
		a.Cset(false, rd, r.cond)
		g.put(res, rd)
		g.flags = flagState{valid: true, v: res, cond: r.cond}
		return nil
	}
	if r, ok := floatBinary[op]; ok {
		rn, rm := g.get(in.Args[0], vTmp0), g.get(in.Args[1], vTmp1)
		rd := g.dst(res)
		a.FPOp2(r.op, r.double, rd, rn, rm)
		g.put(res, rd)
		return nil
	}
	if r, ok := floatUnary[op]; ok {
		rn := g.get(in.Args[0], vTmp0)
		rd := g.dst(res)
		a.FPOp1(r.op, r.double, rd, rn)
		g.put(res, rd)
		return nil
	}
	if r, ok := conversions[op]; ok {
		scratch := regTmp0
		if r.op == FCVTZS || r.op == FCVTZU || r.op == FMOVtoGP {
			scratch = vTmp0
		}
		rn := g.get(in.Args[0], scratch)
		rd := g.dst(res)
		a.FPConvert(r.op, r.x, r.double, rd, rn)
		g.put(res, rd)
		return nil
	}
	switch op {
	case wasm.OpF32Copysign, wasm.OpF64Copysign:
		// Bitwise: magnitude of the first, sign of the second.
		double := op == wasm.OpF64Copysign
		sign := uint64(1) << 31
		if double {
			sign = 1 << 63
		}
		rn, rm := g.get(in.Args[0], vTmp0), g.get(in.Args[1], vTmp1)
		a.FPConvert(FMOVtoGP, double, double, regTmp0, rn)
		a.FPConvert(FMOVtoGP, double, double, regTmp1, rm)
		a.LogicImm(AND, double, regTmp0, regTmp0, ^sign)
		a.LogicImm(AND, double, regTmp1, regTmp1, sign)
		a.LogicReg(ORR, false, double, regTmp0, regTmp0, regTmp1, LSL, 0)
		rd := g.dst(res)
		a.FPConvert(FMOVtoFP, double, double, rd, regTmp0)
		g.put(res, rd)
		return nil
	}
	return fmt.Errorf("unsupported operation (the arm64 back end does not generate it yet)")
}

// constant materialises a scalar constant.
func (g *funcGen) constant(in *ir.Instr) error {
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	rd := g.dst(res)
	switch g.f.Types[res] {
	case ir.I32:
		g.a.MovImm(false, rd, in.Const)
	case ir.I64:
		g.a.MovImm(true, rd, in.Const)
	case ir.F32:
		g.a.MovImm(false, regTmp0, in.Const)
		g.a.FPConvert(FMOVtoFP, false, false, rd, regTmp0)
	case ir.F64:
		g.a.MovImm(true, regTmp0, in.Const)
		g.a.FPConvert(FMOVtoFP, true, true, rd, regTmp0)
	case ir.V128:
		g.vconst(rd, in.Const, in.ConstHi)
	default:
		return fmt.Errorf("unsupported constant type %v", g.f.Types[res])
	}
	g.put(res, rd)
	return nil
}
