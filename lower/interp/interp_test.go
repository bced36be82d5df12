package interp

import (
	"context"
	"errors"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

func build(t *testing.T, src string, opts lower.Options) *ir.Module {
	t.Helper()
	bin, err := wat.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(m); err != nil {
		t.Fatal(err)
	}
	opts.Verify = true
	irm, err := lower.Module(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return irm
}

func TestHostFunctionAndCaller(t *testing.T) {
	irm := build(t, `(module
	  (import "env" "add" (func $add (param i32 i64) (result i64)))
	  (memory (export "memory") 1)
	  (data (i32.const 0) "hi")
	  (func (export "f") (param i32) (result i64)
	    (call $add (local.get 0) (i64.const 40))))`, lower.Options{})
	var seen []byte
	host := &abi.HostFunc{
		Params:  []abi.ValType{abi.I32, abi.I64},
		Results: []abi.ValType{abi.I64},
		Fn: func(_ context.Context, c abi.Caller, stack []uint64) error {
			seen = append(seen, c.Memory()[:2]...)
			stack[0] = uint64(int64(int32(stack[0])) + int64(stack[1]))
			return nil
		},
	}
	inst, err := New().Instantiate(context.Background(), irm, func(module, name string) (any, bool) {
		return host, module == "env" && name == "add"
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := inst.Call(context.Background(), "f", []Value{{Lo: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Lo != 42 || string(seen) != "hi" {
		t.Errorf("got %d, host saw memory %q; want 42 and \"hi\"", got[0].Lo, seen)
	}
}

func TestLinkErrors(t *testing.T) {
	irm := build(t, `(module (import "env" "f" (func (param i32))))`, lower.Options{})
	_, err := New().Instantiate(context.Background(), irm, func(string, string) (any, bool) { return nil, false })
	var le *LinkError
	if !errors.As(err, &le) || le.Name != "f" {
		t.Errorf("missing import: got %v", err)
	}
	wrong := &abi.HostFunc{Params: []abi.ValType{abi.I64}}
	_, err = New().Instantiate(context.Background(), irm, func(string, string) (any, bool) { return wrong, true })
	if !errors.As(err, &le) {
		t.Errorf("mismatched signature: got %v", err)
	}
}

func trapCode(err error) abi.TrapCode {
	var trap *abi.Trap
	if errors.As(err, &trap) {
		return trap.Code
	}
	return abi.TrapNone
}

func TestStackExhaustionAndTrapLocation(t *testing.T) {
	irm := build(t, `(module
	  (func $r (export "r") (call $r))
	  (func $div (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))`, lower.Options{})
	eng := New()
	eng.MaxCallDepth = 100
	inst, err := eng.Instantiate(context.Background(), irm, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = inst.Call(context.Background(), "r", nil)
	if trapCode(err) != abi.TrapCallStackExhausted {
		t.Errorf("recursion: got %v", err)
	}
	_, err = inst.Call(context.Background(), "div", []Value{{}})
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapIntegerDivideByZero || trap.Func != 1 || trap.FuncName != "div" {
		t.Errorf("division: got %#v", err)
	}
}

func TestInterruptByContext(t *testing.T) {
	irm := build(t, `(module (func (export "spin") (loop (br 0))))`, lower.Options{})
	inst, err := New().Instantiate(context.Background(), irm, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = inst.Call(ctx, "spin", nil)
	if trapCode(err) != abi.TrapInterrupted {
		t.Errorf("got %v, want an interrupted trap", err)
	}
}

// TestMissingBoundsCheckIsInternal checks that an access no bounds check
// covers is reported as an IR bug, not as a wasm trap.
func TestMissingBoundsCheckIsInternal(t *testing.T) {
	irm := build(t, `(module (memory 1) (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))`, lower.Options{})
	f := irm.Funcs[0]
	for _, b := range f.Blocks {
		for i, in := range b.Instrs {
			if in.Op == ir.OpBoundsCheck {
				b.Instrs = append(b.Instrs[:i], b.Instrs[i+1:]...)
				break
			}
		}
	}
	inst, err := New().Instantiate(context.Background(), irm, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = inst.Call(context.Background(), "f", []Value{{Lo: 70000}})
	if !errors.Is(err, ErrInternal) {
		t.Errorf("got %v, want ErrInternal", err)
	}
}

func TestMemoryGrowAndTables(t *testing.T) {
	irm := build(t, `(module
	  (memory 1 2)
	  (table 1 funcref)
	  (func $k (result i32) (i32.const 7))
	  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
	  (func (export "tab") (result i32 i32)
	    (table.grow (ref.func $k) (i32.const 2)) (table.size))
	  (func (export "icall") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
	  (elem declare func $k))`, lower.Options{})
	inst, err := New().Instantiate(context.Background(), irm, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct{ delta, want uint32 }{{1, 1}, {1, ^uint32(0)}, {0, 2}} {
		got, err := inst.Call(ctx, "grow", []Value{{Lo: uint64(c.delta)}})
		if err != nil || uint32(got[0].Lo) != c.want {
			t.Errorf("grow %d: got %v %v, want %d", c.delta, got, err, int32(c.want))
		}
	}
	got, err := inst.Call(ctx, "tab", nil)
	if err != nil || got[0].Lo != 1 || got[1].Lo != 3 {
		t.Errorf("table.grow/size: got %v %v", got, err)
	}
	if got, err := inst.Call(ctx, "icall", []Value{{Lo: 2}}); err != nil || got[0].Lo != 7 {
		t.Errorf("call_indirect: got %v %v", got, err)
	}
	if _, err := inst.Call(ctx, "icall", []Value{{Lo: 0}}); trapCode(err) != abi.TrapUninitializedElement {
		t.Errorf("null entry: got %v", err)
	}
	if _, err := inst.Call(ctx, "icall", []Value{{Lo: 3}}); trapCode(err) != abi.TrapUndefinedElement {
		t.Errorf("beyond the table: got %v", err)
	}
}
