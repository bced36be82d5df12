package llvm

import (
	"fmt"
	"strings"

	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// shapeType returns the LLVM vector type of a lane shape ("i8x16", …).
func shapeType(shape string) (*types.VectorType, bool) {
	switch shape {
	case "i8x16":
		return types.NewVector(16, types.I8), true
	case "i16x8":
		return types.NewVector(8, types.I16), true
	case "i32x4":
		return types.NewVector(4, types.I32), true
	case "i64x2", "v128":
		return types.NewVector(2, types.I64), true
	case "f32x4":
		return types.NewVector(4, types.Float), true
	case "f64x2":
		return types.NewVector(2, types.Double), true
	}
	return nil, false
}

// intVec is the integer vector type with the lane width of v's type.
func intVec(vt *types.VectorType) *types.VectorType {
	switch vt.ElemType {
	case types.Float:
		return types.NewVector(vt.Len, types.I32)
	case types.Double:
		return types.NewVector(vt.Len, types.I64)
	}
	return vt
}

// as bitcasts v to t if it is not of that type already.
func (b *funcBuilder) as(v value.Value, t types.Type) value.Value {
	if v.Type().Equal(t) {
		return v
	}
	return b.cur.NewBitCast(v, t)
}

func (b *funcBuilder) toV128(v value.Value) value.Value { return b.as(v, v128Type) }

func zeroOf(t types.Type) constant.Constant { return constant.NewZeroInitializer(t) }

// splat builds an n-lane vector with every lane s.
func (b *funcBuilder) splat(s value.Value, n uint64) value.Value {
	vt := types.NewVector(n, s.Type())
	one := b.cur.NewInsertElement(constant.NewUndef(vt), s, i32c(0))
	return b.cur.NewShuffleVector(one, constant.NewUndef(vt), zeroOf(types.NewVector(n, types.I32)))
}

// splatConst is a constant vector of vt with every lane x.
func splatConst(vt *types.VectorType, x int64) constant.Constant {
	elems := make([]constant.Constant, vt.Len)
	for i := range elems {
		elems[i] = constant.NewInt(vt.ElemType.(*types.IntType), x)
	}
	return constant.NewVector(vt, elems...)
}

// lanes is a shufflevector mask.
func lanes(idx ...int) constant.Constant {
	elems := make([]constant.Constant, len(idx))
	for i, x := range idx {
		elems[i] = i32c(int64(x))
	}
	return constant.NewVector(types.NewVector(uint64(len(idx)), types.I32), elems...)
}

// laneRange is the mask start, start+step, … with n lanes.
func laneRange(start, step, n int) constant.Constant {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = start + i*step
	}
	return lanes(idx...)
}

// vecIntrinsic calls an overloaded intrinsic whose result and operands
// all have type t (e.g. llvm.smin.v16i8).
func (b *funcBuilder) vecIntrinsic(base string, t types.Type, args ...value.Value) value.Value {
	ps := make([]types.Type, len(args))
	for i, a := range args {
		ps[i] = a.Type()
	}
	return b.cur.NewCall(b.m.intrinsic("llvm."+base+"."+typeSuffix(t), t, ps...), args...)
}

