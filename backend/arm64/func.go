package arm64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file compiles one function: register allocation, frame layout,
// prologue and epilogue, blocks and their edges. Instruction selection is
// in isel.go (pure operations) and state.go (everything that touches the
// instance).
//
// Frame, from the stack pointer up (all 16-byte aligned):
//
//	[sp, +out)            outgoing stack arguments of calls
//	[+out, +res)          results area of multi-result calls
//	[+res, +spill)        spill slots
//	[+spill, +saved)      callee-saved registers, the results-area pointer
//	[fp, fp+16)           x29, x30 (fp = sp + frame - 16)
//	[fp+16, …)            incoming stack arguments

// maxCheckedFrame is the largest frame a function may have without
// checking the stack limit before allocating it (half of
// abi.MaxFrameBelowLimit, leaving the rest for builtins and the yield
// stub).
const maxCheckedFrame = abi.MaxFrameBelowLimit / 2

// callSite records a BL whose target is resolved when the module is laid
// out: a function by index, or a module stub.
type callSite struct {
	at     int // word index in the function's Asm
	target int // wasm function index
}

type funcGen struct {
	m     *moduleGen
	index uint32 // the function's wasm index
	f     *ir.Func
	a     *Asm
	alloc *regalloc.Allocation
	cfg   *ir.CFG

	blocks []Label // by RPO number
	traps  map[abi.TrapCode]Label
	calls  []callSite
	polls  []pollSite
	// edgeBuf is edgeMoves' storage, reused from edge to edge.
	edgeBuf [2][]regalloc.Move
	tables  []jumpTable
	// runtimeCalls are calls of runtime C functions through the GOT.
	runtimeCalls []runtimeCall
	cur          int // RPO number of the block being emitted
	// flags is what the condition flags hold after the current
	// instruction, lastFlags after the previous one (see flagsOf).
	flags, lastFlags flagState
	// slotSizes is the size of each spill slot by offset (the allocator
	// reuses a slot only for values of its size).
	slotSizes map[int32]Size

	frame      int // total frame size
	outArgs    int
	resultsOff int // results area for calls
	spillOff   int
	savedOff   int
	resPtrOff  int // where the incoming results-area pointer is kept (-1: none)
	saved      []Reg
	usesMem0   bool
}

// release drops what only generating the function's code needed (its IR,
// allocation, the Asm's words and fixups…), once Finish has laid the code
// out, keeping what linking reads: the index, the labels' positions,
// calls, runtime calls and jump tables. The module's functions wait for
// linking together, so this bounds the memory held meanwhile to little
// more than their code.
func (g *funcGen) release() {
	*g = funcGen{m: g.m, index: g.index, a: &Asm{labels: g.a.labels}, calls: g.calls, runtimeCalls: g.runtimeCalls, tables: g.tables}
}

// jumpTable is a switch's table of entries, placed in .rodata when the
// module is laid out: ADRP+ADD at word adrp get its address.
type jumpTable struct {
	adrp    int
	anchor  Label
	entries []Label
}

// runtimeCall is ADRP+LDR at word adrp loading the GOT entry of an
// allow-listed runtime symbol (abi.RuntimeSymbols), then BLR: the GOT
// reaches ±4 GiB, so no veneer is ever needed.
type runtimeCall struct {
	adrp   int
	symbol string
}

// pollSite is an interrupt poll's out-of-line slow path.
type pollSite struct {
	slow, cont Label
}

