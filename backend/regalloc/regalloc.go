// Package regalloc assigns a location — a machine register or a stack
// slot — to every SSA value of one lower/ir function. It is shared by the
// native back ends (backend/amd64, backend/arm64); the ISA describes its
// registers in a Config and never appears here by name.
//
// # Algorithm
//
// Linear scan over SSA with block parameters (Poletto and Sarkar's shape,
// no interval splitting). Blocks are laid out in reverse postorder, so a
// value's definition comes before its uses in the linear order; every
// block parameter and instruction gets a position. Liveness is computed
// per value by walking backwards from each use to the definition through
// the predecessors, and each value's interval is the hull
// [definition, last position where it is live]. Intervals are scanned in
// order of start; a value that is live across a call (an instruction the
// Config says clobbers; live just after it, not merely with the call
// inside its hull) may only take a callee-saved register. When no
// register is free, the interval among the current one and the active
// ones of its class with the least spill weight (uses weighted by loop
// depth) per position still ahead of it is spilled: it lives in a stack
// slot for its whole life, so values merely live through a loop go before
// values the loop uses. Slots are reused once their value's interval has
// ended.
//
// # Contract with the ISA
//
// Each value keeps one location for its whole life, so code generation
// needs no fix-ups inside blocks:
//
//   - An instruction's results never share a register with its operands
//     (an interval that ends at a position is still active there), so the
//     ISA may write a result before it has read every operand. The one
//     exception is opt-in: for an instruction Config.TiesOperand0 accepts,
//     the single result may take the register of operand 0 when that
//     operand's interval ends at the instruction and no other operand is
//     the same value (the ISA's two-address form then needs no copy).
//   - Block arguments are copied into the target's parameter locations on
//     the edge, after the terminator has read its own operands and before
//     control reaches the target. When a terminator has several
//     successors, the copies of each edge run only on that edge (the ISA
//     emits per-edge move blocks). Sequence orders such a parallel copy.
//     A stack slot only ever holds values of one class, so the copies of
//     the two classes share no location and may run one after the other.
//   - The ISA keeps its own scratch registers out of Config.Allocatable
//     and uses them freely inside one instruction (loading spilled
//     operands, fixed-register instructions, the parallel-copy cycle
//     breaker).
//   - Values of unreachable blocks get no location (Loc.Valid is false);
//     the ISA emits only Allocation.Order.
//   - Results of instructions Config.Remat accepts (constants) get no
//     register or slot either (Loc.Remat): the ISA emits nothing for the
//     definition and recomputes the value at each use, into an operand
//     form or a scratch register, and on an edge writes it into the
//     parameter's location after the parallel copy of the other
//     arguments (a Remat source is never a Move's Src).
package regalloc

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"sort"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// Class is a register class: which register file a value lives in.
type Class uint8

// Register classes.
const (
	Int   Class = iota // integers, references, pointers
	Float              // floats and vectors
	NumClasses
)

// Reg is a register in the ISA's own numbering (at most 64 registers, so
// that sets of them fit a uint64).
type Reg uint8

// RegSet is a set of registers.
type RegSet uint64

// Has reports whether r is in s.
func (s RegSet) Has(r Reg) bool { return s&(1<<r) != 0 }

// With returns s plus r.
func (s RegSet) With(r Reg) RegSet { return s | 1<<r }

