package rtlib

import (
	"context"
	"errors"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

func isOutOfFuel(err error) bool {
	var trap *abi.Trap
	return errors.As(err, &trap) && trap.Code == abi.TrapOutOfFuel
}

// TestFuel runs burn of the crafted object (basic.wat with a metering
// charge), which charges n+1 units of fuel for n iterations.
func TestFuel(t *testing.T) {
	// As compiled, charge counts its calls: burn(n) makes n+1.
	counted := newBasic(t, double())
	call(t, counted, "burn", I32(99))
	if n := counted.ExportedGlobal("charges").Get()[0]; n != 100 {
		t.Fatalf("burn(99) called charge %d times, want 100", n)
	}
	mod, err := Load(craftedObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	ctx := context.Background()
	var inst *Instance
	host := hostFunc(func(ctx context.Context, _ abi.Caller, x int32) (int32, error) {
		for range x {
			if _, err := inst.ExportedFunc("burn").Call(ctx, I32(60)); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
	inst, err = mod.Instantiate(ctx, Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": host}}, Fuel: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	burn := inst.ExportedFunc("burn")
	if r, err := burn.Call(ctx, I32(99)); err != nil || AsI32(r[0]) != 99 {
		t.Fatalf("burn(99) with 100 fuel = %v, %v", r, err)
	}
	if _, err := burn.Call(ctx, I32(100)); !isOutOfFuel(err) {
		t.Fatalf("burn(100) with 100 fuel: %v, want out of fuel", err)
	}
	// Every outermost call starts with a full budget.
	if _, err := burn.Call(ctx, I32(99)); err != nil {
		t.Fatalf("burn(99) after running out: %v", err)
	}
	if _, err := burn.Call(WithFuel(ctx, 1000), I32(999)); err != nil {
		t.Fatalf("burn(999) WithFuel(1000): %v", err)
	}
	if _, err := burn.Call(WithFuel(ctx, 0), I32(0)); !isOutOfFuel(err) {
		t.Fatalf("burn(0) WithFuel(0): %v, want out of fuel", err)
	}
	// Host re-entry shares its caller's budget: one burn(60) fits in 100,
	// the second does not.
	if _, err := inst.ExportedFunc("call_host").Call(ctx, I32(1)); err != nil {
		t.Fatalf("one nested burn(60): %v", err)
	}
	if _, err := inst.ExportedFunc("call_host").Call(ctx, I32(2)); !isOutOfFuel(err) {
		t.Fatalf("two nested burn(60): %v, want out of fuel", err)
	}

	// Without a budget, metered code runs unhindered.
	free := newInstance(t, craftedObject(t), double())
	if r, err := free.ExportedFunc("burn").Call(ctx, I32(1_000_000)); err != nil || AsI32(r[0]) != 1_000_000 {
		t.Fatalf("unmetered burn = %v, %v", r, err)
	}
}

// TestFuelNeedsMetering checks that an object compiled without fuel
// metering (every object the back ends emit; here externs.wat) refuses a
// budget it would not enforce, and runs normally without one.
func TestFuelNeedsMetering(t *testing.T) {
	if metaOf(t, basicObject(t)).FuelMetered || !metaOf(t, craftedObject(t)).FuelMetered {
		t.Fatal("basic.wat compiled says it meters fuel, or the crafted object says it does not")
	}
	mod := loadExterns(t)
	h := newHostExterns(t)
	cfg := h.config()
	cfg.Fuel = 100
	if inst, err := mod.Instantiate(context.Background(), cfg); !errors.Is(err, errNotMetered) {
		if inst != nil {
			inst.Close()
		}
		t.Fatalf("Instantiate with Config.Fuel: got %v, want %v", err, errNotMetered)
	}
	inst := instantiateExterns(t, mod, h)
	defer inst.Close()
	answer := inst.ExportedFunc("answer")
	if _, err := answer.Call(WithFuel(context.Background(), 1000)); !errors.Is(err, errNotMetered) {
		t.Fatalf("call under WithFuel: got %v, want %v", err, errNotMetered)
	}
	if _, err := answer.Call(context.Background()); err != nil {
		t.Fatalf("call without a budget: %v", err)
	}
}
