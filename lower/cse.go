package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// cseKey identifies a pure computation: op, operands and immediates.
// Pure operations take at most three operands.
type cseKey struct {
	op             ir.Op
	nargs          uint8
	args           [3]ir.Value
	index, index2  uint32
	konst, constHi uint64
	lane           uint8
	typ            ir.Type
	trap           abi.TrapCode
}

// cse merges equal pure computations: an instruction with no side
// effects, no trap and no dependence on mutable state, whose op,
// operands and immediates equal those of an instruction in a dominating
// position, is replaced by that instruction's result. It walks the
// dominator tree with scoped tables.
func cse(c *passContext) {
	f := c.f
	cfg, kids := c.CFG(), c.domKids()
	avail := &c.s.cse
	avail.reset()
	subst := c.s.substitution(f)
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		mark := avail.len()
		b.Instrs = slices.DeleteFunc(b.Instrs, func(in *ir.Instr) bool {
			for i, a := range in.Args {
				in.Args[i] = subst.resolve(a)
			}
			info := in.Op.Info()
			if info.SideEffects || info.CanTrap || info.ReadsState || info.Terminator || len(in.Results) != 1 || len(in.Args) > 3 {
				return false
			}
			key := cseKey{op: in.Op, nargs: uint8(len(in.Args)), index: in.Index, index2: in.Index2,
				konst: in.Const, constHi: in.ConstHi, lane: in.Lane, typ: in.Type, trap: in.Trap}
			copy(key.args[:], in.Args)
			if v, ok := avail.lookup(&key); ok {
				subst[in.Results[0]] = v
				c.stats.CSERemoved++
				return true
			}
			avail.push(&key, in.Results[0])
			return false
		})
		for _, k := range kids[cfg.Num(b)] {
			walk(k)
		}
		avail.popTo(mark)
	}
	if len(cfg.RPO) > 0 {
		walk(cfg.RPO[0])
	}
	if avail.peak > maxKeptMap {
		*avail = cseTable{} // a large table is not kept for the next function
	}
	replaceUses(f, subst)
}

// cseTable is the scoped table of available computations: a stack of
// entries (the dominator-tree walk pushes a block's and pops them when
// it leaves the block's subtree) indexed by an open-addressing hash table
// with linear probing. Removal is only ever of the newest entry, whose
// slot no older entry's probe passed (it was free when they were
// placed), so emptying the slot keeps every other key findable.
type cseTable struct {
	slots   []int32 // entry index+1, 0 when free; a power of two long
	entries []cseEntry
	peak    int // most entries at once since reset
}

type cseEntry struct {
	key  cseKey
	val  ir.Value
	slot int32
}

// reset empties the table: a walk pops all it pushed, so only a walk cut
// short leaves entries (and slots) behind.
func (t *cseTable) reset() {
	t.popTo(0)
	t.peak = 0
}

func (t *cseTable) len() int { return len(t.entries) }

func (k *cseKey) hash() uint64 {
	const m = 0x9e3779b97f4a7c15
	h := uint64(k.op)*m ^ uint64(k.nargs)
	for _, a := range k.args[:k.nargs] {
		h = (h ^ uint64(a)) * m
	}
	h = (h ^ uint64(k.index) ^ uint64(k.index2)<<32) * m
	h = (h ^ k.konst) * m
	h = (h ^ k.constHi ^ uint64(k.lane)<<8 ^ uint64(k.typ)<<16 ^ uint64(k.trap)<<24) * m
	return h ^ h>>29
}

// find returns the slot holding k, or the free slot where it would go.
func (t *cseTable) find(k *cseKey) int {
	mask := len(t.slots) - 1
	for i := int(k.hash()) & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 || t.entries[e-1].key == *k {
			return i
		}
	}
}

func (t *cseTable) lookup(k *cseKey) (ir.Value, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	if e := t.slots[t.find(k)]; e != 0 {
		return t.entries[e-1].val, true
	}
	return 0, false
}

// push adds k (not in the table) with value v.
func (t *cseTable) push(k *cseKey, v ir.Value) {
	if 2*(len(t.entries)+1) > len(t.slots) {
		t.grow()
	}
	i := t.find(k)
	t.entries = append(t.entries, cseEntry{key: *k, val: v, slot: int32(i)})
	t.slots[i] = int32(len(t.entries))
	t.peak = max(t.peak, len(t.entries))
}

// popTo removes the newest entries down to n.
func (t *cseTable) popTo(n int) {
	for j := len(t.entries) - 1; j >= n; j-- {
		t.slots[t.entries[j].slot] = 0
	}
	t.entries = t.entries[:n]
}

// grow doubles the slots and places the entries again, oldest first.
func (t *cseTable) grow() {
	t.slots = make([]int32, max(16, 2*len(t.slots)))
	for j := range t.entries {
		i := t.find(&t.entries[j].key)
		t.entries[j].slot = int32(i)
		t.slots[i] = int32(j + 1)
	}
}
