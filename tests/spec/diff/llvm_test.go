package diff

import (
	"context"
	"testing"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
)

// TestLLVMEngine checks the LLVM engine on a hand-written module: results
// (an i32 zero-extended, multi-value), a trap with the memory written
// before it, an exported global, and a second module replacing the cached
// one.
func TestLLVMEngine(t *testing.T) {
	needLLVM(t)
	bin, err := wat.Parse([]byte(`(module
		(memory (export "memory") 1)
		(global (export "g") (mut i32) (i32.const 7))
		(func (export "pair") (param i64) (result i32 i64)
			(i32.wrap_i64 (local.get 0)) (i64.add (local.get 0) (i64.const 1)))
		(func (export "store_then_trap") (param i32)
			(i32.store8 (i32.const 3) (i32.const 0xAB))
			(global.set 0 (local.get 0))
			(drop (i32.div_u (i32.const 1) (i32.const 0)))))`))
	if err != nil {
		t.Fatal(err)
	}
	e := &LLVM{OptLevel: 2}
	defer e.Close()
	ctx := context.Background()
	o, err := e.Run(ctx, bin, "pair", []uint64{0x1234_5678_0000_0001})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{1, 0x1234_5678_0000_0002}; o.Trap != "" || len(o.Results) != 2 || o.Results[0] != want[0] || o.Results[1] != want[1] {
		t.Errorf("pair: got %+v, want results %#x", o, want)
	}
	o, err = e.Run(ctx, bin, "store_then_trap", []uint64{9})
	if err != nil {
		t.Fatal(err)
	}
	if o.Trap != "integer divide by zero" || o.Memory[3] != 0xAB || len(o.Globals) != 1 || o.Globals[0] != 9 {
		t.Errorf("store_then_trap: trap %q, memory[3] %#x, globals %v", o.Trap, o.Memory[3], o.Globals)
	}
	other := Generate(3)
	if _, err := e.Run(ctx, other.Binary, other.Calls[0].Export, other.Calls[0].Args); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ctx, bin, "missing", nil); err == nil {
		t.Error("a missing export is not an error")
	}
}

// TestRTLibI32ResultSlot checks that rtlib returns an i32 result
// zero-extended in its slot, as rtlib.I32 encodes one. Until it does, the
// LLVM engine masks i32 and f32 results itself.
func TestRTLibI32ResultSlot(t *testing.T) {
	needLLVM(t)
	bin, err := wat.Parse([]byte(`(module (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0))))`))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := compiler.Compile(bin, compiler.Options{Backend: "llvm", OptLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	res, err := inst.ExportedFunc("wrap").Call(context.Background(), 0x1234_5678_0000_0001)
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != rtlib.I32(1) {
		if rtlib.AsI32(res[0]) == 1 {
			t.Skipf("known bug (rtlib): Func.Call returns i32 1 as slot %#x, not rtlib.I32(1): the bits above 32 are the native return register's", res[0])
		}
		t.Fatalf("wrap(0x1234567800000001) = %#x, want 1", res[0])
	}
}
