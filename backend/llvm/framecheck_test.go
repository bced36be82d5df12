package llvm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// bigFrameWat has a leaf function $leaf whose n i64 values are all live
// across a branch, so that llc -O0 spills each to its own slot (a frame of
// about 8n bytes), and $rec, which recurses d deep and then calls $leaf.
func bigFrameWat(n int) string {
	var b strings.Builder
	b.WriteString("(module (global $g (mut i64) (i64.const 0))\n (func $leaf (param $x i64) (result i64) (local")
	b.WriteString(strings.Repeat(" i64", n))
	b.WriteString(")\n")
	for i := range n {
		fmt.Fprintf(&b, "  (local.set %d (i64.mul (local.get $x) (i64.const %d)))\n", i+1, 2*i+3)
	}
	b.WriteString("  (if (i64.eqz (local.get $x)) (then (global.set $g (i64.const 1))))\n  (local.get 1)\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  (i64.xor (local.get %d))\n", i+1)
	}
	b.WriteString(" )\n (func $rec (export \"rec\") (param $d i32) (result i64)\n" +
		"  (if (result i64) (i32.eqz (local.get $d)) (then (call $leaf (i64.extend_i32_u (local.get $d))))\n" +
		"   (else (i64.add (call $rec (i32.sub (local.get $d) (i32.const 1))) (i64.const 1))))))\n")
	return b.String()
}

// TestFrameCheck runs a leaf function with a ~240 KB frame at every stack
// depth near the limit. Without a frame check its frame would reach past
// the guard below the stack limit and the process would die of SIGSEGV;
// with it, each call either returns or traps with call stack exhausted.
func TestFrameCheck(t *testing.T) {
	mod, _ := loadWatAt(t, bigFrameWat(30000), 0)
	defer mod.Close()
	ctx := context.Background()
	inst, err := mod.Instantiate(ctx, rtlib.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	rec := inst.ExportedFunc("rec")
	// fits reports whether rec(d) returns; it must otherwise trap with
	// call stack exhausted.
	fits := func(d int) bool {
		res, err := rec.Call(ctx, rtlib.I32(int32(d)))
		var trap *abi.Trap
		switch {
		case err == nil:
			if got := rtlib.AsI64(res[0]); got != int64(d) {
				t.Fatalf("rec(%d) = %d", d, got)
			}
			return true
		case errors.As(err, &trap) && trap.Code == abi.TrapCallStackExhausted:
			return false
		}
		t.Fatalf("rec(%d): %v", d, err)
		return false
	}
	lo, hi := 0, 1<<22
	if fits(hi) {
		t.Fatalf("rec(%d) did not exhaust the stack", hi)
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	// The deepest calls of $leaf start within its frame size of the
	// limit: exactly where an unchecked frame would overrun the guard.
	for d := lo; d > lo-12000 && d >= 0; d -= 37 {
		if !fits(d) {
			t.Fatalf("rec(%d) exhausted the stack, but rec(%d) fits", d, lo)
		}
	}
	t.Logf("deepest recursion that fits: %d", lo)
}

func TestFrameChecksNeeded(t *testing.T) {
	more, err := frameChecksNeeded(map[string]uint64{"wasm_func_3": 300000, "wasm_func_4": 100, "wasm_entry_0": 64}, nil)
	if err != nil || len(more) != 1 || more[3] < 300000+maxCheckedFrame {
		t.Errorf("unchecked big frame: got %v, %v; want a check of at least %d bytes for function 3", more, err, 300000+maxCheckedFrame)
	}
	if more, err := frameChecksNeeded(map[string]uint64{"wasm_body_3": 300000, "wasm_func_3": 40}, map[uint32]uint64{3: 400000}); err != nil || len(more) != 0 {
		t.Errorf("checked frame: got %v, %v; want nothing more", more, err)
	}
	if more, err := frameChecksNeeded(map[string]uint64{"wasm_body_3": 500000}, map[uint32]uint64{3: 400000}); err != nil || more[3] < 500000+maxCheckedFrame {
		t.Errorf("grown frame: got %v, %v; want a larger check", more, err)
	}
	if _, err := frameChecksNeeded(map[string]uint64{"wasm_entry_1": 1 << 20}, nil); err == nil {
		t.Error("a trampoline with a 1 MiB frame was accepted")
	}
}

func TestRegAllocFor(t *testing.T) {
	for values, want := range map[int]string{100: "basic", 4000: "basic", 4001: "greedy", 20000: "greedy", 20001: "fast"} {
		if got := regAllocFor(values); got != want {
			t.Errorf("regAllocFor(%d) = %s, want %s", values, got, want)
		}
	}
}
