package ir

import (
	"slices"
	"testing"
)

// TestCFGSparseIDs checks the CFG facts for a diamond with an unreachable
// block, once with compact block IDs and once with IDs far apart (as
// parsed text may have), which takes the map-based numbering.
func TestCFGSparseIDs(t *testing.T) {
	for _, ids := range [][5]int{{0, 1, 2, 3, 4}, {7, 1 << 30, 3, 99999, 12}} {
		f := &Func{}
		var bs [5]*Block
		for i := range bs {
			bs[i] = &Block{ID: ids[i]}
			f.Blocks = append(f.Blocks, bs[i])
		}
		cond := f.NewValue(I32)
		bs[0].Instrs = []*Instr{{Op: OpBrIf, Args: []Value{cond}, Succs: []*BlockCall{{Block: bs[1]}, {Block: bs[2]}}}}
		bs[1].Instrs = []*Instr{{Op: OpJump, Succs: []*BlockCall{{Block: bs[3]}}}}
		bs[2].Instrs = []*Instr{{Op: OpJump, Succs: []*BlockCall{{Block: bs[3]}}}}
		bs[3].Instrs = []*Instr{{Op: OpReturn}}
		bs[4].Instrs = []*Instr{{Op: OpJump, Succs: []*BlockCall{{Block: bs[3]}}}} // unreachable

		c := ComputeCFG(f)
		if len(c.RPO) != 4 || c.RPO[0] != bs[0] || c.RPO[3] != bs[3] {
			t.Fatalf("ids %v: RPO has %d blocks", ids, len(c.RPO))
		}
		if c.Reachable(bs[4]) || !c.Reachable(bs[3]) {
			t.Errorf("ids %v: reachability wrong", ids)
		}
		if preds := c.Preds(bs[3]); len(preds) != 2 || !slices.Contains(preds, bs[1]) || !slices.Contains(preds, bs[2]) {
			t.Errorf("ids %v: preds of the join: %d", ids, len(preds))
		}
		if !c.Dominates(bs[0], bs[3]) || c.Dominates(bs[1], bs[3]) || !c.Dominates(bs[3], bs[3]) {
			t.Errorf("ids %v: dominance wrong", ids)
		}
		kids := c.Children()[c.Num(bs[0])]
		if len(kids) != 3 {
			t.Errorf("ids %v: the entry immediately dominates %d blocks, want 3", ids, len(kids))
		}
		if c.Num(bs[4]) != -1 {
			t.Errorf("ids %v: unreachable block numbered %d", ids, c.Num(bs[4]))
		}
		for i, b := range c.RPO {
			var want []int32
			for _, p := range c.Preds(b) {
				want = append(want, int32(c.Num(p)))
			}
			if got := c.PredNums(i); !slices.Equal(got, want) {
				t.Errorf("ids %v: PredNums(%d) = %v, want %v", ids, i, got, want)
			}
		}
	}
}

// TestCFGRepeatedEdges checks that a switch with several edges to one
// block makes it one predecessor (and the other edge another).
func TestCFGRepeatedEdges(t *testing.T) {
	f := &Func{}
	var bs [3]*Block
	for i := range bs {
		bs[i] = &Block{ID: i}
		f.Blocks = append(f.Blocks, bs[i])
	}
	x := f.NewValue(I32)
	bs[0].Instrs = []*Instr{{Op: OpSwitch, Args: []Value{x}, Succs: []*BlockCall{{Block: bs[1]}, {Block: bs[2]}, {Block: bs[1]}, {Block: bs[1]}}}}
	bs[1].Instrs = []*Instr{{Op: OpJump, Succs: []*BlockCall{{Block: bs[2]}}}}
	bs[2].Instrs = []*Instr{{Op: OpReturn}}
	c := ComputeCFG(f)
	if p := c.Preds(bs[1]); len(p) != 1 || p[0] != bs[0] {
		t.Errorf("preds of b1: %d blocks, want b0 once", len(p))
	}
	if p := c.Preds(bs[2]); len(p) != 2 {
		t.Errorf("preds of b2: %d blocks, want b0 and b1", len(p))
	}
}

// TestComputeCFGIn reuses one CFG's storage for functions of different
// shapes and sizes and compares each result with a fresh ComputeCFG.
func TestComputeCFGIn(t *testing.T) {
	chain := func(n int, back bool) *Func {
		f := &Func{}
		bs := make([]*Block, n)
		for i := range bs {
			bs[i] = &Block{ID: i}
			f.Blocks = append(f.Blocks, bs[i])
		}
		c := f.NewValue(I32)
		for i := 0; i < n-1; i++ {
			succs := []*BlockCall{{Block: bs[i+1]}}
			if back && i > 0 {
				succs = append(succs, &BlockCall{Block: bs[i/2]})
				bs[i].Instrs = []*Instr{{Op: OpBrIf, Args: []Value{c}, Succs: succs}}
				continue
			}
			bs[i].Instrs = []*Instr{{Op: OpJump, Succs: succs}}
		}
		bs[n-1].Instrs = []*Instr{{Op: OpReturn}}
		return f
	}
	var reused CFG
	for _, f := range []*Func{chain(40, true), chain(3, false), chain(100, true), chain(7, true), {}} {
		got, want := ComputeCFGIn(f, &reused), ComputeCFG(f)
		if got != &reused || !slices.Equal(got.RPO, want.RPO) {
			t.Fatalf("%d blocks: RPO differs", len(f.Blocks))
		}
		for i, b := range want.RPO {
			if !slices.Equal(got.Preds(b), want.Preds(b)) || !slices.Equal(got.PredNums(i), want.PredNums(i)) ||
				!slices.Equal(got.Children()[i], want.Children()[i]) || got.Num(b) != want.Num(b) {
				t.Errorf("%d blocks: block %d differs", len(f.Blocks), i)
			}
		}
	}
}