// Config describes the ISA to the allocator.
type Config struct {
	// Allocatable lists, per class, the registers values may live in, in
	// order of preference.
	Allocatable [NumClasses][]Reg
	// CalleeSaved is the set of registers a call preserves.
	CalleeSaved RegSet
	// PreservedFor, if set, narrows CalleeSaved for values of type t to
	// the registers a call preserves in full for them (AArch64 preserves
	// only the low 64 bits of v8–v15, so a v128 live across a call cannot
	// stay there). nil means CalleeSaved for every type.
	PreservedFor func(t ir.Type) RegSet
	// ClassOf is the register class of a value type.
	ClassOf func(ir.Type) Class
	// SlotSize is the size in bytes (a power of two) of a stack slot for a
	// value type.
	SlotSize func(ir.Type) int
	// Clobbers reports whether an instruction destroys every register
	// outside CalleeSaved (a call, or an operation the ISA implements with
	// a call).
	Clobbers func(*ir.Instr) bool
	// TiesOperand0, if set, accepts the instructions whose rule may
	// compute its single result in operand 0's register: the rule reads
	// operand 0 into the result register before writing anything, and
	// its other operands (never the same value as operand 0) come from
	// their own registers. nil means no instruction.
	TiesOperand0 func(*ir.Instr) bool
	// Remat, if set, accepts the instructions (operand-less, pure: the
	// constants the ISA can recompute cheaply) whose single result gets
	// the location Remat instead of a register or slot. nil means none.
	Remat func(*ir.Instr) bool
}

// Loc is where a value lives: a register, or a stack slot at a byte
// offset in the spill area.
type Loc struct {
	Reg   Reg
	Slot  int32 // byte offset in the spill area; -1 when in a register
	Valid bool  // false for values of unreachable blocks
	Remat bool  // recomputed at each use (Config.Remat); Slot is -1
}

// InReg reports whether the value lives in a register.
func (l Loc) InReg() bool { return l.Slot < 0 && !l.Remat }

func (l Loc) String() string {
	switch {
	case !l.Valid:
		return "none"
	case l.Remat:
		return "remat"
	case l.InReg():
		return fmt.Sprintf("r%d", l.Reg)
	}
	return fmt.Sprintf("slot%+d", l.Slot)
}

// RegLoc returns the location "register r".
func RegLoc(r Reg) Loc { return Loc{Reg: r, Slot: -1, Valid: true} }

// RematLoc is the location of values recomputed at each use.
var RematLoc = Loc{Slot: -1, Valid: true, Remat: true}

// SlotLoc returns the location "stack slot at byte offset off".
func SlotLoc(off int32) Loc { return Loc{Slot: off, Valid: true} }

// Allocation is the result for one function.
type Allocation struct {
	// Order is the block layout the allocation assumes: the reachable
	// blocks in reverse postorder, entry first. The ISA emits blocks in
	// this order.
	Order []*ir.Block
	// Locs holds the location of every value, indexed by ir.Value.
	Locs []Loc
	// SpillSize is the size in bytes of the spill area, a multiple of the
	// largest slot size used (0 when nothing is spilled).
	SpillSize int
	// Used is the set of registers given to some value; the ISA saves the
	// callee-saved ones among them in the prologue.
	Used RegSet
	// CFG is the control-flow graph of the function the allocation was
	// computed from (Order is its RPO), for the ISA to reuse.
	CFG *ir.CFG

	partners partnerLists // edge arguments and parameters, for hints
	// tied[v] is operand 0 plus one of v's defining instruction when v
	// may share its register (Config.TiesOperand0, operand 0 dying
	// there); 0 otherwise. nil when the Config ties nothing.
	tied []ir.Value
	// weight[v] is v's spill weight (spillWeights).
	weight []float32
}

// interval is the live range of one value in positions.
type interval struct {
	v          ir.Value
	start, end int32
	class      Class
	acrossCall bool
}

// Allocate computes the locations of f's values.
func Allocate(f *ir.Func, cfg *Config) (*Allocation, error) {
	return AllocateIn(f, cfg, new(Scratch))
}

