package arm64

import (
	"fmt"
	"strings"
	"testing"
)

// TestLargeFrameChecked: a leaf function (normally exempt from the stack
// check, see prologue) whose frame exceeds maxCheckedFrame must compare
// sp - frame with the stack limit before it lowers sp.
func TestLargeFrameChecked(t *testing.T) {
	const n = 9000 // i64 values live at once: a 72 KB spill area
	var src strings.Builder
	src.WriteString(";; wasm: (module (func (export \"big\") (result i64) (i64.const 0)))\n")
	src.WriteString("func f0 \"big\" () -> (i64) {\nb0:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&src, "    v%d:i64 = i64.const %d\n", i, i)
	}
	acc := n
	for i := n - 1; i >= 1; i-- {
		fmt.Fprintf(&src, "    v%d:i64 = i64.add v%d, v%d\n", n+n-i, acc, i)
		acc = n + n - i
	}
	fmt.Fprintf(&src, "    return v%d\n}\n", acc)
	lines := strings.Split(disassemble(t, compileIR(t, src.String())), "\n")
	var check, alloc int = -1, -1
	for i, l := range lines {
		switch {
		case check < 0 && strings.Contains(l, "ldr x17, [x17,#16]"): // the limit (abi.ThreadStackLimit)
			check = i
		case alloc < 0 && (strings.Contains(l, "sub sp, sp,") || strings.Contains(l, "add sp, sp,")):
			alloc = i
		}
	}
	if check < 0 || alloc < 0 || check > alloc {
		t.Fatalf("stack limit loaded at line %d, frame allocated at line %d; want the check first:\n%s", check, alloc, strings.Join(lines[:min(len(lines), 20)], "\n"))
	}
	// Beyond every add/sub immediate: the size goes through x14.
	if !strings.Contains(lines[alloc], "add sp, sp, x14") {
		t.Errorf("frame allocation %q does not look like a >64 KiB frame", lines[alloc])
	}
}
