package diff

import "github.com/wasmaot/wasmaot/compiler/wasm"

// typedBlock emits a block, loop or if whose type is one of the module's
// function types (parameters and several results): its arguments go
// in, the body saves them in locals, runs a statement and leaves results,
// which are then saved in locals.
func (g *generator) typedBlock() {
	ti := uint32(g.r.IntN(len(g.mod.types)))
	ft := g.mod.types[ti]
	bt := wasm.BlockType{Kind: wasm.BlockIndex, Index: ti}
	g.args(ft.Params)
	body := func() {
		g.setLocals(ft.Params)
		g.stmt()
		g.args(ft.Results)
	}
	switch k := g.r.IntN(3); k {
	case 0:
		g.emit(wasm.Instr{Op: wasm.OpBlock, Block: bt})
		body()
		if g.chance(0.5) { // br_if keeps its operands: the block's results either way
			g.expr(wasm.I32)
			g.emit(wasm.Instr{Op: wasm.OpBrIf, Index: 0})
		}
	case 1:
		g.emit(wasm.Instr{Op: wasm.OpLoop, Block: bt})
		body()
	default:
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpIf, Block: bt})
		body()
		g.emit(wasm.Instr{Op: wasm.OpElse})
		g.setLocals(ft.Params)
		g.args(ft.Results)
	}
	g.emit(wasm.Instr{Op: wasm.OpEnd})
	g.setLocals(ft.Results)
}

// setLocals pops values of types ts (the last on top) into locals.
func (g *generator) setLocals(ts []wasm.ValType) {
	for i := len(ts) - 1; i >= 0; i-- {
		l, _ := g.local(ts[i])
		g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: l})
	}
}

var (
	loadLaneOps  = []wasm.Opcode{wasm.OpV128Load8Lane, wasm.OpV128Load16Lane, wasm.OpV128Load32Lane, wasm.OpV128Load64Lane}
	storeLaneOps = []wasm.Opcode{wasm.OpV128Store8Lane, wasm.OpV128Store16Lane, wasm.OpV128Store32Lane, wasm.OpV128Store64Lane}
)

// laneAccess emits v128.loadN_lane (leaving a v128) or v128.storeN_lane.
func (g *generator) laneAccess(load bool) {
	ops := storeLaneOps
	if load {
		ops = loadLaneOps
	}
	op := ops[g.r.IntN(len(ops))]
	g.address()
	g.expr(wasm.V128)
	g.emit(wasm.Instr{Op: op, Mem: g.memarg(op), Lane: byte(g.r.IntN(16 / int(op.Info().Size)))})
}

// The table starts as [f0 … fN-1, null…]. Table statements keep every
// entry at index x null or a function with index ≥ x, so call_indirect
// from function i, which indexes at i+1 or above, never recurses. Indexes
// are constants (sometimes past the end, which traps).

// tableIndex returns a table index, usually inside the initial table.
func (g *generator) tableIndex() uint32 {
	if g.chance(0.1) {
		return uint32(g.mod.tabled + tableSlack + g.r.IntN(2))
	}
	return uint32(g.r.IntN(g.mod.tabled + tableSlack))
}

// refAtLeast emits a funcref that is null or a function ≥ x.
func (g *generator) refAtLeast(x uint32) {
	n := uint32(g.mod.tabled)
	switch {
	case x < n && g.chance(0.6):
		g.emit(wasm.Instr{Op: wasm.OpRefFunc, Index: x + uint32(g.r.IntN(int(n-x)))})
	case g.chance(0.5):
		y := x + uint32(g.r.IntN(4))
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(y)})
		g.emit(wasm.Instr{Op: wasm.OpTableGet})
	default:
		g.emit(wasm.Instr{Op: wasm.OpRefNull, Type: wasm.FuncRef})
	}
}

// tableStmt emits table.set, table.fill, table.copy or table.grow.
func (g *generator) tableStmt() {
	x := g.tableIndex()
	switch k := g.r.IntN(4); k {
	case 0:
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(x)})
		g.refAtLeast(x)
		g.emit(wasm.Instr{Op: wasm.OpTableSet})
	case 1:
		n := uint32(g.r.IntN(4))
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(x)})
		g.refAtLeast(x + max(n, 1) - 1)
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(n)})
		g.emit(wasm.Instr{Op: wasm.OpTableFill})
	case 2:
		// Copying from y ≥ x keeps the invariant: entry y+k ≥ y+k ≥ x+k.
		y := x + uint32(g.r.IntN(4))
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(x)})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(y)})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(5))})
		g.emit(wasm.Instr{Op: wasm.OpTableCopy})
	default:
		g.emit(wasm.Instr{Op: wasm.OpRefNull, Type: wasm.FuncRef})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(3))})
		g.emit(wasm.Instr{Op: wasm.OpTableGrow})
		g.emit(wasm.Instr{Op: wasm.OpDrop})
	}
}

// tableExpr leaves an i32 about the table: its size, or whether an
// entry (at any index) is null.
func (g *generator) tableExpr() {
	if g.chance(0.3) {
		g.emit(wasm.Instr{Op: wasm.OpTableSize})
		return
	}
	g.expr(wasm.I32)
	mask := uint64(3) // inside the smallest table
	if g.chance(0.2) {
		mask = 15
	}
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: mask})
	g.emit(wasm.Instr{Op: wasm.OpI32And})
	g.emit(wasm.Instr{Op: wasm.OpTableGet})
	g.emit(wasm.Instr{Op: wasm.OpRefIsNull})
}

// sameBase emits two to five loads and stores through one base address
// held in a local, at different offsets (some past the end of memory), so
// that a later access's bounds check may be subsumed by an earlier one's
// and a trap falls between stores.
func (g *generator) sameBase() {
	base, _ := g.local(wasm.I32)
	g.address()
	g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: base})
	for n := 2 + g.r.IntN(4); n > 0; n-- {
		g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: base})
		if g.chance(0.5) {
			s := storeOps[g.r.IntN(len(storeOps))]
			g.expr(s.t)
			g.emit(wasm.Instr{Op: s.op, Mem: g.memarg(s.op)})
			continue
		}
		t := numTypes[g.r.IntN(len(numTypes))]
		op := loadOps[t][g.r.IntN(len(loadOps[t]))]
		g.emit(wasm.Instr{Op: op, Mem: g.memarg(op)})
		g.setLocals([]wasm.ValType{t})
	}
}

// counterStore emits, inside a loop on counter c, a store at an address
// that steps with the counter from a base that is sometimes near the end
// of memory, so that the loop traps part-way.
func (g *generator) counterStore(c uint32) {
	s := storeOps[g.r.IntN(len(storeOps))]
	base := uint64(g.r.IntN(1024))
	if g.chance(0.2) {
		base = memPages*65536 - uint64(g.r.IntN(64))
	}
	g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: c})
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(1 + g.r.IntN(16))})
	g.emit(wasm.Instr{Op: wasm.OpI32Mul})
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: base})
	g.emit(wasm.Instr{Op: wasm.OpI32Add})
	g.expr(s.t)
	g.emit(wasm.Instr{Op: s.op, Mem: wasm.MemArg{Offset: uint32(g.r.IntN(8))}})
}
