package amd64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// gen generates the machine code of one function.
//
// Frame, from the stack pointer up, after the prologue:
//
//	rsp+0          outgoing stack arguments (outSize)
//	rsp+resOff     results area of multi-result calls (resSize)
//	rsp+spillOff   spill slots (regalloc.Allocation.SpillSize)
//	rsp+vecOff     scratch for lane-by-lane SIMD (48 bytes, when v128 is used)
//	rsp+miscOff    the function's own results-area pointer (8, when it has one)
//	               padding to keep rsp 16-byte aligned
//	rsp+frameSize  saved registers (pushes), then the return address
//
// RSP is 16-byte aligned everywhere in the body, so calls need no
// adjustment.
type gen struct {
	m     *module
	f     *ir.Func
	a     Asm
	alloc *regalloc.Allocation
	cfg   *ir.CFG

	pushes                    []Reg
	outSize, resSize          int32
	resOff, spillOff, miscOff int32
	vecOff                    int32 // 48-byte area for lane-by-lane SIMD sequences
	frameSize                 int32
	usesMem                   bool

	blockAt  []int        // code offset of each block, by layout number
	jumps    []fixup      // rel32 displacements to patch with block offsets
	tables   []tableEntry // switch-table entries naming blocks directly
	switches [][2]int     // switch tables: offset and entry count
	trapJmps map[abi.TrapCode][]int
	cold     []func()    // out-of-line code emitted after the body (polls, loop-exit copies)
	calls    []call      // direct calls to patch once functions are placed
	layout   int         // layout number of the block being generated
	loopEnd  []int       // per layout block, its innermost loop's last block or -1 (computeLoops)
	uses     []int32     // number of uses of each value (for fusion)
	consts   []*ir.Instr // the defining instruction of integer constants and v128 zeros
	zext     []bool      // i32 values known zero-extended (computeZext)
	pool     []poolConst // constants loaded RIP-relative, placed after the code
	edgeBuf  valueMoves  // edgeMoves' storage, reused edge to edge
	// zf is v+1 when the zero flag reflects value v (set by the rule of
	// v just emitted), 0 when unknown; zfPrev is zf before the current
	// instruction of the block.
	zf, zfPrev ir.Value
	// folded is a load whose code the next instruction's rule emits as
	// its memory operand (foldsLoad), nil otherwise.
	folded *ir.Instr
}

// poolConst is a 16-byte constant of the function's pool and the rel32s
// that load it.
type poolConst struct {
	lo, hi uint64
	sites  []int
}

// tableEntry is a switch-table entry to fill with the offset of a block
// from the table.
type tableEntry struct {
	at, table, block int
}

type fixup struct {
	at    int // offset of the rel32
	block int // layout number of the target
}

// call is a call rel32 patched by the module: to defined function callee,
// or, when runtime is set, a relocation against that runtime symbol
// (abi.RuntimeSymbols).
type call struct {
	at      int
	callee  uint32
	runtime string
}

// funcCode is one generated function.
type funcCode struct {
	code  []byte
	calls []call
	pool  int // offset of the constant pool (data) at the end of code
	// switches are the switch tables inside the code (offset, entry
	// count): data, not instructions, for listings.
	switches [][2]int
}