// simd translates a v128 instruction; shape is the part of its name before
// the dot and op the rest.
func (b *funcBuilder) simd(in *ir.Instr, shape, op string, a []value.Value) (value.Value, error) {
	vt, ok := shapeType(shape)
	if !ok {
		return nil, fmt.Errorf("unsupported operation")
	}
	c := b.cur
	if shape == "v128" {
		return b.bitwise(op, a)
	}
	isFloat := vt.ElemType == types.Float || vt.ElemType == types.Double
	// Lane operations first: their operands are not all vectors.
	switch op {
	case "splat":
		s := a[0]
		if et := vt.ElemType; !s.Type().Equal(et) {
			s = c.NewTrunc(s, et)
		}
		return b.toV128(b.splat(s, vt.Len)), nil
	case "extract_lane", "extract_lane_s", "extract_lane_u":
		e := c.NewExtractElement(b.as(a[0], vt), i32c(int64(in.Lane)))
		switch op {
		case "extract_lane_s":
			return c.NewSExt(e, types.I32), nil
		case "extract_lane_u":
			return c.NewZExt(e, types.I32), nil
		}
		return e, nil
	case "replace_lane":
		s := a[1]
		if et := vt.ElemType; !s.Type().Equal(et) {
			s = c.NewTrunc(s, et)
		}
		return b.toV128(c.NewInsertElement(b.as(a[0], vt), s, i32c(int64(in.Lane)))), nil
	case "shuffle":
		idx := make([]int, 16)
		for i := range idx {
			w := in.Const
			if i >= 8 {
				w = in.ConstHi
			}
			idx[i] = int(byte(w >> (8 * (i % 8))))
		}
		return b.toV128(c.NewShuffleVector(b.as(a[0], vt), b.as(a[1], vt), lanes(idx...))), nil
	case "swizzle":
		return b.swizzle(b.as(a[0], vt), b.as(a[1], vt)), nil
	case "shl", "shr_s", "shr_u":
		bits := int64(vt.ElemType.(*types.IntType).BitSize)
		n := c.NewAnd(a[1], i32c(bits-1))
		var s value.Value = n
		switch {
		case bits < 32:
			s = c.NewTrunc(n, vt.ElemType)
		case bits > 32:
			s = c.NewZExt(n, vt.ElemType)
		}
		x, sv := b.as(a[0], vt), b.splat(s, vt.Len)
		switch op {
		case "shl":
			return b.toV128(c.NewShl(x, sv)), nil
		case "shr_s":
			return b.toV128(c.NewAShr(x, sv)), nil
		}
		return b.toV128(c.NewLShr(x, sv)), nil
	case "all_true":
		nz := c.NewICmp(enum.IPredNE, b.as(a[0], vt), zeroOf(vt))
		all := b.vecReduce("and", nz)
		return c.NewZExt(all, types.I32), nil
	case "bitmask":
		neg := c.NewICmp(enum.IPredSLT, b.as(a[0], vt), zeroOf(vt))
		mask := c.NewBitCast(neg, types.NewInt(vt.Len))
		if vt.Len < 32 {
			return c.NewZExt(mask, types.I32), nil
		}
		return mask, nil
	}
	args := make([]value.Value, len(a))
	for i, x := range a {
		args[i] = b.as(x, vt)
	}
	var v value.Value
	var err error
	if isFloat {
		v, err = b.simdFloat(vt, op, args)
	} else {
		v, err = b.simdInt(vt, op, args, a)
	}
	if err != nil {
		return nil, err
	}
	return b.toV128(v), nil
}

// vecReduce reduces an i1 vector with and/or.
func (b *funcBuilder) vecReduce(op string, v value.Value) value.Value {
	vt := v.Type()
	name := "llvm.vector.reduce." + op + "." + typeSuffix(vt)
	return b.cur.NewCall(b.m.intrinsic(name, types.I1, vt), v)
}

// bitwise translates the v128.* instructions.
func (b *funcBuilder) bitwise(op string, a []value.Value) (value.Value, error) {
	c := b.cur
	ones := splatConst(v128Type, -1)
	switch op {
	case "not":
		return c.NewXor(a[0], ones), nil
	case "and":
		return c.NewAnd(a[0], a[1]), nil
	case "andnot":
		return c.NewAnd(a[0], c.NewXor(a[1], ones)), nil
	case "or":
		return c.NewOr(a[0], a[1]), nil
	case "xor":
		return c.NewXor(a[0], a[1]), nil
	case "bitselect":
		return c.NewOr(c.NewAnd(a[0], a[2]), c.NewAnd(a[1], c.NewXor(a[2], ones))), nil
	case "any_true":
		wide := c.NewBitCast(a[0], types.I128)
		return c.NewZExt(c.NewICmp(enum.IPredNE, wide, constant.NewInt(types.I128, 0)), types.I32), nil
	}
	return nil, fmt.Errorf("unsupported operation")
}

