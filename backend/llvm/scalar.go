package llvm

import (
	"fmt"

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
	p := in.Op.Info().Props
	switch p.Shape {
	case ir.ShapeI32, ir.ShapeI64:
		return b.intOp(p, args)
	case ir.ShapeF32, ir.ShapeF64:
		return b.floatOp(p, args)
	}
	return b.simd(in, p, args)
}

// intPred is the icmp predicate of an integer comparison.
func intPred(base ir.Base, sign ir.Sign) string {
	pred := map[ir.Base]string{ir.BaseEq: "eq", ir.BaseNe: "ne", ir.BaseLt: "lt", ir.BaseGt: "gt", ir.BaseLe: "le", ir.BaseGe: "ge"}[base]
	switch sign {
	case ir.Signed:
		return "s" + pred
	case ir.Unsigned:
		return "u" + pred
	}
	return pred
}

// floatPred is the fcmp predicate of a float comparison: ordered except
// ne, which is true for NaN operands.
var floatPred = map[ir.Base]string{ir.BaseEq: "oeq", ir.BaseNe: "une", ir.BaseLt: "olt", ir.BaseGt: "ogt", ir.BaseLe: "ole", ir.BaseGe: "oge"}

// signLetter is "s" or "u", as LLVM intrinsic names spell signedness.
func signLetter(s ir.Sign) string {
	if s == ir.Signed {
		return "s"
	}
	return "u"
}