// compileFunc generates f's code, with w's storage (nil: fresh storage).
func (m *module) compileFunc(f *ir.Func, w *worker) (_ *funcCode, err error) {
	start := m.timings.Start()
	alloc, err := regalloc.AllocateIn(f, allocConfig, w.scratch())
	m.timings.Stop(timing.Regalloc, start)
	if err != nil {
		return nil, err
	}
	// Instruction selection writes machine code as it goes: the rules
	// emit bytes, so isel includes encoding each instruction.
	start = m.timings.Start()
	defer m.timings.Stop(timing.Isel, start)
	g := &gen{m: m, f: f, a: Asm{Code: w.codeBuf()}, alloc: alloc, cfg: alloc.CFG, trapJmps: map[abi.TrapCode][]int{},
		uses: w.useCounts(len(f.Types)), consts: w.constDefs(len(f.Types))}
	for _, b := range alloc.Order {
		for _, in := range b.Instrs {
			if in.IsConst() && len(in.Results) == 1 && (in.Op == ir.Op(wasm.OpI32Const) || in.Op == ir.Op(wasm.OpI64Const) ||
				in.Op == ir.Op(wasm.OpV128Const) && in.Const == 0 && in.ConstHi == 0) {
				g.consts[in.Results[0]] = in
			}
			for _, a := range in.Args {
				g.uses[a]++
			}
			for _, e := range in.Succs {
				for _, a := range e.Args {
					g.uses[a]++
				}
			}
		}
	}
	g.computeZext()
	g.computeLoops()
	if err := g.layoutFrame(); err != nil {
		return nil, err
	}
	g.prologue()
	g.blockAt = make([]int, len(alloc.Order))
	for i, b := range alloc.Order {
		g.layout = i
		g.blockAt[i] = g.a.Len()
		g.zf = 0
		for k := 0; k < len(b.Instrs); k++ {
			in := b.Instrs[k]
			g.zfPrev, g.zf = g.zf, 0
			if k+1 < len(b.Instrs) && g.fusable(in, b.Instrs[k+1]) {
				k++
				g.branchOn(selection().flagRules.get(in.Op)(g, in), b.Instrs[k])
				g.folded = nil
				continue
			}
			if k+1 < len(b.Instrs) && g.foldsLoad(in, b.Instrs[k+1]) {
				g.folded = in
				continue
			}
			err := g.instr(in)
			g.folded = nil
			if err != nil {
				return nil, fmt.Errorf("function %d, block b%d: %s: %w", f.Index, b.ID, in.Op, err)
			}
		}
		if b.Terminator() == nil {
			return nil, fmt.Errorf("function %d: block b%d has no terminator", f.Index, b.ID)
		}
	}
	for _, c := range g.cold {
		c()
	}
	g.trapStubs()
	pool := g.emitPool()
	for _, j := range g.jumps {
		g.a.PatchRel32(j.at, g.blockAt[j.block])
	}
	for _, e := range g.tables {
		put32(g.a.Code[e.at:], int32(g.blockAt[e.block]-e.table))
	}
	return &funcCode{code: w.keep(g.a.Code), calls: g.calls, pool: pool, switches: g.switches}, nil
}

// layoutFrame sizes the frame: the pushes, the outgoing-argument and
// results areas the function's calls need, and the spill area.
func (g *gen) layoutFrame() error {
	used := g.alloc.Used
	for _, r := range []Reg{RBX, RBP, R12, R13} {
		if used.Has(regalloc.Reg(r)) {
			g.pushes = append(g.pushes, r)
		}
	}
	for _, b := range g.alloc.Order {
		for _, in := range b.Instrs {
			if in.Op.Info().Kind == ir.KindLoad || in.Op.Info().Kind == ir.KindStore ||
				in.Op == ir.OpBoundsCheck || in.Op == ir.OpMemorySize {
				if in.Index == 0 || in.Op.Info().Kind != ir.KindSpecial {
					g.usesMem = true
				}
			}
			if sig := g.m.callSig(in); sig != nil {
				_, stack := classifyArgs(sig)
				g.outSize = max(g.outSize, stack)
				if len(sig.Results) > 1 {
					_, n := slotsOf(sig.Results)
					g.resSize = max(g.resSize, int32(8*n+15)&^15)
				}
			}
		}
	}
	g.pushes = append(g.pushes, regVMCtx)
	if g.usesMem {
		g.pushes = append(g.pushes, regMemBase)
	}
	g.resOff = g.outSize
	g.spillOff = g.resOff + g.resSize
	g.vecOff = (g.spillOff + int32(g.alloc.SpillSize) + 15) &^ 15
	g.miscOff = g.vecOff
	for _, t := range g.f.Types {
		if t == ir.V128 {
			g.miscOff += 48
			break
		}
	}
	size := g.miscOff + 8
	// At entry rsp = 8 mod 16 (the return address); after the pushes
	// and the frame it must be 0 mod 16.
	for (8+8*int32(len(g.pushes))+size)%16 != 0 {
		size += 8
	}
	g.frameSize = size
	if size > 1<<30 {
		return fmt.Errorf("frame of %d bytes is too large", size)
	}
	return nil
}

