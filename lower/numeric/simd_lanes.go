package numeric

import (
	"encoding/binary"
	"unsafe"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Lane access and whole-vector SIMD operations: splat, extract/replace
// lane, shuffle, swizzle, bitwise operations and lane tests. The generic
// helpers here are shared by the integer and float SIMD files; a lane of
// type T is read as its unsigned bits, and lane i occupies bits
// [i*w, (i+1)*w) of the 128-bit little-endian vector, w being T's width.

func laneWidth[T laneBits]() uint {
	var zero T
	return uint(unsafe.Sizeof(zero)) * 8
}

func laneCount[T laneBits]() int { return int(128 / laneWidth[T]()) }

func getLane[T laneBits](v Value, i int) T {
	s := uint(i) * laneWidth[T]()
	if s < 64 {
		return T(v.Lo >> s)
	}
	return T(v.Hi >> (s - 64))
}

// setLane returns v with lane i replaced by x.
func setLane[T laneBits](v Value, i int, x T) Value {
	w := laneWidth[T]()
	s := uint(i) * w
	mask := ^uint64(0) >> (64 - w)
	if s < 64 {
		v.Lo = v.Lo&^(mask<<s) | uint64(x)<<s
	} else {
		v.Hi = v.Hi&^(mask<<(s-64)) | uint64(x)<<(s-64)
	}
	return v
}

// mapLanes1 applies f to every lane of a.
func mapLanes1[T laneBits](a Value, f func(T) T) Value {
	w := laneWidth[T]()
	var r Value
	for s := uint(0); s < 64; s += w {
		r.Lo |= uint64(f(T(a.Lo>>s))) << s
		r.Hi |= uint64(f(T(a.Hi>>s))) << s
	}
	return r
}

// mapLanes2 applies f to every pair of corresponding lanes of a and b.
func mapLanes2[T laneBits](a, b Value, f func(x, y T) T) Value {
	w := laneWidth[T]()
	var r Value
	for s := uint(0); s < 64; s += w {
		r.Lo |= uint64(f(T(a.Lo>>s), T(b.Lo>>s))) << s
		r.Hi |= uint64(f(T(a.Hi>>s), T(b.Hi>>s))) << s
	}
	return r
}

// Adapters from lane functions to EvalFuncs.

func vunary[T laneBits](f func(T) T) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return mapLanes1(args[0], f), abi.TrapNone
	}
}

func vbinary[T laneBits](f func(x, y T) T) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return mapLanes2(args[0], args[1], f), abi.TrapNone
	}
}

// vcompare makes a lane-wise comparison: all ones where f holds, else zero.
func vcompare[T laneBits](f func(x, y T) bool) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return mapLanes2(args[0], args[1], func(x, y T) T {
			if f(x, y) {
				return ^T(0)
			}
			return 0
		}), abi.TrapNone
	}
}

// vwhole makes an operation on the vector as a whole.
func vwhole(f func(args []Value) Value) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return f(args), abi.TrapNone
	}
}

func splat[T laneBits]() EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		x := T(args[0].Lo)
		return mapLanes1(Value{}, func(T) T { return x }), abi.TrapNone
	}
}

// extractLane reads lane in.Lane as an unsigned scalar of T's width.
func extractLane[T laneBits]() EvalFunc {
	return func(in *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: uint64(getLane[T](args[0], laneIndex[T](in)))}, abi.TrapNone
	}
}

// extractLaneS reads an i8 or i16 lane sign-extended to i32.
func extractLaneS[T ~uint8 | ~uint16](signExtend func(T) uint32) EvalFunc {
	return func(in *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: uint64(signExtend(getLane[T](args[0], laneIndex[T](in))))}, abi.TrapNone
	}
}

func replaceLane[T laneBits]() EvalFunc {
	return func(in *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return setLane(args[0], laneIndex[T](in), T(args[1].Lo)), abi.TrapNone
	}
}

// laneIndex returns the lane immediate, reduced modulo the lane count so
// that unvalidated input cannot reach outside the vector.
func laneIndex[T laneBits](in *wasm.Instr) int {
	return int(in.Lane) & (laneCount[T]() - 1)
}

// vecBytes returns the 16 bytes of v in memory order.
func vecBytes(v Value) (b [16]byte) {
	binary.LittleEndian.PutUint64(b[:8], v.Lo)
	binary.LittleEndian.PutUint64(b[8:], v.Hi)
	return b
}

func bytesVec(b *[16]byte) Value {
	return Value{binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])}
}

// I8x16Shuffle is i8x16.shuffle: byte i of the result is byte pattern[i] of
// the 32-byte concatenation a‖b. pattern holds the 16 lane indices
// little-endian (index i in byte i), as in wasm.Instr's Const and ConstHi;
// indices are taken modulo 32.
func I8x16Shuffle(a, b Value, patternLo, patternHi uint64) Value {
	var ab [32]byte
	*(*[16]byte)(ab[:16]) = vecBytes(a)
	*(*[16]byte)(ab[16:]) = vecBytes(b)
	pattern := vecBytes(Value{patternLo, patternHi})
	var r [16]byte
	for i, sel := range pattern {
		r[i] = ab[sel&31]
	}
	return bytesVec(&r)
}

