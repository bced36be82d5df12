package numeric

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Conversions checked against math/big's exact arithmetic.

// TestIntToFloatRoundsOnce compares the 64-bit integer to float
// conversions with math/big's correctly rounded ones, on values whose
// dropped bits sit at and around the rounding point.
func TestIntToFloatRoundsOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for range 200000 {
		v := rng.Uint64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			// Keep a run of significant bits, then a pattern near half an ulp.
			keep := uint(rng.IntN(64))
			v = v&^(1<<keep-1) | []uint64{0, 1, 1<<keep>>1 - 1, 1 << keep >> 1, 1<<keep>>1 + 1}[rng.IntN(5)]
		}
		bf := new(big.Float).SetUint64(v)
		f32, _ := bf.Float32()
		f64, _ := bf.Float64()
		if got := F32ConvertI64U(v); got != math.Float32bits(f32) {
			t.Fatalf("f32.convert_i64_u(%#x) = %#x, want %#x", v, got, math.Float32bits(f32))
		}
		if got := F64ConvertI64U(v); got != math.Float64bits(f64) {
			t.Fatalf("f64.convert_i64_u(%#x) = %#x, want %#x", v, got, math.Float64bits(f64))
		}
		bs := new(big.Float).SetInt64(int64(v))
		s32, _ := bs.Float32()
		s64, _ := bs.Float64()
		if got := F32ConvertI64S(v); got != math.Float32bits(s32) {
			t.Fatalf("f32.convert_i64_s(%#x) = %#x, want %#x", v, got, math.Float32bits(s32))
		}
		if got := F64ConvertI64S(v); got != math.Float64bits(s64) {
			t.Fatalf("f64.convert_i64_s(%#x) = %#x, want %#x", v, got, math.Float64bits(s64))
		}
		checked++
	}
	t.Logf("%d values checked against math/big", checked)
}

// TestTruncMatchesBig checks every float-to-integer truncation, trapping
// and saturating, against exact math/big arithmetic on floats near the
// range boundaries and random bit patterns.
func TestTruncMatchesBig(t *testing.T) {
	type trunc struct {
		name           string
		from32, signed bool
		bits           uint
		trap           func(uint64) (uint64, abi.TrapCode)
		sat            func(uint64) uint64
	}
	w32 := func(f func(uint32) (uint32, abi.TrapCode)) func(uint64) (uint64, abi.TrapCode) {
		return func(x uint64) (uint64, abi.TrapCode) { r, c := f(uint32(x)); return uint64(r), c }
	}
	w64to32 := func(f func(uint64) (uint32, abi.TrapCode)) func(uint64) (uint64, abi.TrapCode) {
		return func(x uint64) (uint64, abi.TrapCode) { r, c := f(x); return uint64(r), c }
	}
	w32to64 := func(f func(uint32) (uint64, abi.TrapCode)) func(uint64) (uint64, abi.TrapCode) {
		return func(x uint64) (uint64, abi.TrapCode) { return f(uint32(x)) }
	}
	s32 := func(f func(uint32) uint32) func(uint64) uint64 {
		return func(x uint64) uint64 { return uint64(f(uint32(x))) }
	}
	s64to32 := func(f func(uint64) uint32) func(uint64) uint64 { return func(x uint64) uint64 { return uint64(f(x)) } }
	s32to64 := func(f func(uint32) uint64) func(uint64) uint64 { return func(x uint64) uint64 { return f(uint32(x)) } }
	truncs := []trunc{
		{"i32.trunc_f32_s", true, true, 32, w32(I32TruncF32S), s32(I32TruncSatF32S)},
		{"i32.trunc_f32_u", true, false, 32, w32(I32TruncF32U), s32(I32TruncSatF32U)},
		{"i32.trunc_f64_s", false, true, 32, w64to32(I32TruncF64S), s64to32(I32TruncSatF64S)},
		{"i32.trunc_f64_u", false, false, 32, w64to32(I32TruncF64U), s64to32(I32TruncSatF64U)},
		{"i64.trunc_f32_s", true, true, 64, w32to64(I64TruncF32S), s32to64(I64TruncSatF32S)},
		{"i64.trunc_f32_u", true, false, 64, w32to64(I64TruncF32U), s32to64(I64TruncSatF32U)},
		{"i64.trunc_f64_s", false, true, 64, I64TruncF64S, I64TruncSatF64S},
		{"i64.trunc_f64_u", false, false, 64, I64TruncF64U, I64TruncSatF64U},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for _, tr := range truncs {
		lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), tr.bits) // [lo, hi)
		if tr.signed {
			lo.Neg(new(big.Int).Lsh(big.NewInt(1), tr.bits-1))
			hi.Lsh(big.NewInt(1), tr.bits-1)
		}
		hiMinus1 := new(big.Int).Sub(hi, big.NewInt(1))
		for i := range 25000 {
			// Floats at the bounds (and at lo-1, the first value that
			// truncates out of range) give or take an ulp or two, or random bits.
			var x float64
			switch i % 5 {
			case 0:
				x, _ = new(big.Float).SetInt(lo).Float64()
			case 1:
				x, _ = new(big.Float).SetInt(hi).Float64()
			case 2:
				x, _ = new(big.Float).SetInt(new(big.Int).Sub(lo, big.NewInt(1))).Float64()
			case 3:
				x = float64(int64(rng.Uint64())) * math.Exp2(float64(rng.IntN(8)-70))
			}
			for range rng.IntN(3) {
				x = math.Nextafter(x, math.Inf(rng.IntN(2)*2-1))
			}
			in := math.Float64bits(x)
			if tr.from32 {
				in = uint64(math.Float32bits(float32(x)))
				x = float64(float32(x))
			}
			if i%5 == 4 {
				in = rng.Uint64() >> rng.IntN(64)
				if tr.from32 {
					in &= 0xFFFFFFFF
					x = float64(math.Float32frombits(uint32(in)))
				} else {
					x = math.Float64frombits(in)
				}
			}
			got, trap := tr.trap(in)
			sat := tr.sat(in)
			mask := uint64(1)<<tr.bits - 1
			if tr.bits == 64 {
				mask = maxU64
			}
			var want uint64
			wantTrap, wantSat := abi.TrapNone, uint64(0)
			if math.IsNaN(x) {
				wantTrap = abi.TrapInvalidConversion
			} else {
				v := new(big.Int)
				if !math.IsInf(x, 0) {
					v, _ = big.NewFloat(x).Int(nil) // truncates toward zero
				} else if x > 0 {
					v.Set(hi)
				} else {
					v.Sub(lo, big.NewInt(1))
				}
				switch {
				case v.Cmp(lo) < 0:
					wantTrap, wantSat = abi.TrapIntegerOverflow, uint64(lo.Int64())&mask
				case v.Cmp(hi) >= 0:
					wantTrap, wantSat = abi.TrapIntegerOverflow, hiMinus1.Uint64()&mask
				default:
					want = uint64(v.Int64())
					if v.Sign() >= 0 {
						want = v.Uint64()
					}
					want &= mask
					wantSat = want
				}
			}
			if trap != wantTrap || (trap == abi.TrapNone && got != want) || sat != wantSat {
				t.Fatalf("%s(%v = %#x) = %#x trap %v, sat %#x; want %#x trap %v, sat %#x",
					tr.name, x, in, got, trap, sat, want, wantTrap, wantSat)
			}
			checked++
		}
	}
	t.Logf("%d truncations checked against math/big", checked)
}