// swizzle selects bytes of x by the indices in idx; an index >= 16 gives 0.
func (b *funcBuilder) swizzle(x, idx value.Value) value.Value {
	vt := x.Type()
	if b.m.t.Arch == "arm64" {
		// TBL yields 0 for out-of-range indices, as wasm wants.
		f := b.m.intrinsic("llvm.aarch64.neon.tbl1.v16i8", vt, vt, vt)
		return b.toV128(b.cur.NewCall(f, x, idx))
	}
	// PSHUFB zeroes a lane whose index has bit 7 set and otherwise uses the
	// low four bits; a saturating add of 0x70 maps 16..255 to >= 0x80 and
	// leaves 0..15 in the low nibble.
	biased := b.vecIntrinsic("uadd.sat", vt, idx, splatConst(vt.(*types.VectorType), 0x70))
	f := b.m.intrinsic("llvm.x86.ssse3.pshuf.b.128", vt, vt, vt)
	return b.toV128(b.cur.NewCall(f, x, biased))
}

// simdInt translates integer lane operations; raw holds the operands as
// they came (for the conversions whose input shape differs).
func (b *funcBuilder) simdInt(vt *types.VectorType, op string, a, raw []value.Value) (value.Value, error) {
	c := b.cur
	cmp := func(p enum.IPred) value.Value { return c.NewSExt(c.NewICmp(p, a[0], a[1]), vt) }
	switch op {
	case "eq":
		return cmp(enum.IPredEQ), nil
	case "ne":
		return cmp(enum.IPredNE), nil
	case "lt_s":
		return cmp(enum.IPredSLT), nil
	case "lt_u":
		return cmp(enum.IPredULT), nil
	case "gt_s":
		return cmp(enum.IPredSGT), nil
	case "gt_u":
		return cmp(enum.IPredUGT), nil
	case "le_s":
		return cmp(enum.IPredSLE), nil
	case "le_u":
		return cmp(enum.IPredULE), nil
	case "ge_s":
		return cmp(enum.IPredSGE), nil
	case "ge_u":
		return cmp(enum.IPredUGE), nil
	case "add":
		return c.NewAdd(a[0], a[1]), nil
	case "sub":
		return c.NewSub(a[0], a[1]), nil
	case "mul":
		return c.NewMul(a[0], a[1]), nil
	case "neg":
		return c.NewSub(zeroOf(vt), a[0]), nil
	case "abs":
		// false: abs(INT_MIN) is INT_MIN, not poison.
		f := b.m.intrinsic("llvm.abs."+typeSuffix(vt), vt, vt, types.I1)
		return c.NewCall(f, a[0], falseC), nil
	case "popcnt":
		return b.vecIntrinsic("ctpop", vt, a[0]), nil
	case "add_sat_s", "add_sat_u", "sub_sat_s", "sub_sat_u":
		name := map[string]string{"add_sat_s": "sadd.sat", "add_sat_u": "uadd.sat", "sub_sat_s": "ssub.sat", "sub_sat_u": "usub.sat"}[op]
		return b.vecIntrinsic(name, vt, a[0], a[1]), nil
	case "min_s", "min_u", "max_s", "max_u":
		name := map[string]string{"min_s": "smin", "min_u": "umin", "max_s": "smax", "max_u": "umax"}[op]
		return b.vecIntrinsic(name, vt, a[0], a[1]), nil
	case "avgr_u":
		wide := widen(vt)
		x, y := c.NewZExt(a[0], wide), c.NewZExt(a[1], wide)
		sum := c.NewAdd(c.NewAdd(x, y), splatConst(wide, 1))
		return c.NewTrunc(c.NewLShr(sum, splatConst(wide, 1)), vt), nil
	case "q15mulr_sat_s":
		wide := widen(vt)
		p := c.NewMul(c.NewSExt(a[0], wide), c.NewSExt(a[1], wide))
		r := c.NewAShr(c.NewAdd(p, splatConst(wide, 0x4000)), splatConst(wide, 15))
		r2 := b.vecIntrinsic("smin", wide, r, splatConst(wide, 0x7fff))
		return c.NewTrunc(r2, vt), nil
	case "dot_i16x8_s":
		src := types.NewVector(8, types.I16)
		x, y := c.NewSExt(b.as(raw[0], src), vt8x32), c.NewSExt(b.as(raw[1], src), vt8x32)
		p := c.NewMul(x, y)
		even := c.NewShuffleVector(p, constant.NewUndef(vt8x32), laneRange(0, 2, 4))
		odd := c.NewShuffleVector(p, constant.NewUndef(vt8x32), laneRange(1, 2, 4))
		return c.NewAdd(even, odd), nil
	}
	if from, sign, ok := convOperand(op, "narrow_"); ok {
		return b.narrow(vt, from, sign, raw), nil
	}
	if from, sign, ok := convOperand(op, "extend_low_"); ok {
		return b.extendHalf(vt, from, sign, raw[0], 0), nil
	}
	if from, sign, ok := convOperand(op, "extend_high_"); ok {
		return b.extendHalf(vt, from, sign, raw[0], 1), nil
	}
	if from, sign, ok := convOperand(op, "extmul_low_"); ok {
		return c.NewMul(b.extendHalf(vt, from, sign, raw[0], 0), b.extendHalf(vt, from, sign, raw[1], 0)), nil
	}
	if from, sign, ok := convOperand(op, "extmul_high_"); ok {
		return c.NewMul(b.extendHalf(vt, from, sign, raw[0], 1), b.extendHalf(vt, from, sign, raw[1], 1)), nil
	}
	if from, sign, ok := convOperand(op, "extadd_pairwise_"); ok {
		src, _ := shapeType(from)
		x := b.as(raw[0], src)
		ext := func(v value.Value) value.Value {
			if sign == "s" {
				return c.NewSExt(v, vt)
			}
			return c.NewZExt(v, vt)
		}
		n := int(vt.Len)
		even := c.NewShuffleVector(x, constant.NewUndef(src), laneRange(0, 2, n))
		odd := c.NewShuffleVector(x, constant.NewUndef(src), laneRange(1, 2, n))
		return c.NewAdd(ext(even), ext(odd)), nil
	}
	if from, sign, ok := convOperand(op, "trunc_sat_"); ok {
		// i32x4.trunc_sat_f32x4_{s,u} and i32x4.trunc_sat_f64x2_{s,u}_zero.
		src, _ := shapeType(from)
		out := types.NewVector(src.Len, types.I32)
		name := fmt.Sprintf("llvm.fpto%si.sat.%s.%s", sign, typeSuffix(out), typeSuffix(src))
		r := c.NewCall(b.m.intrinsic(name, out, src), b.as(raw[0], src))
		if src.Len == 2 {
			return c.NewShuffleVector(r, zeroOf(out), lanes(0, 1, 2, 3)), nil
		}
		return r, nil
	}
	return nil, fmt.Errorf("unsupported operation")
}

