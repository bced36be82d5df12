package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// An affine is an i32 value of one loop iteration written as
// c + Σ k·v (mod 2^32), where each v is either a loop-invariant value
// or a header parameter of the loop (whose value changes per iteration).
type affine struct {
	c     uint32
	terms []affineTerm // sorted by value, no zero coefficients
}

type affineTerm struct {
	v ir.Value
	k uint32
}

func (a *affine) add(b *affine, scale uint32) *affine {
	out := &affine{c: a.c + scale*b.c, terms: slices.Clone(a.terms)}
	for _, t := range b.terms {
		i, found := slices.BinarySearchFunc(out.terms, t.v, func(x affineTerm, v ir.Value) int { return int(x.v) - int(v) })
		switch {
		case !found:
			out.terms = slices.Insert(out.terms, i, affineTerm{t.v, scale * t.k})
		default:
			out.terms[i].k += scale * t.k
		}
	}
	out.terms = slices.DeleteFunc(out.terms, func(t affineTerm) bool { return t.k == 0 })
	return out
}

func (a *affine) scale(k uint32) *affine {
	return (&affine{}).add(a, k)
}

// loopValues describes the values of one function relative to a loop:
// where each value is defined and, for the loop's header parameters
// that are induction variables, their step per iteration (an affine of
// invariants only: a constant, or a value such as a row length).
type loopValues struct {
	f        *ir.Func
	l        *natLoop
	defBlock []*ir.Block // nil: not defined in any block (unused value)
	defInstr []*ir.Instr // nil for block parameters
	step     map[ir.Value]*affine
	memo     map[ir.Value]*affine
	failed   map[ir.Value]bool
}

func newLoopValues(f *ir.Func, l *natLoop, defBlock []*ir.Block, defInstr []*ir.Instr) *loopValues {
	return &loopValues{f: f, l: l, defBlock: defBlock, defInstr: defInstr,
		step: map[ir.Value]*affine{}, memo: map[ir.Value]*affine{}, failed: map[ir.Value]bool{}}
}

// definitions records the defining block and instruction of every value.
func definitions(f *ir.Func) ([]*ir.Block, []*ir.Instr) {
	blocks := make([]*ir.Block, len(f.Types))
	instrs := make([]*ir.Instr, len(f.Types))
	for _, b := range f.Blocks {
		for _, p := range b.Params {
			blocks[p] = b
		}
		for _, in := range b.Instrs {
			for _, r := range in.Results {
				blocks[r], instrs[r] = b, in
			}
		}
	}
	return blocks, instrs
}

// invariant reports whether v is defined outside the loop.
func (lv *loopValues) invariant(v ir.Value) bool {
	return lv.defBlock[v] != nil && !lv.l.in[lv.defBlock[v]]
}

var (
	opI32Add   = ir.Op(wasm.OpI32Add)
	opI32Sub   = ir.Op(wasm.OpI32Sub)
	opI32Mul   = ir.Op(wasm.OpI32Mul)
	opI32Shl   = ir.Op(wasm.OpI32Shl)
	opI32Const = ir.Op(wasm.OpI32Const)
)

// constOf returns the value of an i32 constant.
func (lv *loopValues) constOf(v ir.Value) (uint32, bool) {
	if in := lv.defInstr[v]; in != nil && in.Op == opI32Const {
		return uint32(in.Const), true
	}
	return 0, false
}

// affineOf writes v, an i32 value of the current iteration, as an affine
// function of invariants and header parameters, or reports false. Header
// parameters count as terms whether or not they are induction variables;
// stride checks that they are.
func (lv *loopValues) affineOf(v ir.Value) (*affine, bool) {
	if a, ok := lv.memo[v]; ok {
		return a, true
	}
	if lv.failed[v] || lv.f.Types[v] != ir.I32 || lv.defBlock[v] == nil {
		return nil, false
	}
	a := lv.computeAffine(v)
	if a == nil {
		lv.failed[v] = true
		return nil, false
	}
	lv.memo[v] = a
	return a, true
}

func (lv *loopValues) computeAffine(v ir.Value) *affine {
	if c, ok := lv.constOf(v); ok {
		return &affine{c: c}
	}
	in := lv.defInstr[v]
	term := &affine{terms: []affineTerm{{v, 1}}}
	if in == nil {
		if lv.invariant(v) || lv.defBlock[v] == lv.l.header {
			return term
		}
		return nil // a parameter of a block inside the loop: a merge
	}
	a := lv.combine(in)
	if a == nil && lv.invariant(v) {
		// An invariant that is no sum of others (a load, a call result)
		// stands for itself. One that is, like the field addresses
		// p+8, p+16 computed before the loop, is split so that checks
		// of one object share a range.
		return term
	}
	return a
}

// combine writes the result of in (add, sub, or a multiplication or
// shift by a constant) as an affine; nil for other operations.
func (lv *loopValues) combine(in *ir.Instr) *affine {
	operands := func() (*affine, *affine) {
		x, ok1 := lv.affineOf(in.Args[0])
		y, ok2 := lv.affineOf(in.Args[1])
		if !ok1 || !ok2 {
			return nil, nil
		}
		return x, y
	}
	switch in.Op {
	case opI32Add:
		if x, y := operands(); x != nil {
			return x.add(y, 1)
		}
	case opI32Sub:
		if x, y := operands(); x != nil {
			return x.add(y, ^uint32(0))
		}
	case opI32Mul:
		if x, y := operands(); x != nil {
			switch {
			case len(y.terms) == 0:
				return x.scale(y.c)
			case len(x.terms) == 0:
				return y.scale(x.c)
			}
		}
	case opI32Shl:
		if x, y := operands(); x != nil && len(y.terms) == 0 {
			return x.scale(1 << (y.c & 31))
		}
	}
	return nil
}

// stride returns how much a changes from one iteration to the next, an
// affine of invariants, or false if a depends on a header parameter that
// is not an induction variable.
func (lv *loopValues) stride(a *affine) (*affine, bool) {
	s := &affine{}
	for _, t := range a.terms {
		if lv.invariant(t.v) {
			continue
		}
		step, ok := lv.step[t.v]
		if !ok {
			return nil, false
		}
		s = s.add(step, t.k)
	}
	return s, true
}

// constant reports whether a has no variable terms, and its constant
// part as a signed number.
func (a *affine) constant() (int64, bool) {
	return int64(int32(a.c)), len(a.terms) == 0
}

func (a *affine) equal(b *affine) bool {
	return a.c == b.c && slices.Equal(a.terms, b.terms)
}

// findInductionVars records the header parameters whose back-edge
// argument is the parameter plus an affine of invariants.
func (lv *loopValues) findInductionVars(back *ir.BlockCall) {
	for i, p := range lv.l.header.Params {
		if lv.f.Types[p] != ir.I32 {
			continue
		}
		a, ok := lv.affineOf(back.Args[i])
		if !ok {
			continue
		}
		step := a.add(&affine{terms: []affineTerm{{p, 1}}}, ^uint32(0))
		invariant := true
		for _, t := range step.terms {
			invariant = invariant && lv.invariant(t.v)
		}
		if invariant {
			lv.step[p] = step
		}
	}
}