// compileFunc generates f's machine code into a fresh Asm; the register
// allocator works in s (see regalloc.AllocateIn).
func (m *moduleGen) compileFunc(f *ir.Func, s *regalloc.Scratch) (*funcGen, error) {
	start := m.timings.Start()
	alloc, err := regalloc.AllocateIn(f, allocConfig, s)
	m.timings.Stop(timing.Regalloc, start)
	if err != nil {
		return nil, err
	}
	// Selection emits instructions into the Asm; branch resolution and
	// encoding the final words (Asm.Finish) count as timing.Encode.
	start = m.timings.Start()
	defer m.timings.Stop(timing.Isel, start)
	g := &funcGen{m: m, index: f.Index, f: f, a: &Asm{}, alloc: alloc, cfg: alloc.CFG, traps: map[abi.TrapCode]Label{}}
	g.layoutFrame()
	g.slotSizes = map[int32]Size{}
	for v, l := range alloc.Locs {
		if l.Valid && !l.InReg() {
			g.slotSizes[l.Slot] = Size(allocConfig.SlotSize(f.Types[v]))
		}
	}
	g.blocks = make([]Label, len(alloc.Order))
	for i := range g.blocks {
		g.blocks[i] = g.a.NewLabel()
	}
	if err := g.prologue(); err != nil {
		return nil, err
	}
	for i, b := range alloc.Order {
		g.cur = i
		g.flags = flagState{} // another block may branch here
		g.a.Bind(g.blocks[i])
		for _, in := range b.Instrs {
			if err := g.instr(in); err != nil {
				return nil, fmt.Errorf("function %d, block b%d: %s: %w", f.Index, b.ID, in.Op, err)
			}
		}
	}
	if len(g.polls) > 0 {
		stub := g.a.NewLabel()
		for _, p := range g.polls {
			g.a.Bind(p.slow)
			g.a.BL(stub)
			g.a.B(p.cont)
		}
		g.a.Bind(stub)
		yieldStub(g.a)
	}
	for code := abi.TrapCode(0); code < 64; code++ {
		if l, ok := g.traps[code]; ok {
			g.a.Bind(l)
			g.a.MovImm(false, X1, uint64(code))
			g.a.Mov(true, X0, regVMCtx)
			g.callBuiltinReg(abi.BuiltinTrap, regVMCtx)
			g.a.Brk(1)
		}
	}
	return g, nil
}

// callsWasm reports whether f calls a wasm function.
func callsWasm(f *ir.Func) bool {
	for _, blk := range f.Blocks {
		for _, in := range blk.Instrs {
			switch in.Op {
			case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect:
				return true
			}
		}
	}
	return false
}

func align16(n int) int { return (n + 15) &^ 15 }

// layoutFrame sizes the frame from the allocation and the calls f makes.
func (g *funcGen) layoutFrame() {
	wm := g.m.wm
	results := 0
	for _, b := range g.alloc.Order {
		for _, in := range b.Instrs {
			var sig *wasm.FuncType
			switch in.Op {
			case ir.OpCall, ir.OpCallImport:
				sig = wm.FuncTypeOf(in.Index)
			case ir.OpCallIndirect:
				sig = &wm.Types[in.Index]
			case ir.OpMemoryGrow, ir.OpMemoryFill, ir.OpMemoryCopy, ir.OpMemoryInit, ir.OpBoundsCheck, ir.OpMemorySize:
				g.usesMem0 = true
				continue
			default:
				if k := in.Op.Info().Kind; k == ir.KindLoad || k == ir.KindStore {
					g.usesMem0 = true
				}
				continue
			}
			fixed := 1
			if len(sig.Results) > 1 {
				fixed = 2
				_, n := backend.SlotLayout(abiTypes(sig.Results))
				results = max(results, 8*n)
			}
			_, stack := assignArgs(abiTypes(sig.Params), fixed)
			g.outArgs = max(g.outArgs, stack)
		}
	}
	g.usesMem0 = g.usesMem0 && wm.NumMemories() > 0
	g.resultsOff = g.outArgs
	g.spillOff = g.resultsOff + align16(results)
	g.savedOff = g.spillOff + align16(g.alloc.SpillSize)
	g.saved = []Reg{regVMCtx}
	if g.usesMem0 {
		g.saved = append(g.saved, regMemBase)
	}
	for r := regalloc.Reg(0); r < 64; r++ {
		if g.alloc.Used.Has(r) && allocConfig.CalleeSaved.Has(r) {
			g.saved = append(g.saved, machineReg(r))
		}
	}
	g.resPtrOff = -1
	n := g.savedOff + 8*len(g.saved)
	if len(g.f.Sig.Results) > 1 {
		g.resPtrOff = n
		n += 8
	}
	g.frame = align16(n) + 16
}

