package numeric

import (
	"math/bits"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// SIMD integer instructions. Lane functions are generic over the lane's
// unsigned bit type T; signed variants sign-extend the lane to int64 first.

// sext sign-extends a lane to int64.
func sext[T laneBits](x T) int64 {
	s := 64 - laneWidth[T]()
	return int64(uint64(x)<<s) >> s
}

// signedRange returns the smallest and largest signed value of T's width.
func signedRange[T laneBits]() (lo, hi int64) {
	w := laneWidth[T]()
	return -1 << (w - 1), 1<<(w-1) - 1
}

func clampS[T laneBits](v int64) T {
	lo, hi := signedRange[T]()
	return T(min(max(v, lo), hi))
}

// clampU saturates v to T's unsigned range (T narrower than 64 bits).
func clampU[T laneBits](v int64) T {
	return T(min(max(v, 0), int64(^T(0))))
}

func ltS[T laneBits](x, y T) bool { return sext(x) < sext(y) }
func gtS[T laneBits](x, y T) bool { return sext(x) > sext(y) }
func leS[T laneBits](x, y T) bool { return sext(x) <= sext(y) }
func geS[T laneBits](x, y T) bool { return sext(x) >= sext(y) }
func eq[T laneBits](x, y T) bool  { return x == y }
func ne[T laneBits](x, y T) bool  { return x != y }
func ltU[T laneBits](x, y T) bool { return x < y }
func gtU[T laneBits](x, y T) bool { return x > y }
func leU[T laneBits](x, y T) bool { return x <= y }
func geU[T laneBits](x, y T) bool { return x >= y }

func add[T laneBits](x, y T) T { return x + y }
func sub[T laneBits](x, y T) T { return x - y }
func mul[T laneBits](x, y T) T { return x * y }
func neg[T laneBits](x T) T    { return -x }

// abs wraps: the most negative lane value stays itself.
func abs[T laneBits](x T) T {
	if sext(x) < 0 {
		return -x
	}
	return x
}

func minU[T laneBits](x, y T) T { return min(x, y) }
func maxU[T laneBits](x, y T) T { return max(x, y) }

func minS[T laneBits](x, y T) T {
	if sext(x) < sext(y) {
		return x
	}
	return y
}

func maxS[T laneBits](x, y T) T {
	if sext(x) > sext(y) {
		return x
	}
	return y
}

func addSatS[T laneBits](x, y T) T { return clampS[T](sext(x) + sext(y)) }
func subSatS[T laneBits](x, y T) T { return clampS[T](sext(x) - sext(y)) }

// The unsigned saturating forms are used for 8- and 16-bit lanes only,
// whose sums and differences fit in int64.
func addSatU[T laneBits](x, y T) T { return clampU[T](int64(x) + int64(y)) }
func subSatU[T laneBits](x, y T) T { return clampU[T](int64(x) - int64(y)) }

// avgrU is the rounding average (x + y + 1) / 2 without overflow.
func avgrU[T laneBits](x, y T) T { return T((uint64(x) + uint64(y) + 1) >> 1) }

// q15mulrSatS is the Q15 rounding multiply: (x*y + 2^14) >> 15, saturated.
func q15mulrSatS(x, y uint16) uint16 {
	return clampS[uint16]((sext(x)*sext(y) + 1<<14) >> 15)
}

// vshift makes a lane-wise shift by an i32 count taken modulo the lane width.
func vshift[T laneBits](f func(x T, n uint) T) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		n := uint(args[1].Lo) & (laneWidth[T]() - 1)
		return mapLanes1(args[0], func(x T) T { return f(x, n) }), abi.TrapNone
	}
}

func shl[T laneBits](x T, n uint) T  { return x << n }
func shrU[T laneBits](x T, n uint) T { return x >> n }
func shrS[T laneBits](x T, n uint) T { return T(sext(x) >> n) }

// extendLanes widens the low (high=false) or high half of v's N lanes to W.
func extendLanes[N, W laneBits](v Value, high, signed bool) Value {
	n := laneCount[W]()
	base := 0
	if high {
		base = n
	}
	var r Value
	for i := 0; i < n; i++ {
		r = setLane(r, i, widen[N, W](getLane[N](v, base+i), signed))
	}
	return r
}

func widen[N, W laneBits](x N, signed bool) W {
	if signed {
		return W(sext(x))
	}
	return W(x)
}

