package llvm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// loopsWat has four loops the loop-versioning pass gives a check-free
// copy: a bottom-tested ascending fill, a top-tested descending byte
// fill, a copy of two i64s per iteration that ends on k != n, and the
// sieve's marking loop, whose step is a parameter.
const loopsWat = `(module
  (memory (export "mem") 1)
  (data (i32.const 0) "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!?")
  (func (export "fill") (param $p i32) (param $n i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
                 (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "down") (param $p i32) (param $lo i32)
    (block $done
      (loop $l
        (br_if $done (i32.le_u (local.get $p) (local.get $lo)))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 0xAB))
        (br $l))))
  (func (export "copy2") (param $d i32) (param $s i32) (param $n i32)
    (local $k i32)
    (loop $l
      (i64.store (local.get $d) (i64.load (local.get $s)))
      (i64.store offset=8 (local.get $d) (i64.load offset=8 (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br_if $l (i32.ne (local.get $k) (local.get $n)))))
  (func (export "mark") (param $p i32) (param $j i32) (param $step i32) (param $top i32)
    (loop $l
      (i32.store8 (i32.add (local.get $p) (local.get $j)) (i32.const 1))
      (local.set $j (i32.add (local.get $j) (local.get $step)))
      (br_if $l (i32.lt_s (local.get $j) (local.get $top))))))`

// TestLoopVersioningTraps runs versioned loops compiled at -O2 in and out
// of bounds: in bounds they do all their stores; out of bounds they trap
// in the iteration of the faulting access, with every earlier iteration's
// stores in memory and none of the later ones.
func TestLoopVersioningTraps(t *testing.T) {
	mod, stats := loadWat(t, loopsWat)
	if stats.LoopsVersioned != 4 {
		t.Fatalf("%d loops versioned, want 4 (%+v)", stats.LoopsVersioned, stats)
	}
	const size = 65536
	// run calls name (unless empty) in a fresh instance and returns its
	// memory and error.
	run := func(name string, args ...uint64) ([]byte, error) {
		t.Helper()
		inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close()
		if name != "" {
			_, err = inst.ExportedFunc(name).Call(context.Background(), args...)
		}
		return bytes.Clone(inst.Memory()), err
	}
	isOOB := func(err error) bool {
		var trap *abi.Trap
		return errors.As(err, &trap) && trap.Code == abi.TrapMemoryOutOfBounds
	}
	initial, _ := run("")
	counted := func(mem []byte, at uint32, from, n int) bool {
		for i := range n {
			if binary.LittleEndian.Uint32(mem[int(at)+4*i:]) != uint32(from+i) {
				return false
			}
		}
		return true
	}

	// fill: 10 stores end exactly at the end of memory; 20 trap in
	// iteration 10 with the first 10 done; an address that wraps traps at
	// once.
	mem, err := run("fill", size-40, 10)
	if err != nil || !counted(mem, size-40, 1, 10) || !bytes.Equal(mem[:size-40], initial[:size-40]) {
		t.Errorf("fill(size-40, 10): err %v or memory wrong", err)
	}
	mem, err = run("fill", size-40, 20)
	if !isOOB(err) || !counted(mem, size-40, 1, 10) || !bytes.Equal(mem[:size-40], initial[:size-40]) {
		t.Errorf("fill(size-40, 20): err %v (want out of bounds), or stores before the trap missing", err)
	}
	mem, err = run("fill", 0xfffffff0, 2)
	if !isOOB(err) || !bytes.Equal(mem, initial) {
		t.Errorf("fill(-16, 2): err %v (want out of bounds), or memory changed", err)
	}

	// down: bytes [lo, p) from the top; p beyond memory traps before any
	// store.
	mem, err = run("down", 64, 60)
	if err != nil || !bytes.Equal(mem[60:64], []byte{0xAB, 0xAB, 0xAB, 0xAB}) || mem[59] != initial[59] || mem[64] != initial[64] {
		t.Errorf("down(64, 60): err %v or memory %x", err, mem[58:66])
	}
	mem, err = run("down", 3, 0)
	if err != nil || !bytes.Equal(mem[:4], []byte{0xAB, 0xAB, 0xAB, 'D'}) {
		t.Errorf("down(3, 0): err %v or memory %x", err, mem[:4])
	}
	mem, err = run("down", size+2, size-8)
	if !isOOB(err) || !bytes.Equal(mem, initial) {
		t.Errorf("down(size+2, size-8): err %v (want out of bounds), or memory changed", err)
	}

	// copy2: 16 bytes per iteration towards the end of memory; the fourth
	// iteration's store traps after its load, with three iterations
	// copied. An odd n never matches k and runs until it traps.
	mem, err = run("copy2", size-48, 0, 6)
	if err != nil || !bytes.Equal(mem[size-48:], initial[:48]) {
		t.Errorf("copy2(size-48, 0, 6): err %v or memory wrong", err)
	}
	mem, err = run("copy2", size-48, 0, 8)
	if !isOOB(err) || !bytes.Equal(mem[size-48:], initial[:48]) || !bytes.Equal(mem[:size-48], initial[:size-48]) {
		t.Errorf("copy2(size-48, 0, 8): err %v (want out of bounds), or copies before the trap missing", err)
	}
	mem, err = run("copy2", size-48, 0, 7)
	if !isOOB(err) || !bytes.Equal(mem[size-48:], initial[:48]) {
		t.Errorf("copy2(size-48, 0, 7): err %v (want out of bounds), or copies before the trap missing", err)
	}

	// mark: every step-th byte from p+j below p+top. A step of 3 stays in
	// bounds; near the end of memory the fourth store traps; a negative
	// step (never versioned) walks down until p+j wraps.
	marked := func(mem []byte, p, j, step, n int) bool {
		for i := range n {
			if mem[p+j+i*step] != 1 {
				return false
			}
		}
		return true
	}
	mem, err = run("mark", 100, 4, 3, 100)
	if err != nil || !marked(mem, 100, 4, 3, 32) || mem[100+5] != initial[100+5] || mem[100+100] != initial[100+100] {
		t.Errorf("mark(100, 4, 3, 100): err %v or memory wrong", err)
	}
	mem, err = run("mark", size-10, 0, 4, 20)
	if !isOOB(err) || !marked(mem, size-10, 0, 4, 3) || !bytes.Equal(mem[:size-10], initial[:size-10]) {
		t.Errorf("mark(size-10, 0, 4, 20): err %v (want out of bounds), or stores before the trap missing", err)
	}
	mem, err = run("mark", 1000, 50, 0xfffffffd, 100)
	if !isOOB(err) || !marked(mem, 0, 0, 3, 351) {
		t.Errorf("mark(1000, 50, -3, 100): err %v (want out of bounds), or stores before the trap missing", err)
	}
}

