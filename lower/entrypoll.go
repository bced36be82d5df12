package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// entryPoll drops the interrupt poll at the entry of a function with at
// most one call site. Polls bound the work between two of them; loop
// headers poll, so only calls can make that work grow without one. An
// activation of a function with at most one call site starts at most one
// other activation between two polls, so the activations run without a
// poll form a chain, bounded by the stack (deeper recursion traps) and
// each bounded by its function's size. A function with two call sites
// can double the work at every level of such a chain and keeps its poll,
// unless its entry block, without a call, jumps straight to a block that
// polls first (a loop header, such as the dispatch loop Go's wasm code
// starts every function with): that poll comes after a bounded amount of
// work and before any call, so the entry's adds nothing.
func entryPoll(c *passContext) {
	f := c.f
	if len(f.Blocks) == 0 {
		return
	}
	entry := f.Blocks[0]
	calls, entryCalls := 0, 0
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpCall, ir.OpCallIndirect, ir.OpCallImport:
				calls++
				if b == entry {
					entryCalls++
				}
			}
		}
	}
	if calls > 1 && (entryCalls > 0 || !pollsNext(entry)) {
		return
	}
	for i, in := range entry.Instrs {
		if in.Op == ir.OpInterruptCheck {
			entry.Instrs = append(entry.Instrs[:i], entry.Instrs[i+1:]...)
			c.stats.EntryPollsDropped++
			return
		}
	}
}

// pollsNext reports whether b ends in a jump to another block whose
// first instruction is an interrupt poll.
func pollsNext(b *ir.Block) bool {
	t := b.Terminator()
	if t == nil || t.Op != ir.OpJump || t.Succs[0].Block == b {
		return false
	}
	next := t.Succs[0].Block
	return len(next.Instrs) > 0 && next.Instrs[0].Op == ir.OpInterruptCheck
}
