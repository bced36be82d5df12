package lower

import (
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// A tripCount describes a loop's exit test: after iteration k the loop
// goes on only while pred(T0 + step·k, bound) holds (i32 arithmetic),
// where T0 is counter's value in iteration 0.
type tripCount struct {
	counter *affine
	step    *affine // of invariants; nonzero
	bound   *affine
	pred    cmpPred
	signed  bool
}

// cmpPred is a comparison T pred B.
type cmpPred uint8

const (
	predNE cmpPred = iota
	predEQ
	predLT
	predLE
	predGT
	predGE
)

// swapped is the predicate with its operands exchanged (B pred' T).
func (p cmpPred) swapped() cmpPred {
	return [...]cmpPred{predNE, predEQ, predGT, predGE, predLT, predLE}[p]
}

// negated is the predicate that holds exactly when p does not.
func (p cmpPred) negated() cmpPred {
	return [...]cmpPred{predEQ, predNE, predGE, predGT, predLE, predLT}[p]
}

// i32Compares maps the i32 comparisons to their predicate and signedness.
var i32Compares = map[ir.Op]struct {
	pred   cmpPred
	signed bool
}{
	ir.Op(wasm.OpI32Eq): {predEQ, false}, ir.Op(wasm.OpI32Ne): {predNE, false},
	ir.Op(wasm.OpI32LtS): {predLT, true}, ir.Op(wasm.OpI32LtU): {predLT, false},
	ir.Op(wasm.OpI32LeS): {predLE, true}, ir.Op(wasm.OpI32LeU): {predLE, false},
	ir.Op(wasm.OpI32GtS): {predGT, true}, ir.Op(wasm.OpI32GtU): {predGT, false},
	ir.Op(wasm.OpI32GeS): {predGE, true}, ir.Op(wasm.OpI32GeU): {predGE, false},
}

// tripCount analyses the latch condition cond (the loop continues when
// cond != 0 if continueOnTrue, when cond == 0 otherwise).
func (lv *loopValues) tripCount(cond ir.Value, continueOnTrue bool) (tripCount, bool) {
	var t tripCount
	// eqz(c) of a comparison c is c negated.
	for {
		in := lv.defInstr[cond]
		if in == nil || lv.invariant(cond) || in.Op != ir.Op(wasm.OpI32Eqz) {
			break
		}
		inner := lv.defInstr[in.Args[0]]
		if _, ok := i32Compares[opOf(inner)]; !ok && opOf(inner) != ir.Op(wasm.OpI32Eqz) {
			break
		}
		cond, continueOnTrue = in.Args[0], !continueOnTrue
	}
	x, y, hasY := cond, ir.Value(0), false
	t.pred = predNE // brif x: continue while x != 0
	if in := lv.defInstr[cond]; in != nil && !lv.invariant(cond) {
		if in.Op == ir.Op(wasm.OpI32Eqz) {
			x, t.pred = in.Args[0], predEQ
		} else if c, ok := i32Compares[in.Op]; ok {
			x, y, hasY, t.pred, t.signed = in.Args[0], in.Args[1], true, c.pred, c.signed
		}
	}
	ax, ok := lv.affineOf(x)
	if !ok {
		return t, false
	}
	ay := &affine{}
	if hasY {
		if ay, ok = lv.affineOf(y); !ok {
			return t, false
		}
	}
	sx, ok1 := lv.stride(ax)
	sy, ok2 := lv.stride(ay)
	if !ok1 || !ok2 {
		return t, false
	}
	zero := func(a *affine) bool { c, ok := a.constant(); return ok && c == 0 }
	switch {
	case !zero(sx) && zero(sy):
		t.counter, t.step, t.bound = ax, sx, ay
	case !zero(sy) && zero(sx):
		t.counter, t.step, t.bound, t.pred = ay, sy, ax, t.pred.swapped()
	default:
		return t, false
	}
	if !continueOnTrue {
		t.pred = t.pred.negated()
	}
	// The step must go towards the bound: a constant one is checked here,
	// a variable one by the guard (see tripBound).
	c, constStep := t.step.constant()
	switch t.pred {
	case predNE:
		if !constStep {
			return t, false
		}
	case predLT, predLE:
		if constStep && c < 0 {
			return t, false
		}
	case predGT, predGE:
		if constStep && c > 0 {
			return t, false
		}
	default: // eq: at most two iterations; not worth versioning
		return t, false
	}
	return t, true
}

// opOf is in's op, or 0 for no instruction.
func opOf(in *ir.Instr) ir.Op {
	if in == nil {
		return 0
	}
	return in.Op
}
