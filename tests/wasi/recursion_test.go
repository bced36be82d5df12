package wasi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
)

// manyBlocksModule is a recursive function f(n) whose body has blocks
// sequential if-blocks, each with a temporary live across it: like a
// large Go function (a big switch), it has thousands of short-lived
// values but only a handful live at once, so its frame should stay small.
func manyBlocksModule(blocks int) string {
	var b strings.Builder
	b.WriteString("(module (func $f (export \"f\") (param $n i32) (result i32) (local $acc i32) (local $t i32)\n")
	b.WriteString("  (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))\n")
	for i := range blocks {
		fmt.Fprintf(&b, "  (local.set $t (i32.mul (local.get $n) (i32.const %d)))\n", i+3)
		fmt.Fprintf(&b, "  (if (i32.and (local.get $n) (i32.const %d)) (then (local.set $acc (i32.xor (local.get $acc) (i32.const %d)))))\n", 1<<(i%8), i)
		b.WriteString("  (local.set $acc (i32.add (local.get $acc) (local.get $t)))\n")
	}
	b.WriteString("  (i32.add (local.get $acc) (call $f (i32.sub (local.get $n) (i32.const 1))))))\n")
	return b.String()
}

// TestRecursionDepth checks that code with many short-lived values can
// recurse 10,000 deep on the native stack at every optimisation level.
// Go programs need this: encoding/json's TestUnmarshalMaxDepth decodes
// 10,000 nested objects, and Go's wasm port recurses on the wasm stack.
// It passes under wazero, and wasmtime runs Go's tests with an 8 MiB wasm
// stack, which is also wasmaot's native stack size. At -O0 it depends on
// the back end's register allocation: llc -O0's fast allocator gave this
// function a 12 KB frame (one spill slot per value) and the recursion ran
// out of stack near depth 700.
func TestRecursionDepth(t *testing.T) {
	bin, err := wat.Parse([]byte(manyBlocksModule(1000)))
	if err != nil {
		t.Fatal(err)
	}
	for level := range 3 {
		t.Run(fmt.Sprintf("O%d", level), func(t *testing.T) {
			obj, err := compiler.Compile(bin, compiler.Options{OptLevel: level})
			if err != nil {
				t.Fatal(err)
			}
			mod, err := rtlib.Load(obj)
			if err != nil {
				t.Fatal(err)
			}
			defer mod.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			inst, err := mod.Instantiate(ctx, rtlib.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			_, err = inst.ExportedFunc("f").Call(ctx, rtlib.I32(10000))
			if err != nil {
				t.Fatalf("f(10000): %v", err)
			}
		})
	}
}