var vt8x32 = types.NewVector(8, types.I32)

// widen is vt with lanes of twice the width.
func widen(vt *types.VectorType) *types.VectorType {
	return types.NewVector(vt.Len, types.NewInt(2*vt.ElemType.(*types.IntType).BitSize))
}

// convOperand parses op names such as "narrow_i16x8_s" or
// "trunc_sat_f64x2_u_zero" into the source shape and signedness.
func convOperand(op, prefix string) (from, sign string, ok bool) {
	rest, ok := strings.CutPrefix(op, prefix)
	if !ok {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, "_zero")
	from, sign, ok = strings.Cut(rest, "_")
	return from, sign, ok && (sign == "s" || sign == "u")
}

// narrow packs the lanes of two vectors of shape from into vt with signed
// (s) or unsigned (u) saturation; the inputs are signed either way.
func (b *funcBuilder) narrow(vt *types.VectorType, from, sign string, raw []value.Value) value.Value {
	c := b.cur
	src, _ := shapeType(from)
	both := types.NewVector(vt.Len, src.ElemType)
	cat := c.NewShuffleVector(b.as(raw[0], src), b.as(raw[1], src), laneRange(0, 1, int(vt.Len)))
	bits := vt.ElemType.(*types.IntType).BitSize
	lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	if sign == "u" {
		lo, hi = 0, int64(1)<<bits-1
	}
	clamped := b.vecIntrinsic("smax", both, cat, splatConst(both, lo))
	clamped = b.vecIntrinsic("smin", both, clamped, splatConst(both, hi))
	return c.NewTrunc(clamped, vt)
}

