package numeric

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The differential test runs every pure opcode in wazero's interpreter, one
// tiny module per opcode (and per immediate), on edge-case and random
// operands, and compares the results with Eval bit for bit. Where the spec
// lets a NaN result vary (arithmetic on floats), both sides must give a
// NaN and ours must be the canonical NaN.

// diffModule encodes (func (export "f") (param ...) (result r) local.get
// 0 ... local.get n-1; op imm).
func diffModule(op wasm.Opcode, info *wasm.OpInfo, imm []byte) []byte {
	section := func(id byte, content []byte) []byte {
		return append(appendULEB([]byte{id}, uint32(len(content))), content...)
	}
	typ := []byte{1, 0x60, byte(len(info.Params))}
	for i := range len(info.Params) {
		typ = append(typ, byte(wasm.SigType(info.Params[i])))
	}
	typ = append(typ, 1, byte(wasm.SigType(info.Results[0])))

	body := []byte{0} // no local declarations
	for i := range len(info.Params) {
		body = append(body, 0x20, byte(i))
	}
	if op>>8 == 0 {
		body = append(body, byte(op))
	} else {
		body = appendULEB(append(body, byte(op>>8)), uint32(op&0xFF))
	}
	body = append(append(body, imm...), 0x0B)
	code := append(appendULEB([]byte{1}, uint32(len(body))), body...)

	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = append(m, section(1, typ)...)
	m = append(m, section(3, []byte{1, 0})...)
	m = append(m, section(7, []byte{1, 1, 'f', 0, 0})...)
	return append(m, section(10, code)...)
}