// I8x16Swizzle is i8x16.swizzle: byte i of the result is byte s[i] of a, or
// zero when that index is 16 or more.
func I8x16Swizzle(a, s Value) Value {
	src, sel := vecBytes(a), vecBytes(s)
	var r [16]byte
	for i, k := range sel {
		if k < 16 {
			r[i] = src[k]
		}
	}
	return bytesVec(&r)
}

// allTrue reports whether every lane of v is nonzero, as an i32.
func allTrue[T laneBits](v Value) Value {
	for i := 0; i < laneCount[T](); i++ {
		if getLane[T](v, i) == 0 {
			return Value{}
		}
	}
	return Value{Lo: 1}
}

// bitmask collects the top bit of each lane into bit i of an i32.
func bitmask[T laneBits](v Value) Value {
	w := laneWidth[T]()
	var m uint64
	for i := 0; i < laneCount[T](); i++ {
		m |= uint64(getLane[T](v, i)>>(w-1)) << i
	}
	return Value{Lo: m}
}

func registerSIMDLanes() {
	register(wasm.OpI8x16Splat, splat[uint8]())
	register(wasm.OpI16x8Splat, splat[uint16]())
	register(wasm.OpI32x4Splat, splat[uint32]())
	register(wasm.OpI64x2Splat, splat[uint64]())
	register(wasm.OpF32x4Splat, splat[uint32]())
	register(wasm.OpF64x2Splat, splat[uint64]())

	register(wasm.OpI8x16ExtractLaneS, extractLaneS(func(x uint8) uint32 { return uint32(int32(int8(x))) }))
	register(wasm.OpI8x16ExtractLaneU, extractLane[uint8]())
	register(wasm.OpI16x8ExtractLaneS, extractLaneS(func(x uint16) uint32 { return uint32(int32(int16(x))) }))
	register(wasm.OpI16x8ExtractLaneU, extractLane[uint16]())
	register(wasm.OpI32x4ExtractLane, extractLane[uint32]())
	register(wasm.OpI64x2ExtractLane, extractLane[uint64]())
	register(wasm.OpF32x4ExtractLane, extractLane[uint32]())
	register(wasm.OpF64x2ExtractLane, extractLane[uint64]())

	register(wasm.OpI8x16ReplaceLane, replaceLane[uint8]())
	register(wasm.OpI16x8ReplaceLane, replaceLane[uint16]())
	register(wasm.OpI32x4ReplaceLane, replaceLane[uint32]())
	register(wasm.OpI64x2ReplaceLane, replaceLane[uint64]())
	register(wasm.OpF32x4ReplaceLane, replaceLane[uint32]())
	register(wasm.OpF64x2ReplaceLane, replaceLane[uint64]())

	register(wasm.OpI8x16Shuffle, func(in *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return I8x16Shuffle(args[0], args[1], in.Const, in.ConstHi), abi.TrapNone
	})
	register(wasm.OpI8x16Swizzle, vwhole(func(a []Value) Value { return I8x16Swizzle(a[0], a[1]) }))

	register(wasm.OpV128Not, vwhole(func(a []Value) Value { return Value{^a[0].Lo, ^a[0].Hi} }))
	register(wasm.OpV128And, vwhole(func(a []Value) Value { return Value{a[0].Lo & a[1].Lo, a[0].Hi & a[1].Hi} }))
	register(wasm.OpV128Andnot, vwhole(func(a []Value) Value { return Value{a[0].Lo &^ a[1].Lo, a[0].Hi &^ a[1].Hi} }))
	register(wasm.OpV128Or, vwhole(func(a []Value) Value { return Value{a[0].Lo | a[1].Lo, a[0].Hi | a[1].Hi} }))
	register(wasm.OpV128Xor, vwhole(func(a []Value) Value { return Value{a[0].Lo ^ a[1].Lo, a[0].Hi ^ a[1].Hi} }))
	// bitselect(a, b, c) takes a's bit where c's is set and b's elsewhere.
	register(wasm.OpV128Bitselect, vwhole(func(a []Value) Value {
		return Value{a[0].Lo&a[2].Lo | a[1].Lo&^a[2].Lo, a[0].Hi&a[2].Hi | a[1].Hi&^a[2].Hi}
	}))
	register(wasm.OpV128AnyTrue, vwhole(func(a []Value) Value { return Value{Lo: boolBits(a[0].Lo|a[0].Hi != 0)} }))

	register(wasm.OpI8x16AllTrue, vwhole(func(a []Value) Value { return allTrue[uint8](a[0]) }))
	register(wasm.OpI16x8AllTrue, vwhole(func(a []Value) Value { return allTrue[uint16](a[0]) }))
	register(wasm.OpI32x4AllTrue, vwhole(func(a []Value) Value { return allTrue[uint32](a[0]) }))
	register(wasm.OpI64x2AllTrue, vwhole(func(a []Value) Value { return allTrue[uint64](a[0]) }))
	register(wasm.OpI8x16Bitmask, vwhole(func(a []Value) Value { return bitmask[uint8](a[0]) }))
	register(wasm.OpI16x8Bitmask, vwhole(func(a []Value) Value { return bitmask[uint16](a[0]) }))
	register(wasm.OpI32x4Bitmask, vwhole(func(a []Value) Value { return bitmask[uint32](a[0]) }))
	register(wasm.OpI64x2Bitmask, vwhole(func(a []Value) Value { return bitmask[uint64](a[0]) }))
}