// AllocateIn is Allocate with working storage s. The Allocation shares
// storage with s: it is valid until s is used again.
func AllocateIn(f *ir.Func, cfg *Config, s *Scratch) (*Allocation, error) {
	if len(f.Blocks) == 0 {
		return nil, fmt.Errorf("regalloc: function %d has no blocks", f.Index)
	}
	for c := Class(0); c < NumClasses; c++ {
		for _, r := range cfg.Allocatable[c] {
			if r >= 64 {
				return nil, fmt.Errorf("regalloc: register %d out of range", r)
			}
		}
	}
	lv, err := computeLiveness(f, cfg.Clobbers, s)
	if err != nil {
		return nil, err
	}
	a := &Allocation{Order: lv.cfg.RPO, CFG: lv.cfg, Locs: take(&s.locs, len(f.Types))}
	ivs := lv.intervals(cfg, f.Types, s)
	a.partners = edgePartners(lv.cfg.RPO, len(f.Types), s)
	if cfg.TiesOperand0 != nil {
		a.tied = tiedOperands(lv, cfg, f.Types)
	}
	if cfg.Remat != nil {
		ivs = a.remat(lv, cfg, ivs)
	}
	a.weight = spillWeights(lv, len(f.Types))
	spilled := a.scan(ivs, cfg, f.Types)
	a.assignSlots(spilled, cfg, f)
	return a, nil
}

// scan assigns registers in order of interval start and returns the
// intervals that got none, in order of start.
func (a *Allocation) scan(ivs []interval, cfg *Config, types []ir.Type) []interval {
	// active holds, per class, the intervals in registers, sorted by
	// end: at most one per register, so the lists never grow past their
	// first allocation (expired ones are compacted away, not sliced off).
	var active [NumClasses][]*interval
	var free [NumClasses]RegSet
	for c := range free {
		for _, r := range cfg.Allocatable[c] {
			free[c] = free[c].With(r)
		}
		active[c] = make([]*interval, 0, len(cfg.Allocatable[c])+1)
	}
	var spilled []interval
	for i := range ivs {
		iv := &ivs[i]
		c := iv.class
		// Expire intervals that ended before this one starts.
		act := active[c]
		n := 0
		for n < len(act) && act[n].end < iv.start {
			free[c] = free[c].With(a.Locs[act[n].v].Reg)
			n++
		}
		if n > 0 {
			act = act[:copy(act, act[n:])]
		}
		allowed := free[c]
		preserved := cfg.CalleeSaved
		if cfg.PreservedFor != nil {
			preserved &= cfg.PreservedFor(types[iv.v])
		}
		if iv.acrossCall {
			allowed &= preserved
		}
		// The tied operand's register is free for this result alone.
		tk := a.tiedActive(act, iv)
		var tr Reg
		if tk >= 0 {
			tr = a.Locs[act[tk].v].Reg
			if iv.acrossCall && !preserved.Has(tr) {
				tk = -1
			}
		}
		withTied := allowed
		if tk >= 0 {
			withTied = withTied.With(tr)
		}
		r, ok := a.hinted(iv.v, withTied)
		if !ok && tk >= 0 {
			r, ok = tr, true
		}
		if ok && tk >= 0 && r == tr {
			// The operand's interval ends here: retire it now.
			act = append(act[:tk], act[tk+1:]...)
		}
		if !ok {
			r, ok = pick(cfg.Allocatable[c], allowed, iv.acrossCall, cfg.CalleeSaved)
		}
		if !ok {
			// Spill whichever of this interval and the eligible active
			// ones has the least spill weight per position it still
			// holds a register for (ties: the one ending last).
			victim := -1
			best := density(a.weight[iv.v], iv.end-iv.start)
			for k := len(act) - 1; k >= 0; k-- {
				if iv.acrossCall && !preserved.Has(a.Locs[act[k].v].Reg) {
					continue
				}
				if d := density(a.weight[act[k].v], act[k].end-iv.start); d < best || d == best && act[k].end > iv.end {
					victim, best = k, d
				}
			}
			if victim < 0 {
				spilled = append(spilled, *iv)
				active[c] = act
				continue
			}
			old := act[victim]
			r = a.Locs[old.v].Reg
			a.Locs[old.v] = Loc{}
			spilled = append(spilled, *old)
			act = append(act[:victim], act[victim+1:]...)
		}
		free[c] &^= 1 << r
		a.Locs[iv.v] = RegLoc(r)
		a.Used = a.Used.With(r)
		// Insert in order of end.
		k := sort.Search(len(act), func(k int) bool { return act[k].end > iv.end })
		act = append(act, nil)
		copy(act[k+1:], act[k:])
		act[k] = iv
		active[c] = act
	}
	slices.SortStableFunc(spilled, func(x, y interval) int { return cmp.Compare(x.start, y.start) })
	return spilled
}

