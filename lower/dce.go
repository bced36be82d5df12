package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// deadCode removes blocks unreachable from the entry, instructions whose
// results are unused and that neither have side effects nor can trap, and
// block parameters that are unused (with their arguments on every edge).
func deadCode(c *passContext) {
	f := c.f
	cfg := c.CFG()
	f.Blocks = slices.DeleteFunc(f.Blocks, func(b *ir.Block) bool { return !cfg.Reachable(b) })

	// Definitions and liveness are indexed by value.
	defInstr := take(&c.s.instrs, len(f.Types))
	defParam := take(&c.s.params, len(f.Types))
	for _, b := range f.Blocks {
		for i, p := range b.Params {
			defParam[p] = paramRef{b, i}
		}
		for _, in := range b.Instrs {
			for _, r := range in.Results {
				defInstr[r] = in
			}
		}
	}
	edgesTo := c.s.incomingEdges(f)
	live := take(&c.s.flags, len(f.Types))
	work := c.s.work[:0]
	defer func() { c.s.work = work }()
	mark := func(vs []ir.Value) {
		for _, v := range vs {
			if !live[v] {
				live[v] = true
				work = append(work, v)
			}
		}
	}
	for _, p := range f.Blocks[0].Params {
		live[p] = true // the signature fixes the entry parameters
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if keep(in) {
				mark(in.Args)
			}
		}
	}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if in := defInstr[v]; in != nil {
			mark(in.Args)
		} else if pr := defParam[v]; pr.b != nil {
			for _, e := range edgesTo.to(pr.b) {
				mark(e.Args[pr.i : pr.i+1])
			}
		}
	}
	for _, b := range f.Blocks {
		before := len(b.Instrs)
		b.Instrs = slices.DeleteFunc(b.Instrs, func(in *ir.Instr) bool {
			return !keep(in) && !slices.ContainsFunc(in.Results, func(r ir.Value) bool { return live[r] })
		})
		c.stats.DeadRemoved += before - len(b.Instrs)
		if b == f.Blocks[0] {
			continue
		}
		for i := len(b.Params) - 1; i >= 0; i-- {
			if !live[b.Params[i]] {
				removeParam(b, i, edgesTo.to(b))
			}
		}
	}
}

// keep reports whether in must stay even if its results are unused.
func keep(in *ir.Instr) bool {
	info := in.Op.Info()
	return info.SideEffects || info.CanTrap
}

// removeParam deletes parameter i of b and the matching argument of every
// edge into b.
func removeParam(b *ir.Block, i int, edges []*ir.BlockCall) {
	b.Params = slices.Delete(b.Params, i, i+1)
	for _, e := range edges {
		e.Args = slices.Delete(e.Args, i, i+1)
	}
}
