package compiler

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// runWat is the module the end-to-end tests compile and run natively: host
// imports with one and several results (through the import stubs), v128
// values through the entry trampoline, memory growth, an indirect call
// type check, deep recursion, an endless loop, a recursion with two calls
// per level and a counted loop.
const runWat = `(module
  (import "env" "add3" (func $add3 (param i32 i64 f64) (result f64)))
  (import "env" "swap" (func $swap (param i32 i32) (result i32 i32)))
  (memory 1 4)
  (table 2 funcref)
  (elem (i32.const 0) $id)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "host") (param i32) (result f64)
    (call $add3 (local.get 0) (i64.const 10) (f64.const 0.5)))
  (func (export "swap") (param i32 i32) (result i32 i32)
    (call $swap (local.get 0) (local.get 1)))
  (func (export "vec") (param v128 v128) (result v128 i32)
    (i32x4.add (local.get 0) (local.get 1)) (i32x4.extract_lane 3 (local.get 1)))
  (func (export "grow") (param i32) (result i32 i32)
    (memory.grow (local.get 0)) (memory.size))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "bad_indirect") (result i64)
    (call_indirect (result i64) (i32.const 0)))
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (i32.const 1) (call $rec (local.get 0))))
  (func (export "spin") (loop (br 0)))
  (func $fill (param $p i32) (param $n i32) (local $i i32)
    (loop $l
      (i32.store (local.get $p) (local.get $i))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
  (func $fan (export "fan") (param $n i32)
    (if (local.get $n) (then
      (call $fan (i32.sub (local.get $n) (i32.const 1)))
      (call $fan (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "count") (param $p i32) (param $n i32) (result i32)
    (call $fill (local.get $p) (local.get $n))
    (i32.load (local.get $p)))
)`

func instantiateRun(t *testing.T) *rtlib.Instance {
	t.Helper()
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("skipping: no native runtime on %s", runtime.GOARCH)
	}
	bin, err := wat.Parse([]byte(runWat))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Compile(bin, Options{OptLevel: DefaultOptLevel})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	host := map[string]abi.HostFunc{
		"add3": {Params: []abi.ValType{abi.I32, abi.I64, abi.F64}, Results: []abi.ValType{abi.F64},
			Fn: func(_ context.Context, _ abi.Caller, s []uint64) error {
				s[0] = rtlib.F64(float64(rtlib.AsI32(s[0])) + float64(rtlib.AsI64(s[1])) + rtlib.AsF64(s[2]))
				return nil
			}},
		"swap": {Params: []abi.ValType{abi.I32, abi.I32}, Results: []abi.ValType{abi.I32, abi.I32},
			Fn: func(_ context.Context, _ abi.Caller, s []uint64) error {
				s[0], s[1] = s[1], s[0]
				return nil
			}},
	}
	inst, err := mod.Instantiate(context.Background(), rtlib.Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": host}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

func call(t *testing.T, inst *rtlib.Instance, ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	t.Helper()
	f := inst.ExportedFunc(name)
	if f == nil {
		t.Fatalf("no export %q", name)
	}
	return f.Call(ctx, args...)
}

func TestRunCompiled(t *testing.T) {
	inst := instantiateRun(t)
	ctx := context.Background()
	check := func(name string, args []uint64, want ...uint64) {
		t.Helper()
		got, err := call(t, inst, ctx, name, args...)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if len(got) != len(want) {
			t.Errorf("%s: got %d result slots, want %d", name, len(got), len(want))
			return
		}
		// i32 and f32 results occupy the low half of their slot; the upper
		// half is unspecified.
		var masks []uint64
		for _, r := range inst.ExportedFunc(name).Results() {
			switch r {
			case abi.I32, abi.F32:
				masks = append(masks, 0xFFFFFFFF)
			case abi.V128:
				masks = append(masks, ^uint64(0), ^uint64(0))
			default:
				masks = append(masks, ^uint64(0))
			}
		}
		for i := range want {
			if got[i]&masks[i] != want[i]&masks[i] {
				t.Errorf("%s: slot %d = %#x, want %#x", name, i, got[i], want[i])
			}
		}
	}
	check("host", []uint64{rtlib.I32(-3)}, rtlib.F64(7.5))
	check("swap", []uint64{1, 2}, 2, 1)
	check("vec", []uint64{1 | 2<<32, 3 | 4<<32, 10 | 20<<32, 30 | 40<<32}, 11|22<<32, 33|44<<32, 40)
	check("grow", []uint64{2}, 1, 3)
	check("grow", []uint64{5}, rtlib.I32(-1), 3)

	trapCode := func(name string, args ...uint64) abi.TrapCode {
		t.Helper()
		_, err := call(t, inst, ctx, name, args...)
		var trap *abi.Trap
		if !errors.As(err, &trap) {
			t.Fatalf("%s: got %v, want a trap", name, err)
		}
		return trap.Code
	}
	if c := trapCode("store", 3*65536-2, 7); c != abi.TrapMemoryOutOfBounds {
		t.Errorf("store past the end: %v", c)
	}
	if c := trapCode("bad_indirect"); c != abi.TrapIndirectCallTypeMismatch {
		t.Errorf("call_indirect with the wrong type: %v", c)
	}
	if c := trapCode("rec", 0); c != abi.TrapCallStackExhausted {
		t.Errorf("unbounded recursion: %v", c)
	}
}

// TestRunInterrupt checks that an endless loop compiled by LLVM still polls
// the interrupt flag, and so does a loop-free recursion with two calls per
// level (2^60 calls): the deadline stops both.
func TestRunInterrupt(t *testing.T) {
	inst := instantiateRun(t)
	for _, c := range []struct {
		name string
		args []uint64
	}{{"spin", nil}, {"fan", []uint64{rtlib.I32(60)}}} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := call(t, inst, ctx, c.name, c.args...)
		cancel()
		var trap *abi.Trap
		if !errors.As(err, &trap) || trap.Code != abi.TrapInterrupted {
			t.Fatalf("%s: got %v, want an interrupted trap", c.name, err)
		}
	}
}

// TestRunCountedLoopPolls checks the copies loop versioning makes of a
// counted loop: a short run takes the copy without interrupt polls and
// computes the right result, and a run too long for that copy (about 2^32
// iterations) takes the polled one, so a deadline still stops it.
func TestRunCountedLoopPolls(t *testing.T) {
	bin, err := wat.Parse([]byte(runWat))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(wm); err != nil {
		t.Fatal(err)
	}
	var stats lower.Stats
	if _, err := lower.Module(wm, lower.Options{Stats: &stats}); err != nil {
		t.Fatal(err)
	}
	if stats.LoopsUnpolled != 1 {
		t.Fatalf("%d loops got a copy without interrupt polls, want 1 ($fill's)", stats.LoopsUnpolled)
	}
	inst := instantiateRun(t)
	for _, n := range []int32{1, 1000, 5_000_000} {
		r, err := call(t, inst, context.Background(), "count", rtlib.I32(16), rtlib.I32(n))
		if err != nil {
			t.Fatal(err)
		}
		if got := rtlib.AsI32(r[0]); got != n-1 {
			t.Errorf("count(16, %d) = %d, want %d", n, got, n-1)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = call(t, inst, ctx, "count", rtlib.I32(16), rtlib.I32(-1))
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapInterrupted {
		t.Fatalf("count(16, 2^32-1) under a 50 ms deadline: got %v after %v, want an interrupted trap", err, time.Since(start))
	}
}
