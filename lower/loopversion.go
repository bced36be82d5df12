package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Loop versioning of bounds checks.
//
// A bounds check inside a loop cannot simply be hoisted: if it fails, the
// trap must come in the iteration that performs the access, after every
// earlier iteration's stores. loopVersion instead proves, once before the
// loop, that a check can never fail in any iteration the loop can run,
// and then runs a copy of the loop without it:
//
//	pre(params):  ok := every hoistable check passes on its whole range
//	              brif ok, fast(params), header(params)
//	fast…:        the loop, minus the checks ok covers
//	header…:      the original loop, every check in place
//
// The range of a check comes from two facts. Its address is affine in
// the iteration number k: A0 + S·k (mod 2^32), where the stride S is a
// constant or a loop-invariant value (see affine.go). And the loop's
// exit test leaves as soon as a counter T0 + C·k fails a comparison with
// a loop-invariant bound, which bounds k by a K computed before the loop
// (tripcount.go, guard.go). If zext(A0) + S·k stays within
// [0, length-extent] at k = 0 and at k = K, it does for every k between,
// never wraps, and every check passes: memories never shrink, so a
// length read before the loop is a lower bound for the whole loop. The
// loop may still leave early (another exit, a trap in an unchecked
// operation): K bounds the iterations, it need not be reached. When ok
// is false the original loop runs, so traps happen exactly where they
// did.
//
// A small loop that runs only its own instructions (no calls, no bulk
// operations) gets a third copy, also without its interrupt polls, which
// the preheader picks when K bounds the run to uncheckedBudget
// instructions: the enclosing code polls again soon after, and LLVM may
// vectorise a loop without the volatile poll.
//
//	pre:  brif ok, sel, header(params)
//	sel:  brif K <= limit, short(params), fast(params)
//
// Only innermost loops are versioned, so code grows at most by twice the
// size of those loops (and loopVersionMaxInstrs bounds that).
func loopVersion(c *passContext) {
	f := c.f
	if !slices.ContainsFunc(f.Blocks, hasBoundsCheck) {
		return
	}
	cfg := &grownCFG{CFG: c.CFG(), firstNewID: 0}
	for _, b := range f.Blocks {
		cfg.firstNewID = max(cfg.firstNewID, b.ID+1)
	}
	loops := slices.DeleteFunc(innermostLoops(cfg.CFG), func(l *natLoop) bool { return !slices.ContainsFunc(l.blocks, hasBoundsCheck) })
	if len(loops) > loopVersionMaxLoops {
		loops = loops[:loopVersionMaxLoops]
	}
	if len(loops) == 0 {
		return
	}
	defBlock, defInstr := definitions(f)
	for _, l := range loops {
		lv := newLoopValues(f, l, defBlock, defInstr)
		plan := planVersion(lv, cfg)
		if plan == nil {
			continue
		}
		nblocks := len(f.Blocks)
		added := versionLoop(c, lv, plan, cfg)
		c.edgesChanged()
		defBlock, defInstr = extendDefinitions(f, defBlock, defInstr, f.Blocks[nblocks:], added)
	}
}

// grownCFG is the CFG of a function as it was before loop versioning,
// which stays good enough while loops are versioned one by one: the
// loops are disjoint and each is entered through its header only, so
// dominance and RPO order among the blocks of a loop not yet versioned
// do not change; the blocks versioning adds (preheaders, selectors,
// copies) are all reachable, and no block changes reachability. Block
// IDs at or above firstNewID are such added blocks (NewBlock numbers
// upwards from the largest ID in the function).
type grownCFG struct {
	*ir.CFG
	firstNewID int
}

// Reachable reports whether b is reachable from the entry.
func (g *grownCFG) Reachable(b *ir.Block) bool {
	return b.ID >= g.firstNewID || g.CFG.Reachable(b)
}

// extendDefinitions adds to definitions' tables the values defined since:
// in the blocks added and by the parameters params (of older blocks).
func extendDefinitions(f *ir.Func, defBlock []*ir.Block, defInstr []*ir.Instr, added []*ir.Block, params []blockParam) ([]*ir.Block, []*ir.Instr) {
	n := len(f.Types)
	defBlock = append(defBlock, make([]*ir.Block, n-len(defBlock))...)
	defInstr = append(defInstr, make([]*ir.Instr, n-len(defInstr))...)
	for _, b := range added {
		for _, p := range b.Params {
			defBlock[p] = b
		}
		for _, in := range b.Instrs {
			for _, r := range in.Results {
				defBlock[r], defInstr[r] = b, in
			}
		}
	}
	for _, p := range params {
		defBlock[p.v] = p.b
	}
	return defBlock, defInstr
}