// spillWeights estimates what spilling each value costs: its definition
// and each use, weighted 8^d for a block inside d loops of the layout (a
// header i, the target of back edges from layout blocks j >= i, spans
// blocks i..max j; d capped at 4).
func spillWeights(lv *liveness, nv int) []float32 {
	rpo := lv.cfg.RPO
	latch := make([]int, len(rpo)) // last block of the loop headed here, or -1
	for i := range latch {
		latch[i] = -1
	}
	for j, b := range rpo {
		for _, e := range b.Succs() {
			if i := lv.cfg.Num(e.Block); i <= j {
				latch[i] = max(latch[i], j)
			}
		}
	}
	depth := make([]int, len(rpo)+1)
	for i, j := range latch {
		if j >= 0 {
			depth[i]++
			depth[j+1]--
		}
	}
	w := make([]float32, nv)
	d := 0
	for i, b := range rpo {
		d += depth[i]
		f := float32(1)
		for k := 0; k < min(d, 4); k++ {
			f *= 8
		}
		for _, p := range b.Params {
			w[p] += f
		}
		for _, in := range b.Instrs {
			for _, r := range in.Results {
				w[r] += f
			}
			for _, x := range in.Args {
				w[x] += f
			}
			for _, e := range in.Succs {
				for _, x := range e.Args {
					w[x] += f
				}
			}
		}
	}
	return w
}

// density is a spill weight per position of an interval's remaining
// length.
func density(w float32, length int32) float32 { return w / float32(length+1) }

// remat gives the results of the instructions Config.Remat accepts the
// location RematLoc and drops their intervals from ivs.
func (a *Allocation) remat(lv *liveness, cfg *Config, ivs []interval) []interval {
	for _, b := range lv.cfg.RPO {
		for _, in := range b.Instrs {
			if len(in.Results) == 1 && len(in.Args) == 0 && cfg.Remat(in) {
				a.Locs[in.Results[0]] = RematLoc
			}
		}
	}
	n := 0
	for _, iv := range ivs {
		if !a.Locs[iv.v].Remat {
			ivs[n] = iv
			n++
		}
	}
	return ivs[:n]
}

// tiedOperands finds, for each result of an instruction the Config ties,
// operand 0 when its interval ends at that instruction, it is of the
// result's class and no other operand is the same value.
func tiedOperands(lv *liveness, cfg *Config, types []ir.Type) []ir.Value {
	tied := make([]ir.Value, len(types))
	for i, b := range lv.cfg.RPO {
		for k, in := range b.Instrs {
			if len(in.Results) != 1 || len(in.Args) == 0 || !cfg.TiesOperand0(in) {
				continue
			}
			op, v := in.Args[0], in.Results[0]
			if lv.end[op] != lv.blockStart[i]+1+int32(k) || cfg.ClassOf(types[op]) != cfg.ClassOf(types[v]) {
				continue
			}
			dup := false
			for _, x := range in.Args[1:] {
				dup = dup || x == op
			}
			if !dup {
				tied[v] = op + 1
			}
		}
	}
	return tied
}

// tiedActive returns the index in act of v's tied operand when it is in
// a register and its interval ends where iv starts, or -1.
func (a *Allocation) tiedActive(act []*interval, iv *interval) int {
	if a.tied == nil || a.tied[iv.v] == 0 {
		return -1
	}
	op := a.tied[iv.v] - 1
	for k, x := range act { // sorted by end: the operand comes first
		if x.end > iv.start {
			break
		}
		if x.v == op {
			return k
		}
	}
	return -1
}

