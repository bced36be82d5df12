package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// SSA construction for wasm locals, after Braun et al., "Simple and
// Efficient Construction of Static Single Assignment Form" (CC 2013), with
// block parameters in place of phis. Each block records the current value
// of every local it wrote or read. A read in a block without a definition
// looks through the unique predecessor, or adds a block parameter and asks
// every predecessor for the argument. A block is sealed once all its
// predecessors are known (loop headers at the loop's end, join blocks at
// their end); reads in an unsealed block create parameters whose arguments
// are filled in when it is sealed. Redundant parameters (all arguments
// equal) are left for the copy-propagation pass.

// noValue marks "no definition yet".
const noValue = ^ir.Value(0)

type blockState struct {
	gen        uint32      // the lowerer's generation this state belongs to
	preds      []*ir.Block // unique predecessors
	sealed     bool
	incomplete []pendingParam // parameters added before sealing
}

type pendingParam struct {
	local uint32
	param ir.Value
}

// state returns b's state, fresh on first use in this function; states
// kept from an earlier function (a reused lowerer) are cleared then, and
// keep only their lists' storage.
func (l *funcLowerer) state(b *ir.Block) *blockState {
	if b.ID >= len(l.blocks) {
		l.blocks = append(l.blocks, make([]*blockState, b.ID+1-len(l.blocks))...)
	}
	s := l.blocks[b.ID]
	if s == nil {
		s = &blockState{gen: l.gen}
		l.blocks[b.ID] = s
	} else if s.gen != l.gen {
		*s = blockState{gen: l.gen, preds: s.preds[:0], incomplete: s.incomplete[:0]}
	}
	return s
}

// defKey is the key of local's definition in block b in l.defs.
func defKey(b *ir.Block, local uint32) uint64 { return uint64(b.ID)<<32 | uint64(local) }

func (l *funcLowerer) setDef(b *ir.Block, local uint32, v ir.Value) {
	l.defs.set(defKey(b, local), v)
}

func (l *funcLowerer) writeLocal(local uint32, v ir.Value) {
	l.setDef(l.cur, local, v)
}

func (l *funcLowerer) readLocal(local uint32) ir.Value {
	return l.readLocalIn(local, l.cur)
}

func (l *funcLowerer) readLocalIn(local uint32, b *ir.Block) ir.Value {
	// Walk single-predecessor chains iteratively; recursion only at joins.
	var chain []*ir.Block
	v := noValue
	for {
		if d, ok := l.defs.get(defKey(b, local)); ok {
			v = d
			break
		}
		s := l.state(b)
		if !s.sealed {
			v = l.addParam(b, local)
			s.incomplete = append(s.incomplete, pendingParam{local, v})
			break
		}
		if len(s.preds) == 1 {
			chain = append(chain, b)
			b = s.preds[0]
			continue
		}
		if len(s.preds) == 0 { // the entry block: a declared local starts at zero
			v = l.zeroLocal(local)
			break
		}
		v = l.addParam(b, local)
		l.fillParam(b, local)
		break
	}
	for _, c := range chain {
		l.setDef(c, local, v)
	}
	return v
}

// addParam appends a parameter for local to b and makes it b's definition.
func (l *funcLowerer) addParam(b *ir.Block, local uint32) ir.Value {
	p := l.f.NewValue(l.localTypes[local])
	b.Params = append(b.Params, p)
	l.setDef(b, local, p)
	return p
}

// fillParam appends, on every edge into b, the value of local at the end
// of the edge's source block. The parameter just added is b's last.
func (l *funcLowerer) fillParam(b *ir.Block, local uint32) {
	for _, pred := range l.state(b).preds {
		v := l.readLocalIn(local, pred)
		for _, e := range pred.Succs() {
			if e.Block == b {
				e.Args = append(e.Args, v)
			}
		}
	}
}

