package amd64

import (
	"testing"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// TestOpTables checks the dense selection tables against the rule maps
// over the whole op space (wasm opcodes and the IR's own ops above them).
func TestOpTables(t *testing.T) {
	sel := selection()
	n := 0
	for op := ir.Op(0); op < 1<<16+256; op++ {
		_, hasRule := rules[op]
		_, hasFlag := flagRules[op]
		if (sel.rules.get(op) != nil) != hasRule || (sel.flagRules.get(op) != nil) != hasFlag {
			t.Errorf("%v: table has rule %v, flag rule %v; maps say %v, %v", op,
				sel.rules.get(op) != nil, sel.flagRules.get(op) != nil, hasRule, hasFlag)
		}
		if hasRule {
			n++
		}
	}
	if n != len(rules) {
		t.Errorf("%d ops with rules in the op space, %d in the map", n, len(rules))
	}
}
