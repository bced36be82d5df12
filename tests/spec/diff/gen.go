package diff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// A generated module has:
//   - 1 to maxFuncs functions with random signatures (up to 11
//     parameters and 3 results of any numeric type, so multi-value results
//     too). Function i calls only functions j > i, directly or through the
//     table, and never inside a loop, so every call terminates without
//     deep recursion. Functions whose results hold no float are exported
//     as "f<i>"; function 0 always is. One module in six has a start
//     function too.
//   - a funcref table holding every function, then tableSlack null
//     entries; call_indirect indexes reach past both, and its type is
//     sometimes not the callee's (one type is a structural duplicate of
//     another, which must match).
//   - one memory of memPages pages (growable to memMaxPages) exported as
//     "memory", an active data segment of random bytes and a passive one.
//   - mutable and immutable globals of every numeric type; the i32 and
//     i64 ones are exported as "g<i>" so Outcomes record them.
//
// Bodies are random but valid: expressions over every scalar numeric
// instruction and the integer SIMD ones with boundary constants, loads and
// stores at varied offsets and alignments (some out of bounds), memory
// size/grow, bulk memory, lane loads and stores, runs of accesses through
// one base, stores stepping with a loop counter, if/else, blocks with
// br_if, blocks, loops and ifs typed by function types (parameters and
// several results), br_table, early returns, select, globals, table
// get/set/size/grow/fill/copy and bounded loops.
//
// Engines may disagree legitimately on the bits of a NaN an arithmetic
// operation produces, so generated code never lets such bits escape: no
// float stores, no reinterpretation of floats as integers, no float
// results of exported functions, copysign takes its sign from a value
// that is not NaN, and no floating-point SIMD operation produces the v128
// values that are stored.
const (
	memPages     = 1
	memMaxPages  = 4
	maxDepth     = 5
	numCounters  = 3 // i32 locals reserved as loop counters
	maxFuncs     = 6
	tableSlack   = 4 // null table entries after the functions
	maxCallSites = 3 // per function; outside loops, so at most maxCallSites^maxFuncs calls run
)

var (
	scalarTypes = []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64}
	numTypes    = []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.V128}
	// globalTypes lists the module's globals: mutable ones first.
	globalTypes = []wasm.GlobalType{
		{Type: wasm.I32, Mutable: true}, {Type: wasm.I64, Mutable: true}, {Type: wasm.F32, Mutable: true},
		{Type: wasm.F64, Mutable: true}, {Type: wasm.V128, Mutable: true},
		{Type: wasm.I32}, {Type: wasm.I64},
	}
)

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

// Module is a generated module and the calls to compare on it.
type Module struct {
	Binary []byte
	Funcs  int // functions defined
	Calls  []Call
}

// Call is one call of an export with arguments as raw bits (a v128 takes
// two words, low first).
type Call struct {
	Export string
	Args   []uint64
}

// argSets is how many argument lists each export is called with.
const argSets = 3

// modGen holds what the functions of one module share.
type modGen struct {
	r      *rand.Rand
	types  []wasm.FuncType
	funcs  []uint32 // type index per function
	tabled int      // functions in the table: all but the start function
}

