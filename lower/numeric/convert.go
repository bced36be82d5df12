package numeric

import (
	"math"
	"math/bits"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Conversions between integers and floats, and between float widths.
//
// Float-to-integer truncations widen f32 operands to float64 first (exact),
// so one set of range checks serves both source widths. Each bound below is
// exactly representable in float64 and is the first value outside the range
// after truncation toward zero.

const (
	two31 = 1 << 31
	two32 = 1 << 32
	two63 = 1 << 63
	two64 = 1 << 64
)

func truncToI32S(x float64) (uint32, abi.TrapCode) {
	switch {
	case x != x:
		return 0, abi.TrapInvalidConversion
	case x <= -two31-1 || x >= two31:
		return 0, abi.TrapIntegerOverflow
	}
	return uint32(int32(x)), abi.TrapNone
}

func truncToI32U(x float64) (uint32, abi.TrapCode) {
	switch {
	case x != x:
		return 0, abi.TrapInvalidConversion
	case x <= -1 || x >= two32:
		return 0, abi.TrapIntegerOverflow
	}
	return uint32(int64(x)), abi.TrapNone
}

func truncToI64S(x float64) (uint64, abi.TrapCode) {
	switch {
	case x != x:
		return 0, abi.TrapInvalidConversion
	case x < -two63 || x >= two63: // -2^63-1 rounds to -2^63 in float64, so -2^63 itself is the last valid value
		return 0, abi.TrapIntegerOverflow
	}
	return uint64(int64(x)), abi.TrapNone
}

func truncToI64U(x float64) (uint64, abi.TrapCode) {
	switch {
	case x != x:
		return 0, abi.TrapInvalidConversion
	case x <= -1 || x >= two64:
		return 0, abi.TrapIntegerOverflow
	}
	return f64ToU64(x), abi.TrapNone
}

// f64ToU64 truncates x in (-1, 2^64) toward zero without relying on Go's
// implementation-defined float-to-unsigned conversion of large values.
func f64ToU64(x float64) uint64 {
	if x >= two63 {
		return uint64(int64(x-two63)) | two63 // x-2^63 is exact for x in [2^63, 2^64)
	}
	return uint64(int64(x))
}

// Saturating truncations: NaN gives 0, out-of-range values the nearest bound.

func satToI32S(x float64) uint32 {
	switch {
	case x != x:
		return 0
	case x <= math.MinInt32:
		return 1 << 31
	case x >= math.MaxInt32:
		return math.MaxInt32
	}
	return uint32(int32(x))
}

func satToI32U(x float64) uint32 {
	switch {
	case x != x || x <= 0:
		return 0
	case x >= math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(int64(x))
}

func satToI64S(x float64) uint64 {
	switch {
	case x != x:
		return 0
	case x <= -two63:
		return 1 << 63
	case x >= two63:
		return math.MaxInt64
	}
	return uint64(int64(x))
}

func satToI64U(x float64) uint64 {
	switch {
	case x != x || x <= 0:
		return 0
	case x >= two64:
		return math.MaxUint64
	}
	return f64ToU64(x)
}

// I32TruncF32S is i32.trunc_f32_s.
func I32TruncF32S(a uint32) (uint32, abi.TrapCode) { return truncToI32S(float64(f32(a))) }

// I32TruncF32U is i32.trunc_f32_u.
func I32TruncF32U(a uint32) (uint32, abi.TrapCode) { return truncToI32U(float64(f32(a))) }

// I32TruncF64S is i32.trunc_f64_s.
func I32TruncF64S(a uint64) (uint32, abi.TrapCode) { return truncToI32S(f64(a)) }

// I32TruncF64U is i32.trunc_f64_u.
func I32TruncF64U(a uint64) (uint32, abi.TrapCode) { return truncToI32U(f64(a)) }

// I64TruncF32S is i64.trunc_f32_s.
func I64TruncF32S(a uint32) (uint64, abi.TrapCode) { return truncToI64S(float64(f32(a))) }

// I64TruncF32U is i64.trunc_f32_u.
func I64TruncF32U(a uint32) (uint64, abi.TrapCode) { return truncToI64U(float64(f32(a))) }

// I64TruncF64S is i64.trunc_f64_s.
func I64TruncF64S(a uint64) (uint64, abi.TrapCode) { return truncToI64S(f64(a)) }

// I64TruncF64U is i64.trunc_f64_u.
func I64TruncF64U(a uint64) (uint64, abi.TrapCode) { return truncToI64U(f64(a)) }

// I32TruncSatF32S is i32.trunc_sat_f32_s.
func I32TruncSatF32S(a uint32) uint32 { return satToI32S(float64(f32(a))) }

// I32TruncSatF32U is i32.trunc_sat_f32_u.
func I32TruncSatF32U(a uint32) uint32 { return satToI32U(float64(f32(a))) }

// I32TruncSatF64S is i32.trunc_sat_f64_s.
func I32TruncSatF64S(a uint64) uint32 { return satToI32S(f64(a)) }

// I32TruncSatF64U is i32.trunc_sat_f64_u.
func I32TruncSatF64U(a uint64) uint32 { return satToI32U(f64(a)) }

// I64TruncSatF32S is i64.trunc_sat_f32_s.
func I64TruncSatF32S(a uint32) uint64 { return satToI64S(float64(f32(a))) }

// I64TruncSatF32U is i64.trunc_sat_f32_u.
func I64TruncSatF32U(a uint32) uint64 { return satToI64U(float64(f32(a))) }

// I64TruncSatF64S is i64.trunc_sat_f64_s.
func I64TruncSatF64S(a uint64) uint64 { return satToI64S(f64(a)) }

// I64TruncSatF64U is i64.trunc_sat_f64_u.
func I64TruncSatF64U(a uint64) uint64 { return satToI64U(f64(a)) }

// Integer-to-float conversions round to nearest, ties to even, exactly once.
// 32-bit integers are exact in float64, so going through float64 rounds once.

// F32ConvertI32S is f32.convert_i32_s.
func F32ConvertI32S(a uint32) uint32 { return math.Float32bits(float32(float64(int32(a)))) }

// F32ConvertI32U is f32.convert_i32_u.
func F32ConvertI32U(a uint32) uint32 { return math.Float32bits(float32(float64(a))) }

// F32ConvertI64S is f32.convert_i64_s.
func F32ConvertI64S(a uint64) uint32 {
	if int64(a) < 0 {
		return math.Float32bits(u64ToF32(-a)) | f32SignBit // -a is right for MinInt64 too
	}
	return math.Float32bits(u64ToF32(a))
}

// F32ConvertI64U is f32.convert_i64_u.
func F32ConvertI64U(a uint64) uint32 { return math.Float32bits(u64ToF32(a)) }

// u64ToF32 converts with a single rounding. Values of 53 bits or fewer
// are exact in float64. For wider ones the bits below the top 53 are
// folded into a sticky bit ("round to odd"): that keeps 29 bits beyond
// float32's 24-bit significand, enough for the final narrowing to round
// exactly as a direct conversion would.
func u64ToF32(v uint64) float32 {
	if v < 1<<53 {
		return float32(float64(v))
	}
	shift := uint(bits.Len64(v) - 53)
	w := v >> shift
	if v&(1<<shift-1) != 0 {
		w |= 1
	}
	return float32(float64(w) * float64(uint64(1)<<shift))
}

// F64ConvertI32S is f64.convert_i32_s.
func F64ConvertI32S(a uint32) uint64 { return math.Float64bits(float64(int32(a))) }

// F64ConvertI32U is f64.convert_i32_u.
func F64ConvertI32U(a uint32) uint64 { return math.Float64bits(float64(a)) }

// F64ConvertI64S is f64.convert_i64_s.
func F64ConvertI64S(a uint64) uint64 {
	if int64(a) < 0 {
		return math.Float64bits(u64ToF64(-a)) | f64SignBit
	}
	return math.Float64bits(u64ToF64(a))
}

// F64ConvertI64U is f64.convert_i64_u.
func F64ConvertI64U(a uint64) uint64 { return math.Float64bits(u64ToF64(a)) }

// u64ToF64 converts with a single rounding: a value with the top bit set is
// halved with its lowest bit kept sticky, converted (63 significant bits,
// still 10 beyond float64's 53) and doubled exactly.
func u64ToF64(v uint64) float64 {
	if v < two63 {
		return float64(int64(v))
	}
	return float64(int64(v>>1|v&1)) * 2
}

// F32DemoteF64 is f32.demote_f64: rounds to nearest; NaN becomes the
// canonical NaN.
func F32DemoteF64(a uint64) uint32 { return f32Result(float32(f64(a))) }

// F64PromoteF32 is f64.promote_f32: exact; NaN becomes the canonical NaN.
func F64PromoteF32(a uint32) uint64 { return f64Result(float64(f32(a))) }

func registerConvert() {
	register(wasm.OpI32TruncF32S, unopTrap(I32TruncF32S))
	register(wasm.OpI32TruncF32U, unopTrap(I32TruncF32U))
	register(wasm.OpI32TruncF64S, unopTrap(I32TruncF64S))
	register(wasm.OpI32TruncF64U, unopTrap(I32TruncF64U))
	register(wasm.OpI64TruncF32S, unopTrap(I64TruncF32S))
	register(wasm.OpI64TruncF32U, unopTrap(I64TruncF32U))
	register(wasm.OpI64TruncF64S, unopTrap(I64TruncF64S))
	register(wasm.OpI64TruncF64U, unopTrap(I64TruncF64U))

	register(wasm.OpI32TruncSatF32S, unop(I32TruncSatF32S))
	register(wasm.OpI32TruncSatF32U, unop(I32TruncSatF32U))
	register(wasm.OpI32TruncSatF64S, unop(I32TruncSatF64S))
	register(wasm.OpI32TruncSatF64U, unop(I32TruncSatF64U))
	register(wasm.OpI64TruncSatF32S, unop(I64TruncSatF32S))
	register(wasm.OpI64TruncSatF32U, unop(I64TruncSatF32U))
	register(wasm.OpI64TruncSatF64S, unop(I64TruncSatF64S))
	register(wasm.OpI64TruncSatF64U, unop(I64TruncSatF64U))

	register(wasm.OpF32ConvertI32S, unop(F32ConvertI32S))
	register(wasm.OpF32ConvertI32U, unop(F32ConvertI32U))
	register(wasm.OpF32ConvertI64S, unop(F32ConvertI64S))
	register(wasm.OpF32ConvertI64U, unop(F32ConvertI64U))
	register(wasm.OpF64ConvertI32S, unop(F64ConvertI32S))
	register(wasm.OpF64ConvertI32U, unop(F64ConvertI32U))
	register(wasm.OpF64ConvertI64S, unop(F64ConvertI64S))
	register(wasm.OpF64ConvertI64U, unop(F64ConvertI64U))
	register(wasm.OpF32DemoteF64, unop(F32DemoteF64))
	register(wasm.OpF64PromoteF32, unop(F64PromoteF32))

	identity32 := func(a uint32) uint32 { return a }
	identity64 := func(a uint64) uint64 { return a }
	register(wasm.OpI32ReinterpretF32, unop(identity32))
	register(wasm.OpF32ReinterpretI32, unop(identity32))
	register(wasm.OpI64ReinterpretF64, unop(identity64))
	register(wasm.OpF64ReinterpretI64, unop(identity64))
}
