package lower

import (
	"slices"
	"testing"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// TestIncomingEdges compares the flat edge index with a map built edge by
// edge, on a function with sparse block IDs, a block with two edges from
// one switch, and an unreferenced block; and again after reuse on a
// smaller function, so that stale counts would show.
func TestIncomingEdges(t *testing.T) {
	b := func(id int) *ir.Block { return &ir.Block{ID: id} }
	b0, b3, b7, b9 := b(0), b(3), b(7), b(9)
	jump := func(from *ir.Block, op ir.Op, to ...*ir.Block) {
		in := &ir.Instr{Op: op}
		for _, t := range to {
			in.Succs = append(in.Succs, &ir.BlockCall{Block: t})
		}
		from.Instrs = append(from.Instrs, in)
	}
	jump(b0, ir.OpSwitch, b3, b7, b3)
	jump(b3, ir.OpJump, b7)
	jump(b7, ir.OpBrIf, b3, b0)
	jump(b9, ir.OpReturn)
	big := &ir.Func{Blocks: []*ir.Block{b0, b3, b7, b9}}
	small := &ir.Func{Blocks: []*ir.Block{b(0), b(1)}}
	jump(small.Blocks[0], ir.OpJump, small.Blocks[1])
	jump(small.Blocks[1], ir.OpReturn)

	var s scratch
	for _, f := range []*ir.Func{big, small, big} {
		want := map[*ir.Block][]*ir.BlockCall{}
		for _, b := range f.Blocks {
			for _, e := range b.Succs() {
				want[e.Block] = append(want[e.Block], e)
			}
		}
		idx := s.incomingEdges(f)
		for _, b := range f.Blocks {
			if got := idx.to(b); !slices.Equal(got, want[b]) {
				t.Errorf("b%d of a %d-block function: %d edges in, want %d", b.ID, len(f.Blocks), len(got), len(want[b]))
			}
		}
	}
}

// TestArenaListsCapped checks that appending to a list the arena handed
// out never writes into the next one.
func TestArenaListsCapped(t *testing.T) {
	var a arena
	a.reset(100)
	x := a.list(1, 2)
	y := a.list(3, 4)
	x = append(x, 5)
	if !slices.Equal(y, []ir.Value{3, 4}) || !slices.Equal(x, []ir.Value{1, 2, 5}) {
		t.Fatalf("x = %v, y = %v", x, y)
	}
	if a.values(0) != nil {
		t.Error("an empty list is not nil")
	}
}
