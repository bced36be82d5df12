package llvm

import (
	"fmt"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// shapeType returns the LLVM vector type of a lane shape; a whole v128 is
// <2 x i64>, the calling convention's type.
func shapeType(shape ir.Shape) (*llType, bool) {
	switch shape {
	case ir.ShapeI8x16:
		return vecType(16, tI8), true
	case ir.ShapeI16x8:
		return vecType(8, tI16), true
	case ir.ShapeI32x4:
		return vecType(4, tI32), true
	case ir.ShapeI64x2, ir.ShapeV128:
		return vecType(2, tI64), true
	case ir.ShapeF32x4:
		return vecType(4, tFloat), true
	case ir.ShapeF64x2:
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

// simd translates a v128 instruction.
func (b *funcBuilder) simd(in *ir.Instr, p ir.Props, a []value) (value, error) {
	vt, ok := shapeType(p.Shape)
	if !ok {
		return value{}, fmt.Errorf("unsupported operation")
	}
	c := b.cur
	if p.Shape == ir.ShapeV128 {
		return b.bitwise(p.Base, a)
	}
	// Lane operations first: their operands are not all vectors.
	switch p.Base {
	case ir.BaseSplat:
		s := a[0]
		if et := vt.elem; s.Type() != et {
			s = c.NewTrunc(s, et)
		}
		return b.toV128(b.splat(s, vt.n)), nil
	case ir.BaseExtractLane:
		e := c.NewExtractElement(b.as(a[0], vt), i32c(int64(in.Lane)))
		switch p.Sign {
		case ir.Signed:
			return c.NewSExt(e, tI32), nil
		case ir.Unsigned:
			return c.NewZExt(e, tI32), nil
		}
		return e, nil
	case ir.BaseReplaceLane:
		s := a[1]
		if et := vt.elem; s.Type() != et {
			s = c.NewTrunc(s, et)
		}
		return b.toV128(c.NewInsertElement(b.as(a[0], vt), s, i32c(int64(in.Lane)))), nil
	case ir.BaseShuffle:
		idx := make([]int, 16)
		for i := range idx {
			w := in.Const
			if i >= 8 {
				w = in.ConstHi
			}
			idx[i] = int(byte(w >> (8 * (i % 8))))
		}
		return b.toV128(c.NewShuffleVector(b.as(a[0], vt), b.as(a[1], vt), lanes(idx...))), nil
	case ir.BaseSwizzle:
		return b.swizzle(b.as(a[0], vt), b.as(a[1], vt)), nil
	case ir.BaseShl, ir.BaseShr:
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
		switch {
		case p.Base == ir.BaseShl:
			return b.toV128(c.NewShl(x, sv)), nil
		case p.Sign == ir.Signed:
			return b.toV128(c.NewAShr(x, sv)), nil
		}
		return b.toV128(c.NewLShr(x, sv)), nil
	case ir.BaseAllTrue:
		nz := c.NewICmp("ne", b.as(a[0], vt), zeroOf(vt))
		all := b.vecReduce("and", nz)
		return b.bool32(all), nil
	case ir.BaseBitmask:
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
	if p.Shape.IsFloat() {
		v, err = b.simdFloat(vt, p, args)
	} else {
		v, err = b.simdInt(vt, p, args, a)
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
func (b *funcBuilder) bitwise(op ir.Base, a []value) (value, error) {
	c := b.cur
	ones := splatConst(v128Type, -1)
	switch op {
	case ir.BaseNot:
		return c.NewXor(a[0], ones), nil
	case ir.BaseAnd:
		return c.NewAnd(a[0], a[1]), nil
	case ir.BaseAndNot:
		return c.NewAnd(a[0], c.NewXor(a[1], ones)), nil
	case ir.BaseOr:
		return c.NewOr(a[0], a[1]), nil
	case ir.BaseXor:
		return c.NewXor(a[0], a[1]), nil
	case ir.BaseBitselect:
		return c.NewOr(c.NewAnd(a[0], a[2]), c.NewAnd(a[1], c.NewXor(a[2], ones))), nil
	case ir.BaseAnyTrue:
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
func (b *funcBuilder) simdInt(vt *llType, p ir.Props, a, raw []value) (value, error) {
	c := b.cur
	signed := p.Sign == ir.Signed
	switch p.Base {
	case ir.BaseEq, ir.BaseNe, ir.BaseLt, ir.BaseGt, ir.BaseLe, ir.BaseGe:
		return c.NewSExt(c.NewICmp(intPred(p.Base, p.Sign), a[0], a[1]), vt), nil
	case ir.BaseAdd:
		return c.NewAdd(a[0], a[1]), nil
	case ir.BaseSub:
		return c.NewSub(a[0], a[1]), nil
	case ir.BaseMul:
		return c.NewMul(a[0], a[1]), nil
	case ir.BaseNeg:
		return c.NewSub(zeroOf(vt), a[0]), nil
	case ir.BaseAbs:
		// false: abs(INT_MIN) is INT_MIN, not poison.
		f := b.m.intrinsic("llvm.abs."+typeSuffix(vt), vt, vt, tI1)
		return c.NewCall(f, a[0], falseC), nil
	case ir.BasePopcnt:
		return b.vecIntrinsic("ctpop", vt, a[0]), nil
	case ir.BaseAddSat:
		return b.vecIntrinsic(signLetter(p.Sign)+"add.sat", vt, a[0], a[1]), nil
	case ir.BaseSubSat:
		return b.vecIntrinsic(signLetter(p.Sign)+"sub.sat", vt, a[0], a[1]), nil
	case ir.BaseMin:
		return b.vecIntrinsic(signLetter(p.Sign)+"min", vt, a[0], a[1]), nil
	case ir.BaseMax:
		return b.vecIntrinsic(signLetter(p.Sign)+"max", vt, a[0], a[1]), nil
	case ir.BaseAvgr:
		wide := widen(vt)
		x, y := c.NewZExt(a[0], wide), c.NewZExt(a[1], wide)
		sum := c.NewAdd(c.NewAdd(x, y), splatConst(wide, 1))
		return c.NewTrunc(c.NewLShr(sum, splatConst(wide, 1)), vt), nil
	case ir.BaseQ15MulrSat:
		wide := widen(vt)
		prod := c.NewMul(c.NewSExt(a[0], wide), c.NewSExt(a[1], wide))
		r := c.NewAShr(c.NewAdd(prod, splatConst(wide, 0x4000)), splatConst(wide, 15))
		r2 := b.vecIntrinsic("smin", wide, r, splatConst(wide, 0x7fff))
		return c.NewTrunc(r2, vt), nil
	case ir.BaseDot:
		src := vecType(8, tI16)
		x, y := c.NewSExt(b.as(raw[0], src), vt8x32), c.NewSExt(b.as(raw[1], src), vt8x32)
		prod := c.NewMul(x, y)
		even := c.NewShuffleVector(prod, undefOf(vt8x32), laneRange(0, 2, 4))
		odd := c.NewShuffleVector(prod, undefOf(vt8x32), laneRange(1, 2, 4))
		return c.NewAdd(even, odd), nil
	case ir.BaseNarrow:
		return b.narrow(vt, p.From, signed, raw), nil
	case ir.BaseExtendLow:
		return b.extendHalf(vt, p.From, signed, raw[0], 0), nil
	case ir.BaseExtendHigh:
		return b.extendHalf(vt, p.From, signed, raw[0], 1), nil
	case ir.BaseExtMulLow:
		return c.NewMul(b.extendHalf(vt, p.From, signed, raw[0], 0), b.extendHalf(vt, p.From, signed, raw[1], 0)), nil
	case ir.BaseExtMulHigh:
		return c.NewMul(b.extendHalf(vt, p.From, signed, raw[0], 1), b.extendHalf(vt, p.From, signed, raw[1], 1)), nil
	case ir.BaseExtAddPairwise:
		src, _ := shapeType(p.From)
		x := b.as(raw[0], src)
		ext := func(v value) value {
			if signed {
				return c.NewSExt(v, vt)
			}
			return c.NewZExt(v, vt)
		}
		n := int(vt.n)
		even := c.NewShuffleVector(x, undefOf(src), laneRange(0, 2, n))
		odd := c.NewShuffleVector(x, undefOf(src), laneRange(1, 2, n))
		return c.NewAdd(ext(even), ext(odd)), nil
	case ir.BaseTruncSat:
		// i32x4.trunc_sat_f32x4_{s,u} and i32x4.trunc_sat_f64x2_{s,u}_zero.
		src, _ := shapeType(p.From)
		out := vecType(src.n, tI32)
		name := fmt.Sprintf("llvm.fpto%si.sat.%s.%s", signLetter(p.Sign), typeSuffix(out), typeSuffix(src))
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

// narrow packs the lanes of two vectors of shape from into vt with signed
// or unsigned saturation; the inputs are signed either way.
func (b *funcBuilder) narrow(vt *llType, from ir.Shape, signed bool, raw []value) value {
	c := b.cur
	src, _ := shapeType(from)
	both := vecType(vt.n, src.elem)
	cat := c.NewShuffleVector(b.as(raw[0], src), b.as(raw[1], src), laneRange(0, 1, int(vt.n)))
	bits := vt.elem.bits
	lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	if !signed {
		lo, hi = 0, int64(1)<<bits-1
	}
	clamped := b.vecIntrinsic("smax", both, cat, splatConst(both, lo))
	clamped = b.vecIntrinsic("smin", both, clamped, splatConst(both, hi))
	return c.NewTrunc(clamped, vt)
}

// extendHalf widens the low (half 0) or high (half 1) lanes of a vector
// of shape from to vt.
func (b *funcBuilder) extendHalf(vt *llType, from ir.Shape, signed bool, raw value, half int) value {
	c := b.cur
	src, _ := shapeType(from)
	n := int(vt.n)
	part := c.NewShuffleVector(b.as(raw, src), undefOf(src), laneRange(half*n, 1, n))
	if signed {
		return c.NewSExt(part, vt)
	}
	return c.NewZExt(part, vt)
}

// simdFloat translates float lane operations.
func (b *funcBuilder) simdFloat(vt *llType, p ir.Props, a []value) (value, error) {
	c := b.cur
	it := intVec(vt)
	switch p.Base {
	case ir.BaseEq, ir.BaseNe, ir.BaseLt, ir.BaseGt, ir.BaseLe, ir.BaseGe:
		return c.NewSExt(c.NewFCmp(floatPred[p.Base], a[0], a[1]), it), nil
	case ir.BaseAdd, ir.BaseSub, ir.BaseMul, ir.BaseDiv:
		return b.floatArith(p.Base, a[0], a[1]), nil
	case ir.BaseNeg:
		return c.NewFNeg(a[0]), nil
	case ir.BaseAbs, ir.BaseCeil, ir.BaseFloor, ir.BaseTrunc, ir.BaseNearest, ir.BaseSqrt:
		return b.floatUnary(p.Base, a[0]), nil
	case ir.BaseMin, ir.BaseMax:
		return b.wasmMinMax(p.Base == ir.BaseMin, a[0], a[1], it), nil
	case ir.BasePMin: // b < a ? b : a
		return c.NewSelect(c.NewFCmp("olt", a[1], a[0]), a[1], a[0]), nil
	case ir.BasePMax: // a < b ? b : a
		return c.NewSelect(c.NewFCmp("olt", a[0], a[1]), a[1], a[0]), nil
	case ir.BaseConvert:
		// f32x4.convert_i32x4_* and f64x2.convert_low_i32x4_*.
		src := vecType(4, tI32)
		x := b.as(a[0], src)
		if vt.n == 2 {
			x = c.NewShuffleVector(x, undefOf(src), lanes(0, 1))
		}
		if p.Sign == ir.Signed {
			return c.NewSIToFP(x, vt), nil
		}
		return c.NewUIToFP(x, vt), nil
	case ir.BaseDemote:
		d := b.floatConvert("fptrunc", b.as(a[0], vecType(2, tDouble)), vecType(2, tFloat))
		return c.NewShuffleVector(d, zeroOf(d.Type()), lanes(0, 1, 2, 3)), nil
	case ir.BasePromote:
		src := vecType(4, tFloat)
		lo := c.NewShuffleVector(b.as(a[0], src), undefOf(src), lanes(0, 1))
		return b.floatConvert("fpext", lo, vt), nil
	}
	return value{}, fmt.Errorf("unsupported operation")
}
