package numeric

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// expectPure is the independent definition of a pure instruction: a fixed
// signature with operands and one result, and no immediates beyond a lane
// index or shuffle pattern. That excludes control, variable, reference,
// memory, table and const instructions.
func expectPure(info *wasm.OpInfo) bool {
	switch info.Imm {
	case wasm.ImmNone, wasm.ImmLane, wasm.ImmShuffle:
	default:
		return false
	}
	return info.Fixed && len(info.Params) > 0 && len(info.Results) == 1
}

func TestIsPureCoversEveryPureOpcode(t *testing.T) {
	pure := 0
	for _, op := range wasm.Opcodes() {
		want := expectPure(op.Info())
		if IsPure(op) != want || (Lookup(op) != nil) != want {
			t.Errorf("IsPure(%s) = %v, Lookup gives a func: %v; want %v", op, IsPure(op), Lookup(op) != nil, want)
		}
		if want {
			pure++
		}
	}
	// 128 scalar numeric ops (0x45-0xC4), 8 saturating truncations, and
	// the 236 SIMD ops less 22 loads/stores and v128.const.
	if pure != 128+8+236-23 {
		t.Errorf("%d pure opcodes, want %d", pure, 128+8+236-23)
	}
	t.Logf("IsPure holds for all %d pure opcodes and no other", pure)
	for _, op := range []wasm.Opcode{wasm.OpI32Const, wasm.OpV128Const, wasm.OpI32Load, wasm.OpV128Load8Lane, wasm.OpSelect, wasm.OpRefIsNull, wasm.Opcode(0xFDFF + 1), wasm.Opcode(0xFF)} {
		if IsPure(op) {
			t.Errorf("IsPure(%#x) = true", uint16(op))
		}
	}
}

func TestEvalPanicsClearlyOnMisuse(t *testing.T) {
	for _, c := range []struct {
		in   wasm.Instr
		args []Value
		msg  string
	}{
		{wasm.Instr{Op: wasm.OpI32Load}, []Value{{}}, "not a pure instruction"},
		{wasm.Instr{Op: wasm.OpI32Add}, []Value{{}}, "takes 2 operands, got 1"},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.msg) {
					t.Errorf("Eval(%s) panicked with %v, want %q", c.in.Op, r, c.msg)
				}
			}()
			Eval(&c.in, c.args)
		}()
	}
}

// TestEvalIgnoresBitsOutsideTheOperandType feeds every pure instruction
// operands with garbage above their type's width and expects the same
// result as with clean operands.
func TestEvalIgnoresBitsOutsideTheOperandType(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, op := range wasm.Opcodes() {
		if !IsPure(op) {
			continue
		}
		info := op.Info()
		in := wasm.Instr{Op: op, Lane: byte(rng.IntN(int(max(info.Size, 1)))), Const: rng.Uint64(), ConstHi: rng.Uint64()}
		for range 50 {
			clean := make([]Value, len(info.Params))
			dirty := make([]Value, len(info.Params))
			for i := range clean {
				clean[i] = Value{rng.Uint64(), rng.Uint64()}
				dirty[i] = clean[i]
				switch info.Params[i] {
				case 'i', 'f':
					clean[i] = Value{Lo: clean[i].Lo & 0xFFFFFFFF}
				case 'l', 'd':
					clean[i].Hi = 0
				}
			}
			want, wantTrap := Eval(&in, clean)
			got, gotTrap := Eval(&in, dirty)
			if got != want || gotTrap != wantTrap {
				t.Errorf("%s on %#x: %#x/%v, with clean operands %#x/%v", op, dirty, got, gotTrap, want, wantTrap)
				break
			}
			if r := info.Results[0]; (r == 'i' || r == 'f') && got.Lo>>32 != 0 || r != 'v' && got.Hi != 0 {
				t.Errorf("%s result %#x is not zero-extended", op, got)
				break
			}
		}
	}
}

// Bit helpers for writing cases.
func f32v(x float32) Value { return Value{Lo: uint64(math.Float32bits(x))} }
func f64v(x float64) Value { return Value{Lo: math.Float64bits(x)} }
func u(x uint64) Value     { return Value{Lo: x} }

// lanes builds a vector from lane values, lane 0 first.
func lanes[T laneBits](xs ...T) Value {
	var v Value
	for i, x := range xs {
		v = setLane(v, i, x)
	}
	return v
}

func splatOf[T laneBits](x T) Value {
	xs := make([]T, laneCount[T]())
	for i := range xs {
		xs[i] = x
	}
	return lanes(xs...)
}

type evalCase struct {
	op   wasm.Opcode
	args []Value
	want Value
	trap abi.TrapCode
	lane byte
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for i, c := range cases {
		in := wasm.Instr{Op: c.op, Lane: c.lane}
		got, trap := Eval(&in, c.args)
		if got != c.want || trap != c.trap {
			t.Errorf("case %d: %s%v = %#x/%#x trap %v, want %#x/%#x trap %v",
				i, c.op, c.args, got.Lo, got.Hi, trap, c.want.Lo, c.want.Hi, c.trap)
		}
	}
}

