package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// copyProp removes copies: block parameters whose incoming arguments are
// all one value (ignoring the parameter itself, as on a loop back edge),
// and selects whose two choices are equal. Uses are rewritten to the
// original value. It repeats until nothing changes, since removing one
// parameter can make another redundant; the repetitions only look
// through the substitution, and the function is rewritten once at the
// end.
func copyProp(c *passContext) {
	f := c.f
	edgesTo := c.s.incomingEdges(f)
	subst := c.s.substitution(f)
	for changed := true; changed; {
		changed = false
		for _, b := range f.Blocks[1:] {
			for i := len(b.Params) - 1; i >= 0; i-- {
				p := b.Params[i]
				same, ok := soleArgument(p, i, edgesTo.to(b), subst)
				if !ok {
					continue
				}
				subst[p] = same
				removeParam(b, i, edgesTo.to(b))
				c.stats.ParamsRemoved++
				changed = true
			}
			for _, in := range b.Instrs {
				if in.Op == ir.OpSelect && subst[in.Results[0]] == noValue {
					if a := subst.resolve(in.Args[0]); a == subst.resolve(in.Args[1]) {
						subst[in.Results[0]] = a
						changed = true
					}
				}
			}
		}
	}
	replaceUses(f, subst)
}

// soleArgument reports the one value other than p that every edge passes
// for parameter i (seen through subst), if there is exactly one.
func soleArgument(p ir.Value, i int, edges []*ir.BlockCall, subst substitution) (ir.Value, bool) {
	var same ir.Value
	found := false
	for _, e := range edges {
		a := subst.resolve(e.Args[i])
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

// substitution maps a value to the value that replaces it (noValue: kept).
// It is indexed by value, so it covers every value of one function.
type substitution []ir.Value

// resolve follows replacement chains (a→b, b→c gives c for a). Chains
// never loop: a value is only ever replaced by a value that is itself
// not replaced at that moment.
func (s substitution) resolve(v ir.Value) ir.Value {
	for int(v) < len(s) && s[v] != noValue {
		v = s[v]
	}
	return v
}

// replaceUses rewrites every operand and edge argument through subst.
func replaceUses(f *ir.Func, subst substitution) {
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			for i, a := range in.Args {
				in.Args[i] = subst.resolve(a)
			}
			for _, s := range in.Succs {
				for i, a := range s.Args {
					s.Args[i] = subst.resolve(a)
				}
			}
		}
	}
}