// prologue saves registers, checks the stack limit, allocates the frame
// and moves the parameters to their locations.
func (g *gen) prologue() {
	for _, r := range g.pushes {
		g.a.Push(r)
	}
	g.a.MovRR(true, regVMCtx, RDI)
	if callsWasm(g.f) || g.frameSize >= 32<<10 {
		// Limit check on the stack pointer the frame will have, using
		// only registers that carry no argument (RAX, R11).
		g.a.Lea(tmpA, M(RSP, -g.frameSize))
		g.threadState(tmpR)
		g.a.ALURM(CMP, true, tmpA, M(tmpR, abi.ThreadStackLimit))
		at := g.a.Jcc32(CondB, 0)
		aligned := (8+8*len(g.pushes))%16 == 0
		g.cold = append(g.cold, func() {
			g.a.PatchRel32(at, g.a.Len())
			if !aligned {
				g.a.ALURI(SUB, true, RSP, 8)
			}
			g.callTrap(abi.TrapCallStackExhausted)
		})
	}
	if g.frameSize != 0 {
		g.a.ALURI(SUB, true, RSP, g.frameSize)
	}
	sig := &g.f.Sig
	if len(sig.Results) > 1 {
		g.a.Store(8, M(RSP, g.miscOff), RSI)
	}
	if g.usesMem {
		g.loadMemBase()
	}
	// Parameters: registers first as one parallel copy, then the stack.
	locs, _ := classifyArgs(sig)
	params := g.f.Blocks[0].Params
	var moves [regalloc.NumClasses][]regalloc.Move
	for i, p := range params {
		if locs[i].onStack {
			continue
		}
		c := classOf(g.f.Types[p])
		moves[c] = append(moves[c], regalloc.Move{Dst: g.loc(p), Src: regalloc.RegLoc(regalloc.Reg(locs[i].reg))})
	}
	g.parallelCopy(moves)
	incoming := g.frameSize + 8*int32(len(g.pushes)) + 8
	for i, p := range params {
		if !locs[i].onStack {
			continue
		}
		src := regalloc.SlotLoc(incoming + locs[i].off - g.spillOff)
		g.move(g.loc(p), src, isXMM(g.f.Types[p]))
	}
	// i32 parameters are zero-extended (computeZext).
	for _, p := range params {
		if l := g.loc(p); g.f.Types[p] == ir.I32 && l.Valid {
			g.zeroExtend(l)
		}
	}
}

// loadConst emits op x, [rip+c] for the 16-byte constant c = (lo, hi) of
// the function's constant pool: a load of it (or of its low 4 or 8 bytes,
// by op), or an operation reading it (pshufb: the pool is 16-byte
// aligned, as legacy SSE memory operands require).
func (g *gen) loadConst(op SSE, x Reg, lo, hi uint64) {
	at := g.a.SSELoadRIP(op, x)
	for i := range g.pool {
		if c := &g.pool[i]; c.lo == lo && c.hi == hi {
			c.sites = append(c.sites, at)
			return
		}
	}
	g.pool = append(g.pool, poolConst{lo: lo, hi: hi, sites: []int{at}})
}

// emitPool places the constant pool after the code, 16-byte aligned
// within the function (padding is int3), and returns its offset.
func (g *gen) emitPool() int {
	if len(g.pool) == 0 {
		return g.a.Len()
	}
	for g.a.Len()%16 != 0 {
		g.a.byte1(0xcc)
	}
	start := g.a.Len()
	for _, c := range g.pool {
		for _, at := range c.sites {
			g.a.PatchRel32(at, g.a.Len())
		}
		for _, w := range []uint64{c.lo, c.hi} {
			for k := 0; k < 8; k++ {
				g.a.byte1(byte(w >> (8 * k)))
			}
		}
	}
	return start
}

// loadMemBase loads memory 0's base into regMemBase.
func (g *gen) loadMemBase() {
	l := g.m.layout
	if l.ImportedMemories == 0 {
		g.a.Load(8, regMemBase, M(regVMCtx, int32(l.MemoryDef(0)+abi.MemoryDefBase)))
		return
	}
	g.a.Load(8, regMemBase, M(regVMCtx, int32(l.MemoryPtr(0))))
	g.a.Load(8, regMemBase, M(regMemBase, abi.MemoryDefBase))
}

