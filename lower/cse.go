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
	// The walk leaves avail empty; a map that grew large is dropped
	// rather than kept for the next function.
	avail := c.s.cseAvail
	if avail == nil {
		avail = map[cseKey]ir.Value{}
	}
	subst := c.s.substitution(f)
	added := c.s.cseAdded[:0] // a stack: each block's keys above its parent's
	peak := 0
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		mark := len(added)
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
			if v, ok := avail[key]; ok {
				subst[in.Results[0]] = v
				c.stats.CSERemoved++
				return true
			}
			avail[key] = in.Results[0]
			added = append(added, key)
			peak = max(peak, len(added))
			return false
		})
		for _, k := range kids[cfg.Num(b)] {
			walk(k)
		}
		for _, k := range added[mark:] {
			delete(avail, k)
		}
		added = added[:mark]
	}
	if len(cfg.RPO) > 0 {
		walk(cfg.RPO[0])
	}
	c.s.cseAdded, c.s.cseAvail = added, avail
	if peak > maxKeptMap {
		c.s.cseAdded, c.s.cseAvail = nil, nil
	}
	replaceUses(f, subst)
}
