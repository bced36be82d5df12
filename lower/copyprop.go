package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// copyProp removes copies: block parameters whose incoming arguments are
// all one value (ignoring the parameter itself, as on a loop back edge),
// and selects whose two choices are equal. Uses are rewritten to the
// original value. It repeats until nothing changes, since removing one
// parameter can make another redundant.
func copyProp(c *passContext) {
	f := c.f
	for changed := true; changed; {
		changed = false
		edgesTo := map[*ir.Block][]*ir.BlockCall{}
		for _, b := range f.Blocks {
			for _, s := range b.Succs() {
				edgesTo[s.Block] = append(edgesTo[s.Block], s)
			}
		}
		subst := map[ir.Value]ir.Value{}
		for _, b := range f.Blocks[1:] {
			for i := len(b.Params) - 1; i >= 0; i-- {
				p := b.Params[i]
				same, ok := soleArgument(p, i, edgesTo[b])
				if !ok {
					continue
				}
				subst[p] = same
				removeParam(b, i, edgesTo[b])
				c.stats.ParamsRemoved++
				changed = true
			}
			for _, in := range b.Instrs {
				if in.Op == ir.OpSelect && in.Args[0] == in.Args[1] {
					subst[in.Results[0]] = in.Args[0]
				}
			}
		}
		if len(subst) > 0 {
			replaceUses(f, subst)
		}
	}
}

// soleArgument reports the one value other than p that every edge passes
// for parameter i, if there is exactly one.
func soleArgument(p ir.Value, i int, edges []*ir.BlockCall) (ir.Value, bool) {
	var same ir.Value
	found := false
	for _, e := range edges {
		a := e.Args[i]
		if a == p || (found && a == same) {
			continue
		}
		if found {
			return 0, false
		}
		same, found = a, true
	}
	return same, found
}

// replaceUses rewrites every operand and edge argument through subst,
// following chains (a→b, b→c gives a→c).
func replaceUses(f *ir.Func, subst map[ir.Value]ir.Value) {
	resolve := func(v ir.Value) ir.Value {
		for {
			w, ok := subst[v]
			if !ok {
				return v
			}
			v = w
		}
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, a := range in.Args {
				in.Args[i] = resolve(a)
			}
			for _, s := range in.Succs {
				for i, a := range s.Args {
					s.Args[i] = resolve(a)
				}
			}
		}
	}
}