// epilogue releases the frame and returns.
func (g *gen) epilogue() {
	if g.frameSize != 0 {
		g.a.ALURI(ADD, true, RSP, g.frameSize)
	}
	for i := len(g.pushes) - 1; i >= 0; i-- {
		g.a.Pop(g.pushes[i])
	}
	g.a.Ret()
}

// threadState puts this execution's ThreadState address in r.
func (g *gen) threadState(r Reg) {
	g.a.MovRR(true, r, RSP)
	g.a.ALURI(AND, true, r, -int32(abi.NativeStackSize)) // abi.NativeStackMask, sign-extended
}

// callBuiltin calls builtin b; the arguments after vmctx must already be
// in RSI, RDX, ... .
func (g *gen) callBuiltin(b abi.Builtin) {
	g.a.MovRR(true, RDI, regVMCtx)
	g.a.Load(8, tmpA, M(regVMCtx, abi.VMCtxBuiltins))
	g.a.CallM(M(tmpA, int32(8*b)))
}

// callRuntime calls an allow-listed runtime symbol (a C function) through
// a relocation the loader resolves.
func (g *gen) callRuntime(symbol string) {
	at := g.a.Call32(0)
	g.calls = append(g.calls, call{at: at, runtime: symbol})
}

// callTrap calls the trap builtin with code; it never returns.
func (g *gen) callTrap(code abi.TrapCode) {
	g.a.MovRI32(RSI, uint32(code))
	g.callBuiltin(abi.BuiltinTrap)
	g.a.Ud2()
}

// trapIf jumps to the function's trap stub for code when c holds.
func (g *gen) trapIf(c Cond, code abi.TrapCode) {
	at := g.a.Jcc32(c, 0)
	g.trapJmps[code] = append(g.trapJmps[code], at)
}

// trapStubs emits one stub per trap code the function uses.
func (g *gen) trapStubs() {
	for code := abi.TrapCode(0); code < 256; code++ {
		sites, ok := g.trapJmps[code]
		if !ok {
			continue
		}
		for _, at := range sites {
			g.a.PatchRel32(at, g.a.Len())
		}
		g.callTrap(code)
	}
}

// computeLoops fills loopEnd: loops as the layout shows them, a header
// (the target of back edges) up to the last of their sources.
func (g *gen) computeLoops() {
	n := len(g.alloc.Order)
	latch := make([]int, n)
	for i := range latch {
		latch[i] = -1
	}
	for j, b := range g.alloc.Order {
		for _, e := range b.Succs() {
			if i := g.blockNum(e.Block); i <= j {
				latch[i] = max(latch[i], j)
			}
		}
	}
	g.loopEnd = make([]int, n)
	var ends []int // enclosing loops' ends, innermost last
	for i := range n {
		for len(ends) > 0 && ends[len(ends)-1] < i {
			ends = ends[:len(ends)-1]
		}
		if latch[i] >= 0 {
			ends = append(ends, latch[i])
		}
		g.loopEnd[i] = -1
		if len(ends) > 0 {
			g.loopEnd[i] = ends[len(ends)-1]
		}
	}
}

// exits reports whether a branch from the current block to b leaves the
// innermost loop holding the current block.
func (g *gen) exits(b *ir.Block) bool {
	e := g.loopEnd[g.layout]
	return e >= 0 && g.blockNum(b) > e
}

// jumpTo emits a jmp to block b (nothing when b comes next).
func (g *gen) jumpTo(b *ir.Block) {
	n := g.blockNum(b)
	if n == g.layout+1 {
		return
	}
	at := g.a.Jmp32(0)
	g.jumps = append(g.jumps, fixup{at: at, block: n})
}

// jccTo emits a jcc to block b.
func (g *gen) jccTo(c Cond, b *ir.Block) {
	at := g.a.Jcc32(c, 0)
	g.jumps = append(g.jumps, fixup{at: at, block: g.blockNum(b)})
}

func (g *gen) blockNum(b *ir.Block) int {
	// Allocation.Order is the CFG's reverse postorder.
	return g.cfg.Num(b)
}

// loc returns v's location.
func (g *gen) loc(v ir.Value) regalloc.Loc { return g.alloc.Locs[v] }

