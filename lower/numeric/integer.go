package numeric

import (
	"math"
	"math/bits"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Scalar integer instructions. Operands are the raw two's-complement bits;
// signed operations reinterpret them.

// I32DivS is i32.div_s: traps on a zero divisor and on MinInt32 / -1.
func I32DivS(a, b uint32) (uint32, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	if int32(a) == math.MinInt32 && int32(b) == -1 {
		return 0, abi.TrapIntegerOverflow
	}
	return uint32(int32(a) / int32(b)), abi.TrapNone
}

// I32DivU is i32.div_u: traps on a zero divisor.
func I32DivU(a, b uint32) (uint32, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	return a / b, abi.TrapNone
}

// I32RemS is i32.rem_s: traps on a zero divisor; MinInt32 rem -1 is 0. The
// result takes the sign of the dividend.
func I32RemS(a, b uint32) (uint32, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	if int32(b) == -1 {
		return 0, abi.TrapNone
	}
	return uint32(int32(a) % int32(b)), abi.TrapNone
}

// I32RemU is i32.rem_u: traps on a zero divisor.
func I32RemU(a, b uint32) (uint32, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	return a % b, abi.TrapNone
}

// I64DivS is i64.div_s: traps on a zero divisor and on MinInt64 / -1.
func I64DivS(a, b uint64) (uint64, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	if int64(a) == math.MinInt64 && int64(b) == -1 {
		return 0, abi.TrapIntegerOverflow
	}
	return uint64(int64(a) / int64(b)), abi.TrapNone
}

// I64DivU is i64.div_u: traps on a zero divisor.
func I64DivU(a, b uint64) (uint64, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	return a / b, abi.TrapNone
}

// I64RemS is i64.rem_s: traps on a zero divisor; MinInt64 rem -1 is 0.
func I64RemS(a, b uint64) (uint64, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	if int64(b) == -1 {
		return 0, abi.TrapNone
	}
	return uint64(int64(a) % int64(b)), abi.TrapNone
}

// I64RemU is i64.rem_u: traps on a zero divisor.
func I64RemU(a, b uint64) (uint64, abi.TrapCode) {
	if b == 0 {
		return 0, abi.TrapIntegerDivideByZero
	}
	return a % b, abi.TrapNone
}

// Shifts and rotates take the count modulo the operand width.

// I32Shl is i32.shl.
func I32Shl(a, b uint32) uint32 { return a << (b & 31) }

// I32ShrS is i32.shr_s.
func I32ShrS(a, b uint32) uint32 { return uint32(int32(a) >> (b & 31)) }

// I32ShrU is i32.shr_u.
func I32ShrU(a, b uint32) uint32 { return a >> (b & 31) }

// I32Rotl is i32.rotl.
func I32Rotl(a, b uint32) uint32 { return bits.RotateLeft32(a, int(b&31)) }

// I32Rotr is i32.rotr.
func I32Rotr(a, b uint32) uint32 { return bits.RotateLeft32(a, -int(b&31)) }

// I64Shl is i64.shl.
func I64Shl(a, b uint64) uint64 { return a << (b & 63) }

// I64ShrS is i64.shr_s.
func I64ShrS(a, b uint64) uint64 { return uint64(int64(a) >> (b & 63)) }

// I64ShrU is i64.shr_u.
func I64ShrU(a, b uint64) uint64 { return a >> (b & 63) }

// I64Rotl is i64.rotl.
func I64Rotl(a, b uint64) uint64 { return bits.RotateLeft64(a, int(b&63)) }

// I64Rotr is i64.rotr.
func I64Rotr(a, b uint64) uint64 { return bits.RotateLeft64(a, -int(b&63)) }

func registerInteger() {
	register(wasm.OpI32Eqz, test(func(a uint32) bool { return a == 0 }))
	register(wasm.OpI32Eq, compare(func(a, b uint32) bool { return a == b }))
	register(wasm.OpI32Ne, compare(func(a, b uint32) bool { return a != b }))
	register(wasm.OpI32LtS, compare(func(a, b uint32) bool { return int32(a) < int32(b) }))
	register(wasm.OpI32LtU, compare(func(a, b uint32) bool { return a < b }))
	register(wasm.OpI32GtS, compare(func(a, b uint32) bool { return int32(a) > int32(b) }))
	register(wasm.OpI32GtU, compare(func(a, b uint32) bool { return a > b }))
	register(wasm.OpI32LeS, compare(func(a, b uint32) bool { return int32(a) <= int32(b) }))
	register(wasm.OpI32LeU, compare(func(a, b uint32) bool { return a <= b }))
	register(wasm.OpI32GeS, compare(func(a, b uint32) bool { return int32(a) >= int32(b) }))
	register(wasm.OpI32GeU, compare(func(a, b uint32) bool { return a >= b }))

	register(wasm.OpI64Eqz, test(func(a uint64) bool { return a == 0 }))
	register(wasm.OpI64Eq, compare(func(a, b uint64) bool { return a == b }))
	register(wasm.OpI64Ne, compare(func(a, b uint64) bool { return a != b }))
	register(wasm.OpI64LtS, compare(func(a, b uint64) bool { return int64(a) < int64(b) }))
	register(wasm.OpI64LtU, compare(func(a, b uint64) bool { return a < b }))
	register(wasm.OpI64GtS, compare(func(a, b uint64) bool { return int64(a) > int64(b) }))
	register(wasm.OpI64GtU, compare(func(a, b uint64) bool { return a > b }))
	register(wasm.OpI64LeS, compare(func(a, b uint64) bool { return int64(a) <= int64(b) }))
	register(wasm.OpI64LeU, compare(func(a, b uint64) bool { return a <= b }))
	register(wasm.OpI64GeS, compare(func(a, b uint64) bool { return int64(a) >= int64(b) }))
	register(wasm.OpI64GeU, compare(func(a, b uint64) bool { return a >= b }))

	register(wasm.OpI32Clz, unop(func(a uint32) uint32 { return uint32(bits.LeadingZeros32(a)) }))
	register(wasm.OpI32Ctz, unop(func(a uint32) uint32 { return uint32(bits.TrailingZeros32(a)) }))
	register(wasm.OpI32Popcnt, unop(func(a uint32) uint32 { return uint32(bits.OnesCount32(a)) }))
	register(wasm.OpI32Add, binop(func(a, b uint32) uint32 { return a + b }))
	register(wasm.OpI32Sub, binop(func(a, b uint32) uint32 { return a - b }))
	register(wasm.OpI32Mul, binop(func(a, b uint32) uint32 { return a * b }))
	register(wasm.OpI32DivS, binopTrap(I32DivS))
	register(wasm.OpI32DivU, binopTrap(I32DivU))
	register(wasm.OpI32RemS, binopTrap(I32RemS))
	register(wasm.OpI32RemU, binopTrap(I32RemU))
	register(wasm.OpI32And, binop(func(a, b uint32) uint32 { return a & b }))
	register(wasm.OpI32Or, binop(func(a, b uint32) uint32 { return a | b }))
	register(wasm.OpI32Xor, binop(func(a, b uint32) uint32 { return a ^ b }))
	register(wasm.OpI32Shl, binop(I32Shl))
	register(wasm.OpI32ShrS, binop(I32ShrS))
	register(wasm.OpI32ShrU, binop(I32ShrU))
	register(wasm.OpI32Rotl, binop(I32Rotl))
	register(wasm.OpI32Rotr, binop(I32Rotr))

	register(wasm.OpI64Clz, unop(func(a uint64) uint64 { return uint64(bits.LeadingZeros64(a)) }))
	register(wasm.OpI64Ctz, unop(func(a uint64) uint64 { return uint64(bits.TrailingZeros64(a)) }))
	register(wasm.OpI64Popcnt, unop(func(a uint64) uint64 { return uint64(bits.OnesCount64(a)) }))
	register(wasm.OpI64Add, binop(func(a, b uint64) uint64 { return a + b }))
	register(wasm.OpI64Sub, binop(func(a, b uint64) uint64 { return a - b }))
	register(wasm.OpI64Mul, binop(func(a, b uint64) uint64 { return a * b }))
	register(wasm.OpI64DivS, binopTrap(I64DivS))
	register(wasm.OpI64DivU, binopTrap(I64DivU))
	register(wasm.OpI64RemS, binopTrap(I64RemS))
	register(wasm.OpI64RemU, binopTrap(I64RemU))
	register(wasm.OpI64And, binop(func(a, b uint64) uint64 { return a & b }))
	register(wasm.OpI64Or, binop(func(a, b uint64) uint64 { return a | b }))
	register(wasm.OpI64Xor, binop(func(a, b uint64) uint64 { return a ^ b }))
	register(wasm.OpI64Shl, binop(I64Shl))
	register(wasm.OpI64ShrS, binop(I64ShrS))
	register(wasm.OpI64ShrU, binop(I64ShrU))
	register(wasm.OpI64Rotl, binop(I64Rotl))
	register(wasm.OpI64Rotr, binop(I64Rotr))

	// Sign extension and width changes between integer types.
	register(wasm.OpI32Extend8S, unop(func(a uint32) uint32 { return uint32(int32(int8(a))) }))
	register(wasm.OpI32Extend16S, unop(func(a uint32) uint32 { return uint32(int32(int16(a))) }))
	register(wasm.OpI64Extend8S, unop(func(a uint64) uint64 { return uint64(int64(int8(a))) }))
	register(wasm.OpI64Extend16S, unop(func(a uint64) uint64 { return uint64(int64(int16(a))) }))
	register(wasm.OpI64Extend32S, unop(func(a uint64) uint64 { return uint64(int64(int32(a))) }))
	register(wasm.OpI32WrapI64, unop(func(a uint64) uint32 { return uint32(a) }))
	register(wasm.OpI64ExtendI32S, unop(func(a uint32) uint64 { return uint64(int64(int32(a))) }))
	register(wasm.OpI64ExtendI32U, unop(func(a uint32) uint64 { return uint64(a) }))
}
