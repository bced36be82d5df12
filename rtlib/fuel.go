package rtlib

import (
	"context"
	"errors"
	"math"
)

// Fuel bounds the work of an execution deterministically, where a
// deadline bounds its time. Code compiled with fuel metering keeps a
// count in the thread state (abi.ThreadFuel): it subtracts the cost of
// what it is about to run and calls the yield builtin when the count goes
// negative, and yield then fails the call with abi.TrapOutOfFuel. An object
// compiled without metering (abi.Meta.FuelMetered false, as the LLVM back
// end's are for now) refuses a budget: Instantiate with Config.Fuel and
// outermost calls under WithFuel fail with errNotMetered.
//
// The budget belongs to an execution, like the stack limit: it is set when
// Go makes an outermost call (Config.Fuel of the instance called, or
// WithFuel), and everything that call runs shares it — calls into other
// instances through imports, and host functions calling back into wasm.

// errNotMetered refuses a fuel budget for code that would not enforce it.
var errNotMetered = errors.New("rtlib: a fuel budget was given, but the object was compiled without fuel metering")

// unmetered is the fuel of an execution without a budget: metered code
// could not use it up in centuries.
const unmetered = math.MaxInt64

// callKey is the context key of callOptions.
type callKey struct{}

// callOptions are what a context carries for calls into wasm: the fuel
// budget set by WithFuel, and, in the context a host function receives,
// the thread its caller runs on (so that calls back into wasm nest on it).
type callOptions struct {
	thread  *thread
	fuel    int64
	hasFuel bool
}

// WithFuel returns a context under which outermost calls into wasm get a
// budget of fuel units instead of their instance's Config.Fuel (and fail
// if the object was compiled without fuel metering). (A host
// function calling back into wasm continues its caller's execution and
// budget; WithFuel does not change that.)
func WithFuel(ctx context.Context, fuel int64) context.Context {
	o := &callOptions{fuel: max(fuel, 0), hasFuel: true}
	if parent, ok := ctx.Value(callKey{}).(*callOptions); ok {
		o.thread = parent.thread
	}
	return context.WithValue(ctx, callKey{}, o)
}

// fuelBudget returns the fuel an outermost call starts with.
func fuelBudget(opts *callOptions, inst *Instance) (fuel int64, metered bool) {
	switch {
	case opts != nil && opts.hasFuel:
		return opts.fuel, true
	case inst.fuel > 0:
		return inst.fuel, true
	}
	return unmetered, false
}

// outOfFuel reports whether yield was called because a metered execution
// ran out; an unmetered one is refilled.
func (t *thread) outOfFuel() bool {
	if t.ts.fuel >= 0 {
		return false
	}
	if !t.metered {
		t.ts.fuel = unmetered
		return false
	}
	return true
}