// partnerLists holds, for each value v, its edge partners
// list[start[v]:start[v+1]] (one allocation for all values).
type partnerLists struct {
	start []int32
	list  []ir.Value
}

func (p *partnerLists) of(v ir.Value) []ir.Value { return p.list[p.start[v]:p.start[v+1]] }

// edgePartners links each block parameter with the arguments passed to
// it, both ways: giving them one register saves the edge's copy. Each
// value's partners are in the order of the edges in blocks.
func edgePartners(blocks []*ir.Block, nValues int, s *Scratch) partnerLists {
	start := take(&s.partnerStart, nValues+1)
	for _, b := range blocks {
		for _, e := range b.Succs() {
			for i, arg := range e.Args {
				start[e.Block.Params[i]+1]++
				start[arg+1]++
			}
		}
	}
	for v := range nValues {
		start[v+1] += start[v]
	}
	list := take(&s.partners, int(start[nValues]))
	next := take(&s.partnerNext, nValues)
	copy(next, start)
	for _, b := range blocks {
		for _, e := range b.Succs() {
			for i, arg := range e.Args {
				p := e.Block.Params[i]
				list[next[p]] = arg
				next[p]++
				list[next[arg]] = p
				next[arg]++
			}
		}
	}
	return partnerLists{start: start, list: list}
}

// hinted returns the register of an already allocated edge partner of v
// when it is allowed.
func (a *Allocation) hinted(v ir.Value, allowed RegSet) (Reg, bool) {
	for _, p := range a.partners.of(v) {
		if l := a.Locs[p]; l.Valid && l.InReg() && allowed.Has(l.Reg) {
			return l.Reg, true
		}
	}
	return 0, false
}

// pick returns the first register of prefs in allowed, preferring
// caller-saved ones for values that do not live across a call (they cost
// no save in the prologue).
func pick(prefs []Reg, allowed RegSet, acrossCall bool, calleeSaved RegSet) (Reg, bool) {
	if !acrossCall {
		for _, r := range prefs {
			if allowed.Has(r) && !calleeSaved.Has(r) {
				return r, true
			}
		}
	}
	for _, r := range prefs {
		if allowed.Has(r) {
			return r, true
		}
	}
	return 0, false
}

// assignSlots gives every spilled interval a stack slot, reusing the slot
// of an interval of the same size and class that has ended. Spilled
// intervals come in order of start; the ones holding a slot wait in a
// heap by end.
func (a *Allocation) assignSlots(spilled []interval, cfg *Config, f *ir.Func) {
	type kind struct {
		size  int
		class Class
	}
	var busy slotHeap
	free := map[kind][]int32{} // free slot offsets
	maxAlign := 1
	for _, iv := range spilled {
		for len(busy) > 0 && busy[0].end < iv.start {
			s := heap.Pop(&busy).(heldSlot)
			k := kind{s.size, s.class}
			free[k] = append(free[k], s.off)
		}
		size := cfg.SlotSize(f.Types[iv.v])
		maxAlign = max(maxAlign, size)
		k := kind{size, iv.class}
		var off int32
		if fs := free[k]; len(fs) > 0 {
			off, free[k] = fs[len(fs)-1], fs[:len(fs)-1]
		} else {
			o := (a.SpillSize + size - 1) &^ (size - 1)
			a.SpillSize = o + size
			off = int32(o)
		}
		heap.Push(&busy, heldSlot{off: off, size: size, class: iv.class, end: iv.end})
		a.Locs[iv.v] = SlotLoc(off)
	}
	a.SpillSize = (a.SpillSize + maxAlign - 1) &^ (maxAlign - 1)
}

// heldSlot is a slot in use until end.
type heldSlot struct {
	off   int32
	size  int
	class Class
	end   int32
}

// slotHeap orders held slots by end (container/heap).
type slotHeap []heldSlot

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].end < h[j].end }
func (h slotHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *slotHeap) Push(x any)        { *h = append(*h, x.(heldSlot)) }
func (h *slotHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