const (
	minI32 = 0x80000000
	maxU32 = 0xFFFFFFFF
	minI64 = 0x8000000000000000
	maxU64 = 0xFFFFFFFFFFFFFFFF
)

func TestInteger(t *testing.T) {
	neg32 := func(x int32) Value { return u(uint64(uint32(x))) }
	neg64 := func(x int64) Value { return u(uint64(x)) }
	none := abi.TrapNone
	runCases(t, []evalCase{
		{wasm.OpI32DivS, []Value{u(minI32), neg32(-1)}, Value{}, abi.TrapIntegerOverflow, 0},
		{wasm.OpI32DivS, []Value{u(7), neg32(-2)}, neg32(-3), none, 0},
		{wasm.OpI32DivS, []Value{neg32(-7), u(2)}, neg32(-3), none, 0},
		{wasm.OpI32DivS, []Value{u(1), u(0)}, Value{}, abi.TrapIntegerDivideByZero, 0},
		{wasm.OpI32DivU, []Value{u(maxU32), u(2)}, u(0x7FFFFFFF), none, 0},
		{wasm.OpI32DivU, []Value{u(1), u(0)}, Value{}, abi.TrapIntegerDivideByZero, 0},
		{wasm.OpI32RemS, []Value{u(minI32), neg32(-1)}, u(0), none, 0},
		{wasm.OpI32RemS, []Value{neg32(-7), u(2)}, neg32(-1), none, 0},
		{wasm.OpI32RemS, []Value{u(7), neg32(-2)}, u(1), none, 0},
		{wasm.OpI32RemS, []Value{u(7), u(0)}, Value{}, abi.TrapIntegerDivideByZero, 0},
		{wasm.OpI32RemU, []Value{u(minI32), neg32(-1)}, u(minI32), none, 0},
		{wasm.OpI64DivS, []Value{u(minI64), neg64(-1)}, Value{}, abi.TrapIntegerOverflow, 0},
		{wasm.OpI64DivS, []Value{u(minI64), u(2)}, neg64(-1 << 62), none, 0},
		{wasm.OpI64RemS, []Value{u(minI64), neg64(-1)}, u(0), none, 0},
		{wasm.OpI64RemU, []Value{u(5), u(0)}, Value{}, abi.TrapIntegerDivideByZero, 0},
		{wasm.OpI64DivU, []Value{u(maxU64), u(maxU64)}, u(1), none, 0},

		{wasm.OpI32Shl, []Value{u(1), u(33)}, u(2), none, 0},
		{wasm.OpI32ShrS, []Value{u(minI32), u(31)}, u(maxU32), none, 0},
		{wasm.OpI32ShrS, []Value{u(minI32), u(32)}, u(minI32), none, 0},
		{wasm.OpI32ShrU, []Value{u(minI32), u(63)}, u(1), none, 0},
		{wasm.OpI32Rotl, []Value{u(0x80000001), u(1)}, u(3), none, 0},
		{wasm.OpI32Rotr, []Value{u(1), u(33)}, u(minI32), none, 0},
		{wasm.OpI64Shl, []Value{u(1), u(65)}, u(2), none, 0},
		{wasm.OpI64ShrS, []Value{u(minI64), u(63)}, u(maxU64), none, 0},
		{wasm.OpI64Rotl, []Value{u(minI64 | 1), u(65)}, u(3), none, 0},
		{wasm.OpI64Rotr, []Value{u(1), u(maxU64)}, u(2), none, 0},

		{wasm.OpI32Clz, []Value{u(0)}, u(32), none, 0},
		{wasm.OpI32Clz, []Value{u(1)}, u(31), none, 0},
		{wasm.OpI32Ctz, []Value{u(0)}, u(32), none, 0},
		{wasm.OpI32Ctz, []Value{u(minI32)}, u(31), none, 0},
		{wasm.OpI32Popcnt, []Value{u(maxU32)}, u(32), none, 0},
		{wasm.OpI64Clz, []Value{u(0)}, u(64), none, 0},
		{wasm.OpI64Ctz, []Value{u(minI64)}, u(63), none, 0},
		{wasm.OpI64Popcnt, []Value{u(0x8000000080000001)}, u(3), none, 0},

		{wasm.OpI32Add, []Value{u(maxU32), u(2)}, u(1), none, 0},
		{wasm.OpI32Mul, []Value{u(0x10000), u(0x10000)}, u(0), none, 0},
		{wasm.OpI32Sub, []Value{u(0), u(1)}, u(maxU32), none, 0},
		{wasm.OpI32LtS, []Value{u(maxU32), u(0)}, u(1), none, 0},
		{wasm.OpI32LtU, []Value{u(maxU32), u(0)}, u(0), none, 0},
		{wasm.OpI64GeS, []Value{u(minI64), u(maxU64)}, u(0), none, 0},
		{wasm.OpI64GeU, []Value{u(minI64), u(maxU64)}, u(0), none, 0},
		{wasm.OpI32Eqz, []Value{u(0)}, u(1), none, 0},
		{wasm.OpI64Eqz, []Value{u(minI64)}, u(0), none, 0},

		{wasm.OpI32Extend8S, []Value{u(0x80)}, u(0xFFFFFF80), none, 0},
		{wasm.OpI32Extend8S, []Value{u(0x17F)}, u(0x7F), none, 0},
		{wasm.OpI32Extend16S, []Value{u(0x8000)}, u(0xFFFF8000), none, 0},
		{wasm.OpI64Extend8S, []Value{u(0xFF)}, u(maxU64), none, 0},
		{wasm.OpI64Extend32S, []Value{u(minI32)}, u(0xFFFFFFFF80000000), none, 0},
		{wasm.OpI32WrapI64, []Value{u(0x100000002)}, u(2), none, 0},
		{wasm.OpI64ExtendI32S, []Value{u(maxU32)}, u(maxU64), none, 0},
		{wasm.OpI64ExtendI32U, []Value{u(maxU32)}, u(maxU32), none, 0},
	})
}

