package lower

import (
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// cse merges equal pure computations: an instruction with no side
// effects, no trap and no dependence on mutable state, whose op,
// operands and immediates equal those of an instruction in a dominating
// position, is replaced by that instruction's result. It walks the
// dominator tree with scoped tables.
func cse(c *passContext) {
	f := c.f
	cfg := ir.ComputeCFG(f)
	kids := cfg.Children()
	avail := map[string]ir.Value{}
	subst := map[ir.Value]ir.Value{}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		var added []string
		b.Instrs = slices.DeleteFunc(b.Instrs, func(in *ir.Instr) bool {
			for i, a := range in.Args {
				if w, ok := subst[a]; ok {
					in.Args[i] = w
				}
			}
			info := in.Op.Info()
			if info.SideEffects || info.CanTrap || info.ReadsState || info.Terminator || len(in.Results) != 1 {
				return false
			}
			key := fmt.Sprint(in.Op, in.Args, in.Index, in.Index2, in.Const, in.ConstHi, in.Lane, in.Type)
			if v, ok := avail[key]; ok {
				subst[in.Results[0]] = v
				c.stats.CSERemoved++
				return true
			}
			avail[key] = in.Results[0]
			added = append(added, key)
			return false
		})
		for _, k := range kids[b] {
			walk(k)
		}
		for _, k := range added {
			delete(avail, k)
		}
	}
	if len(cfg.RPO) > 0 {
		walk(cfg.RPO[0])
	}
	replaceUses(f, subst)
}