// extendHalf widens the low (half 0) or high (half 1) lanes of a vector
// of shape from to vt.
func (b *funcBuilder) extendHalf(vt *types.VectorType, from, sign string, raw value.Value, half int) value.Value {
	c := b.cur
	src, _ := shapeType(from)
	n := int(vt.Len)
	part := c.NewShuffleVector(b.as(raw, src), constant.NewUndef(src), laneRange(half*n, 1, n))
	if sign == "s" {
		return c.NewSExt(part, vt)
	}
	return c.NewZExt(part, vt)
}

// simdFloat translates float lane operations.
func (b *funcBuilder) simdFloat(vt *types.VectorType, op string, a []value.Value) (value.Value, error) {
	c := b.cur
	it := intVec(vt)
	cmp := func(p enum.FPred) value.Value { return c.NewSExt(c.NewFCmp(p, a[0], a[1]), it) }
	switch op {
	case "eq":
		return cmp(enum.FPredOEQ), nil
	case "ne":
		return cmp(enum.FPredUNE), nil
	case "lt":
		return cmp(enum.FPredOLT), nil
	case "gt":
		return cmp(enum.FPredOGT), nil
	case "le":
		return cmp(enum.FPredOLE), nil
	case "ge":
		return cmp(enum.FPredOGE), nil
	case "add", "sub", "mul", "div":
		return b.floatArith(op, a[0], a[1]), nil
	case "neg":
		return c.NewFNeg(a[0]), nil
	case "abs", "ceil", "floor", "trunc", "nearest", "sqrt":
		return b.floatUnary(op, a[0]), nil
	case "min", "max":
		return b.wasmMinMax(op == "min", a[0], a[1], it), nil
	case "pmin": // b < a ? b : a
		return c.NewSelect(c.NewFCmp(enum.FPredOLT, a[1], a[0]), a[1], a[0]), nil
	case "pmax": // a < b ? b : a
		return c.NewSelect(c.NewFCmp(enum.FPredOLT, a[0], a[1]), a[1], a[0]), nil
	case "convert_i32x4_s", "convert_i32x4_u", "convert_low_i32x4_s", "convert_low_i32x4_u":
		src := types.NewVector(4, types.I32)
		x := b.as(a[0], src)
		if vt.Len == 2 {
			x = c.NewShuffleVector(x, constant.NewUndef(src), lanes(0, 1))
		}
		if strings.HasSuffix(op, "_s") {
			return c.NewSIToFP(x, vt), nil
		}
		return c.NewUIToFP(x, vt), nil
	case "demote_f64x2_zero":
		d := b.floatConvert("fptrunc", b.as(a[0], types.NewVector(2, types.Double)), types.NewVector(2, types.Float))
		return c.NewShuffleVector(d, zeroOf(d.Type()), lanes(0, 1, 2, 3)), nil
	case "promote_low_f32x4":
		src := types.NewVector(4, types.Float)
		lo := c.NewShuffleVector(b.as(a[0], src), constant.NewUndef(src), lanes(0, 1))
		return b.floatConvert("fpext", lo, vt), nil
	}
	return nil, fmt.Errorf("unsupported operation")
}
