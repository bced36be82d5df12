package diff

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Generated modules have one memory of memPages pages (growable to
// memMaxPages) exported as "memory", initialised with random bytes, and
// one function exported as "run" of type (i32, i64) -> (i32, i64) whose
// body is random but valid: expressions over every scalar numeric
// instruction and the integer SIMD ones, loads and stores (some out of
// bounds), bulk memory operations, if/else, blocks with br_if, select and
// bounded loops.
//
// Engines may disagree legitimately on the bits of a NaN an arithmetic
// operation produces, so generated code never lets such bits escape: no
// float stores, no reinterpretation of floats as integers, and no
// floating-point SIMD operation produces the v128 values that are stored.
const (
	memPages    = 1
	memMaxPages = 4
	maxDepth    = 5
	numCounters = 3 // i32 locals reserved as loop counters
)

var scalarTypes = []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64}

// ops lists, per result type, the pure instructions the generator uses.
var ops = map[wasm.ValType][]wasm.Opcode{}

func init() {
	for _, op := range wasm.Opcodes() {
		info := op.Info()
		if !info.Fixed || len(info.Results) != 1 || strings.Contains(info.Name, "reinterpret") {
			continue
		}
		if info.Imm != wasm.ImmNone && info.Imm != wasm.ImmLane && info.Imm != wasm.ImmShuffle {
			continue
		}
		t := wasm.SigType(info.Results[0])
		if t == wasm.V128 && (strings.HasPrefix(info.Name, "f32x4") || strings.HasPrefix(info.Name, "f64x2") ||
			strings.ContainsAny(info.Params, "fd")) {
			continue
		}
		ops[t] = append(ops[t], op)
	}
	for _, m := range ops { // wasm.Opcodes is unordered; keep generation deterministic
		slices.Sort(m)
	}
}

type generator struct {
	r      *rand.Rand
	code   []byte
	locals []wasm.ValType // parameters, then declared locals; counters last
	free   int            // counters not used by an enclosing loop
	depth  int
}

// Generate returns the binary of a random valid module (see above); the
// same seed gives the same module.
func Generate(seed uint64) []byte {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), free: numCounters}
	g.locals = []wasm.ValType{wasm.I32, wasm.I64}
	var runs []wasm.LocalRun
	for _, t := range []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.V128} {
		runs = append(runs, wasm.LocalRun{Count: 2, Type: t})
		g.locals = append(g.locals, t, t)
	}
	runs = append(runs, wasm.LocalRun{Count: numCounters, Type: wasm.I32})
	for range numCounters {
		g.locals = append(g.locals, wasm.I32)
	}
	for n := 1 + g.r.IntN(6); n > 0; n-- {
		g.stmt()
	}
	g.expr(wasm.I32)
	g.expr(wasm.I64)
	g.emit(wasm.Instr{Op: wasm.OpEnd})

	data := make([]byte, 256)
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	var numLocals uint32
	for _, r := range runs {
		numLocals += r.Count
	}
	m := &wasm.Module{
		Types:    []wasm.FuncType{{Params: []wasm.ValType{wasm.I32, wasm.I64}, Results: []wasm.ValType{wasm.I32, wasm.I64}}},
		Funcs:    []uint32{0},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: memPages, Max: memMaxPages, HasMax: true}}},
		Exports:  []wasm.Export{{Name: "run", Kind: wasm.ExternFunc}, {Name: "memory", Kind: wasm.ExternMemory}},
		Codes:    []wasm.Code{{Locals: runs, NumLocals: numLocals, Body: g.code}},
		Datas:    []wasm.Data{{Mode: wasm.SegmentActive, Offset: i32Const(int32(g.r.IntN(64))), Init: data}},
	}
	return wasm.Encode(m)
}

func i32Const(v int32) wasm.ConstExpr {
	return wasm.ConstExpr{Instrs: []wasm.Instr{{Op: wasm.OpI32Const, Const: uint64(int64(v))}}}
}

