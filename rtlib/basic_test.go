package rtlib

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// basicObjectFor is testdata/basic.wat compiled for arch.
func basicObjectFor(t testing.TB, arch abi.Arch) []byte {
	t.Helper()
	return nativeObject(t, testdataWat(t, "basic.wat", "", ""), arch)
}

// basicObject is basic.wat compiled for the host.
func basicObject(t testing.TB) []byte { return basicObjectFor(t, hostArch) }

// hostFunc is a Go import of type (i32) -> i32.
func hostFunc(fn func(ctx context.Context, c abi.Caller, x int32) (int32, error)) abi.HostFunc {
	return abi.HostFunc{
		Params: []abi.ValType{abi.I32}, Results: []abi.ValType{abi.I32},
		Fn: func(ctx context.Context, c abi.Caller, stack []uint64) error {
			r, err := fn(ctx, c, AsI32(stack[0]))
			stack[0] = I32(r)
			return err
		},
	}
}

func newBasic(t testing.TB, host abi.HostFunc) *Instance {
	t.Helper()
	return newInstance(t, basicObject(t), host)
}

// newInstance loads obj, which imports env.host, and instantiates it with
// host; both are closed when the test ends.
func newInstance(t testing.TB, obj []byte, host abi.HostFunc) *Instance {
	t.Helper()
	mod, err := Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := mod.Instantiate(context.Background(), Config{
		HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": host}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close(); mod.Close() })
	return inst
}

func double() abi.HostFunc {
	return hostFunc(func(_ context.Context, _ abi.Caller, x int32) (int32, error) { return 2 * x, nil })
}

func call(t *testing.T, inst *Instance, name string, args ...uint64) []uint64 {
	t.Helper()
	f := inst.ExportedFunc(name)
	if f == nil {
		t.Fatalf("no export %q", name)
	}
	res, err := f.Call(context.Background(), args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func TestCallValueTypes(t *testing.T) {
	inst := newBasic(t, double())
	if r := call(t, inst, "add", I32(-5), I32(3)); AsI32(r[0]) != -2 {
		t.Errorf("add(-5, 3) = %d", AsI32(r[0]))
	}
	if r := call(t, inst, "swap", I64(-7), F64(2.5)); len(r) != 2 || AsF64(r[0]) != 2.5 || AsI64(r[1]) != -7 {
		t.Errorf("swap(-7, 2.5) = %v", r)
	}
	if r := call(t, inst, "half", F32(3)); AsF32(r[0]) != 1.5 {
		t.Errorf("half(3) = %v", AsF32(r[0]))
	}
	if r := call(t, inst, "swaplanes", 1, 2); len(r) != 2 || r[0] != 2 || r[1] != 1 {
		t.Errorf("swaplanes(1, 2) = %v", r)
	}
	if r := call(t, inst, "counter"); AsI64(r[0]) != 101 {
		t.Errorf("counter() = %d", AsI64(r[0]))
	}
	if g := inst.ExportedGlobal("g").Get(); g[0] != 101 {
		t.Errorf("global g = %d after one counter()", g[0])
	}
	if _, err := inst.ExportedFunc("add").Call(context.Background(), 1); err == nil {
		t.Error("calling with too few arguments succeeded")
	}
}

func TestTraps(t *testing.T) {
	inst := newBasic(t, double())
	cases := []struct {
		name string
		args []uint64
		code abi.TrapCode
	}{
		{"unreachable", nil, abi.TrapUnreachable},
		{"div", []uint64{I32(1), I32(0)}, abi.TrapIntegerDivideByZero},
		{"load", []uint64{I32(65536 - 3)}, abi.TrapMemoryOutOfBounds},
		{"recurse", []uint64{0}, abi.TrapCallStackExhausted},
	}
	for _, c := range cases {
		_, err := inst.ExportedFunc(c.name).Call(context.Background(), c.args...)
		var trap *abi.Trap
		if !errors.As(err, &trap) || trap.Code != c.code {
			t.Errorf("%s: error %v, want trap %v", c.name, err, c.code)
			continue
		}
		// Compiled code checks and traps in the function itself.
		if trap.FuncName != c.name {
			t.Errorf("%s: trap attributed to %q (func %d)", c.name, trap.FuncName, trap.Func)
		}
	}
	// Traps raised by other builtins name their caller too.
	_, err := inst.ExportedFunc("fill").Call(context.Background(), I32(65536-4), I32(1), I32(16))
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapMemoryOutOfBounds || trap.FuncName != "fill" || trap.Func != 14 {
		t.Errorf("out-of-bounds memory.fill: %v (func %d)", err, trap.Func)
	}
	// A context that turns out done only once the call has started (one
	// already done is refused before any wasm code runs).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = inst.ExportedFunc("spin").Call(&doneOnSecondCheck{Context: ctx})
	if !errors.As(err, &trap) || trap.Code != abi.TrapInterrupted || trap.Func != 8 || trap.FuncName != "spin" {
		t.Errorf("interrupted spin: %v (func %d, want 8)", err, trap.Func)
	}
	// Fuel runs out in charge, the metering sequence of the crafted
	// object, which burn calls.
	metered := newInstance(t, craftedObject(t), double())
	_, err = metered.ExportedFunc("burn").Call(WithFuel(context.Background(), 10), I32(100))
	if !errors.As(err, &trap) || trap.Code != abi.TrapOutOfFuel || trap.FuncName != "charge" || trap.Func != 22 {
		t.Errorf("burn out of fuel: %v (func %d)", err, trap.Func)
	}
	// The instance still works after traps.
	if r := call(t, inst, "div", I32(9), I32(3)); AsI32(r[0]) != 3 {
		t.Errorf("div(9, 3) = %d after traps", AsI32(r[0]))
	}
}

func TestMemory(t *testing.T) {
	inst := newBasic(t, double())
	if got := string(inst.Memory()[16:21]); got != "hello" {
		t.Errorf("data segment: memory[16:21] = %q", got)
	}
	base := &inst.Memory()[0]
	call(t, inst, "store", I32(100), I32(0x01020304))
	if r := call(t, inst, "load", I32(100)); AsI32(r[0]) != 0x01020304 {
		t.Errorf("load after store = %#x", r[0])
	}
	if r := call(t, inst, "grow", I32(2)); AsI32(r[0]) != 1 {
		t.Errorf("grow(2) = %d, want 1", AsI32(r[0]))
	}
	if r := call(t, inst, "grow", I32(2)); AsI32(r[0]) != -1 {
		t.Errorf("grow(2) beyond max = %d, want -1", AsI32(r[0]))
	}
	mem := inst.Memory()
	if len(mem) != 3*65536 || &mem[0] != base {
		t.Errorf("after grow: %d bytes, base moved %v", len(mem), &mem[0] != base)
	}
	call(t, inst, "store", I32(3*65536-4), I32(7)) // in the new pages
	call(t, inst, "fill", I32(1000), I32(0xAB), I32(16))
	for i := 1000; i < 1032; i++ {
		if mem[i] != 0xAB {
			t.Fatalf("after fill and memmove: mem[%d] = %#x", i, mem[i])
		}
	}
	if _, err := inst.ExportedFunc("fill").Call(context.Background(), I32(3*65536-4), I32(1), I32(16)); err == nil {
		t.Error("out-of-bounds memory.fill did not trap")
	}
}

// doneOnSecondCheck is a done context whose Err reports nil the first
// time: for a call, it becomes done after the call has started.
type doneOnSecondCheck struct {
	context.Context
	checked atomic.Bool
}

func (c *doneOnSecondCheck) Err() error {
	if !c.checked.Swap(true) {
		return nil
	}
	return c.Context.Err()
}

// exitError ends its instance, as WASI's proc_exit does.
type exitError struct{}

func (exitError) Error() string { return "exit" }
func (exitError) EndsInstance() {}

// TestCallAfterExit checks that an instance ended by a host function
// (proc_exit) refuses later calls with a clear error that still carries
// the ending error.
func TestCallAfterExit(t *testing.T) {
	inst := newBasic(t, hostFunc(func(context.Context, abi.Caller, int32) (int32, error) { return 0, exitError{} }))
	ctx := context.Background()
	if _, err := inst.ExportedFunc("call_host").Call(ctx, I32(1)); !errors.As(err, new(exitError)) {
		t.Fatalf("call_host: %v, want the exit error", err)
	}
	_, err := inst.ExportedFunc("add").Call(ctx, I32(1), I32(2))
	if err == nil || !strings.Contains(err.Error(), "instance that has ended") || !errors.As(err, new(exitError)) {
		t.Fatalf("call after exit: %v, want a refusal naming the exit", err)
	}
}