// extmulLanes multiplies the widened low or high halves of a and b.
func extmulLanes[N, W laneBits](a, b Value, high, signed bool) Value {
	n := laneCount[W]()
	base := 0
	if high {
		base = n
	}
	var r Value
	for i := 0; i < n; i++ {
		x := widen[N, W](getLane[N](a, base+i), signed)
		y := widen[N, W](getLane[N](b, base+i), signed)
		r = setLane(r, i, x*y)
	}
	return r
}

// extaddPairwise adds adjacent widened lane pairs of v.
func extaddPairwise[N, W laneBits](v Value, signed bool) Value {
	var r Value
	for i := 0; i < laneCount[W](); i++ {
		x := widen[N, W](getLane[N](v, 2*i), signed)
		y := widen[N, W](getLane[N](v, 2*i+1), signed)
		r = setLane(r, i, x+y)
	}
	return r
}

// narrowLanes saturates the signed W lanes of a, then of b, into N lanes
// (signed or unsigned saturation).
func narrowLanes[W, N laneBits](a, b Value, signed bool) Value {
	n := laneCount[W]()
	var r Value
	for i := 0; i < 2*n; i++ {
		src := a
		if i >= n {
			src = b
		}
		x := sext(getLane[W](src, i%n))
		if signed {
			r = setLane(r, i, clampS[N](x))
		} else {
			r = setLane(r, i, clampU[N](x))
		}
	}
	return r
}

// I32x4DotI16x8S is i32x4.dot_i16x8_s: lane i is a[2i]*b[2i] + a[2i+1]*b[2i+1]
// over signed 16-bit lanes, wrapping to 32 bits.
func I32x4DotI16x8S(a, b Value) Value {
	var r Value
	for i := 0; i < 4; i++ {
		p := sext(getLane[uint16](a, 2*i))*sext(getLane[uint16](b, 2*i)) +
			sext(getLane[uint16](a, 2*i+1))*sext(getLane[uint16](b, 2*i+1))
		r = setLane(r, i, uint32(p))
	}
	return r
}

