package llvm

import (
	"fmt"
	"strconv"

	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// funcBuilder translates one ir.Func into an LLVM function.
type funcBuilder struct {
	m   *moduleBuilder
	f   *ir.Func
	fn  *function
	cur *block // block instructions are appended to

	vmctx   value // i8*, the first parameter
	results value // i64*, the results area of a multi-result function
	thread  value // i8*, this execution's ThreadState (from sp)

	vals   []value  // LLVM value of each ir.Value
	blocks []*block // by CFG number (position in RPO)
	phis   [][]*phi // by CFG number
	cfg    *ir.CFG
	traps  map[abi.TrapCode]*block // one shared trap block per code
	cache  map[cacheKey]value      // see cached
	// boolSrc maps an i32 made by bool32 (by local number) to its i1, so
	// that a branch on it tests the i1 directly.
	boolSrc map[int32]value
	// addrs holds zext(addr) to i64 of the addresses used in the current
	// IR block, by local number: a bounds check and the accesses it covers
	// share one extension. The blocks one IR block becomes form a chain
	// in which each dominates the next, so reuse within it is sound.
	addrs map[int32]value
	// resultsArea is an entry-block alloca big enough for the results of
	// any multi-result call the function makes (nil if none).
	resultsArea *slotArea
	entry       *block
	// lengthMems lists the memories whose length the function reads, and
	// lengthSlots holds each one's length slot (i64*; see setupLengthSlots).
	lengthMems  []uint32
	lengthSlots map[uint32]value
}

// translateFunc fills fn (declared with the function's signature) with the
// body of f.
func (m *moduleBuilder) translateFunc(f *ir.Func, fn *function) (err error) {
	b := newFuncBuilder(m, fn)
	b.f, b.vals = f, make([]value, len(f.Types))
	params := fn.params[1:]
	if len(f.Sig.Results) > 1 {
		b.results = fn.params[1]
		params = fn.params[2:]
	}
	if len(f.Blocks) == 0 {
		return fmt.Errorf("function %d has no blocks", f.Index)
	}
	cfg := ir.ComputeCFG(f)
	b.cfg = cfg
	b.blocks = make([]*block, len(cfg.RPO))
	b.phis = make([][]*phi, len(cfg.RPO))

	b.entry = fn.NewBlock("entry")
	b.cur = b.entry
	b.prologue()
	b.setupLengthSlots()
	for i, blk := range cfg.RPO {
		b.blocks[i] = fn.NewBlock("b" + strconv.Itoa(blk.ID))
	}
	entry := f.Blocks[0]
	if len(entry.Params) != len(params) {
		return fmt.Errorf("function %d: entry block has %d parameters, signature %d", f.Index, len(entry.Params), len(params))
	}
	if len(cfg.Preds(entry)) == 0 {
		for i, p := range entry.Params {
			b.vals[p] = params[i]
		}
	} else {
		b.makePhis(0, entry)
		for i, phi := range b.phis[0] {
			phi.addIncoming(params[i], b.cur)
		}
	}
	b.cur.NewBr(b.blocks[0])
	for i, blk := range cfg.RPO[1:] {
		b.makePhis(i+1, blk)
	}
	for i, blk := range cfg.RPO {
		b.cur = b.blocks[i]
		clear(b.addrs)
		for _, in := range blk.Instrs {
			if err := b.instr(in); err != nil {
				return fmt.Errorf("function %d, block b%d: %s: %w", f.Index, blk.ID, in.Op, err)
			}
		}
		if blk.Terminator() == nil {
			return fmt.Errorf("function %d: block b%d has no terminator", f.Index, blk.ID)
		}
	}
	return nil
}

// newFuncBuilder starts filling fn, whose first parameter is a VMContext.
func newFuncBuilder(m *moduleBuilder, fn *function) *funcBuilder {
	return &funcBuilder{m: m, fn: fn, vmctx: fn.params[0], traps: map[abi.TrapCode]*block{},
		cache: map[cacheKey]value{}, boolSrc: map[int32]value{}, addrs: map[int32]value{},
		lengthSlots: map[uint32]value{}}
}

// makePhis creates one phi per parameter of blk, whose CFG number is i.
func (b *funcBuilder) makePhis(i int, blk *ir.Block) {
	for _, p := range blk.Params {
		phi := b.blocks[i].NewPhi(b.m.valType(b.f.Types[p])) // incomings come with the edges
		b.phis[i] = append(b.phis[i], phi)
		b.vals[p] = phi.v
	}
}

// prologue finds the ThreadState and emits the stack-limit check. A
// function that calls no wasm function skips the check: its caller passed
// one, and abi.MaxFrameBelowLimit bytes below the limit hold its frame
// and any builtin it calls.
func (b *funcBuilder) prologue() {
	sp := b.readSP()
	mask := abi.NativeStackMask
	ts := b.cur.NewAnd(sp, i64c(int64(mask)))
	b.thread = b.cur.NewIntToPtr(ts, tI8Ptr)
	if !callsWasm(b.f) {
		return
	}
	limit := b.load(tI64, b.thread, abi.ThreadStackLimit, false)
	b.trapIf(b.cur.NewICmp("ult", sp, limit), abi.TrapCallStackExhausted)
}

// callsWasm reports whether f calls a wasm function (directly, imported
// or indirectly).
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

// instr translates one instruction into b.cur (which it may change).
func (b *funcBuilder) instr(in *ir.Instr) error {
	info := in.Op.Info()
	if info == nil {
		return fmt.Errorf("unknown op")
	}
	switch info.Kind {
	case ir.KindConst:
		b.define(in, b.constant(in))
		return nil
	case ir.KindPure:
		args := b.args(in)
		v, err := b.pure(in, args)
		if err != nil {
			return err
		}
		b.define(in, v)
		return nil
	case ir.KindLoad:
		return b.memLoad(in)
	case ir.KindStore:
		return b.memStore(in)
	case ir.KindTerminator:
		return b.terminator(in)
	}
	return b.special(in)
}

// define records the LLVM value of in's single result.
func (b *funcBuilder) define(in *ir.Instr, v value) {
	if len(in.Results) == 1 {
		b.vals[in.Results[0]] = v
	}
}

func (b *funcBuilder) args(in *ir.Instr) []value {
	out := make([]value, len(in.Args))
	for i, a := range in.Args {
		out[i] = b.vals[a]
	}
	return out
}

func (b *funcBuilder) arg(in *ir.Instr, i int) value { return b.vals[in.Args[i]] }

// terminator translates jump, brif, switch, return and trap.
func (b *funcBuilder) terminator(in *ir.Instr) error {
	switch in.Op {
	case ir.OpJump:
		b.cur.NewBr(b.edge(in.Succs[0], nil))
	case ir.OpBrIf:
		seen := map[*ir.Block]bool{}
		then := b.edge(in.Succs[0], seen)
		els := b.edge(in.Succs[1], seen)
		b.cur.NewCondBr(b.isTrue(b.arg(in, 0)), then, els)
	case ir.OpSwitch:
		seen := map[*ir.Block]bool{}
		from := b.cur
		n := len(in.Succs) - 1
		def := b.edge(in.Succs[n], seen)
		cases := make([]*block, 0, n)
		for _, s := range in.Succs[:n] {
			b.cur = from
			cases = append(cases, b.edge(s, seen))
		}
		b.cur = from
		b.cur.NewSwitch(b.arg(in, 0), def, cases)
	case ir.OpReturn:
		b.ret(b.args(in))
	case ir.OpTrap:
		b.cur.NewBr(b.trapBlock(in.Trap))
	default:
		return fmt.Errorf("unknown terminator")
	}
	return nil
}

// edge returns the LLVM block a branch from b.cur along e should target,
// adding the edge's arguments to the target's phis. A target reached twice
// from the same terminator with parameters gets its own edge block, since
// a phi has one incoming value per predecessor block.
func (b *funcBuilder) edge(e *ir.BlockCall, seen map[*ir.Block]bool) *block {
	ti := b.cfg.Num(e.Block)
	target := b.blocks[ti]
	if len(e.Args) == 0 {
		return target
	}
	from := b.cur
	if seen != nil {
		if seen[e.Block] {
			from = b.fn.NewBlock("")
			from.NewBr(target)
		}
		seen[e.Block] = true
	}
	for i, phi := range b.phis[ti] {
		phi.addIncoming(b.vals[e.Args[i]], from)
	}
	if from != b.cur {
		return from
	}
	return target
}

// ret returns vals following the calling convention: one result in the
// return register, several through the results area.
func (b *funcBuilder) ret(vals []value) {
	switch len(vals) {
	case 0:
		b.cur.NewRet(value{})
	case 1:
		b.cur.NewRet(vals[0])
	default:
		b.storeSlots(b.results, slotsOf(b.f.Sig.Results), vals)
		b.cur.NewRet(value{})
	}
}

// trapBlock returns the function's block that traps with code.
func (b *funcBuilder) trapBlock(code abi.TrapCode) *block {
	if tb, ok := b.traps[code]; ok {
		return tb
	}
	tb := b.fn.NewBlock("trap." + strconv.Itoa(int(code)))
	saved := b.cur
	b.cur = tb
	b.callBuiltin(abi.BuiltinTrap, tVoid, "noreturn cold", i32c(int64(code)))
	tb.NewUnreachable()
	b.cur = saved
	b.traps[code] = tb
	return tb
}

// trapIf branches to the trap block for code when cond (i1) holds and
// continues in a fresh block otherwise. LLVM knows the trap path is cold:
// it ends in a cold noreturn call.
func (b *funcBuilder) trapIf(cond value, code abi.TrapCode) {
	cont := b.fn.NewBlock("")
	b.cur.NewCondBr(cond, b.trapBlock(code), cont)
	b.cur = cont
}

// isTrue converts a wasm i32 condition to i1: the comparison's own i1
// when v is a comparison result (zext(c) != 0 is c).
func (b *funcBuilder) isTrue(v value) value {
	if c, ok := b.boolSrc[v.id]; ok && v.lit == "" {
		return c
	}
	return b.cur.NewICmp("ne", v, i32c(0))
}

// bool32 extends an i1 to a wasm i32 boolean.
func (b *funcBuilder) bool32(c value) value {
	v := b.cur.NewZExt(c, tI32)
	b.boolSrc[v.id] = c
	return v
}

// addr64 is zext(addr) to i64, shared within the current IR block.
func (b *funcBuilder) addr64(addr value) value {
	if addr.lit != "" {
		return b.cur.NewZExt(addr, tI64)
	}
	if v, ok := b.addrs[addr.id]; ok {
		return v
	}
	v := b.cur.NewZExt(addr, tI64)
	b.addrs[addr.id] = v
	return v
}

// readSP returns the stack pointer as an i64.
func (b *funcBuilder) readSP() value {
	return b.cur.NewCall(b.m.readRegister(), b.m.spName())
}
