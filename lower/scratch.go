package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// scratch is the working storage of the passes. A worker keeps one from
// function to function, so a pass takes its tables from here instead of
// allocating them for every function; each field has one user at a time
// (named in its comment) and is sized and cleared for the function at
// hand when taken. Buffers are as large as the largest function seen,
// which lowering already held in memory.
type scratch struct {
	subst  substitution // copyprop, constfold, cse
	instrs []*ir.Instr  // constfold: constants; dce: definitions
	params []paramRef   // dce: parameter definitions
	flags  []bool       // dce: liveness; boundscheck: constants
	words  []uint64     // boundscheck: constant values
	work   []ir.Value   // dce: work list
	edges  edgeIndex    // copyprop, dce
	cse    cseTable     // cse: the available computations
	cfg    ir.CFG       // storage of each function\'s first CFG (passContext.spare)
}

// take returns *buf resized to n zeroed elements, reusing its storage.
func take[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	} else {
		*buf = (*buf)[:n]
		clear(*buf)
	}
	return *buf
}

// maxKeptMap is the size up to which a scratch table is cleared for
// reuse rather than dropped (clearing costs the table's capacity).
const maxKeptMap = 1 << 12

// substitution returns the identity substitution over f's values.
func (s *scratch) substitution(f *ir.Func) substitution {
	sub := take((*[]ir.Value)(&s.subst), len(f.Types))
	for i := range sub {
		sub[i] = noValue
	}
	return sub
}

// paramRef names parameter i of block b.
type paramRef struct {
	b *ir.Block
	i int
}

// edgeIndex lists the edges into each block: the edges into the block
// with ID id are edges[start[id]:start[id+1]], in the order of the blocks
// and successors they leave from.
type edgeIndex struct {
	start []int32
	edges []*ir.BlockCall
}

// to returns the edges into b.
func (e *edgeIndex) to(b *ir.Block) []*ir.BlockCall {
	if b.ID < 0 || b.ID+1 >= len(e.start) {
		return nil
	}
	return e.edges[e.start[b.ID]:e.start[b.ID+1]]
}

// incomingEdges indexes the edges into each block of f.
func (s *scratch) incomingEdges(f *ir.Func) *edgeIndex {
	e := &s.edges
	maxID, n := 0, 0
	for _, b := range f.Blocks {
		maxID = max(maxID, b.ID)
		for _, sc := range b.Succs() {
			maxID = max(maxID, sc.Block.ID)
			n++
		}
	}
	start := take(&e.start, maxID+2)
	for _, b := range f.Blocks {
		for _, sc := range b.Succs() {
			start[sc.Block.ID+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	edges := take(&e.edges, n)
	// Fill from the back of each range so that start ends up where it
	// began: start[id] counts down to the first edge into id.
	for bi := len(f.Blocks) - 1; bi >= 0; bi-- {
		succs := f.Blocks[bi].Succs()
		for k := len(succs) - 1; k >= 0; k-- {
			id := succs[k].Block.ID
			start[id+1]--
			edges[start[id+1]] = succs[k]
		}
	}
	// Now start[id+1] is the first edge into id: shift down by one.
	copy(start, start[1:])
	start[len(start)-1] = int32(n)
	return e
}