// Generate returns a random valid module (see above) and calls of each of
// its exports; the same seed gives the same module.
func Generate(seed uint64) *Module {
	mg := &modGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	mg.types = append(mg.types, mg.signature(true))
	for n := 1 + mg.r.IntN(3); n > 0; n-- {
		mg.types = append(mg.types, mg.signature(mg.r.IntN(2) == 0))
	}
	dup := mg.types[mg.r.IntN(len(mg.types))]
	mg.types = append(mg.types, wasm.FuncType{Params: slices.Clone(dup.Params), Results: slices.Clone(dup.Results)})
	nfuncs := 1 + mg.r.IntN(maxFuncs)
	mg.tabled = nfuncs
	mg.funcs = []uint32{0}
	for len(mg.funcs) < nfuncs {
		mg.funcs = append(mg.funcs, uint32(mg.r.IntN(len(mg.types))))
	}

	m := &wasm.Module{
		Types:    mg.types,
		Funcs:    mg.funcs,
		Tables:   []wasm.TableType{{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: uint32(nfuncs + tableSlack)}}},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: memPages, Max: memMaxPages, HasMax: true}}},
		Exports:  []wasm.Export{{Name: "memory", Kind: wasm.ExternMemory}},
	}
	gen := Module{Funcs: nfuncs}
	for i, ti := range mg.funcs {
		m.Codes = append(m.Codes, mg.function(i))
		t := mg.types[ti]
		if exportable(t) {
			name := fmt.Sprintf("f%d", i)
			m.Exports = append(m.Exports, wasm.Export{Name: name, Kind: wasm.ExternFunc, Index: uint32(i)})
			for range argSets {
				gen.Calls = append(gen.Calls, Call{Export: name, Args: mg.args(t.Params)})
			}
		}
	}
	if mg.r.IntN(6) == 0 {
		m.Start = mg.startFunction(m)
		gen.Funcs++
	}
	for i, gt := range globalTypes {
		m.Globals = append(m.Globals, wasm.Global{Type: gt, Init: wasm.ConstExpr{Instrs: []wasm.Instr{constInstr(mg.r, gt.Type)}}})
		if gt.Type == wasm.I32 || gt.Type == wasm.I64 {
			m.Exports = append(m.Exports, wasm.Export{Name: fmt.Sprintf("g%d", i), Kind: wasm.ExternGlobal, Index: uint32(i)})
		}
	}
	elem := wasm.Elem{Mode: wasm.SegmentActive, Offset: i32Const(0), Type: wasm.FuncRef}
	for i := range nfuncs {
		elem.Init = append(elem.Init, wasm.ConstExpr{Instrs: []wasm.Instr{{Op: wasm.OpRefFunc, Index: uint32(i)}}})
	}
	m.Elems = []wasm.Elem{elem}
	active := make([]byte, 256)
	passive := make([]byte, 32)
	for _, b := range [][]byte{active, passive} {
		for i := range b {
			b[i] = byte(mg.r.Uint32())
		}
	}
	m.Datas = []wasm.Data{
		{Mode: wasm.SegmentActive, Offset: i32Const(int32(mg.r.IntN(64))), Init: active},
		{Mode: wasm.SegmentPassive, Init: passive},
	}
	dataCount := uint32(len(m.Datas))
	m.DataCount = &dataCount
	gen.Binary = wasm.Encode(m)
	return &gen
}

// startFunction appends a function of type [] -> [] after the others,
// outside the table, to m and returns its index. It calls nothing (no
// function follows it) but may trap, failing instantiation.
func (mg *modGen) startFunction(m *wasm.Module) *uint32 {
	ti := slices.IndexFunc(mg.types, func(t wasm.FuncType) bool { return len(t.Params) == 0 && len(t.Results) == 0 })
	if ti < 0 {
		ti = len(mg.types)
		mg.types = append(mg.types, wasm.FuncType{})
		m.Types = mg.types
	}
	start := uint32(len(mg.funcs))
	mg.funcs = append(mg.funcs, uint32(ti))
	m.Funcs = mg.funcs
	m.Codes = append(m.Codes, mg.function(int(start)))
	return &start
}

// signature returns a random function type; exportable ones have no float
// results.
func (mg *modGen) signature(export bool) wasm.FuncType {
	var t wasm.FuncType
	params := mg.r.IntN(4)
	if mg.r.IntN(5) == 0 { // more than the argument registers hold
		params = 4 + mg.r.IntN(8)
	}
	for n := params; n > 0; n-- {
		t.Params = append(t.Params, numTypes[mg.r.IntN(len(numTypes))])
	}
	for n := mg.r.IntN(4); n > 0; n-- {
		r := numTypes[mg.r.IntN(len(numTypes))]
		if export && (r == wasm.F32 || r == wasm.F64) {
			r = wasm.I64
		}
		t.Results = append(t.Results, r)
	}
	return t
}

func exportable(t wasm.FuncType) bool {
	return !slices.ContainsFunc(t.Results, func(r wasm.ValType) bool { return r == wasm.F32 || r == wasm.F64 })
}

// args returns random arguments for params, boundary values half the time.
func (mg *modGen) args(params []wasm.ValType) []uint64 {
	var out []uint64
	for _, t := range params {
		v := constBits(mg.r, t)
		switch t {
		case wasm.I32, wasm.F32:
			v &= 0xFFFF_FFFF
		case wasm.V128:
			out = append(out, v)
			v = mg.r.Uint64()
		}
		out = append(out, v)
	}
	return out
}

