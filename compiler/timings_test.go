package compiler

import (
	"testing"

	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// TestTimings: a compilation given a *timing.Timings records time in
// every phase of the native back end, on both targets; without one
// nothing is recorded anywhere (the normal path reads no clock).
func TestTimings(t *testing.T) {
	bin, err := wat.Parse([]byte(`(module (memory 1)
	  (func (export "sum") (param i32) (result i32) (local i32)
	    (block (loop
	      (br_if 1 (i32.eqz (local.get 0)))
	      (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
	      (local.set 0 (i32.sub (local.get 0) (i32.const 4)))
	      (br 0)))
	    (local.get 1)))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"amd64", "arm64"} {
		tm := &timing.Timings{}
		if _, err := Compile(bin, Options{Target: target, Backend: "native", OptLevel: 2, Timings: tm}); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		for p := range timing.NumPhases {
			if tm.Get(p) <= 0 {
				t.Errorf("%s: phase %v recorded no time", target, p)
			}
		}
	}
}
