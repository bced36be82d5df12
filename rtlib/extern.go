package rtlib

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Host-created externs and reference values.
//
// NewMemory, NewTable and NewGlobal make a memory, table or global that
// belongs to no instance, to be imported through Config.Externs by any
// number of instances, which then share it: growth and stores by one are
// seen by all and by Go. Their storage is outside the Go heap and is
// released by the garbage collector once neither Go nor a live instance
// refers to them.
//
// Reference values cross the API as uint64 slots, 0 being null:
//
//   - An externref is any 64-bit value the embedder chooses; wasm can only
//     store it and hand it back. To pass a Go value, keep it in a Go-side
//     table (a map or slice indexed by handle) and pass the handle, plus one
//     if 0 is a valid handle, since 0 is null.
//   - A funcref is the address of a function record (Func.Ref). The runtime
//     refuses any other nonzero value wherever Go hands one to wasm (call
//     arguments, host-function results, Table.Set, Global.Set), because
//     compiled code would jump through it.

// NewMemory creates a memory of lim.Min pages that can grow to lim.Max (or
// 4 GiB without a maximum). Its address space is reserved up front, so
// its base never moves.
func NewMemory(lim abi.Limits) (*Memory, error) {
	if err := checkLimits(lim, abi.MaxMemoryPages, "pages"); err != nil {
		return nil, fmt.Errorf("rtlib: NewMemory: %w", err)
	}
	res, err := reserve(memoryBytes(lim, abi.MaxMemoryPages))
	if err != nil {
		return nil, fmt.Errorf("rtlib: NewMemory: reserving memory: %w", err)
	}
	page, err := offHeapPage()
	if err != nil {
		unmap(res)
		return nil, err
	}
	m, err := newMemory(lim, abi.MaxMemoryPages, (*definition)(unsafe.Pointer(&page[0])), res, false, nil)
	if err != nil {
		unmapAll([][]byte{res, page})
		return nil, fmt.Errorf("rtlib: NewMemory: %w", err)
	}
	m.host = true
	runtime.AddCleanup(m, unmapAll, [][]byte{m.res, page})
	return m, nil
}

// NewTable creates a table of elem (abi.FuncRef or abi.ExternRef) with
// lim.Min null elements, growable to lim.Max (or abi.MaxTableSize).
func NewTable(elem abi.ValType, lim abi.Limits) (*Table, error) {
	if elem != abi.FuncRef && elem != abi.ExternRef {
		return nil, fmt.Errorf("rtlib: NewTable: element type %#x is not a reference type", byte(elem))
	}
	if err := checkLimits(lim, abi.MaxTableSize, "elements"); err != nil {
		return nil, fmt.Errorf("rtlib: NewTable: %w", err)
	}
	tt := abi.TableType{Elem: elem, Limits: lim}
	res, err := reserve(tableBytes(tt, abi.MaxTableSize))
	if err != nil {
		return nil, fmt.Errorf("rtlib: NewTable: reserving table: %w", err)
	}
	page, err := offHeapPage()
	if err != nil {
		unmap(res)
		return nil, err
	}
	t, err := newTable(tt, abi.MaxTableSize, (*definition)(unsafe.Pointer(&page[0])), tableStore{res: res})
	if err != nil {
		unmapAll([][]byte{res, page})
		return nil, fmt.Errorf("rtlib: NewTable: %w", err)
	}
	t.host = true
	if elem == abi.FuncRef {
		t.clearRefs = func() { clear(t.elems()) }
	}
	runtime.AddCleanup(t, unmapAll, [][]byte{t.res, page})
	return t, nil
}

// NewGlobal creates a global of type typ holding value (one slot, or two
// for v128, low half first).
func NewGlobal(typ abi.GlobalType, value ...uint64) (*Global, error) {
	switch typ.Type {
	case abi.I32, abi.I64, abi.F32, abi.F64, abi.V128, abi.FuncRef, abi.ExternRef:
	default:
		return nil, fmt.Errorf("rtlib: NewGlobal: unknown value type %#x", byte(typ.Type))
	}
	if len(value) != typ.Type.Slots() {
		return nil, fmt.Errorf("rtlib: NewGlobal: a value of type %#x takes %d slots, got %d", byte(typ.Type), typ.Type.Slots(), len(value))
	}
	page, err := offHeapPage()
	if err != nil {
		return nil, err
	}
	g := &Global{slot: (*[2]uint64)(unsafe.Pointer(&page[0])), typ: typ}
	g.host = true
	runtime.AddCleanup(g, unmapAll, [][]byte{page})
	if typ.Type == abi.FuncRef {
		g.clearRefs = func() { g.slot[0] = 0 }
		if err := admitRef(value[0], &g.lifetime, nil, func() { g.set(value) }); err != nil {
			return nil, fmt.Errorf("rtlib: NewGlobal: %w", err)
		}
		return g, nil
	}
	g.set(value)
	return g, nil
}