// A blockParam is a parameter v added to block b.
type blockParam struct {
	b *ir.Block
	v ir.Value
}

// hasBoundsCheck reports whether b checks bounds.
func hasBoundsCheck(b *ir.Block) bool {
	return slices.ContainsFunc(b.Instrs, func(in *ir.Instr) bool { return in.Op == ir.OpBoundsCheck })
}

// Limits on loop versioning per function: how many loops and how large
// a loop (in instructions) may be copied.
const (
	loopVersionMaxLoops  = 64
	loopVersionMaxInstrs = 1000
)

// maxHoistStride bounds a constant |S| of a hoisted check so that A0 + S·K
// fits in an int64 for any K below 2^33 (the guard bounds a variable one).
const maxHoistStride = 1 << 24

// A versionPlan is what planVersion found hoistable in one loop.
type versionPlan struct {
	back    *ir.BlockCall // the latch's edge to the header
	trip    tripCount
	checks  []hoistedCheck // bounds checks the fast copy leaves out
	liveOut []ir.Value     // loop values used after the loop
}

// A hoistedCheck is a bounds check of the address addr + stride·k in
// iteration k, run up to iteration K, or K-1 if beforeLast.
type hoistedCheck struct {
	in         *ir.Instr
	addr       *affine
	stride     *affine // of invariants
	beforeLast bool
}

// exitTest reports whether b, a block of l, ends in a conditional branch
// that either stays in the loop or leaves it.
func exitTest(l *natLoop, b *ir.Block) bool {
	term := b.Terminator()
	return term != nil && term.Op == ir.OpBrIf && l.in[term.Succs[0].Block] != l.in[term.Succs[1].Block]
}

// planVersion decides whether l can be versioned and what the fast copy
// leaves out; nil if not worth it or not possible.
func planVersion(lv *loopValues, cfg *grownCFG) *versionPlan {
	l := lv.l
	size := 0
	for _, b := range l.blocks {
		size += len(b.Instrs)
	}
	if size > loopVersionMaxInstrs {
		return nil
	}
	p := &versionPlan{}
	for _, s := range l.latch.Succs() {
		if s.Block == l.header {
			p.back = s
		}
	}
	// The exit test: a conditional exit every iteration passes, one that
	// dominates the latch; the latch's own if it has one, else the one
	// closest to it (often the header: a loop tested at the top).
	var test *ir.Block
	for _, b := range l.blocks {
		if exitTest(l, b) && cfg.Dominates(b, l.latch) && (test == nil || cfg.Num(b) > cfg.Num(test)) {
			test = b
		}
	}
	if test == nil {
		return nil
	}
	term := test.Terminator()
	continueOnTrue := l.in[term.Succs[0].Block]
	// Iteration K is the first whose test fails: the blocks the test
	// leads into (all the loop's blocks after it, as the loop contains no
	// other cycle) run up to iteration K-1 only.
	var body *ir.Block
	if test != l.latch {
		body = term.Succs[0].Block
		if !continueOnTrue {
			body = term.Succs[1].Block
		}
	}
	lv.findInductionVars(p.back)
	trip, ok := lv.tripCount(term.Args[0], continueOnTrue)
	if !ok {
		return nil
	}
	p.trip = trip
	for _, b := range l.blocks {
		for _, in := range b.Instrs {
			if in.Op != ir.OpBoundsCheck {
				continue
			}
			a, ok := lv.affineOf(in.Args[0])
			if !ok {
				continue
			}
			s, ok := lv.stride(a)
			if !ok {
				continue
			}
			if c, isConst := s.constant(); isConst && (c > maxHoistStride || c < -maxHoistStride) {
				continue
			}
			p.checks = append(p.checks, hoistedCheck{in, a, s, body != nil && cfg.Dominates(body, b)})
		}
	}
	if len(p.checks) == 0 {
		return nil
	}
	liveOut, ok := liveOutValues(lv, cfg)
	if !ok {
		return nil
	}
	p.liveOut = liveOut
	return p
}

