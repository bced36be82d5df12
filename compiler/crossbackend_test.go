package compiler

import (
	"context"
	"fmt"
	"testing"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
)

// TestCrossBackendLinking links instances compiled by different back ends:
// a library exporting a function, a memory, a table and a global, and a
// client importing all four that calls the function directly and through
// the table, reads the memory the library wrote and the global. Every
// pairing of the native back end and the LLVM tier must agree.
func TestCrossBackendLinking(t *testing.T) {
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("the LLVM tier cannot be paired: %v", err)
	}
	lib := `(module
  (memory (export "mem") 1)
  (table (export "tab") 2 funcref)
  (global (export "g") (mut i64) (i64.const 40))
  (elem (i32.const 1) $mul)
  (func $mul (export "mul") (param i32 i32) (result i32)
    (i32.store (i32.const 100) (i32.add (i32.load (i32.const 100)) (i32.const 1)))
    (i32.mul (local.get 0) (local.get 1))))`
	client := `(module
  (import "lib" "mul" (func $mul (param i32 i32) (result i32)))
  (import "lib" "mem" (memory 1))
  (import "lib" "tab" (table 2 funcref))
  (import "lib" "g" (global $g (mut i64)))
  (type $bin (func (param i32 i32) (result i32)))
  (func (export "run") (param i32) (result i64)
    (global.set $g (i64.add (global.get $g) (i64.const 2)))
    (i64.add
      (i64.extend_i32_u (i32.add
        (call $mul (local.get 0) (i32.const 3))
        (call_indirect (type $bin) (local.get 0) (i32.const 5) (i32.const 1))))
      (i64.add (global.get $g) (i64.extend_i32_u (i32.load (i32.const 100)))))))`
	compile := func(src, be string) *rtlib.Module {
		bin, err := wat.Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Compile(bin, Options{Backend: be, OptLevel: 2})
		if err != nil {
			t.Fatalf("%s: %v", be, err)
		}
		m, err := rtlib.Load(obj)
		if err != nil {
			t.Fatalf("%s: %v", be, err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	ctx := context.Background()
	for _, pair := range [][2]string{{"native", "llvm"}, {"llvm", "native"}, {"native", "native"}, {"llvm", "llvm"}} {
		t.Run(fmt.Sprintf("lib=%s,client=%s", pair[0], pair[1]), func(t *testing.T) {
			li, err := compile(lib, pair[0]).Instantiate(ctx, rtlib.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer li.Close()
			ci, err := compile(client, pair[1]).Instantiate(ctx, rtlib.Config{Instances: map[string]*rtlib.Instance{"lib": li}})
			if err != nil {
				t.Fatal(err)
			}
			defer ci.Close()
			res, err := ci.ExportedFunc("run").Call(ctx, 7)
			if err != nil {
				t.Fatal(err)
			}
			// 7*3 + 7*5 = 56; g = 42; the library counted 2 calls in memory.
			if want := uint64(56 + 42 + 2); res[0] != want {
				t.Errorf("run(7) = %d, want %d", res[0], want)
			}
			// Go calls the library's function through the client's view too.
			if r, err := li.ExportedFunc("mul").Call(ctx, 6, 7); err != nil || uint32(r[0]) != 42 {
				t.Errorf("lib.mul(6, 7) = %v, %v", r, err)
			}
		})
	}
}
