package amd64

import (
	"sync"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// opTable maps ops to values like a map[ir.Op]T, as a two-level array
// (op>>8, then op&0xff; the op space is sparse but only a few hundred
// ops wide per page), for lookups made once per instruction. The zero
// value of T stands for "absent".
type opTable[T any] [][]T

// newOpTable builds the table of m; present must tell m's values from
// absent ones.
func newOpTable[T any](m map[ir.Op]T, present func(T) bool) opTable[T] {
	var t opTable[T]
	for op, v := range m {
		if !present(v) {
			panic("amd64: an op table entry reads as absent: " + op.String())
		}
		hi := int(op >> 8)
		for hi >= len(t) {
			t = append(t, nil)
		}
		if t[hi] == nil {
			t[hi] = make([]T, 256)
		}
		t[hi][op&0xff] = v
	}
	return t
}

func (t opTable[T]) get(op ir.Op) T {
	if hi := int(op >> 8); hi < len(t) && t[hi] != nil {
		return t[hi][op&0xff]
	}
	var zero T
	return zero
}

// selection holds rules and flagRules as op tables, built once the
// rules_*.go init functions have filled the maps.
var selection = sync.OnceValue(func() struct {
	rules     opTable[rule]
	flagRules opTable[flagRule]
} {
	return struct {
		rules     opTable[rule]
		flagRules opTable[flagRule]
	}{
		newOpTable(rules, func(r rule) bool { return r != nil }),
		newOpTable(flagRules, func(r flagRule) bool { return r != nil }),
	}
})