// seal records that all predecessors of b are known and completes the
// parameters added while they were not.
func (l *funcLowerer) seal(b *ir.Block) {
	s := l.state(b)
	if s.sealed {
		return
	}
	s.sealed = true
	// Pending parameters were appended in order after any the block had
	// when created, so appending their arguments in the same order lines
	// every edge up with the parameter list.
	for _, p := range s.incomplete {
		for _, pred := range s.preds {
			v := l.readLocalIn(p.local, pred)
			for _, e := range pred.Succs() {
				if e.Block == b {
					e.Args = append(e.Args, v)
				}
			}
		}
	}
	s.incomplete = nil
}

// zeroLocal defines local as its type's zero value at the top of the
// entry block.
func (l *funcLowerer) zeroLocal(local uint32) ir.Value {
	t := l.localTypes[local]
	v := l.f.NewValue(t)
	in := l.a.instr(ir.Instr{Op: zeroOp(t), Type: t, Results: l.a.list(v)})
	entry := l.f.Blocks[0]
	entry.Instrs = slices.Insert(entry.Instrs, 0, in)
	l.setDef(entry, local, v)
	return v
}

// addEdges records cur as a predecessor of each distinct successor.
func (l *funcLowerer) addEdges(from *ir.Block, succs []*ir.BlockCall) {
	for _, s := range succs {
		st := l.state(s.Block)
		if !slices.Contains(st.preds, from) {
			st.preds = append(st.preds, from)
		}
	}
}

// defTable maps defKeys to values: an open-addressing hash table with
// linear probing (a multiplicative hash of the key; at most half full),
// which SSA construction probes for every local read and write. Entries
// are never removed one by one: reset empties the table by starting a
// new generation, so a slot is in use only if it carries the current one.
type defTable struct {
	keys []uint64
	vals []ir.Value
	gens []uint32 // the generation that filled each slot
	gen  uint32
	n    int
}

// maxKeptDefs bounds the entries of a table reset keeps for the next
// function (a larger one is dropped rather than held by the worker).
const maxKeptDefs = 1 << 16

// reset empties the table for a function whose body is size bytes long,
// sized for it up front (it holds about one entry per body byte in large
// functions; growing by doubling rehashed every entry several times).
func (t *defTable) reset(size int) {
	if t.n > maxKeptDefs {
		*t = defTable{}
	}
	if want := min(max(2*size, 64), 2*maxKeptDefs); len(t.keys) < want {
		n := 64
		for n < want {
			n *= 2
		}
		t.keys, t.vals, t.gens = make([]uint64, n), make([]ir.Value, n), make([]uint32, n)
		t.gen, t.n = 1, 0
		return
	}
	t.n = 0
	t.gen++
	if t.gen == 0 { // wrapped: old stamps could pass for current ones
		clear(t.gens)
		t.gen = 1
	}
}

// slot returns the slot of key k, or the free slot where it would go.
func (t *defTable) slot(k uint64) int {
	mask := len(t.keys) - 1
	h := k * 0x9e3779b97f4a7c15
	for i := int(h>>32) & mask; ; i = (i + 1) & mask {
		if t.gens[i] != t.gen || t.keys[i] == k {
			return i
		}
	}
}

func (t *defTable) get(k uint64) (ir.Value, bool) {
	if t.n == 0 {
		return 0, false
	}
	if i := t.slot(k); t.gens[i] == t.gen {
		return t.vals[i], true
	}
	return 0, false
}

func (t *defTable) set(k uint64, v ir.Value) {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	i := t.slot(k)
	if t.gens[i] != t.gen {
		t.keys[i], t.gens[i] = k, t.gen
		t.n++
	}
	t.vals[i] = v
}

func (t *defTable) grow() {
	keys, vals, gens, gen := t.keys, t.vals, t.gens, t.gen
	n := max(64, 2*len(keys))
	t.keys, t.vals, t.gens = make([]uint64, n), make([]ir.Value, n), make([]uint32, n)
	if t.gen == 0 {
		t.gen = 1
	}
	for i, k := range keys {
		if gens[i] == gen && gen != 0 {
			j := t.slot(k)
			t.keys[j], t.vals[j], t.gens[j] = k, vals[i], t.gen
		}
	}
}
