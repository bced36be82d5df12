package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// A guardBuilder emits, at the end of the preheader b, the test that the
// fast copy of a loop may run.
type guardBuilder struct {
	f       *ir.Func
	b       *ir.Block
	lv      *loopValues
	lengths map[uint32]ir.Value // memory → byte length (i64)
}

func (g *guardBuilder) add(op ir.Op, t ir.Type, args ...ir.Value) ir.Value {
	r := g.f.NewValue(t)
	g.b.Instrs = append(g.b.Instrs, &ir.Instr{Op: op, Results: []ir.Value{r}, Args: args})
	return r
}

func (g *guardBuilder) i32(c uint32) ir.Value {
	r := g.add(opI32Const, ir.I32)
	g.b.Instrs[len(g.b.Instrs)-1].Const = uint64(c)
	return r
}

func (g *guardBuilder) i64(c int64) ir.Value {
	r := g.add(opI64Const, ir.I64)
	g.b.Instrs[len(g.b.Instrs)-1].Const = uint64(c)
	return r
}

// materialize computes a's value in iteration 0, with the preheader's
// parameters standing for the header's.
func (g *guardBuilder) materialize(a *affine) ir.Value {
	var acc ir.Value
	have := false
	sum := func(v ir.Value) {
		if have {
			acc = g.add(opI32Add, ir.I32, acc, v)
		} else {
			acc, have = v, true
		}
	}
	for _, t := range a.terms {
		v := t.v
		if !g.lv.invariant(v) {
			for i, hp := range g.lv.l.header.Params {
				if hp == v {
					v = g.b.Params[i]
				}
			}
		}
		if t.k != 1 {
			v = g.add(opI32Mul, ir.I32, v, g.i32(t.k))
		}
		sum(v)
	}
	if a.c != 0 || !have {
		sum(g.i32(a.c))
	}
	return acc
}

// length returns memory mem's byte length as an i64.
func (g *guardBuilder) length(mem uint32) ir.Value {
	if v, ok := g.lengths[mem]; ok {
		return v
	}
	pages := g.f.NewValue(ir.I32)
	g.b.Instrs = append(g.b.Instrs, &ir.Instr{Op: ir.OpMemorySize, Index: mem, Results: []ir.Value{pages}})
	v := g.add(opI64Shl, ir.I64, g.add(opI64ExtendI32U, ir.I64, pages), g.i64(16))
	g.lengths[mem] = v
	return v
}

// tripBound returns K, the largest iteration number the loop can reach
// (i64), and a condition (i32; noValue if always true) under which that
// bound holds: the counter does not wrap before the exit test fails.
func (g *guardBuilder) tripBound(t tripCount) (k, ok ir.Value) {
	s, b := g.materialize(t.counter), g.materialize(t.bound)
	if t.pred == predNE {
		// The smallest k with s + step·k = b (mod 2^32): the distance,
		// if the step divides it; it cannot be smaller, since the
		// distance is below 2^32.
		c, _ := t.step.constant()
		m := max(c, -c)
		var d ir.Value
		if c > 0 {
			d = g.add(opI32Sub, ir.I32, b, s)
		} else {
			d = g.add(opI32Sub, ir.I32, s, b)
		}
		dz := g.add(opI64ExtendI32U, ir.I64, d)
		if m == 1 {
			return dz, noValue
		}
		ok = g.add(opI64Eqz, ir.I32, g.add(opI64RemU, ir.I64, dz, g.i64(m)))
		return g.add(opI64DivU, ir.I64, dz, g.i64(m)), ok
	}
	up := t.pred == predLT || t.pred == predLE
	ok = noValue
	// m is the step's magnitude (i64, >= 1). A variable step must have
	// the right sign at run time; the division then uses 1 instead of a
	// wrong m, so it never divides by zero.
	var m ir.Value
	c, constStep := t.step.constant()
	if constStep {
		m = g.i64(max(c, -c))
	} else {
		sv := g.add(opI64ExtendI32S, ir.I64, g.materialize(t.step))
		if !up {
			sv = g.add(opI64Sub, ir.I64, g.i64(0), sv)
		}
		zero := g.i64(0)
		ok = g.add(opI64GtS, ir.I32, sv, zero)
		m = g.add(ir.OpSelect, ir.I64, sv, g.i64(1), ok)
	}
	and := func(c ir.Value) {
		if ok == noValue {
			ok = c
		} else {
			ok = g.add(opI32And, ir.I32, ok, c)
		}
	}
	ext, lo, hi := opI64ExtendI32U, int64(0), int64(1)<<32
	if t.signed {
		ext, lo, hi = opI64ExtendI32S, -(int64(1) << 31), int64(1)<<31
	}
	sx, bx := g.add(ext, ir.I64, s), g.add(ext, ir.I64, b)
	var dist ir.Value
	if up {
		if t.pred == predLE { // T <= B is T < B+1
			bx = g.add(opI64Add, ir.I64, bx, g.i64(1))
		}
		// Iterations go on while T < bx; the last T is below bx+m, so
		// nothing wraps if bx+m <= hi.
		and(g.add(opI64LeS, ir.I32, g.add(opI64Add, ir.I64, bx, m), g.i64(hi)))
		dist = g.add(opI64Sub, ir.I64, bx, sx)
	} else {
		if t.pred == predGE { // T >= B is T > B-1
			bx = g.add(opI64Sub, ir.I64, bx, g.i64(1))
		}
		// Likewise the last T is above bx-m: nothing wraps if
		// bx-m+1 >= lo.
		and(g.add(opI64GeS, ir.I32, g.add(opI64Add, ir.I64, g.add(opI64Sub, ir.I64, bx, m), g.i64(1)), g.i64(lo)))
		dist = g.add(opI64Sub, ir.I64, sx, bx)
	}
	// K = ceil(max(dist, 0) / m)
	zero := g.i64(0)
	pos := g.add(ir.OpSelect, ir.I64, dist, zero, g.add(opI64GtS, ir.I32, dist, zero))
	if constStep && max(c, -c) == 1 {
		return pos, ok
	}
	var mMinus1 ir.Value
	if constStep {
		mMinus1 = g.i64(max(c, -c) - 1)
	} else {
		mMinus1 = g.add(opI64Sub, ir.I64, m, g.i64(1))
	}
	k = g.add(opI64DivU, ir.I64, g.add(opI64Add, ir.I64, pos, mMinus1), m)
	return k, ok
}

