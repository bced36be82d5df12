package amd64

import (
	"fmt"
	"strings"
	"testing"
)

// A function that calls nothing skips the stack-limit check unless its
// frame is large: abi.MaxFrameBelowLimit only guarantees room for small
// frames below the limit. 3,000 live v128 values spill about 48 KiB.
func TestLargeFrameChecksStack(t *testing.T) {
	for _, n := range []int{10, 3000} {
		var b strings.Builder
		b.WriteString(";; wasm: (module (func (result v128) (v128.const i64x2 0 0)))\n")
		b.WriteString("func f0 () -> (v128) {\nb0:\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "    v%d:v128 = v128.const 0x%032x\n", i, i)
		}
		acc := 1
		for i := 2; i <= n; i++ {
			fmt.Fprintf(&b, "    v%d:v128 = i8x16.add v%d, v%d\n", n+i, acc, i)
			acc = n + i
		}
		fmt.Fprintf(&b, "    return v%d\n}\n", acc)
		m, meta := parseFiletest(t, b.String())
		c, err := newModuleForTest(t, m, meta).compileFunc(m.Funcs[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		asm := listing(t, c)
		checked := strings.Contains(asm, "cmp rax, qword ptr [r11+0x10]")
		if want := n > 1000; checked != want {
			t.Errorf("%d values: stack-limit check emitted %v, want %v\n%s", n, checked, want, asm[:min(len(asm), 600)])
		}
	}
}
