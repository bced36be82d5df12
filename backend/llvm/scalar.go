package llvm

import (
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// constant translates t.const.
func (b *funcBuilder) constant(in *ir.Instr) value {
	switch in.Op.Info().Results[0] {
	case ir.I32:
		return i32c(int64(in.Const))
	case ir.I64:
		return i64c(int64(in.Const))
	case ir.F32:
		// Through the bits, so NaN payloads survive exactly.
		return bitsConst(tFloat, int64(in.Const))
	case ir.F64:
		return bitsConst(tDouble, int64(in.Const))
	default:
		return vecConst(v128Type, i64c(int64(in.Const)), i64c(int64(in.ConstHi)))
	}
}

// pure translates a numeric or SIMD instruction.
func (b *funcBuilder) pure(in *ir.Instr, args []value) (value, error) {
	name := in.Op.String()
	shape, op, _ := strings.Cut(name, ".")
	switch shape {
	case "i32", "i64":
		return b.intOp(shape, op, args)
	case "f32", "f64":
		return b.floatOp(shape, op, args)
	}
	return b.simd(in, shape, op, args)
}

// intOp translates the scalar integer instructions.
func (b *funcBuilder) intOp(shape, op string, a []value) (value, error) {
	t := tI32
	bits := int64(32)
	if shape == "i64" {
		t, bits = tI64, 64
	}
	c := b.cur
	bool32 := b.bool32
	cmp := func(p string) value { return bool32(c.NewICmp(p, a[0], a[1])) }
	switch op {
	case "eqz":
		return bool32(c.NewICmp("eq", a[0], constInt(t, 0))), nil
	case "eq":
		return cmp("eq"), nil
	case "ne":
		return cmp("ne"), nil
	case "lt_s":
		return cmp("slt"), nil
	case "lt_u":
		return cmp("ult"), nil
	case "gt_s":
		return cmp("sgt"), nil
	case "gt_u":
		return cmp("ugt"), nil
	case "le_s":
		return cmp("sle"), nil
	case "le_u":
		return cmp("ule"), nil
	case "ge_s":
		return cmp("sge"), nil
	case "ge_u":
		return cmp("uge"), nil
	case "clz", "ctz":
		f := b.m.intrinsic(fmt.Sprintf("llvm.%s.i%d", map[string]string{"clz": "ctlz", "ctz": "cttz"}[op], bits), t, t, tI1)
		return c.NewCall(f, a[0], falseC), nil // false: defined for zero
	case "popcnt":
		return c.NewCall(b.m.intrinsic(fmt.Sprintf("llvm.ctpop.i%d", bits), t, t), a[0]), nil
	case "add":
		return c.NewAdd(a[0], a[1]), nil
	case "sub":
		return c.NewSub(a[0], a[1]), nil
	case "mul":
		return c.NewMul(a[0], a[1]), nil
	// Division and remainder run only after the IR's trap_if checks for a
	// zero divisor and signed overflow; rem_s by -1 was rewritten to rem_s
	// by 1 during lowering, so none of these is undefined in LLVM.
	case "div_s":
		return c.NewSDiv(a[0], a[1]), nil
	case "div_u":
		return c.NewUDiv(a[0], a[1]), nil
	case "rem_s":
		return c.NewSRem(a[0], a[1]), nil
	case "rem_u":
		return c.NewURem(a[0], a[1]), nil
	case "and":
		return c.NewAnd(a[0], a[1]), nil
	case "or":
		return c.NewOr(a[0], a[1]), nil
	case "xor":
		return c.NewXor(a[0], a[1]), nil
	// Shift counts are taken modulo the width, as wasm specifies; an
	// unmasked count >= width would be poison in LLVM.
	case "shl":
		return c.NewShl(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
	case "shr_s":
		return c.NewAShr(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
	case "shr_u":
		return c.NewLShr(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
	case "rotl", "rotr":
		// Funnel shifts take the count modulo the width themselves.
		name := fmt.Sprintf("llvm.%s.i%d", map[string]string{"rotl": "fshl", "rotr": "fshr"}[op], bits)
		return c.NewCall(b.m.intrinsic(name, t, t, t, t), a[0], a[0], a[1]), nil
	case "wrap_i64":
		return c.NewTrunc(a[0], tI32), nil
	case "extend_i32_s":
		return c.NewSExt(a[0], tI64), nil
	case "extend_i32_u":
		return c.NewZExt(a[0], tI64), nil
	case "extend8_s", "extend16_s", "extend32_s":
		n := map[string]uint64{"extend8_s": 8, "extend16_s": 16, "extend32_s": 32}[op]
		return c.NewSExt(c.NewTrunc(a[0], intType(n)), t), nil
	case "reinterpret_f32", "reinterpret_f64":
		return c.NewBitCast(a[0], t), nil
	case "trunc_f32_s", "trunc_f64_s":
		// Range and NaN were checked by the IR's trap_if.
		return c.NewFPToSI(a[0], t), nil
	case "trunc_f32_u", "trunc_f64_u":
		return c.NewFPToUI(a[0], t), nil
	case "trunc_sat_f32_s", "trunc_sat_f64_s", "trunc_sat_f32_u", "trunc_sat_f64_u":
		sign := op[len(op)-1:]
		from := a[0].Type()
		name := fmt.Sprintf("llvm.fpto%si.sat.i%d.%s", sign, bits, scalarSuffix(from))
		return c.NewCall(b.m.intrinsic(name, t, from), a[0]), nil
	}
	return value{}, fmt.Errorf("unsupported integer operation")
}

// floatOp translates the scalar float instructions.
func (b *funcBuilder) floatOp(shape, op string, a []value) (value, error) {
	var t *llType = tFloat
	it := tI32
	if shape == "f64" {
		t, it = tDouble, tI64
	}
	c := b.cur
	cmp := func(p string) value { return b.bool32(c.NewFCmp(p, a[0], a[1])) }
	switch op {
	case "eq":
		return cmp("oeq"), nil
	case "ne":
		return cmp("une"), nil
	case "lt":
		return cmp("olt"), nil
	case "gt":
		return cmp("ogt"), nil
	case "le":
		return cmp("ole"), nil
	case "ge":
		return cmp("oge"), nil
	case "add", "sub", "mul", "div":
		return b.floatArith(op, a[0], a[1]), nil
	case "neg":
		return c.NewFNeg(a[0]), nil
	case "abs", "ceil", "floor", "trunc", "nearest", "sqrt":
		return b.floatUnary(op, a[0]), nil
	case "copysign":
		name := "llvm.copysign." + scalarSuffix(t)
		return c.NewCall(b.m.intrinsic(name, t, t, t), a[0], a[1]), nil
	case "min", "max":
		return b.wasmMinMax(op == "min", a[0], a[1], it), nil
	case "convert_i32_s", "convert_i64_s":
		return c.NewSIToFP(a[0], t), nil
	case "convert_i32_u", "convert_i64_u":
		return c.NewUIToFP(a[0], t), nil
	case "demote_f64":
		return b.floatConvert("fptrunc", a[0], tFloat), nil
	case "promote_f32":
		return b.floatConvert("fpext", a[0], tDouble), nil
	case "reinterpret_i32", "reinterpret_i64":
		return c.NewBitCast(a[0], t), nil
	}
	return value{}, fmt.Errorf("unsupported float operation")
}

// floatUnary applies the LLVM intrinsic for a wasm unary float operation
// to a scalar or vector.
func (b *funcBuilder) floatUnary(op string, x value) value {
	name := map[string]string{"abs": "fabs", "ceil": "ceil", "floor": "floor", "trunc": "trunc",
		"nearest": "roundeven", "sqrt": "sqrt"}[op]
	t := x.Type()
	return b.cur.NewCall(b.m.intrinsic("llvm."+name+"."+typeSuffix(t), t, t), x)
}

// wasmMinMax implements wasm's fmin/fmax on scalars or vectors: NaN if
// either operand is NaN, and -0 < +0. LLVM's minnum/maxnum return the
// other operand for a NaN, so they do not fit. llvm.minimum/maximum have
// exactly wasm's semantics and lower to AArch64's FMIN/FMAX, but LLVM 14
// cannot select them on x86, where the operation is expanded (it is the
// same-width integer type):
//
//	a < b ? a : b < a ? b : a == b ? (min: a|b, max: a&b on the bits) : a+b
//
// Equal operands differ only for ±0, where or-ing the bits yields -0 and
// and-ing yields +0; unordered operands reach a+b, a quiet NaN.
func (b *funcBuilder) wasmMinMax(isMin bool, x, y value, it *llType) value {
	c := b.cur
	t := x.Type()
	if b.m.t.Arch == "arm64" {
		name := map[bool]string{true: "minimum", false: "maximum"}[isMin]
		return b.vecIntrinsic(name, t, x, y)
	}
	first, second := c.NewFCmp("olt", x, y), c.NewFCmp("olt", y, x)
	if !isMin {
		first, second = c.NewFCmp("ogt", x, y), c.NewFCmp("ogt", y, x)
	}
	xi, yi := c.NewBitCast(x, it), c.NewBitCast(y, it)
	var zero value
	if isMin {
		zero = c.NewBitCast(c.NewOr(xi, yi), t)
	} else {
		zero = c.NewBitCast(c.NewAnd(xi, yi), t)
	}
	eq := c.NewFCmp("oeq", x, y)
	r := c.NewSelect(eq, zero, b.floatArith("add", x, y))
	r = c.NewSelect(second, y, r)
	return c.NewSelect(first, x, r)
}

// Float arithmetic and conversions use LLVM's constrained intrinsics with
// "fpexcept.maytrap". With plain fmul/fadd/fptrunc LLVM assumes signalling
// NaNs need no care and folds x*1, x/1, x+(-0), x-0, x*-1 and
// fptrunc(fpext x) to x or -x, which returns a signalling NaN where wasm
// requires a quiet (arithmetic) one. maytrap forbids exactly those folds
// and still lets unused operations be deleted; code generation is the
// ordinary instruction.

func (b *funcBuilder) fpMD(s string) value { return mdString(s) }

// floatArith computes x op y (op: add, sub, mul, div) on floats or float
// vectors.
func (b *funcBuilder) floatArith(op string, x, y value) value {
	t := x.Type()
	name := "llvm.experimental.constrained.f" + op + "." + typeSuffix(t)
	f := b.m.intrinsic(name, t, t, t, tMetadata, tMetadata)
	return b.cur.NewCall(f, x, y, b.fpMD("round.tonearest"), b.fpMD("fpexcept.maytrap"))
}

// floatConvert is fptrunc or fpext of a float or float vector x to t.
func (b *funcBuilder) floatConvert(op string, x value, t *llType) value {
	name := "llvm.experimental.constrained." + op + "." + typeSuffix(t) + "." + typeSuffix(x.Type())
	if op == "fpext" {
		f := b.m.intrinsic(name, t, x.Type(), tMetadata)
		return b.cur.NewCall(f, x, b.fpMD("fpexcept.maytrap"))
	}
	f := b.m.intrinsic(name, t, x.Type(), tMetadata, tMetadata)
	return b.cur.NewCall(f, x, b.fpMD("round.tonearest"), b.fpMD("fpexcept.maytrap"))
}

// scalarSuffix is the intrinsic name suffix of a scalar type: i32, f32…
func scalarSuffix(t *llType) string {
	switch t {
	case tFloat:
		return "f32"
	case tDouble:
		return "f64"
	}
	return t.String()
}

// typeSuffix is the overloaded-intrinsic suffix of a scalar or vector type.
func typeSuffix(t *llType) string {
	if t.kind == kindVector {
		return fmt.Sprintf("v%d%s", t.n, scalarSuffix(t.elem))
	}
	return scalarSuffix(t)
}