const (
	f32SNaN    = 0x7FA00001 // signaling NaN with a payload
	f32NegNaN  = 0xFFC00000
	f64SNaN    = 0x7FF4000000000001
	f32NegZero = 0x80000000
	f64NegZero = 0x8000000000000000
)

func TestFloat(t *testing.T) {
	none := abi.TrapNone
	inf32, inf64 := float32(math.Inf(1)), math.Inf(1)
	cn32, cn64 := u(uint64(F32CanonicalNaN)), u(F64CanonicalNaN)
	runCases(t, []evalCase{
		{wasm.OpF32Min, []Value{u(f32NegZero), f32v(0)}, u(f32NegZero), none, 0},
		{wasm.OpF32Min, []Value{f32v(0), u(f32NegZero)}, u(f32NegZero), none, 0},
		{wasm.OpF32Max, []Value{u(f32NegZero), f32v(0)}, f32v(0), none, 0},
		{wasm.OpF32Max, []Value{f32v(0), u(f32NegZero)}, f32v(0), none, 0},
		{wasm.OpF32Min, []Value{u(f32SNaN), f32v(1)}, cn32, none, 0},
		{wasm.OpF32Max, []Value{f32v(-inf32), u(f32NegNaN)}, cn32, none, 0},
		{wasm.OpF32Min, []Value{f32v(-1), f32v(-inf32)}, f32v(-inf32), none, 0},
		{wasm.OpF64Min, []Value{u(f64NegZero), f64v(0)}, u(f64NegZero), none, 0},
		{wasm.OpF64Max, []Value{u(f64NegZero), f64v(0)}, f64v(0), none, 0},
		{wasm.OpF64Max, []Value{f64v(1), u(f64SNaN)}, cn64, none, 0},

		{wasm.OpF32Nearest, []Value{f32v(0.5)}, f32v(0), none, 0},
		{wasm.OpF32Nearest, []Value{f32v(-0.5)}, u(f32NegZero), none, 0},
		{wasm.OpF32Nearest, []Value{f32v(1.5)}, f32v(2), none, 0},
		{wasm.OpF32Nearest, []Value{f32v(2.5)}, f32v(2), none, 0},
		{wasm.OpF32Nearest, []Value{f32v(-2.5)}, f32v(-2), none, 0},
		{wasm.OpF32Nearest, []Value{f32v(8388609)}, f32v(8388609), none, 0},
		{wasm.OpF32Nearest, []Value{u(f32SNaN)}, cn32, none, 0},
		{wasm.OpF64Nearest, []Value{f64v(4503599627370497)}, f64v(4503599627370497), none, 0},
		{wasm.OpF64Nearest, []Value{f64v(-3.5)}, f64v(-4), none, 0},
		{wasm.OpF32Ceil, []Value{f32v(-0.5)}, u(f32NegZero), none, 0},
		{wasm.OpF32Ceil, []Value{f32v(1.0000001)}, f32v(2), none, 0},
		{wasm.OpF32Floor, []Value{f32v(-0.5)}, f32v(-1), none, 0},
		{wasm.OpF32Floor, []Value{u(f32NegZero)}, u(f32NegZero), none, 0},
		{wasm.OpF32Trunc, []Value{f32v(-0.9)}, u(f32NegZero), none, 0},
		{wasm.OpF64Ceil, []Value{f64v(-0.5)}, u(f64NegZero), none, 0},
		{wasm.OpF64Floor, []Value{f64v(-inf64)}, f64v(-inf64), none, 0},
		{wasm.OpF64Trunc, []Value{f64v(-1.5)}, f64v(-1), none, 0},

		// Bit operations keep NaN payloads, even signaling ones.
		{wasm.OpF32Abs, []Value{u(0xFFA00001)}, u(f32SNaN), none, 0},
		{wasm.OpF32Neg, []Value{u(f32SNaN)}, u(0xFFA00001), none, 0},
		{wasm.OpF32Copysign, []Value{u(f32SNaN), f32v(-1)}, u(0xFFA00001), none, 0},
		{wasm.OpF32Copysign, []Value{f32v(-2), u(f32SNaN)}, f32v(2), none, 0},
		{wasm.OpF64Abs, []Value{u(f64SNaN | f64NegZero)}, u(f64SNaN), none, 0},
		{wasm.OpF64Neg, []Value{f64v(0)}, u(f64NegZero), none, 0},
		{wasm.OpF64Copysign, []Value{f64v(3), u(f64NegZero)}, f64v(-3), none, 0},

		{wasm.OpF32Add, []Value{f32v(inf32), f32v(-inf32)}, cn32, none, 0},
		{wasm.OpF32Add, []Value{f32v(16777216), f32v(1)}, f32v(16777216), none, 0},
		{wasm.OpF32Add, []Value{u(f32SNaN), f32v(1)}, cn32, none, 0},
		{wasm.OpF32Sub, []Value{f32v(0), f32v(0)}, f32v(0), none, 0},
		{wasm.OpF32Sub, []Value{u(f32NegZero), f32v(0)}, u(f32NegZero), none, 0},
		{wasm.OpF32Mul, []Value{f32v(0), f32v(-inf32)}, cn32, none, 0},
		{wasm.OpF32Div, []Value{f32v(1), u(f32NegZero)}, f32v(-inf32), none, 0},
		{wasm.OpF32Sqrt, []Value{f32v(-1)}, cn32, none, 0},
		{wasm.OpF32Sqrt, []Value{u(f32NegZero)}, u(f32NegZero), none, 0},
		{wasm.OpF32Sqrt, []Value{f32v(2)}, f32v(1.4142135), none, 0},
		{wasm.OpF64Div, []Value{f64v(0), f64v(0)}, cn64, none, 0},
		{wasm.OpF64Add, []Value{f64v(0.1), f64v(0.2)}, f64v(0.30000000000000004), none, 0},
		{wasm.OpF64Sqrt, []Value{f64v(-inf64)}, cn64, none, 0},
		// Subnormals are kept, not flushed to zero.
		{wasm.OpF32Mul, []Value{u(1), f32v(1)}, u(1), none, 0},
		{wasm.OpF64Div, []Value{u(2), f64v(2)}, u(1), none, 0},

		{wasm.OpF32Eq, []Value{u(f32NegZero), f32v(0)}, u(1), none, 0},
		{wasm.OpF32Eq, []Value{cn32, cn32}, u(0), none, 0},
		{wasm.OpF32Ne, []Value{cn32, cn32}, u(1), none, 0},
		{wasm.OpF32Lt, []Value{f32v(-inf32), u(f32SNaN)}, u(0), none, 0},
		{wasm.OpF64Ge, []Value{f64v(1), f64v(1)}, u(1), none, 0},
		{wasm.OpF64Le, []Value{cn64, f64v(1)}, u(0), none, 0},
	})
}

