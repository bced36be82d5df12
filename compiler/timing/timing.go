// Package timing records where a compilation's time goes, phase by phase
// (decode, validate, lower, passes, isel, regalloc, encode, object). The
// compiler driver, lower and the native back ends add to a *Timings only
// when the caller passed one (compiler.Options.Timings); a nil *Timings
// costs a nil check, no clock read. `make bench` reports the figures.
package timing

import (
	"sync/atomic"
	"time"
)

// Phase is one step of a compilation.
type Phase int

// The phases, in the order a compilation runs them.
const (
	Decode   Phase = iota // wasm bytes to the module structure (compiler/wasm)
	Validate              // type checking (compiler/wasm)
	Lower                 // wasm to SSA IR, per function (lower)
	Passes                // the -O level's IR passes, per function (lower)
	Isel                  // instruction selection, writing machine code, per function
	Regalloc              // register allocation, per function
	Encode                // assembling .text: branch fix-ups, layout, calls, trampolines and stubs
	Object                // writing the ELF object (or, for the LLVM tier, everything after lowering)
	NumPhases
)

var names = [NumPhases]string{"decode", "validate", "lower", "passes", "isel", "regalloc", "encode", "object"}

// String is the phase's name as the benchmark report prints it.
func (p Phase) String() string {
	if p < 0 || p >= NumPhases {
		return "phase?"
	}
	return names[p]
}

// Timings accumulates time per phase. It is safe for concurrent use:
// phases that run per function on several goroutines add up the time of
// every function, so their sum can exceed the compilation's wall time.
// All methods accept a nil receiver and then do nothing.
type Timings struct {
	ns [NumPhases]atomic.Int64
}

// Start returns the time a phase starts, or the zero time (no clock
// read) when t is nil.
func (t *Timings) Start() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Now()
}

// Stop adds the time since start (from Start) to phase p.
func (t *Timings) Stop(p Phase, start time.Time) {
	if t == nil {
		return
	}
	t.ns[p].Add(int64(time.Since(start)))
}

// Get returns the time accumulated for phase p.
func (t *Timings) Get(p Phase) time.Duration {
	if t == nil {
		return 0
	}
	return time.Duration(t.ns[p].Load())
}

// Total is the sum over all phases.
func (t *Timings) Total() time.Duration {
	var d time.Duration
	for p := range NumPhases {
		d += t.Get(p)
	}
	return d
}
