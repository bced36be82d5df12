package llvm

import (
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// shapeType returns the LLVM vector type of a lane shape ("i8x16", …).
func shapeType(shape string) (*llType, bool) {
	switch shape {
	case "i8x16":
		return vecType(16, tI8), true
	case "i16x8":
		return vecType(8, tI16), true
	case "i32x4":
		return vecType(4, tI32), true
	case "i64x2", "v128":
		return vecType(2, tI64), true
	case "f32x4":
		return vecType(4, tFloat), true
	case "f64x2":
		return vecType(2, tDouble), true
	}
	return nil, false
}

// intVec is the integer vector type with the lane width of v's type.
func intVec(vt *llType) *llType {
	switch vt.elem {
	case tFloat:
		return vecType(vt.n, tI32)
	case tDouble:
		return vecType(vt.n, tI64)
	}
	return vt
}

// as bitcasts v to t if it is not of that type already.
func (b *funcBuilder) as(v value, t *llType) value {
	if v.Type() == t {
		return v
	}
	return b.cur.NewBitCast(v, t)
}

func (b *funcBuilder) toV128(v value) value { return b.as(v, v128Type) }

// splat builds an n-lane vector with every lane s.
func (b *funcBuilder) splat(s value, n uint64) value {
	vt := vecType(n, s.Type())
	one := b.cur.NewInsertElement(undefOf(vt), s, i32c(0))
	return b.cur.NewShuffleVector(one, undefOf(vt), zeroOf(vecType(n, tI32)))
}

// splatConst is a constant vector of vt with every lane x.
func splatConst(vt *llType, x int64) value {
	elems := make([]value, vt.n)
	for i := range elems {
		elems[i] = constInt(vt.elem, x)
	}
	return vecConst(vt, elems...)
}

// lanes is a shufflevector mask.
func lanes(idx ...int) value {
	elems := make([]value, len(idx))
	for i, x := range idx {
		elems[i] = i32c(int64(x))
	}
	return vecConst(vecType(uint64(len(idx)), tI32), elems...)
}

// laneRange is the mask start, start+step, … with n lanes.
func laneRange(start, step, n int) value {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = start + i*step
	}
	return lanes(idx...)
}

// vecIntrinsic calls an overloaded intrinsic whose result and operands
// all have type t (e.g. llvm.smin.v16i8).
func (b *funcBuilder) vecIntrinsic(base string, t *llType, args ...value) value {
	ps := make([]*llType, len(args))
	for i, a := range args {
		ps[i] = a.Type()
	}
	return b.cur.NewCall(b.m.intrinsic("llvm."+base+"."+typeSuffix(t), t, ps...), args...)
}

