package ir

// CFG holds the control-flow graph facts passes and the verifier need:
// predecessors, a reverse postorder of the reachable blocks and the
// immediate-dominator tree (Cooper, Harvey and Kennedy's iterative
// algorithm). It is a snapshot: recompute it after changing edges.
type CFG struct {
	Preds map[*Block][]*Block // unique predecessors, reachable ones only
	RPO   []*Block            // reachable blocks in reverse postorder; RPO[0] is the entry
	IDom  map[*Block]*Block   // immediate dominator; the entry maps to itself
	order map[*Block]int      // position in RPO
}

// ComputeCFG analyses f.
func ComputeCFG(f *Func) *CFG {
	c := &CFG{Preds: map[*Block][]*Block{}, IDom: map[*Block]*Block{}, order: map[*Block]int{}}
	if len(f.Blocks) == 0 {
		return c
	}
	// Iterative depth-first search for the postorder.
	type frame struct {
		b    *Block
		next int
	}
	seen := map[*Block]bool{f.Blocks[0]: true}
	stack := []frame{{b: f.Blocks[0]}}
	var post []*Block
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succs := top.b.Succs()
		if top.next < len(succs) {
			s := succs[top.next].Block
			top.next++
			if !seen[s] {
				seen[s] = true
				stack = append(stack, frame{b: s})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	for i := len(post) - 1; i >= 0; i-- {
		c.order[post[i]] = len(c.RPO)
		c.RPO = append(c.RPO, post[i])
	}
	for _, b := range c.RPO {
		done := map[*Block]bool{}
		for _, s := range b.Succs() {
			if !done[s.Block] {
				done[s.Block] = true
				c.Preds[s.Block] = append(c.Preds[s.Block], b)
			}
		}
	}
	entry := c.RPO[0]
	c.IDom[entry] = entry
	for changed := true; changed; {
		changed = false
		for _, b := range c.RPO[1:] {
			var idom *Block
			for _, p := range c.Preds[b] {
				if c.IDom[p] == nil {
					continue
				}
				if idom == nil {
					idom = p
				} else {
					idom = c.intersect(p, idom)
				}
			}
			if idom != nil && c.IDom[b] != idom {
				c.IDom[b] = idom
				changed = true
			}
		}
	}
	return c
}

func (c *CFG) intersect(a, b *Block) *Block {
	for a != b {
		for c.order[a] > c.order[b] {
			a = c.IDom[a]
		}
		for c.order[b] > c.order[a] {
			b = c.IDom[b]
		}
	}
	return a
}

// Reachable reports whether b is reachable from the entry.
func (c *CFG) Reachable(b *Block) bool {
	_, ok := c.order[b]
	return ok
}

// Dominates reports whether a dominates b (every block dominates itself).
// Both must be reachable.
func (c *CFG) Dominates(a, b *Block) bool {
	for {
		if a == b {
			return true
		}
		next := c.IDom[b]
		if next == b || next == nil {
			return false
		}
		b = next
	}
}

// Children returns the dominator tree: the blocks each block immediately
// dominates, in reverse postorder.
func (c *CFG) Children() map[*Block][]*Block {
	kids := map[*Block][]*Block{}
	for _, b := range c.RPO[1:] {
		kids[c.IDom[b]] = append(kids[c.IDom[b]], b)
	}
	return kids
}