// loadWat compiles WebAssembly text at -O2 for this machine and loads it
// into rtlib, returning the passes' statistics too. It skips the test
// where no native code can run.
func loadWat(t *testing.T, src string) (*rtlib.Module, lower.Stats) {
	t.Helper()
	return loadWatAt(t, src, 2)
}

// loadWatAt is loadWat at optimisation level level.
func loadWatAt(t *testing.T, src string, level int) (*rtlib.Module, lower.Stats) {
	t.Helper()
	if _, err := FindTools(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("skipping: rtlib runs no native code on %s", runtime.GOARCH)
	}
	bin, err := wat.Parse([]byte(src))
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
	m, err := lower.Module(wm, lower.Options{Verify: true, Stats: &stats})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := TargetFor(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := seal.Output(Compile(context.Background(), m, withMeta(t, m, Options{Target: tgt, OptLevel: level})))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	return mod, stats
}

// TestLengthAfterGrow checks that accesses see a memory's new length
// after memory.grow, after a call to a function that grows it, and in a
// loop that grows it as it goes: memory lengths are cached per function
// and refreshed only at those points.
func TestLengthAfterGrow(t *testing.T) {
	mod, _ := loadWat(t, `(module
  (memory 1)
  (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "direct") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 65536) (i32.const 7))
    (i32.load (i32.const 65536)))
  (func (export "noGrow") (result i32) (i32.load (i32.const 65536)))
  (func (export "viaCall") (result i32)
    (drop (call $grow (i32.const 1)))
    (i32.store (i32.const 65540) (i32.const 9))
    (i32.load (i32.const 65540)))
  (func (export "inLoop") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (drop (call $grow (i32.const 1)))
      (i32.store (i32.mul (local.get $i) (i32.const 65536)) (local.get $i))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.mul (local.get $i) (i32.const 65536)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`)
	for _, c := range []struct {
		name string
		args []uint64
		want uint64
		trap bool
	}{
		{"direct", nil, 7, false},
		{"noGrow", nil, 0, true},
		{"viaCall", nil, 9, false},
		{"inLoop", []uint64{4}, 0 + 1 + 2 + 3, false},
	} {
		inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := inst.ExportedFunc(c.name).Call(context.Background(), c.args...)
		inst.Close()
		var trap *abi.Trap
		switch {
		case c.trap && (!errors.As(err, &trap) || trap.Code != abi.TrapMemoryOutOfBounds):
			t.Errorf("%s: %v, want out of bounds", c.name, err)
		case !c.trap && (err != nil || uint32(got[0]) != uint32(c.want)):
			t.Errorf("%s: %v %v, want %d", c.name, got, err, c.want)
		}
	}
}
