package lower

import (
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/lower/numeric"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// constFold evaluates pure instructions whose operands are all constants
// (through lower/numeric, so folding has exactly the interpreter's
// semantics), drops trap_if on a constant zero, and turns brif, switch
// and select on a constant condition into their chosen arm. Instructions
// that would trap are left alone so the trap still happens at run time.
// Unreachable blocks left behind are removed by DCE.
func constFold(c *passContext) {
	f := c.f
	consts := take(&c.s.instrs, len(f.Types)) // the defining constant of a value, if any
	subst := c.s.substitution(f)
	for _, b := range c.CFG().RPO {
		b.Instrs = slices.DeleteFunc(b.Instrs, func(in *ir.Instr) bool {
			for i, a := range in.Args {
				in.Args[i] = subst.resolve(a)
			}
			return foldInstr(c, in, consts, subst)
		})
	}
	replaceUses(f, subst)
}

// foldInstr folds one instruction in place; it reports whether the
// instruction should be deleted.
func foldInstr(c *passContext, in *ir.Instr, consts []*ir.Instr, subst substitution) bool {
	info := in.Op.Info()
	constArg := func(i int) (*ir.Instr, bool) {
		k := consts[in.Args[i]]
		return k, k != nil
	}
	switch {
	case info.Kind == ir.KindConst:
		consts[in.Results[0]] = in
	case info.Kind == ir.KindPure && numeric.IsPure(wasm.Opcode(in.Op)):
		args := make([]numeric.Value, len(in.Args))
		for i := range in.Args {
			k, ok := constArg(i)
			if !ok {
				return false
			}
			args[i] = numeric.Value{Lo: k.Const, Hi: k.ConstHi}
		}
		w := wasm.Instr{Op: wasm.Opcode(in.Op), Lane: in.Lane, Const: in.Const, ConstHi: in.ConstHi}
		r, trap := numeric.Eval(&w, args)
		if trap != abi.TrapNone {
			return false
		}
		t := info.Results[0]
		*in = ir.Instr{Op: constOp(t), Results: in.Results, Const: r.Lo, ConstHi: r.Hi}
		consts[in.Results[0]] = in
		c.stats.Folded++
	case in.Op == ir.OpTrapIf:
		if k, ok := constArg(0); ok && k.Const == 0 {
			c.stats.Folded++
			return true
		}
	case in.Op == ir.OpSelect:
		if k, ok := constArg(2); ok {
			pick := in.Args[1]
			if uint32(k.Const) != 0 {
				pick = in.Args[0]
			}
			subst[in.Results[0]] = pick
			c.stats.Folded++
			return true
		}
	case in.Op == ir.OpBrIf:
		if k, ok := constArg(0); ok {
			taken := in.Succs[1]
			if uint32(k.Const) != 0 {
				taken = in.Succs[0]
			}
			*in = ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{taken}}
			c.stats.Folded++
			c.edgesChanged()
		}
	case in.Op == ir.OpSwitch:
		if k, ok := constArg(0); ok {
			i := min(uint64(uint32(k.Const)), uint64(len(in.Succs)-1))
			*in = ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{in.Succs[i]}}
			c.stats.Folded++
			c.edgesChanged()
		}
	}
	return false
}