// spAddr returns a memory operand for [sp + off], materialising the
// address in regAddr when off does not fit the access.
func (g *funcGen) spAddr(off int, size Size) Mem {
	return g.addrOf(SP, int64(off), size)
}

// addrOf returns [base + off] for an access of size bytes, going through
// regAddr when the offset does not fit.
func (g *funcGen) addrOf(base Reg, off int64, size Size) Mem {
	return bigOff(g.a, base, int(off), size)
}

// addImm emits rd = rn + off for any off (rn, rd may be SP).
func (g *funcGen) addImm(rd, rn Reg, off int64) {
	switch {
	case off >= 0 && ImmAddEncodable(uint64(off)):
		g.a.AddImm(ADD, true, rd, rn, uint32(off))
	case off < 0 && ImmAddEncodable(uint64(-off)):
		g.a.AddImm(SUB, true, rd, rn, uint32(-off))
	default:
		g.a.MovImm(true, regAddr, uint64(off))
		g.a.AddExt(ADD, true, rd, rn, regAddr, UXTX, 0)
	}
}

// prologue checks the stack limit, builds the frame, saves registers,
// sets up x19/x20 and moves the parameters to their allocated places.
func (g *funcGen) prologue() error {
	a := g.a
	if callsWasm(g.f) || g.frame > maxCheckedFrame {
		// Trap unless sp - frame >= limit, before the frame exists; the
		// VMContext is still in x0.
		ok := a.NewLabel()
		a.MovSP(regTmp0, SP)
		g.addImm(regTmp0, regTmp0, -int64(g.frame))
		a.MovSP(regTmp1, SP)
		a.LogicImm(AND, true, regTmp1, regTmp1, abi.NativeStackMask)
		a.LoadStore(LoadZX, 8, regTmp1, M(regTmp1, abi.ThreadStackLimit))
		a.AddSub(SUBS, true, ZR, regTmp0, regTmp1, LSL, 0)
		a.BCond(HS, ok)
		a.MovImm(false, X1, uint64(abi.TrapCallStackExhausted))
		g.callBuiltinReg(abi.BuiltinTrap, X0)
		a.Brk(1)
		a.Bind(ok)
	}
	g.addImm(SP, SP, -int64(g.frame))
	fpOff := g.frame - 16
	if fpOff <= 504 {
		a.Pair(false, 8, FP, LR, SP, int32(fpOff), PairOffset)
	} else {
		g.addImm(regAddr, SP, int64(fpOff))
		a.Pair(false, 8, FP, LR, regAddr, 0, PairOffset)
	}
	g.addImm(FP, SP, int64(fpOff))
	for i, r := range g.saved {
		g.storeReg(r, 8, g.savedOff+8*i)
	}
	a.Mov(true, regVMCtx, X0)
	if g.resPtrOff >= 0 {
		a.LoadStore(Store, 8, X1, g.spAddr(g.resPtrOff, 8))
	}
	if g.usesMem0 {
		g.memoryBase(regMemBase, 0)
	}
	// Parameters: registers by a parallel copy, then stack arguments.
	entry := g.f.Blocks[0]
	fixed := 1
	if len(g.f.Sig.Results) > 1 {
		fixed = 2
	}
	places, _ := assignArgs(abiTypes(g.f.Sig.Params), fixed)
	if len(places) != len(entry.Params) {
		return fmt.Errorf("function %d: entry block has %d parameters, signature %d", g.f.Index, len(entry.Params), len(places))
	}
	var moves [2][]regalloc.Move
	for i, p := range entry.Params {
		dst := g.alloc.Locs[p]
		if !dst.Valid || places[i].Reg == ZR {
			continue
		}
		c := allocConfig.ClassOf(g.f.Types[p])
		moves[c] = append(moves[c], regalloc.Move{Dst: dst, Src: regalloc.RegLoc(allocReg(places[i].Reg))})
	}
	g.parallelMoves(moves)
	for i, p := range entry.Params {
		dst := g.alloc.Locs[p]
		if !dst.Valid || places[i].Reg != ZR {
			continue
		}
		t := g.f.Types[p]
		tmp := g.scratchFor(t)
		g.loadVal(t, tmp, g.addrOf(FP, int64(16+places[i].Stack), valSize(abi.ValType(t))))
		g.put(p, tmp)
	}
	return nil
}