func registerSIMDInteger() {
	registerIntCompares()

	register(wasm.OpI8x16Abs, vunary(abs[uint8]))
	register(wasm.OpI16x8Abs, vunary(abs[uint16]))
	register(wasm.OpI32x4Abs, vunary(abs[uint32]))
	register(wasm.OpI64x2Abs, vunary(abs[uint64]))
	register(wasm.OpI8x16Neg, vunary(neg[uint8]))
	register(wasm.OpI16x8Neg, vunary(neg[uint16]))
	register(wasm.OpI32x4Neg, vunary(neg[uint32]))
	register(wasm.OpI64x2Neg, vunary(neg[uint64]))
	register(wasm.OpI8x16Popcnt, vunary(func(x uint8) uint8 { return uint8(bits.OnesCount8(x)) }))

	register(wasm.OpI8x16Shl, vshift(shl[uint8]))
	register(wasm.OpI8x16ShrS, vshift(shrS[uint8]))
	register(wasm.OpI8x16ShrU, vshift(shrU[uint8]))
	register(wasm.OpI16x8Shl, vshift(shl[uint16]))
	register(wasm.OpI16x8ShrS, vshift(shrS[uint16]))
	register(wasm.OpI16x8ShrU, vshift(shrU[uint16]))
	register(wasm.OpI32x4Shl, vshift(shl[uint32]))
	register(wasm.OpI32x4ShrS, vshift(shrS[uint32]))
	register(wasm.OpI32x4ShrU, vshift(shrU[uint32]))
	register(wasm.OpI64x2Shl, vshift(shl[uint64]))
	register(wasm.OpI64x2ShrS, vshift(shrS[uint64]))
	register(wasm.OpI64x2ShrU, vshift(shrU[uint64]))

	register(wasm.OpI8x16Add, vbinary(add[uint8]))
	register(wasm.OpI16x8Add, vbinary(add[uint16]))
	register(wasm.OpI32x4Add, vbinary(add[uint32]))
	register(wasm.OpI64x2Add, vbinary(add[uint64]))
	register(wasm.OpI8x16Sub, vbinary(sub[uint8]))
	register(wasm.OpI16x8Sub, vbinary(sub[uint16]))
	register(wasm.OpI32x4Sub, vbinary(sub[uint32]))
	register(wasm.OpI64x2Sub, vbinary(sub[uint64]))
	register(wasm.OpI16x8Mul, vbinary(mul[uint16]))
	register(wasm.OpI32x4Mul, vbinary(mul[uint32]))
	register(wasm.OpI64x2Mul, vbinary(mul[uint64]))

	register(wasm.OpI8x16AddSatS, vbinary(addSatS[uint8]))
	register(wasm.OpI8x16AddSatU, vbinary(addSatU[uint8]))
	register(wasm.OpI8x16SubSatS, vbinary(subSatS[uint8]))
	register(wasm.OpI8x16SubSatU, vbinary(subSatU[uint8]))
	register(wasm.OpI16x8AddSatS, vbinary(addSatS[uint16]))
	register(wasm.OpI16x8AddSatU, vbinary(addSatU[uint16]))
	register(wasm.OpI16x8SubSatS, vbinary(subSatS[uint16]))
	register(wasm.OpI16x8SubSatU, vbinary(subSatU[uint16]))

	register(wasm.OpI8x16MinS, vbinary(minS[uint8]))
	register(wasm.OpI8x16MinU, vbinary(minU[uint8]))
	register(wasm.OpI8x16MaxS, vbinary(maxS[uint8]))
	register(wasm.OpI8x16MaxU, vbinary(maxU[uint8]))
	register(wasm.OpI16x8MinS, vbinary(minS[uint16]))
	register(wasm.OpI16x8MinU, vbinary(minU[uint16]))
	register(wasm.OpI16x8MaxS, vbinary(maxS[uint16]))
	register(wasm.OpI16x8MaxU, vbinary(maxU[uint16]))
	register(wasm.OpI32x4MinS, vbinary(minS[uint32]))
	register(wasm.OpI32x4MinU, vbinary(minU[uint32]))
	register(wasm.OpI32x4MaxS, vbinary(maxS[uint32]))
	register(wasm.OpI32x4MaxU, vbinary(maxU[uint32]))

	register(wasm.OpI8x16AvgrU, vbinary(avgrU[uint8]))
	register(wasm.OpI16x8AvgrU, vbinary(avgrU[uint16]))
	register(wasm.OpI16x8Q15mulrSatS, vbinary(q15mulrSatS))
	register(wasm.OpI32x4DotI16x8S, vwhole(func(a []Value) Value { return I32x4DotI16x8S(a[0], a[1]) }))

	register(wasm.OpI8x16NarrowI16x8S, vwhole(func(a []Value) Value { return narrowLanes[uint16, uint8](a[0], a[1], true) }))
	register(wasm.OpI8x16NarrowI16x8U, vwhole(func(a []Value) Value { return narrowLanes[uint16, uint8](a[0], a[1], false) }))
	register(wasm.OpI16x8NarrowI32x4S, vwhole(func(a []Value) Value { return narrowLanes[uint32, uint16](a[0], a[1], true) }))
	register(wasm.OpI16x8NarrowI32x4U, vwhole(func(a []Value) Value { return narrowLanes[uint32, uint16](a[0], a[1], false) }))

	registerWidening()
}

func registerIntCompares() {
	register(wasm.OpI8x16Eq, vcompare(eq[uint8]))
	register(wasm.OpI8x16Ne, vcompare(ne[uint8]))
	register(wasm.OpI8x16LtS, vcompare(ltS[uint8]))
	register(wasm.OpI8x16LtU, vcompare(ltU[uint8]))
	register(wasm.OpI8x16GtS, vcompare(gtS[uint8]))
	register(wasm.OpI8x16GtU, vcompare(gtU[uint8]))
	register(wasm.OpI8x16LeS, vcompare(leS[uint8]))
	register(wasm.OpI8x16LeU, vcompare(leU[uint8]))
	register(wasm.OpI8x16GeS, vcompare(geS[uint8]))
	register(wasm.OpI8x16GeU, vcompare(geU[uint8]))

	register(wasm.OpI16x8Eq, vcompare(eq[uint16]))
	register(wasm.OpI16x8Ne, vcompare(ne[uint16]))
	register(wasm.OpI16x8LtS, vcompare(ltS[uint16]))
	register(wasm.OpI16x8LtU, vcompare(ltU[uint16]))
	register(wasm.OpI16x8GtS, vcompare(gtS[uint16]))
	register(wasm.OpI16x8GtU, vcompare(gtU[uint16]))
	register(wasm.OpI16x8LeS, vcompare(leS[uint16]))
	register(wasm.OpI16x8LeU, vcompare(leU[uint16]))
	register(wasm.OpI16x8GeS, vcompare(geS[uint16]))
	register(wasm.OpI16x8GeU, vcompare(geU[uint16]))

	register(wasm.OpI32x4Eq, vcompare(eq[uint32]))
	register(wasm.OpI32x4Ne, vcompare(ne[uint32]))
	register(wasm.OpI32x4LtS, vcompare(ltS[uint32]))
	register(wasm.OpI32x4LtU, vcompare(ltU[uint32]))
	register(wasm.OpI32x4GtS, vcompare(gtS[uint32]))
	register(wasm.OpI32x4GtU, vcompare(gtU[uint32]))
	register(wasm.OpI32x4LeS, vcompare(leS[uint32]))
	register(wasm.OpI32x4LeU, vcompare(leU[uint32]))
	register(wasm.OpI32x4GeS, vcompare(geS[uint32]))
	register(wasm.OpI32x4GeU, vcompare(geU[uint32]))

	register(wasm.OpI64x2Eq, vcompare(eq[uint64]))
	register(wasm.OpI64x2Ne, vcompare(ne[uint64]))
	register(wasm.OpI64x2LtS, vcompare(ltS[uint64]))
	register(wasm.OpI64x2GtS, vcompare(gtS[uint64]))
	register(wasm.OpI64x2LeS, vcompare(leS[uint64]))
	register(wasm.OpI64x2GeS, vcompare(geS[uint64]))
}

