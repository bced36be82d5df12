package amd64

import (
	"fmt"

	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Instruction selection is a table from IR op to rule: a function that
// emits the op's code, usually a small generic one (binop, compare, …)
// closed over the op's machine-level parameters. The rules are grouped
// by kind of operation in the rules_*.go files, each filling the table
// from its init function with one line per op (or family of ops).

// rule emits the code of one instruction.
type rule func(g *gen, in *ir.Instr) error

var rules = map[ir.Op]rule{}

// def registers r for the wasm opcodes ops.
func def(r rule, ops ...wasm.Opcode) {
	for _, op := range ops {
		defOp(ir.Op(op), r)
	}
}

func defOp(op ir.Op, r rule) {
	if _, dup := rules[op]; dup {
		panic(fmt.Sprintf("amd64: two rules for %s", op))
	}
	rules[op] = r
}

// tiedOps are the ops whose rule computes the result in place from
// operand 0 (copyReg/copyXMM of operand 0 into the result register, then
// reads of the other operands only), so the allocator may give the result
// operand 0's register (regalloc.Config.TiesOperand0).
var tiedOps = map[ir.Op]bool{}

// defTied is def for rules of that two-address shape.
func defTied(r rule, ops ...wasm.Opcode) {
	def(r, ops...)
	for _, op := range ops {
		tiedOps[ir.Op(op)] = true
	}
}

func tiesOperand0(in *ir.Instr) bool { return tiedOps[in.Op] }

// copyReg copies GPR a into d unless they are the same register.
func (g *gen) copyReg(w bool, d, a Reg) {
	if d != a {
		g.a.MovRR(w, d, a)
	}
}

// copyXMM copies vector register a into d unless they are the same.
func (g *gen) copyXMM(d, a Reg) {
	if d != a {
		g.a.SSERR(MOVAPS, d, a)
	}
}

// zextOps are the ops whose i32 result the rule writes with a 32-bit
// instruction, so its register (and the slot it may be spilled to) holds
// zeros above bit 31, and a memory access can index with it directly.
var zextOps = map[ir.Op]bool{}

// zextShifts are the i32 shifts, zero-extending when their count is a
// constant that is not 0 mod 32.
var zextShifts = map[ir.Op]bool{
	ir.Op(wasm.OpI32Shl): true, ir.Op(wasm.OpI32ShrS): true, ir.Op(wasm.OpI32ShrU): true,
}

func zeroExtends(ops ...wasm.Opcode) {
	for _, op := range ops {
		zextOps[ir.Op(op)] = true
	}
}

// computeZext finds the i32 values known to be zero-extended in their
// location: results of zextOps and zextShifts, i32 constants (materialised
// by a 32-bit mov), selects of two such values (operands come first in the
// layout), and every i32 block parameter: the prologue
// zero-extends the function's, and an edge whose argument is not known
// zero-extended zero-extends the parameter after its copy (edgeMoves).
func (g *gen) computeZext() {
	z := make([]bool, len(g.f.Types))
	for _, b := range g.alloc.Order {
		for _, p := range b.Params {
			z[p] = g.f.Types[p] == ir.I32
		}
		for _, in := range b.Instrs {
			if len(in.Results) != 1 || g.f.Types[in.Results[0]] != ir.I32 {
				continue
			}
			switch {
			case zextOps[in.Op]:
				z[in.Results[0]] = true
			case in.Op == ir.Op(wasm.OpI32Const):
				z[in.Results[0]] = in.Const <= 0xffffffff
			case in.Op == ir.OpSelect:
				// cmov between two zero-extended values
				z[in.Results[0]] = z[in.Args[0]] && z[in.Args[1]]
			case zextShifts[in.Op]:
				// A 32-bit shift by a constant; a count of 0 may leave
				// the register as it was.
				c := g.consts[in.Args[1]]
				z[in.Results[0]] = c != nil && c.Const&31 != 0
			}
		}
	}
	g.zext = z
}

// zeroExtend clears the upper half of the i32 at l.
func (g *gen) zeroExtend(l regalloc.Loc) {
	if l.InReg() {
		g.a.MovRR(false, Reg(l.Reg), Reg(l.Reg))
		return
	}
	g.a.Load(4, tmpA, g.slot(l))
	g.a.Store(8, g.slot(l), tmpA)
}

// needsZext reports whether taking e must zero-extend its i-th
// parameter after the copy.
func (g *gen) needsZext(e *ir.BlockCall, i int) bool {
	return g.f.Types[e.Block.Params[i]] == ir.I32 && !g.zext[e.Args[i]]
}

// flagRule emits a comparison that sets the flags instead of producing
// its 0/1 result, and returns the condition under which the result would
// be 1. A comparison whose only use is the next instruction, a brif or
// trap_if, is fused with it through its flagRule (cmp; jcc).
type flagRule func(g *gen, in *ir.Instr) Cond

var flagRules = map[ir.Op]flagRule{}

func defFlags(r flagRule, ops ...wasm.Opcode) {
	for _, op := range ops {
		flagRules[ir.Op(op)] = r
	}
}

// fusable reports whether in's flag rule can feed next directly.
func (g *gen) fusable(in, next *ir.Instr) bool {
	if selection().flagRules.get(in.Op) == nil || len(in.Results) != 1 {
		return false
	}
	if next.Op != ir.OpBrIf && next.Op != ir.OpTrapIf {
		return false
	}
	return next.Args[0] == in.Results[0] && g.uses[in.Results[0]] == 1
}

// instr emits one instruction by its rule.
func (g *gen) instr(in *ir.Instr) error {
	r := selection().rules.get(in.Op)
	if r == nil {
		return fmt.Errorf("not supported by the native back end yet")
	}
	return r(g, in)
}