// function generates the code of function fi.
func (mg *modGen) function(fi int) wasm.Code {
	t := mg.types[mg.funcs[fi]]
	g := &generator{mod: mg, r: mg.r, fn: fi, free: numCounters, results: t.Results}
	g.locals = slices.Clone(t.Params)
	var runs []wasm.LocalRun
	for _, lt := range numTypes {
		runs = append(runs, wasm.LocalRun{Count: 2, Type: lt})
		g.locals = append(g.locals, lt, lt)
	}
	runs = append(runs, wasm.LocalRun{Count: numCounters, Type: wasm.I32})
	for range numCounters {
		g.locals = append(g.locals, wasm.I32)
	}
	stmts := 1 + g.r.IntN(6)
	if g.chance(0.15) { // a long body: more values live at once
		stmts = 10 + g.r.IntN(20)
	}
	for range stmts {
		g.stmt()
	}
	for _, r := range t.Results {
		g.expr(r)
	}
	g.emit(wasm.Instr{Op: wasm.OpEnd})
	var numLocals uint32
	for _, r := range runs {
		numLocals += r.Count
	}
	return wasm.Code{Locals: runs, NumLocals: numLocals, Body: g.code}
}

// generator writes the body of one function.
type generator struct {
	mod     *modGen
	r       *rand.Rand
	fn      int // this function's index
	code    []byte
	locals  []wasm.ValType // parameters, then declared locals; counters last
	results []wasm.ValType
	free    int // counters not used by an enclosing loop
	depth   int
	loops   int // enclosing loops: no calls inside them
	calls   int // call sites so far
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

// global picks a global of type t, only mutable ones if set.
func (g *generator) global(t wasm.ValType, set bool) (uint32, bool) {
	var idx []uint32
	for i, gt := range globalTypes {
		if gt.Type == t && (gt.Mutable || !set) {
			idx = append(idx, uint32(i))
		}
	}
	if len(idx) == 0 {
		return 0, false
	}
	return idx[g.r.IntN(len(idx))], true
}

func (g *generator) constant(t wasm.ValType) { g.emit(constInstr(g.r, t)) }

var constOp = map[wasm.ValType]wasm.Opcode{
	wasm.I32: wasm.OpI32Const, wasm.I64: wasm.OpI64Const, wasm.F32: wasm.OpF32Const,
	wasm.F64: wasm.OpF64Const, wasm.V128: wasm.OpV128Const,
}

// constInstr returns a t.const of a random value.
func constInstr(r *rand.Rand, t wasm.ValType) wasm.Instr {
	in := wasm.Instr{Op: constOp[t], Const: constBits(r, t)}
	switch t {
	case wasm.I32:
		in.Const = uint64(int64(int32(in.Const)))
	case wasm.F32:
		in.Const &= 0xFFFF_FFFF
	case wasm.V128:
		in.ConstHi = r.Uint64()
	}
	return in
}

// Boundary values: small numbers, the limits of each integer width, and
// floats at and around the limits of float-to-integer conversion.
var (
	intSpecials = []uint64{
		0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
		0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 31, 32, 63, 64,
	}
	floatSpecials = []float64{
		0, 0.5, 1, 1.5, 2.5, math.Inf(1), math.NaN(), math.SmallestNonzeroFloat64, 1e-45, math.MaxFloat32,
		2147483520, 2147483647, 2147483647.9, 2147483648, 2147483904, 4294967040, 4294967295, 4294967295.9, 4294967296,
		9223371487098961920, 9223372036854774784, 9223372036854775808, 18446742974197923840,
		18446744073709549568, 18446744073709551616,
	}
)

// constBits returns the bits of a random value of type t (the low word of
// a v128).
func constBits(r *rand.Rand, t wasm.ValType) uint64 {
	switch k := r.IntN(4); {
	case k == 0 || t == wasm.V128:
		return r.Uint64()
	case k == 1 && (t == wasm.F32 || t == wasm.F64):
		f := floatSpecials[r.IntN(len(floatSpecials))]
		if r.IntN(2) == 0 {
			f = -f
		}
		if t == wasm.F32 {
			return uint64(math.Float32bits(float32(f)))
		}
		return math.Float64bits(f)
	case k == 1:
		v := intSpecials[r.IntN(len(intSpecials))]
		if r.IntN(3) == 0 {
			v = -v
		}
		return v
	default:
		v := uint64(int64(r.IntN(33) - 16))
		switch t {
		case wasm.F32:
			return uint64(math.Float32bits(float32(int64(v))))
		case wasm.F64:
			return math.Float64bits(float64(int64(v)))
		}
		return v
	}
}

// address leaves an i32 address on the stack: usually inside the first
// page, sometimes near its end, sometimes anything.
func (g *generator) address() {
	switch k := g.r.IntN(128); {
	case k == 0:
		g.expr(wasm.I32)
	case k == 1:
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(memPages*65536 - g.r.IntN(24))})
	default:
		g.expr(wasm.I32)
		mask := uint64(0xFFF0)
		if g.chance(0.03) {
			mask = 0x1FFFF
		}
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: mask})
		g.emit(wasm.Instr{Op: wasm.OpI32And})
	}
}

