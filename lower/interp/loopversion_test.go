package interp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// TestLoopVersioningDifferential runs counted loops of many shapes with
// arguments around the edges of memory and of the i32 range, once as
// lowered and once after the passes (which version most of them), and
// requires the same result, the same trap and the same memory. The
// interpreter reports an access no bounds check covers as an internal
// error, so a guard that lets the check-free copy run out of bounds
// fails here rather than corrupting anything.
func TestLoopVersioningDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	modules, versioned, unpolled := 300, 0, 0
	for range modules {
		src := randomLoopModule(rng)
		ref := build(t, src, lower.Options{NoPasses: true})
		var stats lower.Stats
		opt := build(t, src, lower.Options{Stats: &stats})
		if stats.LoopsVersioned > 0 {
			versioned++
		}
		if stats.LoopsUnpolled > 0 {
			unpolled++
		}
		// Counters that wrap right after a few iterations, at the end
		// of memory: a guard that forgets the wrap lets the copy run on.
		wraps := [][3]uint32{
			{65536 - 20, 1<<32 - 16, 1<<32 - 1},
			{65536 - 20, 1<<31 - 16, 1<<31 - 1},
			{65536 - 20, 1<<32 - 16, 1<<32 - 2},
			{20, 16, 0},
			{20, 16, 1},
			{20, 1<<31 + 16, 1 << 31},
		}
		for i := range 16 + len(wraps) {
			args := []Value{
				{Lo: edgeArg(rng, 0, 200, 65536, 1<<32)},
				{Lo: edgeArg(rng, 0, 100, 1<<31, 1<<32)},
				{Lo: edgeArg(rng, 0, 100, 1<<31, 1<<32)},
			}
			if i >= 16 {
				w := wraps[i-16]
				args = []Value{{Lo: uint64(w[0])}, {Lo: uint64(w[1])}, {Lo: uint64(w[2])}}
			}
			want := runLoop(t, ref, args)
			got := runLoop(t, opt, args)
			if want != got {
				t.Fatalf("args %d, %d, %d:\n  lowered: %s\n  passes:  %s\nmodule:\n%s",
					uint32(args[0].Lo), uint32(args[1].Lo), uint32(args[2].Lo), want, got, src)
			}
		}
	}
	if versioned < modules/3 {
		t.Errorf("only %d of %d modules had a loop versioned", versioned, modules)
	}
	// The copy without interrupt polls is the one short runs take.
	if unpolled < versioned/2 {
		t.Errorf("only %d of the %d modules with a versioned loop had a copy without polls", unpolled, versioned)
	}
	t.Logf("%d of %d modules versioned, %d with a copy without polls", versioned, modules, unpolled)
}

// runLoop calls "run" in a fresh instance and summarises the outcome:
// result or error, and a hash of memory.
func runLoop(t *testing.T, m *ir.Module, args []Value) string {
	t.Helper()
	inst, err := New().Instantiate(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := inst.Call(context.Background(), "run", args)
	outcome := ""
	switch {
	case errors.Is(err, ErrInternal):
		outcome = "internal error: " + err.Error()
	case err != nil:
		outcome = fmt.Sprintf("trap %v", trapCode(err))
	default:
		outcome = fmt.Sprintf("result %d", uint32(res[0].Lo))
	}
	mem := inst.Memory()
	var sum uint64
	for i, b := range mem {
		if b != 0 {
			sum = sum*31 + uint64(i)*257 + uint64(b)
		}
	}
	return fmt.Sprintf("%s, memory %d bytes, hash %x", outcome, len(mem), sum)
}

// edgeArg picks an i32 within 32 of one of bases (taken mod 2^32): the
// end of the one-page memory, 2^31, 2^32.
func edgeArg(rng *rand.Rand, bases ...int64) uint64 {
	return uint64(uint32(bases[rng.IntN(len(bases))] + rng.Int64N(64) - 32))
}

// randomLoopModule writes a module whose "run"(p, i0, n) loops with a
// counter i from i0, stepping by a constant, while i compares with n;
// each iteration stores i at an address that is p plus a constant
// stride per iteration, or p plus i scaled, and adds what it loads back.
// The bound is n or a second counter that starts at n.
// A cap of 3000 iterations (an early exit) bounds loops that never meet
// their test.
func randomLoopModule(rng *rand.Rand) string {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	cmp := pick("lt_u", "lt_s", "le_u", "le_s", "gt_u", "gt_s", "ge_u", "ge_s", "ne", "eq")
	step := pick("1", "2", "4", "3", "-1", "-2", "-4")
	width := pick("8", "32", "64")
	offset := pick("0", "4", "65530")
	var addr, advance string
	if rng.IntN(2) == 0 {
		addr = "(local.get $a)"
		advance = fmt.Sprintf("(local.set $a (i32.add (local.get $a) (i32.const %s)))", pick("1", "4", "8", "12", "-4", "0"))
	} else {
		addr = fmt.Sprintf("(i32.add (local.get $p) (i32.shl (local.get $i) (i32.const %s)))", pick("0", "2", "3"))
	}
	var store, load string
	switch width {
	case "8":
		store, load = "i32.store8", "i32.load8_u"
	case "32":
		store, load = "i32.store", "i32.load"
	default:
		store, load = "i64.store32", "i64.load32_u"
	}
	value := "(local.get $i)"
	loaded := fmt.Sprintf("(%s offset=%s %s)", load, offset, addr)
	if width == "64" {
		value = "(i64.extend_i32_u (local.get $i))"
		loaded = "(i32.wrap_i64 " + loaded + ")"
	}
	body := fmt.Sprintf(`
      (br_if $out (i32.gt_u (local.tee $cap (i32.add (local.get $cap) (i32.const 1))) (i32.const 3000)))
      (%s offset=%s %s %s)
      (local.set $s (i32.add (local.get $s) %s))
      %s
      (local.set $i (i32.add (local.get $i) (i32.const %s)))`, store, offset, addr, value, loaded, advance, step)
	// The bound: n, or a second counter j from n (a reversal loop's
	// i < j).
	bound := "(local.get $n)"
	if rng.IntN(3) == 0 {
		bound = "(local.get $j)"
		body += fmt.Sprintf("\n      (local.set $j (i32.add (local.get $j) (i32.const %s)))", pick("-1", "-2", "1", "-4"))
	}
	test := fmt.Sprintf("(i32.%s (local.get $i) %s)", cmp, bound)
	if rng.IntN(3) == 0 {
		test = fmt.Sprintf("(i32.%s %s (local.get $i))", cmp, bound)
	}
	var loop string
	switch rng.IntN(3) {
	case 0: // tested at the bottom
		loop = fmt.Sprintf("(loop $l %s\n      (br_if $l %s))", body, test)
	case 1: // tested at the top
		loop = fmt.Sprintf("(loop $l\n      (br_if $out (i32.eqz %s)) %s\n      (br $l))", test, body)
	default: // tested at the bottom, through eqz
		loop = fmt.Sprintf("(loop $l %s\n      (br_if $out (i32.eqz %s))\n      (br $l))", body, test)
	}
	return fmt.Sprintf(`(module
  (memory 1)
  (func (export "run") (param $p i32) (param $i0 i32) (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $a i32) (local $s i32) (local $cap i32)
    (local.set $i (local.get $i0))
    (local.set $j (local.get $n))
    (local.set $a (local.get $p))
    (block $out
      %s)
    (local.get $s)))`, loop)
}
