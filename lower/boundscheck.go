package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// pageSize is the WebAssembly page size in bytes.
const pageSize = 65536

// boundsCheckElim removes bounds checks that cannot fail given what is
// already known: a check dominated by a check of the same address value
// with an extent at least as large (memories never shrink, so a check
// that passed stays passed), and a check of a constant address whose end
// lies within the memory's minimum size, or within a constant range an
// earlier dominating check covered. It walks the dominator tree with one
// scope of facts per block. Before that, each check is widened to cover
// later checks of the same address in the same block (see widenChecks).
func boundsCheckElim(c *passContext) {
	f := c.f
	for _, b := range f.Blocks {
		widenChecks(b)
	}
	cfg, kids := c.CFG(), c.domKids()
	// isConst and consts record the i32 constants, indexed by value.
	isConst := take(&c.s.flags, len(f.Types))
	consts := take(&c.s.words, len(f.Types))
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Op == constOp(ir.I32) {
				isConst[in.Results[0]] = true
				consts[in.Results[0]] = uint64(uint32(in.Const))
			}
		}
	}
	type addrKey struct {
		mem  uint32
		addr ir.Value
	}
	// checked maps a (memory, address) to the largest extent checked on
	// every path to here; constEnd maps a memory to the largest end of a
	// checked constant range. Both are undone when leaving a subtree.
	checked := map[addrKey]uint64{}
	constEnd := map[uint32]uint64{}
	minBytes := func(mem uint32) uint64 {
		if c.m == nil {
			return 0
		}
		if mt := c.m.MemoryTypeOf(mem); mt != nil {
			return uint64(mt.Limits.Min) * pageSize
		}
		return 0
	}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		type undo struct {
			key      addrKey
			old      uint64
			had      bool
			mem      uint32
			oldConst uint64
		}
		var undos []undo
		b.Instrs = slices.DeleteFunc(b.Instrs, func(in *ir.Instr) bool {
			if in.Op != ir.OpBoundsCheck {
				return false
			}
			c.stats.BoundsChecks++
			key := addrKey{in.Index, in.Args[0]}
			ext := in.Const
			if isConst[in.Args[0]] {
				a := consts[in.Args[0]]
				if a+ext <= max(minBytes(in.Index), constEnd[in.Index]) {
					c.stats.BoundsChecksRemoved++
					return true
				}
				undos = append(undos, undo{mem: in.Index, oldConst: constEnd[in.Index], key: key, old: checked[key]})
				constEnd[in.Index] = a + ext
				return false
			}
			old, had := checked[key]
			if had && old >= ext {
				c.stats.BoundsChecksRemoved++
				return true
			}
			undos = append(undos, undo{key: key, old: old, had: had, mem: in.Index, oldConst: constEnd[in.Index]})
			checked[key] = ext
			return false
		})
		for _, k := range kids[cfg.Num(b)] {
			walk(k)
		}
		for i := len(undos) - 1; i >= 0; i-- {
			u := undos[i]
			if u.had {
				checked[u.key] = u.old
			} else {
				delete(checked, u.key)
			}
			constEnd[u.mem] = u.oldConst
		}
	}
	if len(cfg.RPO) > 0 {
		walk(cfg.RPO[0])
	}
}

// widenWindow bounds how far widenChecks looks ahead, keeping the pass
// linear in block size.
const widenWindow = 256

// widenChecks raises the extent of a bounds check to that of a later check
// of the same address in the same block when nothing observable can happen
// in between: only pure non-trapping instructions, loads and other bounds
// checks. If the widened check traps, the later check would have trapped
// with the same code before any effect became visible, so the program
// observes the same behaviour; the later check then becomes redundant.
// (Struct fields read at p+0, p+4, p+8 need one check instead of three.)
func widenChecks(b *ir.Block) {
	for i, in := range b.Instrs {
		if in.Op != ir.OpBoundsCheck {
			continue
		}
		for _, next := range b.Instrs[i+1 : min(len(b.Instrs), i+1+widenWindow)] {
			if next.Op == ir.OpBoundsCheck {
				if next.Index == in.Index && next.Args[0] == in.Args[0] && next.Const > in.Const {
					in.Const = next.Const
				}
				continue
			}
			if info := next.Op.Info(); info.SideEffects || info.CanTrap {
				break
			}
		}
	}
}
