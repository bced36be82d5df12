package diff

import "github.com/wasmaot/wasmaot/compiler/wasm"

// stmt emits an instruction sequence that leaves the stack unchanged.
func (g *generator) stmt() {
	g.depth++
	defer func() { g.depth-- }()
	switch k := g.r.IntN(25); {
	case k < 4:
		t := scalarTypes[g.r.IntN(len(scalarTypes))]
		if g.chance(0.2) {
			t = wasm.V128
		}
		if i, ok := g.local(t); ok {
			g.expr(t)
			g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: i})
		}
	case k < 8:
		s := storeOps[g.r.IntN(len(storeOps))]
		g.address()
		g.expr(s.t)
		g.emit(wasm.Instr{Op: s.op, Mem: g.memarg(s.op)})
	case k < 10 && g.free > 0 && g.depth < maxDepth-1:
		g.loop()
	case k < 11:
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		g.stmt()
		if g.chance(0.3) {
			g.emit(wasm.Instr{Op: wasm.OpElse})
			g.stmt()
		}
		g.emit(wasm.Instr{Op: wasm.OpEnd})
	case k < 12:
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(2))})
		g.emit(wasm.Instr{Op: wasm.OpMemoryGrow})
		g.emit(wasm.Instr{Op: wasm.OpDrop})
	case k < 13:
		g.bulkMemory()
	case k < 14:
		t := globalTypes[g.r.IntN(len(globalTypes))].Type
		if i, ok := g.global(t, true); ok {
			g.expr(t)
			g.emit(wasm.Instr{Op: wasm.OpGlobalSet, Index: i})
		}
	case k < 16:
		g.call()
	case k < 17 && g.depth < maxDepth-1:
		g.brTable()
	case k < 18:
		// An early exit: (if c (then results… return)), or rarely a trap.
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		if g.chance(0.1) {
			g.emit(wasm.Instr{Op: wasm.OpUnreachable})
		} else {
			g.args(g.results)
			g.emit(wasm.Instr{Op: wasm.OpReturn})
		}
		g.emit(wasm.Instr{Op: wasm.OpEnd})
	case k < 19 && g.depth < maxDepth-1:
		g.typedBlock()
	case k < 20:
		g.laneAccess(false)
	case k < 21:
		g.tableStmt()
	case k < 22:
		g.sameBase()
	default:
		t := scalarTypes[g.r.IntN(len(scalarTypes))]
		g.expr(t)
		g.emit(wasm.Instr{Op: wasm.OpDrop})
	}
}

// loop emits a loop running 1..8 times on a reserved counter.
func (g *generator) loop() {
	g.free--
	g.loops++
	c := uint32(len(g.locals) - 1 - g.free)
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(1 + g.r.IntN(8))})
	g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: c})
	g.emit(wasm.Instr{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		g.stmt()
	}
	if g.chance(0.3) {
		g.counterStore(c)
	}
	g.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: c})
	g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: 1})
	g.emit(wasm.Instr{Op: wasm.OpI32Sub})
	g.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: c})
	g.emit(wasm.Instr{Op: wasm.OpBrIf, Index: 0})
	g.emit(wasm.Instr{Op: wasm.OpEnd})
	g.loops--
	g.free++
}

// bulkMemory emits memory.fill, memory.copy, memory.init or data.drop
// (of the passive segment 1) with lengths that sometimes reach past the
// end of memory or of the segment.
func (g *generator) bulkMemory() {
	switch k := g.r.IntN(8); {
	case k < 3:
		g.address()
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(64))})
		g.emit(wasm.Instr{Op: wasm.OpMemoryFill})
	case k < 6:
		g.address()
		g.address()
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(64))})
		g.emit(wasm.Instr{Op: wasm.OpMemoryCopy})
	case k < 7:
		g.address()
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(24))})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.r.IntN(16))})
		g.emit(wasm.Instr{Op: wasm.OpMemoryInit, Index: 1})
	default:
		g.emit(wasm.Instr{Op: wasm.OpDataDrop, Index: 1})
	}
}

// call emits a direct call or a call_indirect through the table and
// stores the results in locals. The table index of call_indirect is at
// least this function's index + 1, so it reaches later functions, null
// entries or beyond the table; its type is usually the callee's.
func (g *generator) call() {
	j, ok := g.callee()
	if !ok {
		return
	}
	g.calls++
	ft := g.funcType(j)
	if g.chance(0.5) {
		g.args(ft.Params)
		g.emit(wasm.Instr{Op: wasm.OpCall, Index: uint32(j)})
	} else {
		ti := g.mod.funcs[j]
		if g.chance(0.3) {
			ti = uint32(g.r.IntN(len(g.mod.types)))
		}
		ft = g.mod.types[ti]
		g.args(ft.Params)
		g.expr(wasm.I32)
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: 7})
		g.emit(wasm.Instr{Op: wasm.OpI32And})
		g.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(g.fn + 1)})
		g.emit(wasm.Instr{Op: wasm.OpI32Add})
		g.emit(wasm.Instr{Op: wasm.OpCallIndirect, Index: ti})
	}
	for i := len(ft.Results) - 1; i >= 0; i-- {
		l, _ := g.local(ft.Results[i])
		g.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: l})
	}
}

// brTable emits (block (block (block c br_table …) s1) s2): a switch
// with three targets.
func (g *generator) brTable() {
	for range 3 {
		g.emit(wasm.Instr{Op: wasm.OpBlock, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	}
	g.expr(wasm.I32)
	var targets []uint32
	for n := 1 + g.r.IntN(4); n >= 0; n-- { // the last one is the default
		targets = append(targets, uint32(g.r.IntN(3)))
	}
	g.emit(wasm.Instr{Op: wasm.OpBrTable, Targets: targets})
	g.emit(wasm.Instr{Op: wasm.OpEnd})
	g.stmt()
	g.emit(wasm.Instr{Op: wasm.OpEnd})
	g.stmt()
	g.emit(wasm.Instr{Op: wasm.OpEnd})
}
