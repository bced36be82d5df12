package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// arena hands out the IR of one function in chunks instead of one
// allocation per instruction, edge and operand list. Lists are capped at
// their length (s[i:j:j]), so a pass that appends to one reallocates it
// and never writes over its neighbour. A chunk lives as long as anything
// in it is referenced; the arena itself is dropped (or reset) once the
// function is lowered, so it never hands out memory of another function.
type arena struct {
	instrs []ir.Instr
	edges  []ir.BlockCall
	vals   []ir.Value
	next   int // instructions in the next chunk
}

const (
	minChunk = 16   // instructions per chunk at least
	maxChunk = 4096 // instructions in a function's first chunk at most
	valChunk = 1024 // values per chunk of operand lists
)

// reset starts a new function whose body is size bytes long. Lowering
// makes about one instruction per three bytes of body, so the first chunk
// usually holds the whole function; later ones are a quarter of it.
func (a *arena) reset(size int) {
	*a = arena{next: min(max(size/3, minChunk), maxChunk)}
}

// instr returns a pointer to a copy of in.
func (a *arena) instr(in ir.Instr) *ir.Instr {
	if len(a.instrs) == cap(a.instrs) {
		a.instrs = make([]ir.Instr, 0, a.next)
		a.next = max(a.next/4, minChunk)
	}
	a.instrs = append(a.instrs, in)
	return &a.instrs[len(a.instrs)-1]
}

// edge returns a new edge to b with arguments args.
func (a *arena) edge(b *ir.Block, args []ir.Value) *ir.BlockCall {
	if len(a.edges) == cap(a.edges) {
		a.edges = make([]ir.BlockCall, 0, max(a.next/4, minChunk))
	}
	a.edges = append(a.edges, ir.BlockCall{Block: b, Args: args})
	return &a.edges[len(a.edges)-1]
}

// values returns a list of n values (nil for none).
func (a *arena) values(n int) []ir.Value {
	if n == 0 {
		return nil
	}
	if cap(a.vals)-len(a.vals) < n {
		a.vals = make([]ir.Value, 0, max(valChunk, n))
	}
	i := len(a.vals)
	a.vals = a.vals[:i+n]
	return a.vals[i : i+n : i+n]
}

// list returns a copy of vs in the arena.
func (a *arena) list(vs ...ir.Value) []ir.Value {
	out := a.values(len(vs))
	copy(out, vs)
	return out
}