func checkLimits(lim abi.Limits, limit uint32, unit string) error {
	if lim.Min > limit {
		return fmt.Errorf("minimum of %d %s exceeds the limit of %d", lim.Min, unit, limit)
	}
	if lim.HasMax && lim.Max < lim.Min {
		return fmt.Errorf("maximum %d is below the minimum %d", lim.Max, lim.Min)
	}
	return nil
}

func offHeapPage() ([]byte, error) {
	if err := grantMappings(1); err != nil {
		return nil, err
	}
	page, err := mmap(pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("rtlib: mapping a definition page: %w", err)
	}
	return page, nil
}

func unmapAll(regions [][]byte) {
	for _, r := range regions {
		unmap(r)
	}
}

// Type returns the table's element type and declared limits.
func (t *Table) Type() abi.TableType { return abi.TableType{Elem: t.elem, Limits: t.declared} }

// Get returns element i: an externref value, or a funcref (Func.Ref of
// some function; see Func to get the function itself). 0 is null.
func (t *Table) Get(i uint32) (uint64, error) {
	if t.freed.Load() {
		return 0, errFreed
	}
	elems := t.elems()
	if uint64(i) >= uint64(len(elems)) {
		return 0, fmt.Errorf("rtlib: table index %d out of bounds of %d elements", i, len(elems))
	}
	return elems[i], nil
}

// Set stores v in element i. For a funcref table v must be 0 or the Ref of
// a function of a live instance.
func (t *Table) Set(i uint32, v uint64) error {
	if t.freed.Load() {
		return errFreed
	}
	store := func() error {
		elems := t.elems()
		if uint64(i) >= uint64(len(elems)) {
			return fmt.Errorf("rtlib: table index %d out of bounds of %d elements", i, len(elems))
		}
		elems[i] = v
		return nil
	}
	if t.elem != abi.FuncRef {
		return store()
	}
	var err error
	if aerr := admitRef(v, &t.lifetime, nil, func() { err = store() }); aerr != nil {
		return aerr
	}
	return err
}

// Grow adds delta elements set to init (checked as for Set) and returns
// the previous size, or -1 if the table cannot grow that much. Every
// instance sharing the table sees the new size.
func (t *Table) Grow(delta uint32, init uint64) (int64, error) {
	if t.freed.Load() {
		return -1, errFreed
	}
	if t.elem != abi.FuncRef {
		return t.grow(delta, init), nil
	}
	var old int64
	err := admitRef(init, &t.lifetime, nil, func() { old = t.grow(delta, init) })
	return old, err
}

// Func returns the function in element i of a funcref table, or nil if
// the element is null.
func (t *Table) Func(i uint32) (*Func, error) {
	if t.elem != abi.FuncRef {
		return nil, fmt.Errorf("rtlib: Table.Func on a table of %#x", byte(t.elem))
	}
	ref, err := t.Get(i)
	if err != nil || ref == 0 {
		return nil, err
	}
	return funcFromRef(ref)
}

// SetFunc stores f's reference in element i of a funcref table; a nil f
// stores null.
func (t *Table) SetFunc(i uint32, f *Func) error {
	if t.elem != abi.FuncRef {
		return fmt.Errorf("rtlib: Table.SetFunc on a table of %#x", byte(t.elem))
	}
	return t.Set(i, f.Ref())
}

// Ref returns the funcref value of f, to pass as a funcref argument or
// store in a table or global. The Ref of a nil *Func is null (0).
func (f *Func) Ref() uint64 {
	if f == nil {
		return 0
	}
	return uint64(f.ref)
}

// FuncFromRef returns the function a nonzero funcref value (a wasm result,
// a table element, a global) refers to.
func FuncFromRef(ref uint64) (*Func, error) {
	if ref == 0 {
		return nil, fmt.Errorf("rtlib: null function reference")
	}
	return funcFromRef(ref)
}

func funcFromRef(ref uint64) (*Func, error) {
	holder := refOwner(ref)
	if holder == nil {
		return nil, fmt.Errorf("rtlib: %#x is not a function reference of a live instance", ref)
	}
	rec := holder.get64Range(uintptr(ref), abi.FuncRefSize)
	f := &Func{inst: holder, ref: uintptr(ref), code: le64(rec[abi.FuncRefCode:]), vmctx: le64(rec[abi.FuncRefVMCtx:]),
		typeID: le64(rec[abi.FuncRefTypeID:])}
	callee := instanceAt(f.vmctx)
	if callee == nil {
		return nil, fmt.Errorf("rtlib: function reference %#x names an unknown instance", ref)
	}
	m := callee.mod
	found := false
	for ti, id := range m.typeIDs {
		if id == f.typeID && (!found || f.entry == 0) {
			t := m.meta.Types[ti]
			f.params, f.results, f.entry, found = t.Params, t.Results, m.entry[ti], true
		}
	}
	if !found {
		return nil, fmt.Errorf("rtlib: function reference %#x has a type its instance does not know", ref)
	}
	f.setSlots()
	if img := m.img; img != nil {
		f.name = m.funcName(img.funcAt(f.code))
	}
	return f, nil
}
