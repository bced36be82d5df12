// Package backend is the seam between the compiler's middle end and its
// code generators. The compiler driver lowers a WebAssembly module to the
// SSA IR of lower/ir, builds the object's metadata once (BuildMeta), picks
// a Backend by name (Lookup) and asks it for an ELF64 relocatable object.
// Every back end produces the same object format, metadata and ABI (see
// rtlib/abi and docs/compiler.md), so objects from different back ends
// load in the same runtime with no back-end-specific code there.
//
// What the seam gives a back end:
//
//   - Target: the ISA-level description of what to generate for (the
//     architecture, its CPU baseline and the extra features the code may
//     use); tool-specific spellings such as LLVM triples stay inside the
//     back end.
//   - Input.Meta: the module's abi.Meta, already built and validated; the
//     back end encodes it unchanged into the object's .wasmaot.meta.
//   - Entries and ImportStubs: the array-call entry trampolines and the
//     host-import stubs described once per signature (slot layout,
//     VMContext use, results area), for each back end to emit in its ISA.
//   - Object: an ELF64 relocatable-object writer (.text, .rodata,
//     .wasmaot.meta, symbols, relocations) that checks every relocation
//     against the loader's allow-list (abi.RelocSize, abi.RuntimeSymbols).
//   - CheckReservedRegisters: the arm64 rule that generated code never
//     touches x18 or x28, checked on any object.
//   - Disassemble: any object's functions as text with relocations named
//     (`wasmaot compile --dump=asm`, golden tests); TextDumper lets a back
//     end show its own intermediate text (`--dump=llvm`).
//
// Back ends import lower/ir, this package and rtlib/abi, never each other.
package backend

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"

	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Backend generates code: it turns a lowered module into an ELF64
// relocatable object for a Target.
//
// The object a back end returns must
//
//   - define, in .text, one function symbol per defined wasm function
//     (abi.FuncSymbol of its function index), one array-call trampoline
//     per type (abi.EntrySymbol; see Entries) and one host-import stub per
//     imported function (abi.ImportSymbol; see ImportStubs), each with its
//     size, following the calling convention documented in rtlib/abi;
//   - carry Input.Meta, encoded with abi.Meta.Encode, as the section
//     abi.MetaSection;
//   - reference nothing outside the object but abi.RuntimeSymbols, through
//     relocation types abi.RelocSize accepts;
//   - keep every guard of the IR: bounds checks, trap_if, call_indirect's
//     type check, the table range checks, a stack-limit check in every
//     function's prologue and the interrupt polls, each trap calling the
//     trap builtin through the VMContext (see docs/compiler.md);
//   - on arm64, never use x18 or x28 (CheckReservedRegisters).
//
// Compile must be safe for concurrent use and must not modify its input.
// It returns an error, never panics, on a module it cannot compile.
type Backend interface {
	// Name is the back end's name on the command line (--backend NAME),
	// in the compiler fingerprint and in the object's compiler version.
	Name() string
	// Compile generates the object for in.Module on in.Target.
	Compile(ctx context.Context, in *Input, opts Options) ([]byte, error)
}

// TextDumper is implemented by back ends that go through a text form of
// their own worth showing: `wasmaot compile --dump=llvm` writes the LLVM
// tier's LLVM IR through it.
type TextDumper interface {
	// DumpText writes the text form of in, as Compile would produce it
	// with opts, to w.
	DumpText(in *Input, opts Options, w io.Writer) error
}

// Input is what the driver hands a back end.
type Input struct {
	// Module is the lowered module after the passes of the -O level; its
	// Wasm field describes the source module. When Lower is set, Funcs
	// is empty: use NumFuncs and Func.
	Module *ir.Module
	// Lower, if set, lowers defined function i (with the passes of the
	// -O level) on demand; it is safe for concurrent use and lowers
	// afresh at each call. The driver sets it only for back ends that
	// implement Streaming, so that the IR of the functions not in flight
	// is never in memory.
	Lower func(i int) (*ir.Func, error)
	// LowerWorker, if set (with Lower), returns a lowering function for
	// one goroutine, like Lower except that the IR it returns is valid
	// only until its next call: it reuses that IR's memory (see Worker).
	LowerWorker func() func(i int) (*ir.Func, error)
	// Meta is the object's metadata, built by BuildMeta and validated; the
	// back end writes it unchanged (Meta.Encode()) into abi.MetaSection.
	Meta *abi.Meta
	// Target is the architecture and CPU features to generate code for;
	// Meta.Arch and Meta.Features agree with it.
	Target Target
}

// NumFuncs is the number of defined functions.
func (in *Input) NumFuncs() int {
	if in.Lower != nil {
		return len(in.Module.Wasm.Codes)
	}
	return len(in.Module.Funcs)
}

// Func returns the IR of defined function i: Module.Funcs[i], or what
// Lower(i) produces (call it once per function then).
func (in *Input) Func(i int) (*ir.Func, error) {
	if in.Lower != nil {
		return in.Lower(i)
	}
	return in.Module.Funcs[i], nil
}

// Worker returns a function giving the IR of defined function i, for
// one goroutine that is done with each function's IR (and keeps nothing
// pointing into it) before it asks for the next: what Func gives, or,
// when the driver streams, IR whose memory is reused from call to call.
func (in *Input) Worker() func(i int) (*ir.Func, error) {
	if in.Lower != nil && in.LowerWorker != nil {
		return in.LowerWorker()
	}
	return in.Func
}

// Order lists the defined functions largest first (by the size of their
// wasm bodies; ties in index order): workers that take functions in this
// order finish at about the same time, where in index order one may be
// left alone with a large function found last.
func (in *Input) Order() []int {
	order := make([]int, in.NumFuncs())
	for i := range order {
		order[i] = i
	}
	codes := in.Module.Wasm.Codes
	if len(codes) != len(order) {
		return order
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(codes[b].Body) - len(codes[a].Body) })
	return order
}

// Streaming is implemented by back ends that take every function's IR
// through Input.Func, once each, so that the driver may leave
// Module.Funcs empty and lower each function when the back end asks
// for it (Input.Lower).
type Streaming interface {
	// Streams reports whether the back end does so for target t.
	Streams(t Target) bool
}

// Options tune code generation. They never change what the code does.
type Options struct {
	// OptLevel is 0..3, as given to `wasmaot compile -O`.
	OptLevel int
	// Jobs bounds the back end's parallelism (processes or goroutines);
	// 0 means runtime.GOMAXPROCS.
	Jobs int
	// Timings, if non-nil, accumulates the back end's phases
	// (timing.Isel, Regalloc, Encode, Object); a back end that does not
	// separate them counts its whole work as timing.Object.
	Timings *timing.Timings
}

var registry struct {
	sync.RWMutex
	byName map[string]Backend
}

// Register makes b selectable by its name. Back ends register themselves
// from an init function; registering two back ends under one name panics.
func Register(b Backend) {
	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = map[string]Backend{}
	}
	name := b.Name()
	if _, dup := registry.byName[name]; dup {
		panic("backend: " + name + " registered twice")
	}
	registry.byName[name] = b
}

// Lookup returns the back end registered under name.
func Lookup(name string) (Backend, error) {
	registry.RLock()
	defer registry.RUnlock()
	if b, ok := registry.byName[name]; ok {
		return b, nil
	}
	names := namesLocked()
	if len(names) == 0 {
		return nil, fmt.Errorf("unknown back end %q (none is registered)", name)
	}
	return nil, fmt.Errorf("unknown back end %q (available: %v)", name, names)
}

// Names lists the registered back ends, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry.byName))
	for n := range registry.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