// liveOutValues lists the values defined in the loop and used outside it.
// It reports false if one of them does not dominate every exit of the
// loop: then the value reaching a use is not simply the one of the copy
// that exited, and the SSA repair in versionLoop would not apply.
func liveOutValues(lv *loopValues, cfg *grownCFG) ([]ir.Value, bool) {
	l := lv.l
	seen := map[ir.Value]bool{}
	var out []ir.Value
	note := func(v ir.Value) {
		if b := lv.defBlock[v]; b != nil && l.in[b] && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, b := range lv.f.Blocks {
		if l.in[b] || !cfg.Reachable(b) {
			continue
		}
		for _, in := range b.Instrs {
			for _, a := range in.Args {
				note(a)
			}
			for _, s := range in.Succs {
				for _, a := range s.Args {
					note(a)
				}
			}
		}
	}
	for _, v := range out {
		for _, b := range l.blocks {
			if l.exiting(b) && !cfg.Dominates(lv.defBlock[v], b) {
				return nil, false
			}
		}
	}
	return out, true
}

// versionLoop performs the transformation described at loopVersion. It
// returns the parameters it added to blocks outside the loop.
func versionLoop(c *passContext, lv *loopValues, p *versionPlan, cfg *grownCFG) []blockParam {
	f, l := lv.f, lv.l
	// The preheader takes over every entry edge of the header.
	pre := f.NewBlock()
	for _, hp := range l.header.Params {
		pre.Params = append(pre.Params, f.NewValue(f.Types[hp]))
	}
	for _, b := range f.Blocks {
		if l.in[b] || b == pre {
			continue
		}
		for _, s := range b.Succs() {
			if s.Block == l.header {
				s.Block = pre
			}
		}
	}
	g := &guardBuilder{f: f, b: pre, lv: lv, lengths: map[uint32]ir.Value{}}
	ok, k := g.emit(p)

	skip := map[*ir.Instr]bool{}
	for _, h := range p.checks {
		skip[h.in] = true
	}
	enter := func(b *ir.Block) *ir.BlockCall {
		return &ir.BlockCall{Block: b, Args: append([]ir.Value(nil), pre.Params...)}
	}
	fast := loopCopy{}
	fast.vmap, fast.blocks = cloneLoop(f, l, skip)
	copies := []loopCopy{fast}
	into := enter(fast.blocks[l.header])
	if limit := uncheckedTripLimit(l); limit > 0 {
		// A third copy without the interrupt polls, for runs of at most
		// limit iterations: sel picks it when K says the run is that short.
		for _, b := range l.blocks {
			for _, in := range b.Instrs {
				if in.Op == ir.OpInterruptCheck {
					skip[in] = true
				}
			}
		}
		short := loopCopy{}
		short.vmap, short.blocks = cloneLoop(f, l, skip)
		copies = append(copies, short)
		isShort := g.add(opI64LeU, ir.I32, k, g.i64(limit))
		sel := f.NewBlock()
		sel.Instrs = append(sel.Instrs, &ir.Instr{Op: ir.OpBrIf, Args: []ir.Value{isShort}, Succs: []*ir.BlockCall{
			enter(short.blocks[l.header]), enter(fast.blocks[l.header]),
		}})
		into = &ir.BlockCall{Block: sel}
		c.stats.LoopsUnpolled++
	}
	pre.Instrs = append(pre.Instrs, &ir.Instr{Op: ir.OpBrIf, Args: []ir.Value{ok}, Succs: []*ir.BlockCall{
		into, enter(l.header),
	}})
	added := repairLiveOut(f, l, copies, p.liveOut, cfg)
	c.stats.LoopsVersioned++
	c.stats.BoundsChecksHoisted += len(p.checks)
	return added
}

// A loopCopy is a copy of a loop made by cloneLoop: the copy of each value
// defined in the loop and of each block.
type loopCopy struct {
	vmap   map[ir.Value]ir.Value
	blocks map[*ir.Block]*ir.Block
}

// Interrupt polls may be left out of a loop run whose length is known
// beforehand: the run then ends, and the enclosing code polls again,
// within uncheckedBudget instructions of the loop body (about a
// millisecond). Only loops that run nothing but their own instructions
// qualify: no calls, no bulk memory or table operations, no growth.
const (
	uncheckedBudget   = 1 << 20
	uncheckedMaxInstr = 256
)

// uncheckedTripLimit returns the largest trip bound K for which a run of
// l may skip its interrupt polls, or 0 if l never may (it has no polls,
// is too large, or runs operations of unbounded length).
func uncheckedTripLimit(l *natLoop) int64 {
	size, polls := 0, 0
	for _, b := range l.blocks {
		size += len(b.Instrs)
		for _, in := range b.Instrs {
			switch {
			case in.Op == ir.OpInterruptCheck:
				polls++
			case in.Op.Info().Kind == ir.KindSpecial && !boundedSpecial[in.Op]:
				return 0
			}
		}
	}
	if polls == 0 || size > uncheckedMaxInstr {
		return 0
	}
	// K+1 iterations of at most size instructions each.
	return uncheckedBudget/int64(size) - 1
}

// boundedSpecial lists the special operations that take a bounded time:
// they run no wasm code and copy no caller-chosen amount of data.
var boundedSpecial = map[ir.Op]bool{
	ir.OpSelect: true, ir.OpBoundsCheck: true, ir.OpTrapIf: true, ir.OpInterruptCheck: true,
	ir.OpJump: true, ir.OpBrIf: true, ir.OpSwitch: true, ir.OpReturn: true, ir.OpTrap: true,
	ir.OpGlobalGet: true, ir.OpGlobalSet: true, ir.OpRefNull: true, ir.OpRefIsNull: true, ir.OpRefFunc: true,
	ir.OpTableGet: true, ir.OpTableSet: true, ir.OpTableSize: true, ir.OpMemorySize: true,
}

// cloneLoop copies the blocks of l, leaving out the instructions in skip.
// Edges between loop blocks go to the copies; edges out of the loop keep
// their targets. It returns the copy of each value defined in the loop
// and of each block.
func cloneLoop(f *ir.Func, l *natLoop, skip map[*ir.Instr]bool) (map[ir.Value]ir.Value, map[*ir.Block]*ir.Block) {
	vmap := map[ir.Value]ir.Value{}
	blocks := map[*ir.Block]*ir.Block{}
	fresh := func(v ir.Value) ir.Value {
		n := f.NewValue(f.Types[v])
		vmap[v] = n
		return n
	}
	for _, b := range l.blocks {
		nb := f.NewBlock()
		blocks[b] = nb
		for _, p := range b.Params {
			nb.Params = append(nb.Params, fresh(p))
		}
		for _, in := range b.Instrs {
			for _, r := range in.Results {
				fresh(r)
			}
		}
	}
	mapped := func(vs []ir.Value) []ir.Value {
		out := make([]ir.Value, len(vs))
		for i, v := range vs {
			out[i] = v
			if n, ok := vmap[v]; ok {
				out[i] = n
			}
		}
		return out
	}
	for _, b := range l.blocks {
		nb := blocks[b]
		for _, in := range b.Instrs {
			if skip[in] {
				continue
			}
			cp := *in
			cp.Args = mapped(in.Args)
			cp.Results = mapped(in.Results)
			cp.Succs = nil
			for _, s := range in.Succs {
				target := s.Block
				if l.in[target] {
					target = blocks[target]
				}
				cp.Succs = append(cp.Succs, &ir.BlockCall{Block: target, Args: mapped(s.Args)})
			}
			nb.Instrs = append(nb.Instrs, &cp)
		}
	}
	return vmap, blocks
}

// repairLiveOut restores SSA form after the loop was copied: a use of a
// loop value v after the loop now sees v from the original loop or its
// copy from one of the copies, depending on the path. Each use is rewritten to
// the value reaching its block, with block parameters added where the two
// paths merge (the on-demand construction of Braun et al., "Simple and
// Efficient Construction of Static Single Assignment Form", 2013).
// Redundant parameters are left to copyprop.
//
// cfg tells reachability; the predecessors come from the edges themselves,
// as versioning changed them. It returns the parameters it added.
func repairLiveOut(f *ir.Func, l *natLoop, copies []loopCopy, liveOut []ir.Value, cfg *grownCFG) []blockParam {
	if len(liveOut) == 0 {
		return nil
	}
	inClone := map[*ir.Block]map[ir.Value]ir.Value{} // block of a copy → its values
	for _, cp := range copies {
		for _, nb := range cp.blocks {
			inClone[nb] = cp.vmap
		}
	}
	type edge struct {
		from *ir.Block
		call *ir.BlockCall
	}
	// The edges into each block, by block ID (in the order of their
	// source blocks and successors): one array for all, not a map.
	maxID := 0
	for _, b := range f.Blocks {
		maxID = max(maxID, b.ID)
		for _, s := range b.Succs() {
			maxID = max(maxID, s.Block.ID)
		}
	}
	start := make([]int32, maxID+2)
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			start[s.Block.ID+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	all := make([]edge, start[maxID+1])
	next := slices.Clone(start[:maxID+1])
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			all[next[s.Block.ID]] = edge{b, s}
			next[s.Block.ID]++
		}
	}
	edgesTo := func(b *ir.Block) []edge {
		if b.ID < 0 || b.ID > maxID {
			return nil
		}
		return all[start[b.ID]:start[b.ID+1]]
	}
	// onlyPred returns b's one reachable predecessor, if it has exactly
	// one (several edges from it count once); entry tells b has none.
	onlyPred := func(b *ir.Block) (pred *ir.Block, entry bool) {
		for _, e := range edgesTo(b) {
			if !cfg.Reachable(e.from) || e.from == pred {
				continue
			}
			if pred != nil {
				return nil, false
			}
			pred = e.from
		}
		return pred, pred == nil
	}
	var added []blockParam
	outside := func(b *ir.Block) bool { _, copied := inClone[b]; return !l.in[b] && !copied }
	// users[k] lists, in layout order, the reachable blocks outside the
	// loop and its copies that use liveOut[k]. Repairing one value adds
	// parameters and edge arguments derived from it alone, so the lists
	// stay right for the values after it.
	which := make(map[ir.Value]int, len(liveOut))
	for k, v := range liveOut {
		which[v] = k
	}
	users := make([][]*ir.Block, len(liveOut))
	for _, b := range f.Blocks {
		if !outside(b) || !cfg.Reachable(b) {
			continue
		}
		note := func(vs []ir.Value) {
			for _, a := range vs {
				if k, ok := which[a]; ok {
					if n := len(users[k]); n == 0 || users[k][n-1] != b {
						users[k] = append(users[k], b)
					}
				}
			}
		}
		for _, in := range b.Instrs {
			note(in.Args)
			for _, s := range in.Succs {
				note(s.Args)
			}
		}
	}
	for k, v := range liveOut {
		atStart := map[*ir.Block]ir.Value{}
		var readAtStart func(b *ir.Block) ir.Value
		readAtEnd := func(b *ir.Block) ir.Value {
			if l.in[b] {
				return v
			}
			if vmap, ok := inClone[b]; ok {
				return vmap[v]
			}
			return readAtStart(b)
		}
		readAtStart = func(b *ir.Block) ir.Value {
			if r, ok := atStart[b]; ok {
				return r
			}
			pred, entry := onlyPred(b)
			if entry { // unreachable for a dominated use
				return v
			}
			if pred != nil {
				r := readAtEnd(pred)
				atStart[b] = r
				return r
			}
			param := f.NewValue(f.Types[v])
			b.Params = append(b.Params, param)
			added = append(added, blockParam{b, param})
			atStart[b] = param
			for _, e := range edgesTo(b) {
				arg := v // an unreachable predecessor: any value will do
				if cfg.Reachable(e.from) {
					arg = readAtEnd(e.from)
				}
				e.call.Args = append(e.call.Args, arg)
			}
			return param
		}
		for _, b := range users[k] {
			r := readAtStart(b)
			for _, in := range b.Instrs {
				replaceIn(in.Args, v, r)
				for _, s := range in.Succs {
					replaceIn(s.Args, v, r)
				}
			}
		}
	}
	return added
}

func replaceIn(vs []ir.Value, old, repl ir.Value) {
	for i, a := range vs {
		if a == old {
			vs[i] = repl
		}
	}
}

var (
	opI32And        = ir.Op(wasm.OpI32And)
	opI64Const      = ir.Op(wasm.OpI64Const)
	opI64Add        = ir.Op(wasm.OpI64Add)
	opI64Sub        = ir.Op(wasm.OpI64Sub)
	opI64Mul        = ir.Op(wasm.OpI64Mul)
	opI64Shl        = ir.Op(wasm.OpI64Shl)
	opI64DivU       = ir.Op(wasm.OpI64DivU)
	opI64RemU       = ir.Op(wasm.OpI64RemU)
	opI64Eqz        = ir.Op(wasm.OpI64Eqz)
	opI64LeU        = ir.Op(wasm.OpI64LeU)
	opI64LeS        = ir.Op(wasm.OpI64LeS)
	opI64GeS        = ir.Op(wasm.OpI64GeS)
	opI64GtS        = ir.Op(wasm.OpI64GtS)
	opI64ExtendI32U = ir.Op(wasm.OpI64ExtendI32U)
	opI64ExtendI32S = ir.Op(wasm.OpI64ExtendI32S)
)
