package lower

import (
	"math/rand"
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

// TestCSETable runs random scoped pushes, lookups and pops on the CSE
// table against a stack of maps, through several growths and with keys
// that differ in one field only.
func TestCSETable(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var tab cseTable
	var ref []map[cseKey]ir.Value // one map per open scope
	randKey := func() cseKey {
		k := cseKey{op: ir.Op(rng.Intn(3)), nargs: uint8(rng.Intn(4)), konst: uint64(rng.Intn(3))}
		for i := range k.args[:k.nargs] {
			k.args[i] = ir.Value(rng.Intn(20))
		}
		return k
	}
	lookupRef := func(k cseKey) (ir.Value, bool) {
		for i := len(ref) - 1; i >= 0; i-- {
			if v, ok := ref[i][k]; ok {
				return v, true
			}
		}
		return 0, false
	}
	var marks []int
	for step := range 20000 {
		switch r := rng.Intn(10); {
		case r < 2 && len(marks) < 40: // open a scope
			marks = append(marks, tab.len())
			ref = append(ref, map[cseKey]ir.Value{})
		case r < 3 && len(marks) > 0: // close one
			tab.popTo(marks[len(marks)-1])
			marks, ref = marks[:len(marks)-1], ref[:len(ref)-1]
		default:
			k := randKey()
			want, wok := lookupRef(k)
			got, gok := tab.lookup(&k)
			if gok != wok || got != want {
				t.Fatalf("step %d: lookup %+v = %d, %v; want %d, %v", step, k, got, gok, want, wok)
			}
			if !wok && len(ref) > 0 {
				v := ir.Value(step)
				tab.push(&k, v)
				ref[len(ref)-1][k] = v
			}
		}
	}
	tab.reset()
	for _, s := range tab.slots {
		if s != 0 {
			t.Fatal("reset left a slot in use")
		}
	}
}

// TestDefTable checks the SSA definition table against a map through
// growth and resets, including a reset that drops a large table.
func TestDefTable(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var tab defTable
	for round, n := range []int{10, 3000, 50, maxKeptDefs + 10, 100} {
		tab.reset(n)
		ref := map[uint64]ir.Value{}
		for range 4 * n {
			k := uint64(rng.Intn(n))<<32 | uint64(rng.Intn(8))
			if rng.Intn(2) == 0 {
				v := ir.Value(rng.Uint32())
				tab.set(k, v)
				ref[k] = v
			}
			got, ok := tab.get(k)
			want, wok := ref[k]
			if ok != wok || got != want {
				t.Fatalf("round %d: get(%#x) = %d, %v; want %d, %v", round, k, got, ok, want, wok)
			}
		}
		if tab.n != len(ref) {
			t.Fatalf("round %d: %d entries, want %d", round, tab.n, len(ref))
		}
	}
}

// TestArenaInstrLists fills block lists in an interleaved order, as
// lowering does when it switches blocks, and checks every list and that
// appending to a finished list never writes into another.
func TestArenaInstrLists(t *testing.T) {
	var a arena
	for _, recycle := range []bool{false, true} {
		a.recycle = recycle
		for round := range 3 {
			a.reset(64)
			instrs := make([]*ir.Instr, 300)
			for i := range instrs {
				instrs[i] = &ir.Instr{Index: uint32(i)}
			}
			lists := make([][]*ir.Instr, 5)
			want := make([][]*ir.Instr, 5)
			for i, in := range instrs {
				b := (i / 7) % 5 // runs of 7 into one list, then the next
				if round == 2 {
					b = i % 5 // every append switches lists
				}
				lists[b] = a.appendInstr(lists[b], in)
				want[b] = append(want[b], in)
			}
			for b := range lists {
				lists[b] = append(lists[b], &ir.Instr{}) // must reallocate
			}
			for b := range lists {
				if !slices.Equal(lists[b][:len(want[b])], want[b]) {
					t.Fatalf("recycle %v, round %d: list %d differs", recycle, round, b)
				}
			}
		}
	}
}
