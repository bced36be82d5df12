package amd64

import (
	"fmt"

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

// instr emits one instruction by its rule.
func (g *gen) instr(in *ir.Instr) error {
	r, ok := rules[in.Op]
	if !ok {
		return fmt.Errorf("not supported by the native back end yet")
	}
	return r(g, in)
}