// memarg returns an offset (mostly small, rarely huge) and an alignment
// hint no larger than the natural one of op.
func (g *generator) memarg(op wasm.Opcode) wasm.MemArg {
	var m wasm.MemArg
	switch k := g.r.IntN(128); {
	case k == 0:
		m.Offset = 0xFFFF_FFFF - uint32(g.r.IntN(32))
	case k == 1:
		m.Offset = 65536 - uint32(g.r.IntN(32))
	case k < 16:
		m.Offset = uint32(g.r.IntN(4096))
	default:
		m.Offset = uint32(g.r.IntN(24))
	}
	natural := 0
	for s := op.Info().Size; s > 1; s >>= 1 {
		natural++
	}
	m.Align = uint32(g.r.IntN(natural + 1))
	return m
}

// callee picks a function this one may call: one with a higher index.
func (g *generator) callee() (int, bool) {
	n := len(g.mod.funcs)
	if g.fn+1 >= n || g.loops > 0 || g.calls >= maxCallSites {
		return 0, false
	}
	return g.fn + 1 + g.r.IntN(n-g.fn-1), true
}

// args evaluates arguments of types ts.
func (g *generator) args(ts []wasm.ValType) {
	for _, t := range ts {
		g.expr(t)
	}
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
	switch k := g.r.IntN(24); {
	case k < 11:
		g.operator(t)
	case k < 14:
		if t == wasm.V128 && g.chance(0.2) {
			g.laneAccess(true)
			return
		}
		g.address()
		op := loadOps[t][g.r.IntN(len(loadOps[t]))]
		g.emit(wasm.Instr{Op: op, Mem: g.memarg(op)})
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
	case k < 20:
		if i, ok := g.global(t, false); ok {
			g.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: i})
		} else {
			g.constant(t)
		}
	case k < 21 && t == wasm.I32:
		if g.chance(0.3) {
			g.tableExpr()
		} else if g.chance(0.5) {
			g.emit(wasm.Instr{Op: wasm.OpMemorySize})
		} else {
			g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(3))})
			g.emit(wasm.Instr{Op: wasm.OpMemoryGrow})
		}
	case k < 22:
		// A direct call of a function with the single result t.
		j, ok := g.callee()
		if ft := g.funcType(j); !ok || !slices.Equal(ft.Results, []wasm.ValType{t}) {
			g.constant(t)
			return
		}
		g.calls++
		g.args(g.funcType(j).Params)
		g.emit(wasm.Instr{Op: wasm.OpCall, Index: uint32(j)})
	default:
		i, ok := g.local(t)
		g.expr(t)
		if ok {
			g.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: i})
		}
	}
}

func (g *generator) funcType(j int) wasm.FuncType { return g.mod.types[g.mod.funcs[j]] }

// operator emits a random pure instruction with result t and its operands.
func (g *generator) operator(t wasm.ValType) {
	op := ops[t][g.r.IntN(len(ops[t]))]
	info := op.Info()
	for i := range len(info.Params) {
		g.expr(wasm.SigType(info.Params[i]))
		switch {
		case i == 1 && (op == wasm.OpF32Copysign || op == wasm.OpF64Copysign):
			g.notNaN(t)
		case i == 1 && divisions[op] != 0 && g.chance(0.6):
			// Most divisors are made odd, so that not every division by a
			// zero-initialised local traps; -1 stays possible.
			g.emit(wasm.Instr{Op: constOp[t], Const: 1})
			g.emit(wasm.Instr{Op: divisions[op]})
		}
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
}

// divisions maps each integer division and remainder to the "or" of its
// type.
var divisions = map[wasm.Opcode]wasm.Opcode{
	wasm.OpI32DivS: wasm.OpI32Or, wasm.OpI32DivU: wasm.OpI32Or, wasm.OpI32RemS: wasm.OpI32Or, wasm.OpI32RemU: wasm.OpI32Or,
	wasm.OpI64DivS: wasm.OpI64Or, wasm.OpI64DivU: wasm.OpI64Or, wasm.OpI64RemS: wasm.OpI64Or, wasm.OpI64RemU: wasm.OpI64Or,
}

// notNaN replaces the float of type t on the stack by 0 if it is a NaN,
// whose sign bit engines may set differently.
func (g *generator) notNaN(t wasm.ValType) {
	l, _ := g.local(t)
	eq := wasm.OpF32Eq
	if t == wasm.F64 {
		eq = wasm.OpF64Eq
	}
	g.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
	g.emit(wasm.Instr{Op: constOp[t]})
	g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	g.emit(wasm.Instr{Op: eq})
	g.emit(wasm.Instr{Op: wasm.OpSelect})
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