// slot is the memory operand of a stack-slot location.
func (g *gen) slot(l regalloc.Loc) Mem { return M(RSP, g.spillOff+l.Slot) }

// use returns a register holding v: its own, or scratch loaded from its
// slot or holding its constant (a Remat value).
func (g *gen) use(v ir.Value, scratch Reg) Reg {
	l := g.loc(v)
	if l.InReg() {
		return Reg(l.Reg)
	}
	if l.Remat {
		g.materialise(scratch, g.consts[v].Const)
		return scratch
	}
	g.loadSlot(g.f.Types[v], scratch, g.slot(l))
	return scratch
}

// spilled returns the memory operand of v's stack slot, if it has one.
// operands returns in's two operands, swapped when operand 0 is the
// folded load (foldSwaps), so that it comes second, and whether they were.
func (g *gen) operands(in *ir.Instr) (x, y ir.Value, swapped bool) {
	if ld := g.folded; ld != nil && in.Args[0] == ld.Results[0] {
		return in.Args[1], in.Args[0], true
	}
	return in.Args[0], in.Args[1], false
}

// memArg returns the memory operand holding v when v is spilled or is
// the result of the folded load (whose access then happens here).
func (g *gen) memArg(v ir.Value) (Mem, bool) {
	if ld := g.folded; ld != nil && ld.Results[0] == v {
		return g.effAddr(ld.Args[0], ld.Offset), true
	}
	return g.spilled(v)
}

func (g *gen) spilled(v ir.Value) (Mem, bool) {
	l := g.loc(v)
	if l.InReg() || l.Remat {
		return Mem{}, false
	}
	return g.slot(l), true
}

func (g *gen) loadSlot(t ir.Type, r Reg, m Mem) {
	switch t {
	case ir.F32:
		g.a.LoadXMM(4, r, m)
	case ir.F64:
		g.a.LoadXMM(8, r, m)
	case ir.V128:
		g.a.LoadXMM(16, r, m)
	default:
		g.a.Load(8, r, m)
	}
}

// out returns the register to compute v in: its own, or the class's
// result scratch (RAX or XMM0); finish stores it to the slot.
func (g *gen) out(v ir.Value) Reg {
	l := g.loc(v)
	if l.InReg() {
		return Reg(l.Reg)
	}
	if isXMM(g.f.Types[v]) {
		return xtmp0
	}
	return tmpA
}

// finish stores v (computed in r = out(v)) to its slot if it has one.
func (g *gen) finish(v ir.Value, r Reg) {
	l := g.loc(v)
	if l.InReg() {
		return
	}
	switch g.f.Types[v] {
	case ir.F32:
		g.a.StoreXMM(4, g.slot(l), r)
	case ir.F64:
		g.a.StoreXMM(8, g.slot(l), r)
	case ir.V128:
		g.a.StoreXMM(16, g.slot(l), r)
	default:
		g.a.Store(8, g.slot(l), r)
	}
}

// set writes register r to v's location.
func (g *gen) set(v ir.Value, r Reg) {
	l := g.loc(v)
	if l.InReg() {
		g.move(l, regalloc.RegLoc(regalloc.Reg(r)), isXMM(g.f.Types[v]))
		return
	}
	g.finish(v, r)
}

// move copies a whole register or slot (8 bytes for integers, 16 for
// vector registers).
func (g *gen) move(dst, src regalloc.Loc, xmm bool) {
	if dst == src {
		return
	}
	switch {
	case dst.InReg() && src.InReg() && xmm:
		g.a.SSERR(MOVAPS, Reg(dst.Reg), Reg(src.Reg))
	case dst.InReg() && src.InReg():
		g.a.MovRR(true, Reg(dst.Reg), Reg(src.Reg))
	case dst.InReg() && xmm:
		g.a.LoadXMM(16, Reg(dst.Reg), g.slot(src))
	case dst.InReg():
		g.a.Load(8, Reg(dst.Reg), g.slot(src))
	case src.InReg() && xmm:
		g.a.StoreXMM(16, g.slot(dst), Reg(src.Reg))
	case src.InReg():
		g.a.Store(8, g.slot(dst), Reg(src.Reg))
	case xmm:
		g.a.LoadXMM(16, xtmp0, g.slot(src))
		g.a.StoreXMM(16, g.slot(dst), xtmp0)
	default:
		g.a.Load(8, tmpA, g.slot(src))
		g.a.Store(8, g.slot(dst), tmpA)
	}
}