func TestConvert(t *testing.T) {
	none := abi.TrapNone
	ovf, inv := abi.TrapIntegerOverflow, abi.TrapInvalidConversion
	inf32, inf64 := float32(math.Inf(1)), math.Inf(1)
	runCases(t, []evalCase{
		{wasm.OpI32TruncF32S, []Value{f32v(-2147483648)}, u(minI32), none, 0},
		{wasm.OpI32TruncF32S, []Value{f32v(2147483648)}, Value{}, ovf, 0},
		{wasm.OpI32TruncF32S, []Value{f32v(-2147483904)}, Value{}, ovf, 0},
		{wasm.OpI32TruncF32S, []Value{u(f32SNaN)}, Value{}, inv, 0},
		{wasm.OpI32TruncF32S, []Value{f32v(-0.9)}, u(0), none, 0},
		{wasm.OpI32TruncF32U, []Value{f32v(-0.9)}, u(0), none, 0},
		{wasm.OpI32TruncF32U, []Value{f32v(-1)}, Value{}, ovf, 0},
		{wasm.OpI32TruncF32U, []Value{f32v(4294967040)}, u(4294967040), none, 0},
		{wasm.OpI32TruncF64S, []Value{f64v(-2147483648.9)}, u(minI32), none, 0},
		{wasm.OpI32TruncF64S, []Value{f64v(-2147483649)}, Value{}, ovf, 0},
		{wasm.OpI32TruncF64S, []Value{f64v(2147483647.9)}, u(0x7FFFFFFF), none, 0},
		{wasm.OpI32TruncF64U, []Value{f64v(4294967295.9)}, u(maxU32), none, 0},
		{wasm.OpI32TruncF64U, []Value{f64v(4294967296)}, Value{}, ovf, 0},
		{wasm.OpI32TruncF64U, []Value{f64v(-inf64)}, Value{}, ovf, 0},
		{wasm.OpI64TruncF64S, []Value{f64v(-9223372036854775808)}, u(minI64), none, 0},
		{wasm.OpI64TruncF64S, []Value{f64v(9223372036854775808)}, Value{}, ovf, 0},
		{wasm.OpI64TruncF64S, []Value{f64v(-1.5)}, u(maxU64), none, 0},
		{wasm.OpI64TruncF64U, []Value{f64v(18446744073709549568)}, u(0xFFFFFFFFFFFFF800), none, 0},
		{wasm.OpI64TruncF64U, []Value{f64v(18446744073709551616)}, Value{}, ovf, 0},
		{wasm.OpI64TruncF64U, []Value{f64v(9223372036854775808)}, u(minI64), none, 0},
		{wasm.OpI64TruncF32U, []Value{u(uint64(F32CanonicalNaN))}, Value{}, inv, 0},
		{wasm.OpI64TruncF32S, []Value{f32v(-9223372036854775808)}, u(minI64), none, 0},

		{wasm.OpI32TruncSatF32S, []Value{u(f32SNaN)}, u(0), none, 0},
		{wasm.OpI32TruncSatF32S, []Value{f32v(inf32)}, u(0x7FFFFFFF), none, 0},
		{wasm.OpI32TruncSatF32S, []Value{f32v(-inf32)}, u(minI32), none, 0},
		{wasm.OpI32TruncSatF32U, []Value{f32v(-1)}, u(0), none, 0},
		{wasm.OpI32TruncSatF64U, []Value{f64v(4294967296)}, u(maxU32), none, 0},
		{wasm.OpI32TruncSatF64S, []Value{f64v(-2147483648.9)}, u(minI32), none, 0},
		{wasm.OpI64TruncSatF64S, []Value{f64v(9223372036854775808)}, u(0x7FFFFFFFFFFFFFFF), none, 0},
		{wasm.OpI64TruncSatF64U, []Value{f64v(inf64)}, u(maxU64), none, 0},
		{wasm.OpI64TruncSatF32U, []Value{f32v(18446742974197923840)}, u(18446742974197923840), none, 0},

		// 2^53 + 2^29 + 1 needs one rounding: through float64 it would
		// tie down to 2^53 + 2^29 and then to 2^53.
		{wasm.OpF32ConvertI64S, []Value{u(9007199791611905)}, f32v(9007200328482816), none, 0},
		{wasm.OpF32ConvertI64S, []Value{u(-9007199791611905 & maxU64)}, f32v(-9007200328482816), none, 0},
		{wasm.OpF32ConvertI64S, []Value{u(minI64)}, f32v(-9223372036854775808), none, 0},
		{wasm.OpF32ConvertI64U, []Value{u(maxU64)}, f32v(18446744073709551616), none, 0},
		{wasm.OpF32ConvertI64U, []Value{u(0x8000008000000001)}, u(0x5F000001), none, 0},
		{wasm.OpF32ConvertI64U, []Value{u(0x8000008000000000)}, u(0x5F000000), none, 0},
		{wasm.OpF32ConvertI32S, []Value{u(maxU32)}, f32v(-1), none, 0},
		{wasm.OpF32ConvertI32U, []Value{u(maxU32)}, f32v(4294967296), none, 0},
		{wasm.OpF32ConvertI32S, []Value{u(16777217)}, f32v(16777216), none, 0},
		{wasm.OpF64ConvertI64U, []Value{u(maxU64)}, f64v(18446744073709551616), none, 0},
		{wasm.OpF64ConvertI64U, []Value{u(9223372036854776833)}, f64v(9223372036854777856), none, 0},
		{wasm.OpF64ConvertI64S, []Value{u(minI64)}, f64v(-9223372036854775808), none, 0},
		{wasm.OpF64ConvertI64S, []Value{u(9007199254740993)}, f64v(9007199254740992), none, 0},
		{wasm.OpF64ConvertI32U, []Value{u(maxU32)}, f64v(4294967295), none, 0},

		{wasm.OpF32DemoteF64, []Value{u(f64SNaN)}, u(uint64(F32CanonicalNaN)), none, 0},
		{wasm.OpF32DemoteF64, []Value{f64v(math.MaxFloat64)}, f32v(inf32), none, 0},
		{wasm.OpF32DemoteF64, []Value{u(f64NegZero)}, u(f32NegZero), none, 0},
		{wasm.OpF32DemoteF64, []Value{u(1)}, f32v(0), none, 0},
		{wasm.OpF64PromoteF32, []Value{u(f32SNaN)}, u(F64CanonicalNaN), none, 0},
		{wasm.OpF64PromoteF32, []Value{u(1)}, f64v(math.SmallestNonzeroFloat32), none, 0},

		{wasm.OpI32ReinterpretF32, []Value{u(f32SNaN)}, u(f32SNaN), none, 0},
		{wasm.OpF64ReinterpretI64, []Value{u(f64SNaN)}, u(f64SNaN), none, 0},
	})
}

