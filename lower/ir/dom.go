package ir

import "slices"

// CFG holds the control-flow graph facts passes and the verifier need:
// predecessors, a reverse postorder of the reachable blocks and the
// immediate-dominator tree (Cooper, Harvey and Kennedy's iterative
// algorithm). It is a snapshot: recompute it after changing edges.
//
// Blocks are numbered by their position in RPO, and every per-block fact
// is a slice indexed by that number: passes compute a CFG several times
// per function, and maps keyed by *Block made that a large share of
// lowering time.
type CFG struct {
	RPO []*Block // reachable blocks in reverse postorder; RPO[0] is the entry

	// The unique reachable predecessors of the block numbered i are
	// preds[predStart[i]:predStart[i+1]], with their RPO numbers at the
	// same positions of predNum: one allocation for all blocks.
	preds     []*Block
	predNum   []int32
	predStart []int32
	idom      []int32   // by RPO number: RPO number of the immediate dominator; the entry's is 0
	num       blockNums // block → RPO number
}

// blockNums maps the blocks of one function to small numbers: a slice
// indexed by block ID when the IDs are compact (always, for lowered
// code), a map otherwise (parsed text may use any IDs).
type blockNums struct {
	byID  []int32 // number+1; 0: none
	byMap map[*Block]int32
}

// newBlockNums numbers f's blocks, reusing buf's storage when it can.
func newBlockNums(f *Func, buf []int32) blockNums {
	maxID := 0
	for _, b := range f.Blocks {
		maxID = max(maxID, b.ID)
	}
	if maxID < 4*len(f.Blocks)+64 {
		return blockNums{byID: resize(buf, maxID+1)}
	}
	return blockNums{byMap: map[*Block]int32{}}
}