// materialise puts constant c in r without touching the flags (a Remat
// value may be used between a comparison and its branch).
func (g *gen) materialise(r Reg, c uint64) {
	switch {
	case c <= 0xffffffff:
		g.a.MovRI32(r, uint32(c))
	case int64(c) >= -1<<31 && int64(c) < 1<<31:
		g.a.MovRIS(r, int32(c))
	default:
		g.a.MovRI64(r, c)
	}
}

// valueMoves is a parallel copy of values into locations: Remat values
// are written after the copy of the others, into their destination
// (never the source of another move).
type valueMoves struct {
	moves  [regalloc.NumClasses][]regalloc.Move
	remats []rematMove
}

// reset empties vm, keeping its storage.
func (vm *valueMoves) reset() {
	for c := range vm.moves {
		vm.moves[c] = vm.moves[c][:0]
	}
	vm.remats = vm.remats[:0]
}

type rematMove struct {
	dst regalloc.Loc
	v   ir.Value
}

// add appends the copy of v into dst.
func (g *gen) addMove(vm *valueMoves, dst regalloc.Loc, v ir.Value) {
	if g.loc(v).Remat {
		vm.remats = append(vm.remats, rematMove{dst, v})
		return
	}
	c := classOf(g.f.Types[v])
	vm.moves[c] = append(vm.moves[c], regalloc.Move{Dst: dst, Src: g.loc(v)})
}

// emitMoves performs vm: the parallel copies, then the constants (into a
// slot as an immediate when its sign extension is the slot's value, else
// through tmpA).
func (g *gen) emitMoves(vm *valueMoves) {
	g.parallelCopy(vm.moves)
	for _, m := range vm.remats {
		c := g.consts[m.v].Const
		switch {
		case m.dst.InReg():
			g.materialise(Reg(m.dst.Reg), c)
		case fitsImm32(c):
			g.a.StoreImm32(true, g.slot(m.dst), int32(c))
		default:
			g.materialise(tmpA, c)
			g.a.Store(8, g.slot(m.dst), tmpA)
		}
	}
}

// fitsImm32 reports whether the 64-bit constant c is a sign-extended
// imm32 (for an i32 constant, held zero-extended: one below 2^31).
func fitsImm32(c uint64) bool { return int64(c) >= -1<<31 && int64(c) < 1<<31 }

// parallelCopy performs per-class parallel copies.
func (g *gen) parallelCopy(moves [regalloc.NumClasses][]regalloc.Move) {
	regalloc.Sequence(moves[regalloc.Int], regalloc.RegLoc(regalloc.Reg(tmpR)), func(d, s regalloc.Loc) { g.move(d, s, false) })
	regalloc.Sequence(moves[regalloc.Float], regalloc.RegLoc(regalloc.Reg(xcycle)), func(d, s regalloc.Loc) { g.move(d, s, true) })
}

// edgeMoves copies e's arguments into its target's parameters.
func (g *gen) edgeMoves(e *ir.BlockCall) {
	vm := &g.edgeBuf
	vm.reset()
	for i, a := range e.Args {
		g.addMove(vm, g.loc(e.Block.Params[i]), a)
	}
	g.emitMoves(vm)
	for i := range e.Args {
		if g.needsZext(e, i) {
			g.zeroExtend(g.loc(e.Block.Params[i]))
		}
	}
}

// hasMoves reports whether taking e copies anything.
func (g *gen) hasMoves(e *ir.BlockCall) bool {
	for i, a := range e.Args {
		if g.loc(a) != g.loc(e.Block.Params[i]) || g.needsZext(e, i) {
			return true
		}
	}
	return false
}

// wide reports whether an integer type is 64-bit.
func wide(t ir.Type) bool { return t != ir.I32 }

// slotsOf lays out values in uint64 slots (v128 takes two).
func slotsOf(ts []wasm.ValType) ([]int32, int) {
	out := make([]int32, len(ts))
	n := 0
	for i, t := range ts {
		out[i] = int32(n)
		n++
		if t == ir.V128 {
			n++
		}
	}
	return out, n
}
