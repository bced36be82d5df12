package micro

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/tree"
)

// Calls between nanoprocesses: a delegation tree (rtlib/wasi/p2/tree)
// whose root imports a child's exports, each node its own instance and
// memory. The same function body is also defined in the root itself, as
// the plain wasm-to-wasm call the cross-node call is compared with. The
// body calls itself on a cold path: LLVM does not inline a recursive
// function, so both are real calls.

// body is a function (param i32 i32) (result i32) named name.
func body(name string) string {
	return fmt.Sprintf(`(func $%s (export "%s") (param i32 i32) (result i32)
  (if (i32.eq (local.get 0) (i32.const -12345)) (then (return (call $%s (local.get 1) (local.get 0)))))
  (i32.add (local.get 0) (local.get 1)))`, name, name, name)
}

// loop is an export calling f n times with the running result.
func loop(name, call string) string {
	return fmt.Sprintf(`(func (export "%s") (param $n i32) (result i32) (local $i i32) (local $acc i32)
  (block (loop
    (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $acc %s)
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br 0)))
  (local.get $acc))`, name, call)
}

// StringBytes is the length of the string the string call passes.
const StringBytes = 64

func calleeWat() string {
	return `(module (memory (export "memory") 1)
` + body("add") + `
(func (export "sum") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
  (block (loop (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br 0)))
  (local.get $s))
(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))`
}

func callerWat() string {
	return `(module
(import "dep" "add" (func $dep_add (param i32 i32) (result i32)))
(import "dep" "sum" (func $dep_sum (param i32 i32) (result i32)))
(memory (export "memory") 1)
(data (i32.const 16) "` + strings.Repeat("n", StringBytes) + `")
` + body("local_add") + "\n" +
		loop("plain", "(call $local_add (local.get $acc) (local.get $i))") + "\n" +
		loop("cross", "(call $dep_add (local.get $acc) (local.get $i))") + "\n" +
		loop("string", fmt.Sprintf("(i32.add (local.get $acc) (call $dep_sum (i32.const 16) (i32.const %d)))", StringBytes)) + ")"
}

// NanoprocessCalls measures nanoseconds per call: a plain call inside one
// instance, a call with scalar arguments to a child node, and a call
// passing a StringBytes-byte string to a child node (copied into its
// memory through its cabi_realloc). Each is the best of reps runs of a
// wasm loop of n calls.
func NanoprocessCalls(reps, n int) (plain, cross, str float64, err error) {
	dir, err := os.MkdirTemp("", "wasmaot-nanoprocess")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	for name, src := range map[string]string{"app.wasm": callerWat(), "dep.wasm": calleeWat()} {
		bin, err := wat.Parse([]byte(src))
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), bin, 0o644); err != nil {
			return 0, 0, 0, err
		}
	}
	spec := &tree.Node{Name: "app", Module: filepath.Join(dir, "app.wasm"),
		Imports: map[string]tree.Import{
			"dep#add": {Node: "dep", Export: "add", Params: []string{"i32", "i32"}},
			"dep#sum": {Node: "dep", Export: "sum", Params: []string{"string"}},
		},
		Children: []*tree.Node{{Name: "dep", Module: filepath.Join(dir, "dep.wasm")}}}
	ctx := context.Background()
	compile := func(ctx context.Context, wasm []byte) (*rtlib.Module, error) {
		obj, err := compiler.CompileContext(ctx, wasm, compiler.Options{OptLevel: 2})
		if err != nil {
			return nil, err
		}
		return rtlib.Load(obj)
	}
	t, err := tree.Build(ctx, spec, tree.Options{Compile: compile})
	if err != nil {
		return 0, 0, 0, err
	}
	defer t.Close()
	app := t.Instance("app")
	var out [3]float64
	for i, name := range []string{"plain", "cross", "string"} {
		f := app.ExportedFunc(name)
		best := time.Duration(1 << 62)
		for range reps {
			start := time.Now()
			res, err := f.Call(ctx, uint64(n))
			d := time.Since(start)
			if err != nil {
				return 0, 0, 0, fmt.Errorf("%s: %w", name, err)
			}
			if want := nanoprocessResult(name, n); uint32(res[0]) != want {
				return 0, 0, 0, fmt.Errorf("%s(%d) = %d, want %d", name, n, uint32(res[0]), want)
			}
			best = min(best, d)
		}
		out[i] = float64(best.Nanoseconds()) / float64(n)
	}
	return out[0], out[1], out[2], nil
}

// nanoprocessResult is what loop name returns after n calls.
func nanoprocessResult(name string, n int) uint32 {
	if name == "string" {
		return uint32(n) * StringBytes * 'n'
	}
	return uint32(uint64(n) * uint64(n-1) / 2)
}
