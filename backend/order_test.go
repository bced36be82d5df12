package backend

import (
	"slices"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// TestOrder checks that functions come largest body first, ties in index
// order, whether the IR is streamed or given whole.
func TestOrder(t *testing.T) {
	m := &wasm.Module{}
	for _, n := range []int{3, 9, 1, 9, 0, 5} {
		m.Codes = append(m.Codes, wasm.Code{Body: make([]byte, n)})
	}
	want := []int{1, 3, 5, 0, 2, 4}
	streamed := &Input{Module: &ir.Module{Wasm: m}, Lower: func(int) (*ir.Func, error) { return nil, nil }}
	whole := &Input{Module: &ir.Module{Wasm: m, Funcs: make([]*ir.Func, len(m.Codes))}}
	for _, in := range []*Input{streamed, whole} {
		if got := in.Order(); !slices.Equal(got, want) {
			t.Errorf("Order() = %v, want %v", got, want)
		}
	}
}
