package numeric

import (
	"math"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Scalar floating-point instructions on raw IEEE 754 bits. Go's float32 and
// float64 arithmetic is correctly rounded (round to nearest, ties to even),
// which is what WebAssembly requires; the only host-dependent part, the
// bits of a NaN result, is replaced by the canonical NaN (see the package
// comment).

// Canonical NaNs: quiet bit set, payload otherwise zero, sign clear.
const (
	F32CanonicalNaN uint32 = 0x7fc00000
	F64CanonicalNaN uint64 = 0x7ff8000000000000
)

const (
	f32SignBit uint32 = 1 << 31
	f64SignBit uint64 = 1 << 63
)

func f32(b uint32) float32 { return math.Float32frombits(b) }
func f64(b uint64) float64 { return math.Float64frombits(b) }

// f32Result returns the bits of an arithmetic result, canonicalising NaN.
func f32Result(x float32) uint32 {
	if x != x {
		return F32CanonicalNaN
	}
	return math.Float32bits(x)
}

// f64Result returns the bits of an arithmetic result, canonicalising NaN.
func f64Result(x float64) uint64 {
	if x != x {
		return F64CanonicalNaN
	}
	return math.Float64bits(x)
}

// F32IsNaN reports whether the f32 bits b encode a NaN.
func F32IsNaN(b uint32) bool { return b&^f32SignBit > 0x7f800000 }

// F64IsNaN reports whether the f64 bits b encode a NaN.
func F64IsNaN(b uint64) bool { return b&^f64SignBit > 0x7ff0000000000000 }

// F32Abs is f32.abs: clears the sign bit, NaN payload untouched.
func F32Abs(a uint32) uint32 { return a &^ f32SignBit }

// F32Neg is f32.neg: flips the sign bit, NaN payload untouched.
func F32Neg(a uint32) uint32 { return a ^ f32SignBit }

// F32Copysign is f32.copysign: a's magnitude with b's sign bit.
func F32Copysign(a, b uint32) uint32 { return a&^f32SignBit | b&f32SignBit }

// F64Abs is f64.abs: clears the sign bit, NaN payload untouched.
func F64Abs(a uint64) uint64 { return a &^ f64SignBit }

// F64Neg is f64.neg: flips the sign bit, NaN payload untouched.
func F64Neg(a uint64) uint64 { return a ^ f64SignBit }

// F64Copysign is f64.copysign: a's magnitude with b's sign bit.
func F64Copysign(a, b uint64) uint64 { return a&^f64SignBit | b&f64SignBit }

// The f32 rounding functions go through float64: widening is exact, the
// float64 result is an integer (or ±0, ±inf) representable in float32, so
// narrowing back is exact too. math's rounding functions keep the sign of
// zero, so e.g. ceil(-0.5) is -0.

// F32Ceil is f32.ceil.
func F32Ceil(a uint32) uint32 { return f32Result(float32(math.Ceil(float64(f32(a))))) }

// F32Floor is f32.floor.
func F32Floor(a uint32) uint32 { return f32Result(float32(math.Floor(float64(f32(a))))) }

// F32Trunc is f32.trunc.
func F32Trunc(a uint32) uint32 { return f32Result(float32(math.Trunc(float64(f32(a))))) }

// F32Nearest is f32.nearest: round half to even, keeping the sign of zero.
func F32Nearest(a uint32) uint32 {
	return f32Result(float32(math.RoundToEven(float64(f32(a)))))
}

// F32Sqrt is f32.sqrt. The float64 square root of a float32 rounds
// correctly to float32 (53 >= 2*24+2 bits, so double rounding is harmless).
func F32Sqrt(a uint32) uint32 { return f32Result(float32(math.Sqrt(float64(f32(a))))) }

// F32Add is f32.add.
func F32Add(a, b uint32) uint32 { return f32Result(f32(a) + f32(b)) }

// F32Sub is f32.sub.
func F32Sub(a, b uint32) uint32 { return f32Result(f32(a) - f32(b)) }

// F32Mul is f32.mul.
func F32Mul(a, b uint32) uint32 { return f32Result(f32(a) * f32(b)) }

// F32Div is f32.div.
func F32Div(a, b uint32) uint32 { return f32Result(f32(a) / f32(b)) }

// F32Min is f32.min: NaN if either operand is NaN, and -0 is less than +0.
func F32Min(a, b uint32) uint32 {
	x, y := f32(a), f32(b)
	switch {
	case x != x || y != y:
		return F32CanonicalNaN
	case x < y:
		return a
	case y < x:
		return b
	}
	// Equal: identical bits, or +0 and -0 where the set sign bit wins.
	return a | b
}

// F32Max is f32.max: NaN if either operand is NaN, and +0 is greater than -0.
func F32Max(a, b uint32) uint32 {
	x, y := f32(a), f32(b)
	switch {
	case x != x || y != y:
		return F32CanonicalNaN
	case x > y:
		return a
	case y > x:
		return b
	}
	// Equal: identical bits, or +0 and -0 where the clear sign bit wins.
	return a & b
}

// F64Ceil is f64.ceil.
func F64Ceil(a uint64) uint64 { return f64Result(math.Ceil(f64(a))) }

// F64Floor is f64.floor.
func F64Floor(a uint64) uint64 { return f64Result(math.Floor(f64(a))) }

// F64Trunc is f64.trunc.
func F64Trunc(a uint64) uint64 { return f64Result(math.Trunc(f64(a))) }

// F64Nearest is f64.nearest: round half to even, keeping the sign of zero.
func F64Nearest(a uint64) uint64 { return f64Result(math.RoundToEven(f64(a))) }

// F64Sqrt is f64.sqrt.
func F64Sqrt(a uint64) uint64 { return f64Result(math.Sqrt(f64(a))) }

// F64Add is f64.add.
func F64Add(a, b uint64) uint64 { return f64Result(f64(a) + f64(b)) }

// F64Sub is f64.sub.
func F64Sub(a, b uint64) uint64 { return f64Result(f64(a) - f64(b)) }

// F64Mul is f64.mul.
func F64Mul(a, b uint64) uint64 { return f64Result(f64(a) * f64(b)) }

// F64Div is f64.div.
func F64Div(a, b uint64) uint64 { return f64Result(f64(a) / f64(b)) }

// F64Min is f64.min: NaN if either operand is NaN, and -0 is less than +0.
func F64Min(a, b uint64) uint64 {
	x, y := f64(a), f64(b)
	switch {
	case x != x || y != y:
		return F64CanonicalNaN
	case x < y:
		return a
	case y < x:
		return b
	}
	return a | b
}

// F64Max is f64.max: NaN if either operand is NaN, and +0 is greater than -0.
func F64Max(a, b uint64) uint64 {
	x, y := f64(a), f64(b)
	switch {
	case x != x || y != y:
		return F64CanonicalNaN
	case x > y:
		return a
	case y > x:
		return b
	}
	return a & b
}

// Comparisons follow IEEE 754: every comparison with a NaN is false except
// ne, which is true.

// F32Eq is f32.eq.
func F32Eq(a, b uint32) bool { return f32(a) == f32(b) }

// F32Ne is f32.ne.
func F32Ne(a, b uint32) bool { return f32(a) != f32(b) }

// F32Lt is f32.lt.
func F32Lt(a, b uint32) bool { return f32(a) < f32(b) }

// F32Gt is f32.gt.
func F32Gt(a, b uint32) bool { return f32(a) > f32(b) }

// F32Le is f32.le.
func F32Le(a, b uint32) bool { return f32(a) <= f32(b) }

// F32Ge is f32.ge.
func F32Ge(a, b uint32) bool { return f32(a) >= f32(b) }

// F64Eq is f64.eq.
func F64Eq(a, b uint64) bool { return f64(a) == f64(b) }

// F64Ne is f64.ne.
func F64Ne(a, b uint64) bool { return f64(a) != f64(b) }

// F64Lt is f64.lt.
func F64Lt(a, b uint64) bool { return f64(a) < f64(b) }

// F64Gt is f64.gt.
func F64Gt(a, b uint64) bool { return f64(a) > f64(b) }

// F64Le is f64.le.
func F64Le(a, b uint64) bool { return f64(a) <= f64(b) }

// F64Ge is f64.ge.
func F64Ge(a, b uint64) bool { return f64(a) >= f64(b) }

func registerFloat() {
	register(wasm.OpF32Eq, compare(F32Eq))
	register(wasm.OpF32Ne, compare(F32Ne))
	register(wasm.OpF32Lt, compare(F32Lt))
	register(wasm.OpF32Gt, compare(F32Gt))
	register(wasm.OpF32Le, compare(F32Le))
	register(wasm.OpF32Ge, compare(F32Ge))
	register(wasm.OpF64Eq, compare(F64Eq))
	register(wasm.OpF64Ne, compare(F64Ne))
	register(wasm.OpF64Lt, compare(F64Lt))
	register(wasm.OpF64Gt, compare(F64Gt))
	register(wasm.OpF64Le, compare(F64Le))
	register(wasm.OpF64Ge, compare(F64Ge))

	register(wasm.OpF32Abs, unop(F32Abs))
	register(wasm.OpF32Neg, unop(F32Neg))
	register(wasm.OpF32Ceil, unop(F32Ceil))
	register(wasm.OpF32Floor, unop(F32Floor))
	register(wasm.OpF32Trunc, unop(F32Trunc))
	register(wasm.OpF32Nearest, unop(F32Nearest))
	register(wasm.OpF32Sqrt, unop(F32Sqrt))
	register(wasm.OpF32Add, binop(F32Add))
	register(wasm.OpF32Sub, binop(F32Sub))
	register(wasm.OpF32Mul, binop(F32Mul))
	register(wasm.OpF32Div, binop(F32Div))
	register(wasm.OpF32Min, binop(F32Min))
	register(wasm.OpF32Max, binop(F32Max))
	register(wasm.OpF32Copysign, binop(F32Copysign))

	register(wasm.OpF64Abs, unop(F64Abs))
	register(wasm.OpF64Neg, unop(F64Neg))
	register(wasm.OpF64Ceil, unop(F64Ceil))
	register(wasm.OpF64Floor, unop(F64Floor))
	register(wasm.OpF64Trunc, unop(F64Trunc))
	register(wasm.OpF64Nearest, unop(F64Nearest))
	register(wasm.OpF64Sqrt, unop(F64Sqrt))
	register(wasm.OpF64Add, binop(F64Add))
	register(wasm.OpF64Sub, binop(F64Sub))
	register(wasm.OpF64Mul, binop(F64Mul))
	register(wasm.OpF64Div, binop(F64Div))
	register(wasm.OpF64Min, binop(F64Min))
	register(wasm.OpF64Max, binop(F64Max))
	register(wasm.OpF64Copysign, binop(F64Copysign))
}