// simd translates a v128 instruction; shape is the part of its name before
// the dot and op the rest.
func (b *funcBuilder) simd(in *ir.Instr, shape, op string, a []value) (value, error) {
	vt, ok := shapeType(shape)
	if !ok {
		return value{}, fmt.Errorf("unsupported operation")
	}
	c := b.cur
	if shape == "v128" {
		return b.bitwise(op, a)
	}
	isFloat := vt.elem == tFloat || vt.elem == tDouble
	// Lane operations first: their operands are not all vectors.
	switch op {
	case "splat":
		s := a[0]
		if et := vt.elem; s.Type() != et {
			s = c.NewTrunc(s, et)
		}
		return b.toV128(b.splat(s, vt.n)), nil
	case "extract_lane", "extract_lane_s", "extract_lane_u":
		e := c.NewExtractElement(b.as(a[0], vt), i32c(int64(in.Lane)))
		switch op {
		case "extract_lane_s":
			return c.NewSExt(e, tI32), nil
		case "extract_lane_u":
			return c.NewZExt(e, tI32), nil
		}
		return e, nil
	case "replace_lane":
		s := a[1]
		if et := vt.elem; s.Type() != et {
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
		bits := int64(vt.elem.bits)
		n := c.NewAnd(a[1], i32c(bits-1))
		var s value = n
		switch {
		case bits < 32:
			s = c.NewTrunc(n, vt.elem)
		case bits > 32:
			s = c.NewZExt(n, vt.elem)
		}
		x, sv := b.as(a[0], vt), b.splat(s, vt.n)
		switch op {
		case "shl":
			return b.toV128(c.NewShl(x, sv)), nil
		case "shr_s":
			return b.toV128(c.NewAShr(x, sv)), nil
		}
		return b.toV128(c.NewLShr(x, sv)), nil
	case "all_true":
		nz := c.NewICmp("ne", b.as(a[0], vt), zeroOf(vt))
		all := b.vecReduce("and", nz)
		return b.bool32(all), nil
	case "bitmask":
		neg := c.NewICmp("slt", b.as(a[0], vt), zeroOf(vt))
		mask := c.NewBitCast(neg, intType(vt.n))
		if vt.n < 32 {
			return c.NewZExt(mask, tI32), nil
		}
		return mask, nil
	}
	args := make([]value, len(a))
	for i, x := range a {
		args[i] = b.as(x, vt)
	}
	var v value
	var err error
	if isFloat {
		v, err = b.simdFloat(vt, op, args)
	} else {
		v, err = b.simdInt(vt, op, args, a)
	}
	if err != nil {
		return value{}, err
	}
	return b.toV128(v), nil
}

// vecReduce reduces an i1 vector with and/or.
func (b *funcBuilder) vecReduce(op string, v value) value {
	vt := v.Type()
	name := "llvm.vector.reduce." + op + "." + typeSuffix(vt)
	return b.cur.NewCall(b.m.intrinsic(name, tI1, vt), v)
}

// bitwise translates the v128.* instructions.
func (b *funcBuilder) bitwise(op string, a []value) (value, error) {
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
		wide := c.NewBitCast(a[0], tI128)
		return b.bool32(c.NewICmp("ne", wide, constInt(tI128, 0))), nil
	}
	return value{}, fmt.Errorf("unsupported operation")
}

// swizzle selects bytes of x by the indices in idx; an index >= 16 gives 0.
func (b *funcBuilder) swizzle(x, idx value) value {
	vt := x.Type()
	if b.m.t.Arch == "arm64" {
		// TBL yields 0 for out-of-range indices, as wasm wants.
		f := b.m.intrinsic("llvm.aarch64.neon.tbl1.v16i8", vt, vt, vt)
		return b.toV128(b.cur.NewCall(f, x, idx))
	}
	// PSHUFB zeroes a lane whose index has bit 7 set and otherwise uses the
	// low four bits; a saturating add of 0x70 maps 16..255 to >= 0x80 and
	// leaves 0..15 in the low nibble.
	biased := b.vecIntrinsic("uadd.sat", vt, idx, splatConst(vt, 0x70))
	f := b.m.intrinsic("llvm.x86.ssse3.pshuf.b.128", vt, vt, vt)
	return b.toV128(b.cur.NewCall(f, x, biased))
}

