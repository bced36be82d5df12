package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// entryPoll drops the interrupt poll at the entry of a function with at
// most one call site. Polls bound the work between two of them; loop
// headers poll, so only calls can make that work grow without one. An
// activation of a function with at most one call site starts at most one
// other activation between two polls, so the activations run without a
// poll form a chain, bounded by the stack (deeper recursion traps) and
// each bounded by its function's size. A function with two call sites
// can double the work at every level of such a chain and keeps its poll.
func entryPoll(c *passContext) {
	f := c.f
	calls := 0
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpCall, ir.OpCallIndirect, ir.OpCallImport:
				calls++
			}
		}
	}
	if calls > 1 || len(f.Blocks) == 0 {
		return
	}
	entry := f.Blocks[0]
	for i, in := range entry.Instrs {
		if in.Op == ir.OpInterruptCheck {
			entry.Instrs = append(entry.Instrs[:i], entry.Instrs[i+1:]...)
			c.stats.EntryPollsDropped++
			return
		}
	}
}