// epilogue restores the saved registers, frees the frame and returns.
func (g *funcGen) epilogue() {
	a := g.a
	for i, r := range g.saved {
		a.LoadStore(LoadZX, 8, r, g.spAddr(g.savedOff+8*i, 8))
	}
	fpOff := g.frame - 16
	if fpOff <= 504 {
		a.Pair(true, 8, FP, LR, SP, int32(fpOff), PairOffset)
	} else {
		g.addImm(regAddr, SP, int64(fpOff))
		a.Pair(true, 8, FP, LR, regAddr, 0, PairOffset)
	}
	g.addImm(SP, SP, int64(g.frame))
	a.Ret()
}

// storeReg saves a whole register (8 bytes of a general register, the
// low 8 of a SIMD&FP one) at [sp+off].
func (g *funcGen) storeReg(r Reg, size Size, off int) {
	g.a.LoadStore(Store, size, r, g.spAddr(off, size))
}

// --- Values and their locations ---

func (g *funcGen) loc(v ir.Value) regalloc.Loc { return g.alloc.Locs[v] }

// scratchFor is the scratch register that carries a spilled result of
// type t.
func (g *funcGen) scratchFor(t ir.Type) Reg {
	if allocConfig.ClassOf(t) == regalloc.Float {
		return vTmp2
	}
	return regMove
}

// loadVal loads a value of type t from m into r.
func (g *funcGen) loadVal(t ir.Type, r Reg, m Mem) {
	g.a.LoadStore(LoadZX, valSize(abi.ValType(t)), r, m)
}

// slotMem addresses spill slot off.
func (g *funcGen) slotMem(off int32, size Size) Mem { return g.spAddr(g.spillOff+int(off), size) }

// get returns a register holding v: its own, or scratch loaded from its
// slot.
func (g *funcGen) get(v ir.Value, scratch Reg) Reg {
	l := g.loc(v)
	if l.InReg() {
		return machineReg(l.Reg)
	}
	t := g.f.Types[v]
	g.loadVal(t, scratch, g.slotMem(l.Slot, valSize(abi.ValType(t))))
	return scratch
}

// dst returns the register v's definition should be computed into: its
// own, or the result scratch (then put stores it).
func (g *funcGen) dst(v ir.Value) Reg {
	l := g.loc(v)
	if l.InReg() {
		return machineReg(l.Reg)
	}
	return g.scratchFor(g.f.Types[v])
}

// put completes a definition computed into r (from dst): stores it when v
// is spilled.
func (g *funcGen) put(v ir.Value, r Reg) {
	l := g.loc(v)
	if !l.Valid {
		return
	}
	t := g.f.Types[v]
	if l.InReg() {
		if own := machineReg(l.Reg); own != r {
			g.moveReg(t, own, r)
		}
		return
	}
	g.a.LoadStore(Store, valSize(abi.ValType(t)), r, g.slotMem(l.Slot, valSize(abi.ValType(t))))
}

// moveReg copies register src to dst for a value of type t.
func (g *funcGen) moveReg(t ir.Type, dst, src Reg) {
	switch {
	case dst == src:
	case t == ir.V128:
		g.a.MovV(dst, src)
	case dst.IsV() && src.IsV():
		g.a.FPOp1(FMOV, true, dst, src)
	case dst.IsV():
		g.a.FPConvert(FMOVtoFP, true, true, dst, src)
	case src.IsV():
		g.a.FPConvert(FMOVtoGP, true, true, dst, src)
	default:
		g.a.Mov(true, dst, src)
	}
}