// intOp translates the scalar integer instructions.
func (b *funcBuilder) intOp(p ir.Props, a []value) (value, error) {
	t := tI32
	bits := int64(32)
	if p.Shape == ir.ShapeI64 {
		t, bits = tI64, 64
	}
	c := b.cur
	switch p.Base {
	case ir.BaseEqz:
		return b.bool32(c.NewICmp("eq", a[0], constInt(t, 0))), nil
	case ir.BaseEq, ir.BaseNe, ir.BaseLt, ir.BaseGt, ir.BaseLe, ir.BaseGe:
		return b.bool32(c.NewICmp(intPred(p.Base, p.Sign), a[0], a[1])), nil
	case ir.BaseClz, ir.BaseCtz:
		name := map[ir.Base]string{ir.BaseClz: "ctlz", ir.BaseCtz: "cttz"}[p.Base]
		f := b.m.intrinsic(fmt.Sprintf("llvm.%s.i%d", name, bits), t, t, tI1)
		return c.NewCall(f, a[0], falseC), nil // false: defined for zero
	case ir.BasePopcnt:
		return c.NewCall(b.m.intrinsic(fmt.Sprintf("llvm.ctpop.i%d", bits), t, t), a[0]), nil
	case ir.BaseAdd:
		return c.NewAdd(a[0], a[1]), nil
	case ir.BaseSub:
		return c.NewSub(a[0], a[1]), nil
	case ir.BaseMul:
		return c.NewMul(a[0], a[1]), nil
	// Division and remainder run only after the IR's trap_if checks for a
	// zero divisor and signed overflow; rem_s by -1 was rewritten to rem_s
	// by 1 during lowering, so none of these is undefined in LLVM.
	case ir.BaseDiv:
		if p.Sign == ir.Signed {
			return c.NewSDiv(a[0], a[1]), nil
		}
		return c.NewUDiv(a[0], a[1]), nil
	case ir.BaseRem:
		if p.Sign == ir.Signed {
			return c.NewSRem(a[0], a[1]), nil
		}
		return c.NewURem(a[0], a[1]), nil
	case ir.BaseAnd:
		return c.NewAnd(a[0], a[1]), nil
	case ir.BaseOr:
		return c.NewOr(a[0], a[1]), nil
	case ir.BaseXor:
		return c.NewXor(a[0], a[1]), nil
	// Shift counts are taken modulo the width, as wasm specifies; an
	// unmasked count >= width would be poison in LLVM.
	case ir.BaseShl:
		return c.NewShl(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
	case ir.BaseShr:
		if p.Sign == ir.Signed {
			return c.NewAShr(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
		}
		return c.NewLShr(a[0], c.NewAnd(a[1], constInt(t, bits-1))), nil
	case ir.BaseRotl, ir.BaseRotr:
		// Funnel shifts take the count modulo the width themselves.
		name := fmt.Sprintf("llvm.%s.i%d", map[ir.Base]string{ir.BaseRotl: "fshl", ir.BaseRotr: "fshr"}[p.Base], bits)
		return c.NewCall(b.m.intrinsic(name, t, t, t, t), a[0], a[0], a[1]), nil
	case ir.BaseWrap:
		return c.NewTrunc(a[0], tI32), nil
	case ir.BaseExtend:
		if p.Sign == ir.Signed {
			return c.NewSExt(a[0], tI64), nil
		}
		return c.NewZExt(a[0], tI64), nil
	case ir.BaseSignExtend:
		return c.NewSExt(c.NewTrunc(a[0], intType(uint64(p.Width))), t), nil
	case ir.BaseReinterpret:
		return c.NewBitCast(a[0], t), nil
	case ir.BaseTruncToInt:
		// Range and NaN were checked by the IR's trap_if.
		if p.Sign == ir.Signed {
			return c.NewFPToSI(a[0], t), nil
		}
		return c.NewFPToUI(a[0], t), nil
	case ir.BaseTruncSat:
		from := a[0].Type()
		name := fmt.Sprintf("llvm.fpto%si.sat.i%d.%s", signLetter(p.Sign), bits, scalarSuffix(from))
		return c.NewCall(b.m.intrinsic(name, t, from), a[0]), nil
	}
	return value{}, fmt.Errorf("unsupported integer operation")
}

// floatOp translates the scalar float instructions.
func (b *funcBuilder) floatOp(p ir.Props, a []value) (value, error) {
	var t *llType = tFloat
	it := tI32
	if p.Shape == ir.ShapeF64 {
		t, it = tDouble, tI64
	}
	c := b.cur
	switch p.Base {
	case ir.BaseEq, ir.BaseNe, ir.BaseLt, ir.BaseGt, ir.BaseLe, ir.BaseGe:
		return b.bool32(c.NewFCmp(floatPred[p.Base], a[0], a[1])), nil
	case ir.BaseAdd, ir.BaseSub, ir.BaseMul, ir.BaseDiv:
		return b.floatArith(p.Base, a[0], a[1]), nil
	case ir.BaseNeg:
		return c.NewFNeg(a[0]), nil
	case ir.BaseAbs, ir.BaseCeil, ir.BaseFloor, ir.BaseTrunc, ir.BaseNearest, ir.BaseSqrt:
		return b.floatUnary(p.Base, a[0]), nil
	case ir.BaseCopysign:
		name := "llvm.copysign." + scalarSuffix(t)
		return c.NewCall(b.m.intrinsic(name, t, t, t), a[0], a[1]), nil
	case ir.BaseMin, ir.BaseMax:
		return b.wasmMinMax(p.Base == ir.BaseMin, a[0], a[1], it), nil
	case ir.BaseConvert:
		if p.Sign == ir.Signed {
			return c.NewSIToFP(a[0], t), nil
		}
		return c.NewUIToFP(a[0], t), nil
	case ir.BaseDemote:
		return b.floatConvert("fptrunc", a[0], tFloat), nil
	case ir.BasePromote:
		return b.floatConvert("fpext", a[0], tDouble), nil
	case ir.BaseReinterpret:
		return c.NewBitCast(a[0], t), nil
	}
	return value{}, fmt.Errorf("unsupported float operation")
}

// floatUnary applies the LLVM intrinsic for a wasm unary float operation
// to a scalar or vector.
func (b *funcBuilder) floatUnary(op ir.Base, x value) value {
	name := map[ir.Base]string{ir.BaseAbs: "fabs", ir.BaseCeil: "ceil", ir.BaseFloor: "floor", ir.BaseTrunc: "trunc",
		ir.BaseNearest: "roundeven", ir.BaseSqrt: "sqrt"}[op]
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
	r := c.NewSelect(eq, zero, b.floatArith(ir.BaseAdd, x, y))
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

var constrainedArith = map[ir.Base]string{ir.BaseAdd: "fadd", ir.BaseSub: "fsub", ir.BaseMul: "fmul", ir.BaseDiv: "fdiv"}

// floatArith computes x op y (op: add, sub, mul, div) on floats or float
// vectors.
func (b *funcBuilder) floatArith(op ir.Base, x, y value) value {
	t := x.Type()
	name := "llvm.experimental.constrained." + constrainedArith[op] + "." + typeSuffix(t)
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
