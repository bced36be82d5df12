package numeric

import (
	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// SIMD floating-point instructions. Each lane follows the scalar semantics
// (and the scalar NaN policy), so the scalar building blocks are reused.

// F32Pmin is the lane operation of f32x4.pmin: b < a ? b : a, returning an
// operand's bits unchanged (NaN included).
func F32Pmin(a, b uint32) uint32 {
	if f32(b) < f32(a) {
		return b
	}
	return a
}

// F32Pmax is the lane operation of f32x4.pmax: a < b ? b : a.
func F32Pmax(a, b uint32) uint32 {
	if f32(a) < f32(b) {
		return b
	}
	return a
}

// F64Pmin is the lane operation of f64x2.pmin: b < a ? b : a.
func F64Pmin(a, b uint64) uint64 {
	if f64(b) < f64(a) {
		return b
	}
	return a
}

// F64Pmax is the lane operation of f64x2.pmax: a < b ? b : a.
func F64Pmax(a, b uint64) uint64 {
	if f64(a) < f64(b) {
		return b
	}
	return a
}

// f64LanesToLow32 converts both 64-bit lanes of v with f into 32-bit lanes 0
// and 1; lanes 2 and 3 are zero.
func f64LanesToLow32(v Value, f func(uint64) uint32) Value {
	return Value{Lo: uint64(f(v.Lo)) | uint64(f(v.Hi))<<32}
}

// low32LanesToF64 converts 32-bit lanes 0 and 1 of v with f into 64-bit lanes.
func low32LanesToF64(v Value, f func(uint32) uint64) Value {
	return Value{Lo: f(uint32(v.Lo)), Hi: f(uint32(v.Lo >> 32))}
}

func registerSIMDFloat() {
	register(wasm.OpF32x4Eq, vcompare(F32Eq))
	register(wasm.OpF32x4Ne, vcompare(F32Ne))
	register(wasm.OpF32x4Lt, vcompare(F32Lt))
	register(wasm.OpF32x4Gt, vcompare(F32Gt))
	register(wasm.OpF32x4Le, vcompare(F32Le))
	register(wasm.OpF32x4Ge, vcompare(F32Ge))
	register(wasm.OpF64x2Eq, vcompare(F64Eq))
	register(wasm.OpF64x2Ne, vcompare(F64Ne))
	register(wasm.OpF64x2Lt, vcompare(F64Lt))
	register(wasm.OpF64x2Gt, vcompare(F64Gt))
	register(wasm.OpF64x2Le, vcompare(F64Le))
	register(wasm.OpF64x2Ge, vcompare(F64Ge))

	register(wasm.OpF32x4Abs, vunary(F32Abs))
	register(wasm.OpF32x4Neg, vunary(F32Neg))
	register(wasm.OpF32x4Sqrt, vunary(F32Sqrt))
	register(wasm.OpF32x4Ceil, vunary(F32Ceil))
	register(wasm.OpF32x4Floor, vunary(F32Floor))
	register(wasm.OpF32x4Trunc, vunary(F32Trunc))
	register(wasm.OpF32x4Nearest, vunary(F32Nearest))
	register(wasm.OpF32x4Add, vbinary(F32Add))
	register(wasm.OpF32x4Sub, vbinary(F32Sub))
	register(wasm.OpF32x4Mul, vbinary(F32Mul))
	register(wasm.OpF32x4Div, vbinary(F32Div))
	register(wasm.OpF32x4Min, vbinary(F32Min))
	register(wasm.OpF32x4Max, vbinary(F32Max))
	register(wasm.OpF32x4Pmin, vbinary(F32Pmin))
	register(wasm.OpF32x4Pmax, vbinary(F32Pmax))

	register(wasm.OpF64x2Abs, vunary(F64Abs))
	register(wasm.OpF64x2Neg, vunary(F64Neg))
	register(wasm.OpF64x2Sqrt, vunary(F64Sqrt))
	register(wasm.OpF64x2Ceil, vunary(F64Ceil))
	register(wasm.OpF64x2Floor, vunary(F64Floor))
	register(wasm.OpF64x2Trunc, vunary(F64Trunc))
	register(wasm.OpF64x2Nearest, vunary(F64Nearest))
	register(wasm.OpF64x2Add, vbinary(F64Add))
	register(wasm.OpF64x2Sub, vbinary(F64Sub))
	register(wasm.OpF64x2Mul, vbinary(F64Mul))
	register(wasm.OpF64x2Div, vbinary(F64Div))
	register(wasm.OpF64x2Min, vbinary(F64Min))
	register(wasm.OpF64x2Max, vbinary(F64Max))
	register(wasm.OpF64x2Pmin, vbinary(F64Pmin))
	register(wasm.OpF64x2Pmax, vbinary(F64Pmax))

	register(wasm.OpI32x4TruncSatF32x4S, vunary(I32TruncSatF32S))
	register(wasm.OpI32x4TruncSatF32x4U, vunary(I32TruncSatF32U))
	register(wasm.OpF32x4ConvertI32x4S, vunary(F32ConvertI32S))
	register(wasm.OpF32x4ConvertI32x4U, vunary(F32ConvertI32U))
	register(wasm.OpI32x4TruncSatF64x2SZero, vwhole(func(a []Value) Value { return f64LanesToLow32(a[0], I32TruncSatF64S) }))
	register(wasm.OpI32x4TruncSatF64x2UZero, vwhole(func(a []Value) Value { return f64LanesToLow32(a[0], I32TruncSatF64U) }))
	register(wasm.OpF32x4DemoteF64x2Zero, vwhole(func(a []Value) Value { return f64LanesToLow32(a[0], F32DemoteF64) }))
	register(wasm.OpF64x2ConvertLowI32x4S, vwhole(func(a []Value) Value { return low32LanesToF64(a[0], F64ConvertI32S) }))
	register(wasm.OpF64x2ConvertLowI32x4U, vwhole(func(a []Value) Value { return low32LanesToF64(a[0], F64ConvertI32U) }))
	register(wasm.OpF64x2PromoteLowF32x4, vwhole(func(a []Value) Value { return low32LanesToF64(a[0], F64PromoteF32) }))
}