func (g *generator) emit(in wasm.Instr) { g.code = wasm.AppendInstr(g.code, &in) }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// local picks a local of type t that is not a loop counter.
func (g *generator) local(t wasm.ValType) (uint32, bool) {
	var idx []uint32
	for i, lt := range g.locals[:len(g.locals)-numCounters] {
		if lt == t {
			idx = append(idx, uint32(i))
		}
	}
	if len(idx) == 0 {
		return 0, false
	}
	return idx[g.r.IntN(len(idx))], true
}

func (g *generator) constant(t wasm.ValType) {
	bits := g.r.Uint64()
	if g.chance(0.5) { // small values exercise more interesting paths
		bits = uint64(int64(g.r.IntN(33) - 16))
	}
	switch t {
	case wasm.I32:
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(bits)))})
	case wasm.I64:
		g.emit(wasm.Instr{Op: wasm.OpI64Const, Const: bits})
	case wasm.F32:
		g.emit(wasm.Instr{Op: wasm.OpF32Const, Const: bits & 0xFFFF_FFFF})
	case wasm.F64:
		g.emit(wasm.Instr{Op: wasm.OpF64Const, Const: bits})
	case wasm.V128:
		g.emit(wasm.Instr{Op: wasm.OpV128Const, Const: bits, ConstHi: g.r.Uint64()})
	}
}

// address leaves an i32 address on the stack, usually inside memory.
func (g *generator) address() {
	g.expr(wasm.I32)
	mask := uint64(0xFFF0)
	if g.chance(0.1) {
		mask = 0x1FFFF
	}
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: mask})
	g.emit(wasm.Instr{Op: wasm.OpI32And})
}

func (g *generator) memarg() wasm.MemArg {
	return wasm.MemArg{Offset: uint32(g.r.IntN(24)), Align: 0}
}

// expr leaves one value of type t on the stack.
func (g *generator) expr(t wasm.ValType) {
	g.depth++
	defer func() { g.depth-- }()
	if g.depth >= maxDepth || g.chance(0.2) {
		if i, ok := g.local(t); ok && g.chance(0.5) {
			g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: i})
		} else {
			g.constant(t)
		}
		return
	}
	switch k := g.r.IntN(20); {
	case k < 11:
		op := ops[t][g.r.IntN(len(ops[t]))]
		info := op.Info()
		for i := range len(info.Params) {
			g.expr(wasm.SigType(info.Params[i]))
		}
		in := wasm.Instr{Op: op}
		switch info.Imm {
		case wasm.ImmLane:
			in.Lane = byte(g.r.IntN(int(info.Size)))
		case wasm.ImmShuffle:
			for i := range 16 {
				lane := uint64(g.r.IntN(32))
				if i < 8 {
					in.Const |= lane << (8 * i)
				} else {
					in.ConstHi |= lane << (8 * (i - 8))
				}
			}
		}
		g.emit(in)
	case k < 14:
		g.address()
		g.emit(wasm.Instr{Op: loadOps[t][g.r.IntN(len(loadOps[t]))], Mem: g.memarg()})
	case k < 15:
		g.expr(t)
		g.expr(t)
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpSelect})
	case k < 17:
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockValue, Value: t}})
		g.expr(t)
		g.emit(wasm.Instr{Op: wasm.OpElse})
		g.expr(t)
		g.emit(wasm.Instr{Op: wasm.OpEnd})
	case k < 19:
		// (block (result t) e1 c (br_if 0) drop e2)
		g.emit(wasm.Instr{Op: wasm.OpBlock, Block: wasm.BlockType{Kind: wasm.BlockValue, Value: t}})
		g.expr(t)
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpBrIf, Index: 0})
		g.emit(wasm.Instr{Op: wasm.OpDrop})
		g.stmt()
		g.expr(t)
		g.emit(wasm.Instr{Op: wasm.OpEnd})
	default:
		i, ok := g.local(t)
		g.expr(t)
		if ok {
			g.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: i})
		}
	}
}