// resize returns buf with length n, zeroed, reallocated only when its
// capacity is short.
func resize[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func (n *blockNums) get(b *Block) (int, bool) {
	if n.byMap != nil {
		i, ok := n.byMap[b]
		return int(i), ok
	}
	if b.ID < 0 || b.ID >= len(n.byID) || n.byID[b.ID] == 0 {
		return 0, false
	}
	return int(n.byID[b.ID] - 1), true
}

// set records b's number; it reports false if b cannot be numbered (an ID
// outside the compact range: a block that is not in the function).
func (n *blockNums) set(b *Block, i int) bool {
	if n.byMap != nil {
		n.byMap[b] = int32(i)
		return true
	}
	if b.ID < 0 || b.ID >= len(n.byID) {
		return false
	}
	n.byID[b.ID] = int32(i + 1)
	return true
}

// ComputeCFG analyses f.
func ComputeCFG(f *Func) *CFG { return ComputeCFGIn(f, nil) }

// ComputeCFGIn is ComputeCFG reusing the storage of c, an earlier result
// no longer in use (nil: fresh storage); it returns c, overwritten.
func ComputeCFGIn(f *Func, c *CFG) *CFG {
	if c == nil {
		c = &CFG{}
	}
	old := *c
	*c = CFG{}
	if len(f.Blocks) == 0 {
		return c
	}
	c.num = newBlockNums(f, old.num.byID)
	// Iterative depth-first search for the postorder. It marks visited
	// blocks in the numbering (with any number: every visited block is
	// renumbered below).
	type frame struct {
		b    *Block
		next int
	}
	seen := &c.num
	if !seen.set(f.Blocks[0], 0) {
		c.num = blockNums{byMap: map[*Block]int32{f.Blocks[0]: 0}}
	}
	stack := make([]frame, 1, 16)
	stack[0] = frame{b: f.Blocks[0]}
	post := resize(old.RPO, len(f.Blocks))[:0] // becomes RPO, reversed in place
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succs := top.b.Succs()
		if top.next < len(succs) {
			s := succs[top.next].Block
			top.next++
			if _, ok := seen.get(s); !ok && seen.set(s, 0) {
				stack = append(stack, frame{b: s})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	slices.Reverse(post)
	c.RPO = post
	for i, b := range c.RPO {
		c.num.set(b, i)
	}
	// Predecessors in two sweeps: count, then fill in RPO order of the
	// predecessor (the order Preds has always returned). from[si] is
	// i+1 once block i's edges have counted si, so that an edge to a
	// block an earlier edge of the same block targets is not counted
	// again; the fill sweep marks with -(i+1).
	c.predStart = resize(old.predStart, len(c.RPO)+1)
	from := resize(old.idom, len(c.RPO)) // idom's storage, until idom
	for i, b := range c.RPO {
		for _, s := range b.Succs() {
			if si, ok := c.index(s.Block); ok && from[si] != int32(i+1) {
				from[si] = int32(i + 1)
				c.predStart[si+1]++
			}
		}
	}
	for i := range c.RPO {
		c.predStart[i+1] += c.predStart[i]
	}
	n := c.predStart[len(c.RPO)]
	c.preds, c.predNum = resize(old.preds, int(n)), resize(old.predNum, int(n))
	fill := make([]int32, len(c.RPO))
	copy(fill, c.predStart)
	for i, b := range c.RPO {
		for _, s := range b.Succs() {
			if si, ok := c.index(s.Block); ok && from[si] != -int32(i+1) {
				from[si] = -int32(i + 1)
				c.preds[fill[si]], c.predNum[fill[si]] = b, int32(i)
				fill[si]++
			}
		}
	}
	// Dominators over RPO numbers; -1 is "not yet known".
	c.idom = from
	for i := range c.idom {
		c.idom[i] = -1
	}
	c.idom[0] = 0
	for changed := true; changed; {
		changed = false
		for i := 1; i < len(c.RPO); i++ {
			idom := int32(-1)
			for _, pi := range c.predNum[c.predStart[i]:c.predStart[i+1]] {
				if c.idom[pi] < 0 {
					continue
				}
				if idom < 0 {
					idom = pi
				} else {
					idom = c.intersect(pi, idom)
				}
			}
			if idom >= 0 && c.idom[i] != idom {
				c.idom[i] = idom
				changed = true
			}
		}
	}
	return c
}

// intersect walks two RPO numbers up the dominator tree to their common
// ancestor: a dominator always has a smaller RPO number.
func (c *CFG) intersect(a, b int32) int32 {
	for a != b {
		for a > b {
			a = c.idom[a]
		}
		for b > a {
			b = c.idom[b]
		}
	}
	return a
}

// index returns b's RPO number; ok is false if b is unreachable (or a
// block of another function that shares an ID with one of this one's).
func (c *CFG) index(b *Block) (int, bool) {
	i, ok := c.num.get(b)
	if !ok || c.RPO[i] != b {
		return 0, false
	}
	return i, true
}

// Reachable reports whether b is reachable from the entry.
func (c *CFG) Reachable(b *Block) bool {
	_, ok := c.index(b)
	return ok
}

// Preds returns the unique reachable predecessors of b.
func (c *CFG) Preds(b *Block) []*Block {
	if i, ok := c.index(b); ok {
		return c.preds[c.predStart[i]:c.predStart[i+1]:c.predStart[i+1]]
	}
	return nil
}

// PredNums returns the RPO numbers of the unique reachable predecessors
// of the block numbered i, in the order of Preds.
func (c *CFG) PredNums(i int) []int32 {
	return c.predNum[c.predStart[i]:c.predStart[i+1]:c.predStart[i+1]]
}

// Dominates reports whether a dominates b (every block dominates itself).
// Both must be reachable.
func (c *CFG) Dominates(a, b *Block) bool {
	ai, ok1 := c.index(a)
	bi, ok2 := c.index(b)
	if !ok1 || !ok2 {
		return false
	}
	for bi > ai {
		bi = int(c.idom[bi])
	}
	return ai == bi
}

// Children returns the dominator tree: the blocks each block immediately
// dominates, in reverse postorder, indexed like RPO.
func (c *CFG) Children() [][]*Block {
	// All lists share one backing array, each capped at its length.
	start := make([]int32, len(c.RPO)+1)
	for i := 1; i < len(c.RPO); i++ {
		start[c.idom[i]+1]++
	}
	for i := range c.RPO {
		start[i+1] += start[i]
	}
	all := make([]*Block, max(len(c.RPO)-1, 0))
	kids := make([][]*Block, len(c.RPO))
	for i := range kids {
		kids[i] = all[start[i]:start[i]:start[i+1]]
	}
	for i, b := range c.RPO[1:] {
		d := c.idom[i+1]
		kids[d] = append(kids[d], b)
	}
	return kids
}

// Num returns b's position in RPO, or -1 if b is unreachable.
func (c *CFG) Num(b *Block) int {
	if i, ok := c.index(b); ok {
		return i
	}
	return -1
}
