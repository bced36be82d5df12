package wast

import (
	"fmt"
	"math"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Value is a WebAssembly value exchanged with an Engine. Integers and
// floats are raw bits in Lo (an i32 in the low 32 bits); a v128 has its
// low 8 bytes (little-endian) in Lo and its high 8 bytes in Hi. For
// references, Lo == 0 is null; externref N (the script's ref.extern N) is
// Lo == N+1; a non-null funcref is any engine-chosen nonzero Lo.
type Value struct {
	Type   wasm.ValType
	Lo, Hi uint64
}

func (v Value) String() string {
	switch v.Type {
	case wasm.I32:
		return fmt.Sprintf("i32:%d", int32(v.Lo))
	case wasm.I64:
		return fmt.Sprintf("i64:%d", int64(v.Lo))
	case wasm.F32:
		return fmt.Sprintf("f32:%v(%#08x)", math.Float32frombits(uint32(v.Lo)), uint32(v.Lo))
	case wasm.F64:
		return fmt.Sprintf("f64:%v(%#016x)", math.Float64frombits(v.Lo), v.Lo)
	case wasm.V128:
		return fmt.Sprintf("v128:%016x%016x", v.Hi, v.Lo)
	case wasm.FuncRef, wasm.ExternRef:
		if v.Lo == 0 {
			return v.Type.String() + ":null"
		}
		if v.Type == wasm.ExternRef {
			return fmt.Sprintf("externref:%d", v.Lo-1)
		}
		return fmt.Sprintf("funcref:%#x", v.Lo)
	}
	return fmt.Sprintf("%v:%#x", v.Type, v.Lo)
}

// MatchKind says how an expected result is compared.
type MatchKind uint8

// Match kinds.
const (
	MatchExact         MatchKind = iota // same bits
	MatchCanonicalNaN                   // nan:canonical: a canonical NaN of either sign
	MatchArithmeticNaN                  // nan:arithmetic: a NaN with the quiet bit set
	MatchNonNull                        // (ref.func): any non-null funcref
)

// LaneMatch is the expectation for one float lane of a v128 result.
type LaneMatch struct {
	Kind MatchKind
	Size int    // bytes: 4 (f32x4) or 8 (f64x2)
	Bits uint64 // MatchExact
}

// Expected is one expected result of assert_return.
type Expected struct {
	Value
	Kind  MatchKind
	Lanes []LaneMatch // v128 results with NaN patterns in some lanes; nil otherwise
}

func (e Expected) String() string {
	switch e.Kind {
	case MatchCanonicalNaN:
		return e.Type.String() + ":nan:canonical"
	case MatchArithmeticNaN:
		return e.Type.String() + ":nan:arithmetic"
	case MatchNonNull:
		return e.Type.String() + ":non-null"
	}
	if e.Lanes != nil {
		s := "v128:["
		for i, l := range e.Lanes {
			if i > 0 {
				s += " "
			}
			switch l.Kind {
			case MatchCanonicalNaN:
				s += "nan:canonical"
			case MatchArithmeticNaN:
				s += "nan:arithmetic"
			default:
				s += fmt.Sprintf("%#x", l.Bits)
			}
		}
		return s + "]"
	}
	return e.Value.String()
}

// Match reports whether v satisfies e.
func (e Expected) Match(v Value) bool {
	if v.Type != e.Type {
		return false
	}
	switch e.Type {
	case wasm.I32, wasm.F32:
		return matchFloat(e.Kind, uint32Bits(v.Lo), uint32Bits(e.Lo), 4)
	case wasm.I64, wasm.F64:
		return matchFloat(e.Kind, v.Lo, e.Lo, 8)
	case wasm.V128:
		if e.Lanes == nil {
			return v.Lo == e.Lo && v.Hi == e.Hi
		}
		for i, l := range e.Lanes {
			if !matchFloat(l.Kind, laneBits(v, i, l.Size), l.Bits, l.Size) {
				return false
			}
		}
		return true
	case wasm.FuncRef, wasm.ExternRef:
		if e.Kind == MatchNonNull {
			return v.Lo != 0
		}
		if e.Type == wasm.FuncRef && e.Lo != 0 {
			return v.Lo != 0 // funcref identities are engine-chosen
		}
		return v.Lo == e.Lo
	}
	return false
}

func uint32Bits(x uint64) uint64 { return x & math.MaxUint32 }

// laneBits extracts lane i of size bytes from a v128.
func laneBits(v Value, i, size int) uint64 {
	shift := uint(i*size*8) % 64
	word := v.Lo
	if i*size >= 8 {
		word = v.Hi
	}
	if size == 8 {
		return word
	}
	return (word >> shift) & (1<<(size*8) - 1)
}

// matchFloat compares bits of size bytes (integers use MatchExact).
func matchFloat(kind MatchKind, got, want uint64, size int) bool {
	var quiet, expMask uint64 = 1 << 51, 0x7FF << 52
	if size == 4 {
		quiet, expMask = 1<<22, 0xFF<<23
	}
	signMask := uint64(1) << (size*8 - 1)
	switch kind {
	case MatchCanonicalNaN:
		return got&^signMask == expMask|quiet
	case MatchArithmeticNaN:
		return got&expMask == expMask && got&quiet != 0
	}
	return got == want
}
