package arm64

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// TestPackedSlotsOnEdges runs a loop carrying more i32 and f32 values than
// there are registers, so that block arguments move between 4-byte spill
// slots packed next to each other; a move of the wrong width overwrites a
// neighbour (this broke libc's stdio before moves used the slot's size).
func TestPackedSlotsOnEdges(t *testing.T) {
	if runtime.GOARCH != "arm64" {
		t.Skipf("runs AArch64 code: use GOARCH=arm64 go test -exec qemu-aarch64-static")
	}
	const n = 40
	var src strings.Builder
	src.WriteString(`(module (func (export "f") (param $k i32) (result i32)`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, " (local $i%d i32) (local $f%d f32)", i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, " (local.set $i%d (i32.const %d)) (local.set $f%d (f32.const %d.5))", i, i*7+1, i, i)
	}
	src.WriteString(" (loop $l")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, " (local.set $i%d (i32.add (local.get $i%d) (local.get $i%d)))", i, i, (i+1)%n)
		fmt.Fprintf(&src, " (local.set $f%d (f32.add (local.get $f%d) (local.get $f%d)))", i, i, (i+3)%n)
	}
	src.WriteString(" (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))")
	src.WriteString(" (i32.const 0)")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, " (i32.xor (i32.add (local.get $i%d) (i32.reinterpret_f32 (local.get $f%d))))", i, i)
	}
	src.WriteString("))")
	// The same computation in Go.
	var iv [n]uint32
	var fv [n]float32
	for i := range iv {
		iv[i], fv[i] = uint32(i*7+1), float32(i)+0.5
	}
	for k := 5; k > 0; k-- {
		for i := 0; i < n; i++ {
			iv[i] += iv[(i+1)%n]
			fv[i] += fv[(i+3)%n]
		}
	}
	var want uint32
	for i := range iv {
		want ^= iv[i] + math.Float32bits(fv[i])
	}

	bin, err := wat.Parse([]byte(src.String()))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err == nil {
		err = wasm.Validate(wm)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := lower.Module(wm, lower.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tgt, _ := backend.TargetFor("arm64")
	meta, err := backend.BuildMeta(wm, tgt, "wasmaot-test/native", [32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Compile(context.Background(), &backend.Input{Module: m, Meta: meta, Target: tgt}, backend.Options{Jobs: 1})
	if err == nil {
		obj, err = seal.Seal(obj)
	}
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := inst.ExportedFunc("f").Call(context.Background(), 5)
	if err != nil || uint32(out[0]) != want {
		t.Errorf("f(5) = %v, %v; want %#x", out, err, want)
	}
}