var loadOps = map[wasm.ValType][]wasm.Opcode{
	wasm.I32: {wasm.OpI32Load, wasm.OpI32Load8S, wasm.OpI32Load8U, wasm.OpI32Load16S, wasm.OpI32Load16U},
	wasm.I64: {wasm.OpI64Load, wasm.OpI64Load8S, wasm.OpI64Load8U, wasm.OpI64Load16S, wasm.OpI64Load16U, wasm.OpI64Load32S, wasm.OpI64Load32U},
	wasm.F32: {wasm.OpF32Load},
	wasm.F64: {wasm.OpF64Load},
	wasm.V128: {wasm.OpV128Load, wasm.OpV128Load8x8S, wasm.OpV128Load8x8U, wasm.OpV128Load16x4S, wasm.OpV128Load16x4U,
		wasm.OpV128Load32x2S, wasm.OpV128Load32x2U, wasm.OpV128Load8Splat, wasm.OpV128Load16Splat, wasm.OpV128Load32Splat,
		wasm.OpV128Load64Splat, wasm.OpV128Load32Zero, wasm.OpV128Load64Zero},
}

var storeOps = []struct {
	op wasm.Opcode
	t  wasm.ValType
}{
	{wasm.OpI32Store, wasm.I32}, {wasm.OpI32Store8, wasm.I32}, {wasm.OpI32Store16, wasm.I32},
	{wasm.OpI64Store, wasm.I64}, {wasm.OpI64Store8, wasm.I64}, {wasm.OpI64Store16, wasm.I64}, {wasm.OpI64Store32, wasm.I64},
	{wasm.OpV128Store, wasm.V128},
}

// stmt emits an instruction sequence that leaves the stack unchanged.
func (g *generator) stmt() {
	g.depth++
	defer func() { g.depth-- }()
	switch k := g.r.IntN(12); {
	case k < 3:
		t := scalarTypes[g.r.IntN(len(scalarTypes))]
		if g.chance(0.2) {
			t = wasm.V128
		}
		if i, ok := g.local(t); ok {
			g.expr(t)
			g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: i})
		}
	case k < 6:
		s := storeOps[g.r.IntN(len(storeOps))]
		g.address()
		g.expr(s.t)
		g.emit(wasm.Instr{Op: s.op, Mem: g.memarg()})
	case k < 8 && g.free > 0 && g.depth < maxDepth-1:
		// A loop running 1..8 times on a reserved counter.
		g.free--
		c := uint32(len(g.locals) - 1 - g.free)
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(1 + g.r.IntN(8))})
		g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: c})
		g.emit(wasm.Instr{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			g.stmt()
		}
		g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: c})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: 1})
		g.emit(wasm.Instr{Op: wasm.OpI32Sub})
		g.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: c})
		g.emit(wasm.Instr{Op: wasm.OpBrIf, Index: 0})
		g.emit(wasm.Instr{Op: wasm.OpEnd})
		g.free++
	case k < 9:
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		g.stmt()
		g.emit(wasm.Instr{Op: wasm.OpEnd})
	case k < 10:
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(2))})
		g.emit(wasm.Instr{Op: wasm.OpMemoryGrow})
		g.emit(wasm.Instr{Op: wasm.OpDrop})
	case k < 11:
		op := wasm.OpMemoryFill
		g.address()
		if g.chance(0.5) {
			op = wasm.OpMemoryCopy
			g.address()
		} else {
			g.expr(wasm.I32)
		}
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(64))})
		g.emit(wasm.Instr{Op: op})
	default:
		t := scalarTypes[g.r.IntN(len(scalarTypes))]
		g.expr(t)
		g.emit(wasm.Instr{Op: wasm.OpDrop})
	}
}