// parallelMoves performs the moves of both classes, each as one parallel
// copy.
func (g *funcGen) parallelMoves(moves [2][]regalloc.Move) {
	for c, ms := range moves {
		if len(ms) == 0 {
			continue
		}
		scratch, temp := regTmp0, regMove
		if regalloc.Class(c) == regalloc.Float {
			scratch, temp = vTmp0, vTmp1
		}
		regalloc.Sequence(ms, regalloc.RegLoc(allocReg(scratch)), func(dst, src regalloc.Loc) {
			g.moveLoc(dst, src, temp)
		})
	}
}

// moveLoc copies between two locations of one class. A move involving a
// slot moves exactly the slot's size (slots of 4-byte values are packed:
// moving 8 bytes would overwrite a neighbour); register to register copies
// the whole register.
func (g *funcGen) moveLoc(dst, src regalloc.Loc, temp Reg) {
	switch {
	case dst.InReg() && src.InReg():
		d, s := machineReg(dst.Reg), machineReg(src.Reg)
		if d.IsV() {
			g.a.MovV(d, s)
		} else {
			g.a.Mov(true, d, s)
		}
	case dst.InReg():
		size := g.slotSizes[src.Slot]
		g.a.LoadStore(LoadZX, size, machineReg(dst.Reg), g.slotMem(src.Slot, size))
	case src.InReg():
		size := g.slotSizes[dst.Slot]
		g.a.LoadStore(Store, size, machineReg(src.Reg), g.slotMem(dst.Slot, size))
	default:
		size := g.slotSizes[src.Slot]
		g.a.LoadStore(LoadZX, size, temp, g.slotMem(src.Slot, size))
		g.a.LoadStore(Store, size, temp, g.slotMem(dst.Slot, size))
	}
}

// --- Control flow ---

// trap returns the label of the function's trap path for code.
func (g *funcGen) trap(code abi.TrapCode) Label {
	if l, ok := g.traps[code]; ok {
		return l
	}
	l := g.a.NewLabel()
	g.traps[code] = l
	return l
}

// edgeMoves is the parallel copy of an edge's arguments into its target's
// parameters, by class. It reuses g.edgeBuf: the moves are consumed before
// the next call.
func (g *funcGen) edgeMoves(e *ir.BlockCall) [2][]regalloc.Move {
	moves := [2][]regalloc.Move{g.edgeBuf[0][:0], g.edgeBuf[1][:0]}
	for i, arg := range e.Args {
		p := e.Block.Params[i]
		dst := g.loc(p)
		if !dst.Valid {
			continue
		}
		c := allocConfig.ClassOf(g.f.Types[p])
		moves[c] = append(moves[c], regalloc.Move{Dst: dst, Src: g.loc(arg)})
	}
	g.edgeBuf = moves
	return moves
}

// label is the code label of a block.
func (g *funcGen) label(b *ir.Block) Label {
	return g.blocks[g.cfg.Num(b)]
}

// jump copies e's arguments and branches to its target.
func (g *funcGen) jump(e *ir.BlockCall) {
	g.parallelMoves(g.edgeMoves(e))
	g.a.B(g.label(e.Block))
}

// jumpLast is jump as the last code of the current block: no branch when
// the target is laid out next.
func (g *funcGen) jumpLast(e *ir.BlockCall) {
	n := g.cfg.Num(e.Block)
	if n != g.cur+1 {
		g.jump(e)
		return
	}
	g.parallelMoves(g.edgeMoves(e))
}