// simdInt translates integer lane operations; raw holds the operands as
// they came (for the conversions whose input shape differs).
func (b *funcBuilder) simdInt(vt *llType, op string, a, raw []value) (value, error) {
	c := b.cur
	cmp := func(p string) value { return c.NewSExt(c.NewICmp(p, a[0], a[1]), vt) }
	switch op {
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
		f := b.m.intrinsic("llvm.abs."+typeSuffix(vt), vt, vt, tI1)
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
		src := vecType(8, tI16)
		x, y := c.NewSExt(b.as(raw[0], src), vt8x32), c.NewSExt(b.as(raw[1], src), vt8x32)
		p := c.NewMul(x, y)
		even := c.NewShuffleVector(p, undefOf(vt8x32), laneRange(0, 2, 4))
		odd := c.NewShuffleVector(p, undefOf(vt8x32), laneRange(1, 2, 4))
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
		ext := func(v value) value {
			if sign == "s" {
				return c.NewSExt(v, vt)
			}
			return c.NewZExt(v, vt)
		}
		n := int(vt.n)
		even := c.NewShuffleVector(x, undefOf(src), laneRange(0, 2, n))
		odd := c.NewShuffleVector(x, undefOf(src), laneRange(1, 2, n))
		return c.NewAdd(ext(even), ext(odd)), nil
	}
	if from, sign, ok := convOperand(op, "trunc_sat_"); ok {
		// i32x4.trunc_sat_f32x4_{s,u} and i32x4.trunc_sat_f64x2_{s,u}_zero.
		src, _ := shapeType(from)
		out := vecType(src.n, tI32)
		name := fmt.Sprintf("llvm.fpto%si.sat.%s.%s", sign, typeSuffix(out), typeSuffix(src))
		r := c.NewCall(b.m.intrinsic(name, out, src), b.as(raw[0], src))
		if src.n == 2 {
			return c.NewShuffleVector(r, zeroOf(out), lanes(0, 1, 2, 3)), nil
		}
		return r, nil
	}
	return value{}, fmt.Errorf("unsupported operation")
}

var vt8x32 = vecType(8, tI32)

// widen is vt with lanes of twice the width.
func widen(vt *llType) *llType {
	return vecType(vt.n, intType(2*vt.elem.bits))
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
func (b *funcBuilder) narrow(vt *llType, from, sign string, raw []value) value {
	c := b.cur
	src, _ := shapeType(from)
	both := vecType(vt.n, src.elem)
	cat := c.NewShuffleVector(b.as(raw[0], src), b.as(raw[1], src), laneRange(0, 1, int(vt.n)))
	bits := vt.elem.bits
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
func (b *funcBuilder) extendHalf(vt *llType, from, sign string, raw value, half int) value {
	c := b.cur
	src, _ := shapeType(from)
	n := int(vt.n)
	part := c.NewShuffleVector(b.as(raw, src), undefOf(src), laneRange(half*n, 1, n))
	if sign == "s" {
		return c.NewSExt(part, vt)
	}
	return c.NewZExt(part, vt)
}

// simdFloat translates float lane operations.
func (b *funcBuilder) simdFloat(vt *llType, op string, a []value) (value, error) {
	c := b.cur
	it := intVec(vt)
	cmp := func(p string) value { return c.NewSExt(c.NewFCmp(p, a[0], a[1]), it) }
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
	case "min", "max":
		return b.wasmMinMax(op == "min", a[0], a[1], it), nil
	case "pmin": // b < a ? b : a
		return c.NewSelect(c.NewFCmp("olt", a[1], a[0]), a[1], a[0]), nil
	case "pmax": // a < b ? b : a
		return c.NewSelect(c.NewFCmp("olt", a[0], a[1]), a[1], a[0]), nil
	case "convert_i32x4_s", "convert_i32x4_u", "convert_low_i32x4_s", "convert_low_i32x4_u":
		src := vecType(4, tI32)
		x := b.as(a[0], src)
		if vt.n == 2 {
			x = c.NewShuffleVector(x, undefOf(src), lanes(0, 1))
		}
		if strings.HasSuffix(op, "_s") {
			return c.NewSIToFP(x, vt), nil
		}
		return c.NewUIToFP(x, vt), nil
	case "demote_f64x2_zero":
		d := b.floatConvert("fptrunc", b.as(a[0], vecType(2, tDouble)), vecType(2, tFloat))
		return c.NewShuffleVector(d, zeroOf(d.Type()), lanes(0, 1, 2, 3)), nil
	case "promote_low_f32x4":
		src := vecType(4, tFloat)
		lo := c.NewShuffleVector(b.as(a[0], src), undefOf(src), lanes(0, 1))
		return b.floatConvert("fpext", lo, vt), nil
	}
	return value{}, fmt.Errorf("unsupported operation")
}
