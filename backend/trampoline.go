package backend

import "github.com/wasmaot/wasmaot/rtlib/abi"

// The runtime enters compiled code, and compiled code leaves for the host,
// through small per-signature stubs whose shape is fixed by rtlib/abi.
// This file describes each stub once, so that every back end emits the
// same thing from the same description instead of re-deriving it.
//
// Both kinds move values through a slots array: uint64 slots, one per
// value (i32/f32 in the low 32 bits, upper bits ignored on read), two for
// a v128 (low half first), values in signature order.

// Slot is a value's place in a slots array.
type Slot struct {
	Type abi.ValType
	// Index is the value's first slot; its byte offset is 8*Index. A v128
	// also takes Index+1.
	Index int
}

// Offset is the slot's byte offset from the start of the array.
func (s Slot) Offset() int { return 8 * s.Index }

// SlotLayout places values of types ts in consecutive slots and returns
// the places and the number of slots they take.
func SlotLayout(ts []abi.ValType) ([]Slot, int) {
	out := make([]Slot, len(ts))
	n := 0
	for i, t := range ts {
		out[i] = Slot{Type: t, Index: n}
		n += t.Slots()
	}
	return out, n
}

// Entry describes the array-call entry trampoline of one function type,
//
//	void wasm_entry_<Type>(vmctx *VMContext, code *func, slots *uint64)
//
// through which the runtime calls any function of that type. It
//
//  1. loads Params from slots;
//  2. calls code under the calling convention of rtlib/abi: vmctx first,
//     then, when ResultsArea, slots itself as the results area (every
//     parameter has been loaded by then), then the parameters;
//  3. when the function has exactly one result, stores the returned value
//     at Results[0]; with ResultsArea the callee has already written them
//     (at Results, which start at slot 0), and with none there is nothing
//     to do;
//  4. returns.
//
// The trampoline passes vmctx through and must not read it: the runtime
// may enter another module's function (an import re-exported) through
// this module's trampoline, with a VMContext of another layout. Traps
// unwind past it to the runtime's native entry, so it needs no frame
// beyond what its call requires.
type Entry struct {
	Symbol string // abi.EntrySymbol(Type)
	Type   int    // the type index
	Sig    abi.FuncType
	// Params and Results are the places of the parameters and results in
	// slots; the runtime sizes slots for the larger of the two.
	Params, Results []Slot
	// ResultsArea is whether the callee takes a results area (more than
	// one result): slots is passed as the hidden second argument.
	ResultsArea bool
}

// Entries describes the entry trampoline of every type of m, in type
// order.
func Entries(m *abi.Meta) []Entry {
	out := make([]Entry, len(m.Types))
	for i, ft := range m.Types {
		e := Entry{Symbol: ft.EntrySymbol, Type: i, Sig: ft, ResultsArea: len(ft.Results) > 1}
		e.Params, _ = SlotLayout(ft.Params)
		e.Results, _ = SlotLayout(ft.Results)
		out[i] = e
	}
	return out
}

// ImportStub describes the host-import stub of one imported function,
//
//	wasm_import_<Func>(vmctx, [results *uint64,] params...)
//
// with the import's own signature, so that wasm code calls an import as it
// calls any function. It
//
//  1. reserves SlotCount slots on its own stack (8-byte aligned);
//  2. stores each parameter at its place in Params;
//  3. calls the builtin Builtin (abi.BuiltinHostCall) through the
//     VMContext builtin table: host_call(vmctx, uint32(Func), slots), which
//     leaves native code, runs the host function and resumes (it may trap,
//     in which case it never returns);
//  4. loads the results from Results and returns the single result in the
//     return register or, when ResultsArea, copies them to the caller's
//     results area (same slot layout) and returns nothing.
//
// The stub uses vmctx only to reach the builtin table and pass it on.
type ImportStub struct {
	Symbol string // abi.ImportSymbol(Func)
	// Func is the function index of the import (imports come first in the
	// function index space), the argument host_call gets.
	Func int
	Sig  abi.FuncType
	// Params and Results are the places in the stub's slots array.
	Params, Results []Slot
	// SlotCount is the size of the stub's slots array: enough for the
	// parameters and for the results, and at least one.
	SlotCount   int
	ResultsArea bool
	Builtin     abi.Builtin
}

// ImportStubs describes the stub of every imported function of m, in
// function index order.
func ImportStubs(m *abi.Meta) []ImportStub {
	var out []ImportStub
	for _, im := range m.Imports {
		if im.Kind != abi.ExternFunc {
			continue
		}
		ft := m.Types[im.FuncType]
		s := ImportStub{Symbol: im.StubSymbol, Func: len(out), Sig: ft,
			ResultsArea: len(ft.Results) > 1, Builtin: abi.BuiltinHostCall}
		var np, nr int
		s.Params, np = SlotLayout(ft.Params)
		s.Results, nr = SlotLayout(ft.Results)
		s.SlotCount = max(np, nr, 1)
		out = append(out, s)
	}
	return out
}