// edgeTarget returns where a conditional branch along e should go: the
// target itself when the edge carries no arguments, else a fresh label
// whose code (emitted by flushEdges) copies them and jumps.
func (g *funcGen) edgeTarget(e *ir.BlockCall, pending *[]pendingEdge) Label {
	if len(e.Args) == 0 {
		return g.label(e.Block)
	}
	l := g.a.NewLabel()
	*pending = append(*pending, pendingEdge{l, e})
	return l
}

type pendingEdge struct {
	l Label
	e *ir.BlockCall
}

func (g *funcGen) flushEdges(pending []pendingEdge) {
	for _, p := range pending {
		g.a.Bind(p.l)
		g.jump(p.e)
	}
}

// terminator emits jump, brif, switch, return and trap.
func (g *funcGen) terminator(in *ir.Instr) error {
	a := g.a
	switch in.Op {
	case ir.OpJump:
		g.jumpLast(in.Succs[0])
	case ir.OpBrIf:
		var pending []pendingEdge
		if cond, ok := g.flagsOf(in.Args[0]); ok {
			a.BCond(cond.Invert(), g.edgeTarget(in.Succs[1], &pending))
		} else {
			c := g.get(in.Args[0], regTmp0)
			a.Cbz(false, c, g.edgeTarget(in.Succs[1], &pending))
		}
		if len(pending) == 0 {
			g.jumpLast(in.Succs[0])
		} else {
			g.jump(in.Succs[0])
			g.flushEdges(pending)
		}
	case ir.OpSwitch:
		idx := g.get(in.Args[0], regTmp0)
		n := len(in.Succs) - 1
		var pending []pendingEdge
		def := g.edgeTarget(in.Succs[n], &pending)
		if n > 0 {
			if ImmAddEncodable(uint64(n)) {
				a.AddImm(SUBS, false, ZR, idx, uint32(n))
			} else {
				a.MovImm(false, regTmp1, uint64(n))
				a.AddSub(SUBS, false, ZR, idx, regTmp1, LSL, 0)
			}
			a.BCond(HS, def)
			// The table is in .rodata (code holds only instructions, so
			// that whole functions disassemble): entries are offsets
			// from anchor.
			t := jumpTable{adrp: a.Len(), anchor: a.NewLabel()}
			a.Adrp(regTmp1)
			a.AddImm(ADD, true, regTmp1, regTmp1, 0)
			a.LoadStore(LoadSX64, 4, regMove, MX(regTmp1, idx, UXTW, true))
			a.Bind(t.anchor)
			a.AdrLabel(regTmp1, t.anchor)
			a.AddSub(ADD, true, regTmp1, regTmp1, regMove, LSL, 0)
			a.Br(regTmp1)
			for _, s := range in.Succs[:n] {
				t.entries = append(t.entries, g.edgeTarget(s, &pending))
			}
			g.tables = append(g.tables, t)
		} else {
			a.B(def)
		}
		g.flushEdges(pending)
	case ir.OpReturn:
		g.ret(in)
	case ir.OpTrap:
		a.B(g.trap(in.Trap))
	default:
		return fmt.Errorf("unknown terminator")
	}
	return nil
}

// ret returns the results: one in x0/v0, several through the results
// area.
func (g *funcGen) ret(in *ir.Instr) {
	switch len(in.Args) {
	case 0:
	case 1:
		v := in.Args[0]
		t := g.f.Types[v]
		out := X0
		if allocConfig.ClassOf(t) == regalloc.Float {
			out = V0
		}
		r := g.get(v, g.scratchFor(t))
		g.moveReg(t, out, r)
	default:
		g.a.LoadStore(LoadZX, 8, regTmp1, g.spAddr(g.resPtrOff, 8))
		slots, _ := backend.SlotLayout(abiTypes(g.f.Sig.Results))
		for i, v := range in.Args {
			t := g.f.Types[v]
			r := g.get(v, g.scratchFor(t))
			g.a.LoadStore(Store, valSize(abi.ValType(t)), r, g.addrOf(regTmp1, int64(slots[i].Offset()), valSize(abi.ValType(t))))
		}
	}
	g.epilogue()
}