func TestSIMD(t *testing.T) {
	none := abi.TrapNone
	i8 := func(xs ...int8) Value {
		b := make([]uint8, len(xs))
		for i, x := range xs {
			b[i] = uint8(x)
		}
		return lanes(b...)
	}
	i16 := func(xs ...int16) Value {
		b := make([]uint16, len(xs))
		for i, x := range xs {
			b[i] = uint16(x)
		}
		return lanes(b...)
	}
	i32 := func(xs ...int32) Value {
		b := make([]uint32, len(xs))
		for i, x := range xs {
			b[i] = uint32(x)
		}
		return lanes(b...)
	}
	f32x4 := func(xs ...float32) Value {
		b := make([]uint32, len(xs))
		for i, x := range xs {
			b[i] = math.Float32bits(x)
		}
		return lanes(b...)
	}
	iota8 := lanes[uint8](0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	runCases(t, []evalCase{
		{wasm.OpI8x16Abs, []Value{i8(-128, -1, 1, 127)}, i8(-128, 1, 1, 127), none, 0},
		{wasm.OpI8x16Neg, []Value{i8(-128, 1)}, i8(-128, -1), none, 0},
		{wasm.OpI64x2Abs, []Value{u(minI64)}, u(minI64), none, 0},
		{wasm.OpI8x16Popcnt, []Value{i8(-1, 3, 0)}, i8(8, 2, 0), none, 0},
		{wasm.OpI8x16NarrowI16x8S, []Value{i16(300, -300, 127, -129), i16(1)}, i8(127, -128, 127, -128, 0, 0, 0, 0, 1), none, 0},
		{wasm.OpI8x16NarrowI16x8U, []Value{i16(300, -1, 255, 256), i16(0, 0, 0, 0, 0, 0, 0, 7)}, setLane(i8(-1, 0, -1, -1), 15, uint8(7)), none, 0},
		{wasm.OpI16x8NarrowI32x4S, []Value{i32(40000, -40000), i32(-1)}, i16(32767, -32768, 0, 0, -1), none, 0},
		{wasm.OpI16x8NarrowI32x4U, []Value{i32(70000, -5), i32(65535)}, i16(-1, 0, 0, 0, -1), none, 0},
		{wasm.OpI8x16Shl, []Value{splatOf[uint8](0x81), u(9)}, splatOf[uint8](2), none, 0},
		{wasm.OpI8x16ShrS, []Value{splatOf[uint8](0x80), u(7)}, splatOf[uint8](0xFF), none, 0},
		{wasm.OpI16x8ShrU, []Value{splatOf[uint16](0x8000), u(31)}, splatOf[uint16](1), none, 0},
		{wasm.OpI64x2ShrS, []Value{lanes[uint64](minI64, 4), u(65)}, lanes[uint64](0xC000000000000000, 2), none, 0},
		{wasm.OpI8x16AddSatS, []Value{i8(127, -128, 5), i8(1, -1, -6)}, i8(127, -128, -1), none, 0},
		{wasm.OpI8x16AddSatU, []Value{i8(-1, 1), i8(1, 1)}, i8(-1, 2), none, 0},
		{wasm.OpI16x8SubSatS, []Value{i16(-32768, 32767), i16(1, -1)}, i16(-32768, 32767), none, 0},
		{wasm.OpI16x8SubSatU, []Value{i16(0, 5), i16(1, 3)}, i16(0, 2), none, 0},
		{wasm.OpI8x16AvgrU, []Value{i8(-1, 0, 1), i8(-1, 1, 2)}, i8(-1, 1, 2), none, 0},
		{wasm.OpI16x8Q15mulrSatS, []Value{i16(-32768, 16384, -1), i16(-32768, 16384, 1)}, i16(32767, 8192, 0), none, 0},
		{wasm.OpI32x4DotI16x8S, []Value{i16(-32768, -32768, 1, 2), i16(-32768, -32768, 3, 4)}, i32(math.MinInt32, 11), none, 0},
		{wasm.OpI8x16MinS, []Value{i8(-1, 5), i8(1, 4)}, i8(-1, 4), none, 0},
		{wasm.OpI8x16MinU, []Value{i8(-1, 5), i8(1, 4)}, i8(1, 4), none, 0},
		{wasm.OpI32x4MaxS, []Value{i32(-1, 5), i32(1, 4)}, i32(1, 5), none, 0},
		{wasm.OpI32x4MaxU, []Value{i32(-1, 5), i32(1, 4)}, i32(-1, 5), none, 0},
		{wasm.OpI16x8ExtendHighI8x16S, []Value{iota8}, i16(8, 9, 10, 11, 12, 13, 14, 15), none, 0},
		{wasm.OpI16x8ExtendLowI8x16S, []Value{i8(-1, 2)}, i16(-1, 2), none, 0},
		{wasm.OpI16x8ExtendLowI8x16U, []Value{i8(-1, 2)}, i16(255, 2), none, 0},
		{wasm.OpI64x2ExtendHighI32x4S, []Value{i32(0, 0, -2, 3)}, lanes[uint64](maxU64-1, 3), none, 0},
		{wasm.OpI64x2ExtmulHighI32x4U, []Value{i32(0, 0, -1, 2), i32(0, 0, -1, 3)}, lanes[uint64](0xFFFFFFFE00000001, 6), none, 0},
		{wasm.OpI64x2ExtmulLowI32x4S, []Value{i32(-1, math.MinInt32), i32(-1, math.MinInt32)}, lanes[uint64](1, 1<<62), none, 0},
		{wasm.OpI16x8ExtmulLowI8x16S, []Value{i8(-128), i8(-128)}, i16(16384), none, 0},
		{wasm.OpI16x8ExtaddPairwiseI8x16S, []Value{i8(-128, -128, 127, 127)}, i16(-256, 254), none, 0},
		{wasm.OpI32x4ExtaddPairwiseI16x8U, []Value{i16(-1, -1)}, i32(131070), none, 0},
		{wasm.OpI8x16Bitmask, []Value{i8(-1, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1)}, u(0x8005), none, 0},
		{wasm.OpI64x2Bitmask, []Value{lanes[uint64](0, minI64)}, u(2), none, 0},
		{wasm.OpI16x8AllTrue, []Value{splatOf[uint16](0x100)}, u(1), none, 0},
		{wasm.OpI16x8AllTrue, []Value{setLane(splatOf[uint16](1), 7, uint16(0))}, u(0), none, 0},
		{wasm.OpV128AnyTrue, []Value{{Hi: 1 << 63}}, u(1), none, 0},
		{wasm.OpV128AnyTrue, []Value{{}}, u(0), none, 0},
		{wasm.OpI8x16Swizzle, []Value{iota8, i8(15, 16, -1, 3)}, i8(15, 0, 0, 3), none, 0},
		{wasm.OpI8x16LtS, []Value{i8(-1, 1), i8(0, 0)}, setLane(splatOf[uint8](0), 0, uint8(0xFF)), none, 0},
		{wasm.OpI8x16GeU, []Value{i8(-1, 1), i8(0, 2)}, setLane(splatOf[uint8](0xFF), 1, uint8(0)), none, 0},
		{wasm.OpI64x2LtS, []Value{lanes[uint64](maxU64, 0), lanes[uint64](0, maxU64)}, lanes[uint64](maxU64, 0), none, 0},
		{wasm.OpV128Bitselect, []Value{{0xFF00, 1}, {0x00FF, 2}, {0x0F0F, 3}}, Value{0x0FF0, 1}, none, 0},
		{wasm.OpV128Andnot, []Value{{0xFF, 3}, {0x0F, 1}}, Value{0xF0, 2}, none, 0},

		{wasm.OpI8x16ExtractLaneS, []Value{setLane(Value{}, 13, uint8(0x80))}, u(0xFFFFFF80), none, 13},
		{wasm.OpI8x16ExtractLaneU, []Value{setLane(Value{}, 13, uint8(0x80))}, u(0x80), none, 13},
		{wasm.OpI16x8ExtractLaneS, []Value{i16(0, 0, 0, 0, 0, -2)}, u(0xFFFFFFFE), none, 5},
		{wasm.OpI64x2ExtractLane, []Value{{1, 2}}, u(2), none, 1},
		{wasm.OpF32x4ReplaceLane, []Value{{}, u(f32SNaN)}, Value{Hi: f32SNaN << 32}, none, 3},
		{wasm.OpI8x16ReplaceLane, []Value{splatOf[uint8](1), u(0x1FF)}, setLane(splatOf[uint8](1), 9, uint8(0xFF)), none, 9},
		{wasm.OpI16x8Splat, []Value{u(0x12345)}, splatOf[uint16](0x2345), none, 0},
		{wasm.OpF64x2Splat, []Value{u(f64SNaN)}, Value{f64SNaN, f64SNaN}, none, 0},

		{wasm.OpF32x4Min, []Value{f32x4(0, 1, 2, 3), {Lo: f32NegZero | f32SNaN<<32}}, lanes[uint32](f32NegZero, F32CanonicalNaN, 0, 0), none, 0},
		{wasm.OpF32x4Pmin, []Value{lanes[uint32](f32SNaN, math.Float32bits(1)), lanes[uint32](math.Float32bits(1), f32SNaN)}, lanes[uint32](f32SNaN, math.Float32bits(1)), none, 0},
		{wasm.OpF32x4Pmax, []Value{lanes[uint32](0, f32NegZero), lanes[uint32](f32NegZero, 0)}, lanes[uint32](0, f32NegZero), none, 0},
		{wasm.OpF64x2Pmin, []Value{lanes[uint64](f64NegZero, math.Float64bits(2)), lanes[uint64](0, math.Float64bits(1))}, lanes[uint64](f64NegZero, math.Float64bits(1)), none, 0},
		{wasm.OpF32x4Nearest, []Value{f32x4(0.5, 1.5, 2.5, -0.5)}, lanes[uint32](0, math.Float32bits(2), math.Float32bits(2), f32NegZero), none, 0},
		{wasm.OpF32x4Lt, []Value{f32x4(1, 1, 1, 1), lanes[uint32](F32CanonicalNaN, math.Float32bits(2), 0, math.Float32bits(1))}, lanes[uint32](0, maxU32, 0, 0), none, 0},
		{wasm.OpI32x4TruncSatF32x4U, []Value{f32x4(-1, 4294967296, 1.9, float32(math.NaN()))}, i32(0, -1, 1, 0), none, 0},
		{wasm.OpI32x4TruncSatF64x2SZero, []Value{{Lo: math.Float64bits(-3e10), Hi: math.Float64bits(-2.5)}}, i32(math.MinInt32, -2, 0, 0), none, 0},
		{wasm.OpI32x4TruncSatF64x2UZero, []Value{{Lo: math.Float64bits(3e10), Hi: math.Float64bits(2.5)}}, i32(-1, 2, 0, 0), none, 0},
		{wasm.OpF32x4DemoteF64x2Zero, []Value{{Lo: math.Float64bits(1.5), Hi: f64SNaN}}, lanes[uint32](math.Float32bits(1.5), F32CanonicalNaN, 0, 0), none, 0},
		{wasm.OpF64x2PromoteLowF32x4, []Value{f32x4(1.5, -2, 7, 8)}, lanes[uint64](math.Float64bits(1.5), math.Float64bits(-2)), none, 0},
		{wasm.OpF64x2ConvertLowI32x4U, []Value{i32(-1, 2, 7, 8)}, lanes[uint64](math.Float64bits(4294967295), math.Float64bits(2)), none, 0},
		{wasm.OpF32x4ConvertI32x4S, []Value{i32(-1, 16777217)}, lanes[uint32](math.Float32bits(-1), math.Float32bits(16777216), 0, 0), none, 0},
	})
}

func TestShuffle(t *testing.T) {
	a := lanes[uint8](0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	b := lanes[uint8](16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)
	pattern := lanes[uint8](31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22)
	in := wasm.Instr{Op: wasm.OpI8x16Shuffle, Const: pattern.Lo, ConstHi: pattern.Hi}
	got, trap := Eval(&in, []Value{a, b})
	if got != pattern || trap != abi.TrapNone {
		t.Errorf("shuffle of identity lanes = %#x/%#x, want the pattern %#x/%#x", got.Lo, got.Hi, pattern.Lo, pattern.Hi)
	}
	// Reversing b.
	rev := lanes[uint8](31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16)
	if got := I8x16Shuffle(Value{}, b, rev.Lo, rev.Hi); got != lanes[uint8](31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16) {
		t.Errorf("reverse shuffle = %#x/%#x", got.Lo, got.Hi)
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	args := []Value{{1, 2}, {3, 4}, {5, 6}}
	for _, op := range wasm.Opcodes() {
		if !IsPure(op) {
			continue
		}
		in := wasm.Instr{Op: op}
		n := len(op.Info().Params)
		if allocs := testing.AllocsPerRun(10, func() { Eval(&in, args[:n]) }); allocs != 0 {
			t.Errorf("Eval(%s) allocates %v times", op, allocs)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	args := []Value{{0x3FC0000040200000, 0x1234567890ABCDEF}, {0x4020000040200000, 0xFEDCBA0987654321}}
	for _, op := range []wasm.Opcode{wasm.OpI32Add, wasm.OpI64DivS, wasm.OpF64Nearest, wasm.OpF32ConvertI64U,
		wasm.OpI8x16AddSatS, wasm.OpI16x8Q15mulrSatS, wasm.OpF32x4Min, wasm.OpI8x16Shuffle, wasm.OpI32x4ExtmulLowI16x8S} {
		in := wasm.Instr{Op: op}
		n := len(op.Info().Params)
		b.Run(op.String(), func(b *testing.B) {
			for b.Loop() {
				Eval(&in, args[:n])
			}
		})
	}
}