func appendULEB(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

var i32Edges = []uint64{
	0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x100,
	0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF,
	0xFFFFFFFE, 0xFFFFFF80, 0xFFFF8000, 0xFFFFFFF6, 0x12345678, 0xDEADBEEF, 16777217,
}

var i64Edges = []uint64{
	0, 1, 2, 63, 64, 65, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
	1 << 53, 1<<53 + 1, 1<<63 - 1, 1 << 63, 1<<63 + 1, 1<<63 + 1025, maxU64, maxU64 - 1,
	0xFFFFFFFF80000000, 9007199791611905, -9007199791611905 & maxU64, 0x8000008000000001,
	0x8000008000000000, 0x0123456789ABCDEF, 0xFEDCBA9876543210, 0xFFFFFFFFFFFFFFF6,
}

func f32Bits(xs ...float32) []uint64 {
	r := make([]uint64, len(xs))
	for i, x := range xs {
		r[i] = uint64(math.Float32bits(x))
	}
	return r
}

func f64Bits(xs ...float64) []uint64 {
	r := make([]uint64, len(xs))
	for i, x := range xs {
		r[i] = math.Float64bits(x)
	}
	return r
}

var f32Edges = append(f32Bits(
	0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 0.9, -0.9, 0.1, 100.5, 1e-30, 1e30, -1e30,
	float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, 0x1p-126, 0x1p-127, 8388608, 8388609, 16777216, 16777215,
	2147483648, -2147483648, 2147483520, -2147483904, 4294967040, 4294967296,
	9223372036854775808, -9223372036854775808, 9223371487098961920, 18446744073709551616,
	18446742974197923840, -1e10, 0x1p-149,
), 0x80000000, 0x7FC00000, 0xFFC00000, 0x7FA00001, 0xFFA00001, 0x7FC00001, 0x7F800001,
	0x007FFFFF, 0x807FFFFF, 0x7FFFFFFF)

var f64Edges = append(f64Bits(
	0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 0.9, -0.9, 0.1, 1e-300, 1e300, -1e300,
	math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
	0x1p-1022, 4503599627370496, 4503599627370497, 4503599627370496.5, 9007199254740992,
	9007199254740993, 2147483647.9, -2147483648.9, -2147483649, 2147483648, 4294967295.9,
	4294967296, -0.999, 9223372036854775808, -9223372036854775808, 9223372036854774784,
	18446744073709549568, 18446744073709551616, 1+0x1p-24, 1+0x1p-23+0x1p-24, 1+0x1p-24+0x1p-40,
	3.4028235677973366e38, 3.4028234663852886e38, 0x1p-150, 0x1.8p-149, 0x1p-149, 1e40, -1e-50,
	math.MaxFloat32, 16777217, 9007200328482816,
), 0x8000000000000000, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000001,
	0xFFF4000000000001, 0x7FF8000000000001, 0x7FF0000000000001, 0x000FFFFFFFFFFFFF,
	0x7FFFFFFFFFFFFFFF)

// valueGen produces operands: edge cases and random values of each type.
type valueGen struct{ rng *rand.Rand }

func (g valueGen) pick(edges []uint64) uint64 { return edges[g.rng.IntN(len(edges))] }

// scalar returns an operand of signature type c, an edge case or random.
func (g valueGen) scalar(c byte) uint64 {
	random := g.rng.IntN(3) == 0
	switch c {
	case 'i':
		if random {
			return uint64(g.rng.Uint32())
		}
		return g.pick(i32Edges)
	case 'l':
		if random {
			return g.rng.Uint64() >> g.rng.IntN(64)
		}
		return g.pick(i64Edges)
	case 'f':
		if random {
			if g.rng.IntN(2) == 0 {
				return uint64(math.Float32bits(float32(g.rng.NormFloat64() * math.Exp2(float64(g.rng.IntN(80)-20)))))
			}
			return uint64(g.rng.Uint32())
		}
		return g.pick(f32Edges)
	case 'd':
		if random {
			if g.rng.IntN(2) == 0 {
				return math.Float64bits(g.rng.NormFloat64() * math.Exp2(float64(g.rng.IntN(140)-20)))
			}
			return g.rng.Uint64()
		}
		return g.pick(f64Edges)
	}
	panic("bad signature letter")
}

var shapes = []string{"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"}

// vector returns a v128 whose lanes are edge cases or random values,
// mostly of the given shape (the lane shape the instruction reads).
func (g valueGen) vector(shape string) Value {
	if shape == "" || g.rng.IntN(4) == 0 {
		shape = shapes[g.rng.IntN(len(shapes))]
	}
	if g.rng.IntN(8) == 0 {
		return Value{g.rng.Uint64(), g.rng.Uint64()}
	}
	var v Value
	switch shape {
	case "i8x16":
		for i := range 16 {
			v = setLane(v, i, uint8(g.scalar('i')))
		}
	case "i16x8":
		for i := range 8 {
			x := g.scalar('i')
			if g.rng.IntN(2) == 0 {
				x = []uint64{0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0xC000, 0x4000}[g.rng.IntN(11)]
			}
			v = setLane(v, i, uint16(x))
		}
	case "i32x4":
		for i := range 4 {
			v = setLane(v, i, uint32(g.scalar('i')))
		}
	case "i64x2":
		for i := range 2 {
			v = setLane(v, i, g.scalar('l'))
		}
	case "f32x4":
		for i := range 4 {
			v = setLane(v, i, uint32(g.scalar('f')))
		}
	case "f64x2":
		for i := range 2 {
			v = setLane(v, i, g.scalar('d'))
		}
	}
	return v
}

// inputShape is the lane shape an instruction's vector operands have: the
// last shape named in its text name (i16x8.narrow_i32x4_s reads i32x4).
func inputShape(name string) string {
	best, at := "", -1
	for _, s := range shapes {
		if i := strings.LastIndex(name, s); i > at {
			best, at = s, i
		}
	}
	return best
}

// nanPolicy says how far a float result may differ from wazero's: lanes
// of width 32 or 64 bits where a NaN may be any NaN on the oracle's side
// but must be canonical on ours. Zero means bit-exact.
func nanPolicy(name string) int {
	dot := strings.IndexByte(name, '.')
	shape, op := name[:dot], name[dot+1:]
	switch op {
	case "add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest":
	case "demote_f64", "demote_f64x2_zero":
		return 32
	case "promote_f32", "promote_low_f32x4":
		return 64
	default:
		return 0
	}
	switch shape {
	case "f32", "f32x4":
		return 32
	case "f64", "f64x2":
		return 64
	}
	return 0
}

type diffStats struct{ modules, cases, nanLenient, traps int }

func TestDifferentialAgainstWazero(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	rng := rand.New(rand.NewPCG(1, 2))
	gen := valueGen{rng}
	var st diffStats
	ops := 0
	all := wasm.Opcodes()
	slices.Sort(all) // a fixed order makes the random operands reproducible
	for _, op := range all {
		if !IsPure(op) {
			continue
		}
		ops++
		info := op.Info()
		switch info.Imm {
		case wasm.ImmLane:
			for lane := range info.Size {
				diffOpcode(ctx, t, rt, gen, &st, wasm.Instr{Op: op, Lane: lane}, []byte{lane}, 500)
			}
		case wasm.ImmShuffle:
			for k := range 200 {
				var pat [16]byte
				for i := range pat {
					switch k {
					case 0:
						pat[i] = byte(i)
					case 1:
						pat[i] = byte(31 - i)
					default:
						pat[i] = byte(rng.IntN(32))
					}
				}
				p := lanes(pat[:]...)
				diffOpcode(ctx, t, rt, gen, &st, wasm.Instr{Op: op, Const: p.Lo, ConstHi: p.Hi}, pat[:], 50)
			}
		default:
			n := 4000
			if len(info.Params) == 1 {
				n = 2000
			}
			diffOpcode(ctx, t, rt, gen, &st, wasm.Instr{Op: op}, nil, n)
		}
	}
	t.Logf("%d opcodes, %d modules, %d cases compared with wazero (%d traps, %d NaN results compared leniently)",
		ops, st.modules, st.cases, st.traps, st.nanLenient)
}

// diffOpcode compares one instruction on all edge-case operand tuples of
// a unary or binary scalar instruction plus n random tuples.
func diffOpcode(ctx context.Context, t *testing.T, rt wazero.Runtime, gen valueGen, st *diffStats, in wasm.Instr, imm []byte, n int) {
	t.Helper()
	info := in.Op.Info()
	mod, err := rt.Instantiate(ctx, diffModule(in.Op, info, imm))
	if err != nil {
		t.Errorf("%s: wazero rejects the test module: %v", info.Name, err)
		return
	}
	defer mod.Close(ctx)
	st.modules++
	fn := mod.ExportedFunction("f")
	shape := inputShape(info.Name)
	policy := nanPolicy(info.Name)

	args := make([]Value, len(info.Params))
	stack := make([]uint64, 0, 6)
	failures := 0
	compare := func() {
		stack = stack[:0]
		for i, a := range args {
			stack = append(stack, a.Lo)
			if info.Params[i] == 'v' {
				stack = append(stack, a.Hi)
			}
		}
		want, wantTrap := callWazero(ctx, fn, stack, info.Results[0])
		got, gotTrap := Eval(&in, args)
		st.cases++
		if gotTrap != abi.TrapNone || wantTrap != abi.TrapNone {
			st.traps++
		}
		ok, lenient := sameResult(got, want, policy)
		ok = ok && gotTrap == wantTrap
		if lenient {
			st.nanLenient++
		}
		if !ok && failures < 5 {
			failures++
			t.Errorf("%s lane=%d %#x: got %#x/%#x (trap %v), wazero %#x/%#x (trap %v)",
				info.Name, in.Lane, args, got.Lo, got.Hi, gotTrap, want.Lo, want.Hi, wantTrap)
		}
	}

	// Every pair (or single) of scalar edge cases.
	if !strings.Contains(info.Params, "v") && len(info.Params) <= 2 {
		edges := func(c byte) []uint64 {
			return map[byte][]uint64{'i': i32Edges, 'l': i64Edges, 'f': f32Edges, 'd': f64Edges}[c]
		}
		first := edges(info.Params[0])
		second := []uint64{0}
		if len(info.Params) == 2 {
			second = edges(info.Params[1])
		}
		for _, a := range first {
			for _, b := range second {
				args[0] = Value{Lo: a}
				if len(args) == 2 {
					args[1] = Value{Lo: b}
				}
				compare()
			}
		}
	}
	for range n {
		for i := range args {
			if c := info.Params[i]; c == 'v' {
				args[i] = gen.vector(shape)
			} else {
				args[i] = Value{Lo: gen.scalar(c)}
			}
		}
		compare()
	}
}

// callWazero runs fn on the flattened operands and returns its result,
// with the upper half of a 32-bit result cleared, or the trap it hit.
func callWazero(ctx context.Context, fn api.Function, stack []uint64, result byte) (Value, abi.TrapCode) {
	buf := make([]uint64, max(len(stack), 2))
	copy(buf, stack)
	if err := fn.CallWithStack(ctx, buf); err != nil {
		for _, code := range []abi.TrapCode{abi.TrapIntegerDivideByZero, abi.TrapIntegerOverflow, abi.TrapInvalidConversion} {
			if strings.Contains(err.Error(), code.String()) {
				return Value{}, code
			}
		}
		return Value{Lo: 0xBAD}, abi.TrapUnreachable // an unexpected error never matches Eval
	}
	switch result {
	case 'v':
		return Value{buf[0], buf[1]}, abi.TrapNone
	case 'i', 'f':
		return Value{Lo: buf[0] & 0xFFFFFFFF}, abi.TrapNone
	}
	return Value{Lo: buf[0]}, abi.TrapNone
}

// sameResult compares got with the oracle's want. With a NaN policy of 32
// or 64, a lane where both are NaN matches (lenient reports that it
// happened), but our NaN lanes must always be canonical.
func sameResult(got, want Value, policy int) (ok, lenient bool) {
	switch policy {
	case 32:
		for i := range 4 {
			g, w := getLane[uint32](got, i), getLane[uint32](want, i)
			if F32IsNaN(g) && g != F32CanonicalNaN {
				return false, false
			}
			if g != w {
				if !F32IsNaN(g) || !F32IsNaN(w) {
					return false, false
				}
				lenient = true
			}
		}
		return true, lenient
	case 64:
		for i := range 2 {
			g, w := getLane[uint64](got, i), getLane[uint64](want, i)
			if F64IsNaN(g) && g != F64CanonicalNaN {
				return false, false
			}
			if g != w {
				if !F64IsNaN(g) || !F64IsNaN(w) {
					return false, false
				}
				lenient = true
			}
		}
		return true, lenient
	}
	return got == want, false
}
