package compiler

import (
	"bytes"
	"io"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wat"
)

// streamWAT has loops, branches, a br_table, calls, locals and memory
// accesses in several functions, so that lowering and the passes have
// work to do in each.
const streamWAT = `(module
  (memory 1)
  (func $sum (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func $pick (param i32) (result i64)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i64.const 7)))
      (return (i64.extend_i32_u (call $sum (i32.const 0) (i32.const 8)))))
    (i64.div_s (i64.const 100) (i64.extend_i32_s (local.get 0))))
  (func (export "run") (param i32) (result i64)
    (if (result i64) (i32.gt_s (local.get 0) (i32.const 3))
      (then (call $pick (local.get 0)))
      (else (i64.add (call $pick (i32.const 1)) (f64.load offset=8 (i32.const 0)) (i64.trunc_f64_s))))))
`

// TestStreamedSameAsWhole checks that the native back ends produce the same
// object whether the driver streams functions to them (the default) or
// lowers the whole module first (as it does when a dump wants the IR).
func TestStreamedSameAsWhole(t *testing.T) {
	bin, err := wat.Parse([]byte(streamWAT))
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		opts := Options{Target: arch, OptLevel: DefaultOptLevel, Jobs: 2}
		streamed, err := Compile(bin, opts)
		if err != nil {
			t.Fatalf("%s streamed: %v", arch, err)
		}
		opts.Dump = &Dump{W: io.Discard, IR: true}
		whole, err := Compile(bin, opts)
		if err != nil {
			t.Fatalf("%s whole: %v", arch, err)
		}
		if !bytes.Equal(streamed, whole) {
			t.Errorf("%s: streamed object (%d bytes) differs from the whole-module one (%d bytes)", arch, len(streamed), len(whole))
		}
	}
}