// registerWidening registers extend, extmul and extadd_pairwise.
func registerWidening() {
	type widening struct {
		op           wasm.Opcode
		high, signed bool
	}
	for _, w := range []widening{
		{wasm.OpI16x8ExtendLowI8x16S, false, true},
		{wasm.OpI16x8ExtendHighI8x16S, true, true},
		{wasm.OpI16x8ExtendLowI8x16U, false, false},
		{wasm.OpI16x8ExtendHighI8x16U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extendLanes[uint8, uint16](a[0], w.high, w.signed) }))
	}
	for _, w := range []widening{
		{wasm.OpI32x4ExtendLowI16x8S, false, true},
		{wasm.OpI32x4ExtendHighI16x8S, true, true},
		{wasm.OpI32x4ExtendLowI16x8U, false, false},
		{wasm.OpI32x4ExtendHighI16x8U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extendLanes[uint16, uint32](a[0], w.high, w.signed) }))
	}
	for _, w := range []widening{
		{wasm.OpI64x2ExtendLowI32x4S, false, true},
		{wasm.OpI64x2ExtendHighI32x4S, true, true},
		{wasm.OpI64x2ExtendLowI32x4U, false, false},
		{wasm.OpI64x2ExtendHighI32x4U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extendLanes[uint32, uint64](a[0], w.high, w.signed) }))
	}

	for _, w := range []widening{
		{wasm.OpI16x8ExtmulLowI8x16S, false, true},
		{wasm.OpI16x8ExtmulHighI8x16S, true, true},
		{wasm.OpI16x8ExtmulLowI8x16U, false, false},
		{wasm.OpI16x8ExtmulHighI8x16U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extmulLanes[uint8, uint16](a[0], a[1], w.high, w.signed) }))
	}
	for _, w := range []widening{
		{wasm.OpI32x4ExtmulLowI16x8S, false, true},
		{wasm.OpI32x4ExtmulHighI16x8S, true, true},
		{wasm.OpI32x4ExtmulLowI16x8U, false, false},
		{wasm.OpI32x4ExtmulHighI16x8U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extmulLanes[uint16, uint32](a[0], a[1], w.high, w.signed) }))
	}
	for _, w := range []widening{
		{wasm.OpI64x2ExtmulLowI32x4S, false, true},
		{wasm.OpI64x2ExtmulHighI32x4S, true, true},
		{wasm.OpI64x2ExtmulLowI32x4U, false, false},
		{wasm.OpI64x2ExtmulHighI32x4U, true, false},
	} {
		register(w.op, vwhole(func(a []Value) Value { return extmulLanes[uint32, uint64](a[0], a[1], w.high, w.signed) }))
	}

	register(wasm.OpI16x8ExtaddPairwiseI8x16S, vwhole(func(a []Value) Value { return extaddPairwise[uint8, uint16](a[0], true) }))
	register(wasm.OpI16x8ExtaddPairwiseI8x16U, vwhole(func(a []Value) Value { return extaddPairwise[uint8, uint16](a[0], false) }))
	register(wasm.OpI32x4ExtaddPairwiseI16x8S, vwhole(func(a []Value) Value { return extaddPairwise[uint16, uint32](a[0], true) }))
	register(wasm.OpI32x4ExtaddPairwiseI16x8U, vwhole(func(a []Value) Value { return extaddPairwise[uint16, uint32](a[0], false) }))
}
