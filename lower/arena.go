package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// arena hands out the IR of one function in chunks instead of one
// allocation per instruction, edge and operand list. Lists are capped at
// their length (s[i:j:j]), so a pass that appends to one reallocates it
// and never writes over its neighbour. A chunk lives as long as anything
// in it is referenced; reset drops the arena's hold on the chunks of the
// previous function, so it never hands out memory of another function —
// unless recycle is set: then reset hands those chunks out again, and
// the previous function's IR must no longer be in use (see Stream).
type arena struct {
	instrs  chunks[ir.Instr]
	edges   chunks[ir.BlockCall]
	vals    chunks[ir.Value]
	lists   chunks[*ir.Instr] // blocks' instruction lists
	next    int               // instructions in the next new chunk
	recycle bool
}

const (
	minChunk = 16   // instructions per chunk at least
	maxChunk = 4096 // instructions in a function's first chunk at most
	valChunk = 1024 // values per chunk of operand lists
)

// chunks are the chunks of one element type: cur is being filled; when
// recycling, full holds the ones filled before it and free the ones the
// previous function used.
type chunks[T any] struct {
	cur        []T
	full, free [][]T
}

// room makes cur hold at least n more elements: the next free chunk
// large enough, else a new one of size elements (n if more).
func (c *chunks[T]) room(n, size int, recycle bool) {
	if cap(c.cur)-len(c.cur) >= n {
		return
	}
	if recycle && c.cur != nil {
		c.full = append(c.full, c.cur)
	}
	for len(c.free) > 0 {
		k := c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
		if cap(k) >= n {
			c.cur = k[:0]
			return
		}
	}
	c.cur = make([]T, 0, max(size, n))
}

// reset forgets every chunk, or with recycle makes them all free.
func (c *chunks[T]) reset(recycle bool) {
	if !recycle {
		*c = chunks[T]{}
		return
	}
	if c.cur != nil {
		c.full = append(c.full, c.cur)
	}
	c.free = append(c.free, c.full...)
	clear(c.full)
	c.full, c.cur = c.full[:0], nil
}

// reset starts a new function whose body is size bytes long. Lowering
// makes about one instruction per three bytes of body, so the first new
// chunk usually holds the whole function; later ones are a quarter of it.
func (a *arena) reset(size int) {
	a.instrs.reset(a.recycle)
	a.edges.reset(a.recycle)
	a.vals.reset(a.recycle)
	a.lists.reset(a.recycle)
	a.next = min(max(size/3, minChunk), maxChunk)
}

// instr returns a pointer to a copy of in.
func (a *arena) instr(in ir.Instr) *ir.Instr {
	c := &a.instrs
	if len(c.cur) == cap(c.cur) {
		c.room(1, a.next, a.recycle)
		a.next = max(a.next/4, minChunk)
	}
	c.cur = append(c.cur, in)
	return &c.cur[len(c.cur)-1]
}

// edge returns a new edge to b with arguments args.
func (a *arena) edge(b *ir.Block, args []ir.Value) *ir.BlockCall {
	c := &a.edges
	c.room(1, max(a.next/4, minChunk), a.recycle)
	c.cur = append(c.cur, ir.BlockCall{Block: b, Args: args})
	return &c.cur[len(c.cur)-1]
}

// values returns a list of n values (nil for none); its contents are
// unspecified until the caller sets them.
func (a *arena) values(n int) []ir.Value {
	if n == 0 {
		return nil
	}
	c := &a.vals
	c.room(n, valChunk, a.recycle)
	i := len(c.cur)
	c.cur = c.cur[:i+n]
	return c.cur[i : i+n : i+n]
}

// appendInstr returns list (a block's instructions) with p appended.
// The lists are runs in the arena's chunks, capped at their length: the
// run at the end of the current chunk grows in place (a block is filled
// while it is the current one, so this is the common case); any other
// list is copied to the end first.
func (a *arena) appendInstr(list []*ir.Instr, p *ir.Instr) []*ir.Instr {
	c, n := &a.lists, len(list)
	if k := len(c.cur); n > 0 && k > 0 && k < cap(c.cur) && &c.cur[k-1] == &list[n-1] {
		c.cur = append(c.cur, p)
		return c.cur[k-n : k+1 : k+1]
	}
	c.room(n+1, max(a.next/2, valChunk), a.recycle)
	start := len(c.cur)
	c.cur = append(append(c.cur, list...), p)
	return c.cur[start:len(c.cur):len(c.cur)]
}

// list returns a copy of vs in the arena.
func (a *arena) list(vs ...ir.Value) []ir.Value {
	out := a.values(len(vs))
	copy(out, vs)
	return out
}