// A checkRange is a set of hoisted checks that differ only in the
// constant part of their address and in their extent: fields of one
// struct, elements of an unrolled iteration. One test covers them all:
// the addresses from base+lo up to base+hi (exclusive, extents included)
// with base the address's variable part, lo and hi signed.
type checkRange struct {
	mem        uint32
	stride     *affine
	beforeLast bool
	terms      []affineTerm
	lo, hi     int64
}

// checkRanges groups the hoisted checks of p.
func checkRanges(p *versionPlan) []*checkRange {
	var out []*checkRange
	for _, h := range p.checks {
		c := int64(int32(h.addr.c))
		end := c + int64(h.in.Const)
		var r *checkRange
		for _, x := range out {
			if x.mem == h.in.Index && x.stride.equal(h.stride) && x.beforeLast == h.beforeLast && slices.Equal(x.terms, h.addr.terms) {
				r = x
				break
			}
		}
		if r == nil {
			out = append(out, &checkRange{mem: h.in.Index, stride: h.stride, beforeLast: h.beforeLast, terms: h.addr.terms, lo: c, hi: end})
			continue
		}
		r.lo, r.hi = min(r.lo, c), max(r.hi, end)
	}
	return out
}

// emit writes the guard of plan p and returns it (i32: nonzero when the
// fast copy may run) with K, the trip bound it rests on (i64; meaningful
// only where the guard holds). For a range of checks, with a0 = zext(base+lo)
// (mod 2^32) and span = hi-lo: a0+span <= length and, at the last
// iteration, a0+S·K+span <= length (S > 0) or a0+S·K >= 0 (S < 0).
// Each check's address is a0 plus at most span-extent, so it cannot wrap
// either.
func (g *guardBuilder) emit(p *versionPlan) (ok, k ir.Value) {
	k, ok = g.tripBound(p.trip)
	and := func(c ir.Value) {
		if ok == noValue {
			ok = c
		} else {
			ok = g.add(opI32And, ir.I32, ok, c)
		}
	}
	kBody := noValue // K-1, made on first use
	for _, r := range checkRanges(p) {
		length := g.length(r.mem)
		a0 := g.add(opI64ExtendI32U, ir.I64, g.materialize(&affine{c: uint32(r.lo), terms: r.terms}))
		span := g.i64(r.hi - r.lo)
		and(g.add(opI64LeU, ir.I32, g.add(opI64Add, ir.I64, a0, span), length))
		stride, constStride := r.stride.constant()
		if constStride && stride == 0 {
			continue
		}
		last := k
		if r.beforeLast {
			if kBody == noValue {
				kBody = g.add(opI64Sub, ir.I64, k, g.i64(1))
			}
			// K-1 is -1 when the body never runs; the tests below are
			// then stricter than needed, which is sound.
			last = kBody
		}
		var sv ir.Value
		if constStride {
			sv = g.i64(stride)
		} else {
			// |S| <= 2^30 keeps S·K within an int64 (K <= 2^32).
			sv = g.add(opI64ExtendI32S, ir.I64, g.materialize(r.stride))
			and(g.add(opI64LeU, ir.I32, g.add(opI64Add, ir.I64, sv, g.i64(1<<30)), g.i64(1<<31)))
		}
		end := g.add(opI64Add, ir.I64, a0, g.add(opI64Mul, ir.I64, last, sv))
		if !constStride || stride > 0 {
			and(g.add(opI64LeS, ir.I32, g.add(opI64Add, ir.I64, end, span), length))
		}
		if !constStride || stride < 0 {
			and(g.add(opI64GeS, ir.I32, end, g.i64(0)))
		}
	}
	return ok, k
}
