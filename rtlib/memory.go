package rtlib

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

const wasmPageSize = 65536

// definition is a {Base, Length} record (abi.MemoryDef*/TableDef*) in
// off-heap memory that compiled code reads.
type definition struct {
	base   uintptr
	length uint64
}

// reserve maps n bytes (a whole number of pages) of inaccessible address
// space for a memory or table the embedder creates; the mappings of its
// committed part are granted too.
func reserve(n uint64) ([]byte, error) {
	if n > maxSlabBytes {
		return nil, fmt.Errorf("reservation of %d bytes too large", n)
	}
	if err := grantMappings(2); err != nil {
		return nil, err
	}
	return mmap(int(n), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_NORESERVE)
}

// Memory is a linear memory: a reservation of its maximum size whose
// first Length bytes are accessible. Its base never moves.
type Memory struct {
	lifetime
	mu       sync.Mutex
	res      []byte
	def      *definition
	maxPages uint32 // effective maximum: declared max capped by the configuration
	declared abi.Limits
}

// newMemory makes a memory of min pages growable to max (capped by
// capPages), with its definition at def and initial contents img (nil:
// zero), in res, a reservation of memoryBytes(lim, capPages) that the
// caller owns. If prepared, res is already in the state prepareMemory
// leaves for these limits and img (a pooled slot, see pool.go);
// otherwise it is inaccessible.
func newMemory(lim abi.Limits, capPages uint32, def *definition, res []byte, prepared bool, img *memoryImage) (*Memory, error) {
	maxPages := uint32(abi.MaxMemoryPages)
	if lim.HasMax {
		maxPages = lim.Max
	}
	maxPages = min(maxPages, capPages)
	if lim.Min > maxPages {
		return nil, fmt.Errorf("memory needs %d pages, more than the limit of %d", lim.Min, maxPages)
	}
	minBytes := uintptr(lim.Min) * wasmPageSize
	if !prepared {
		if err := prepareMemory(res, minBytes, 0, img); err != nil {
			return nil, fmt.Errorf("committing %d pages of memory: %w", lim.Min, err)
		}
	}
	m := &Memory{res: res, def: def, maxPages: maxPages, declared: lim}
	def.base = uintptr(unsafe.Pointer(&res[0]))
	def.length = uint64(minBytes)
	return m, nil
}

// Size returns the current size in pages (0 once freed).
func (m *Memory) Size() uint32 {
	if m.freed.Load() {
		return 0
	}
	return uint32(atomic.LoadUint64(&m.def.length) / wasmPageSize)
}

// Bytes returns the accessible memory. It is valid until the memory grows
// or its instance is closed; fetch it anew after calls into wasm. It is
// nil once the memory has been freed with its instance.
func (m *Memory) Bytes() []byte {
	if m.freed.Load() {
		return nil
	}
	return m.res[:atomic.LoadUint64(&m.def.length)]
}

// Grow adds delta pages and returns the previous size, or -1 if the memory
// cannot grow that much. Every instance sharing the memory sees the new
// size.
func (m *Memory) Grow(delta uint32) int64 {
	if m.freed.Load() {
		return -1
	}
	return m.grow(delta)
}

// Limits returns the limits the memory was declared with.
func (m *Memory) Limits() abi.Limits { return m.declared }

func (m *Memory) grow(delta uint32) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.def.length / wasmPageSize
	if uint64(delta) > uint64(m.maxPages)-old {
		return -1
	}
	if delta > 0 {
		if grantMappings(1) != nil {
			return -1
		}
		newLen := (old + uint64(delta)) * wasmPageSize
		if err := mprotect(m.res[old*wasmPageSize:newLen], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return -1
		}
		atomic.StoreUint64(&m.def.length, newLen)
	}
	return int64(old)
}

// Table is a table of references: 8-byte elements in a reservation of its
// maximum size (capped), so its base never moves.
type Table struct {
	lifetime
	mu        sync.Mutex
	res       []byte
	def       *definition
	elem      abi.ValType
	max       uint32
	committed uint64 // bytes accessible
	declared  abi.Limits
}

// newTable makes a table of tt's minimum size growable to its maximum
// (capped by capElems), with its definition at def, in store: a
// reservation of tableBytes(tt, capElems) that the caller owns, whose
// first committed bytes are accessible and zero.
func newTable(tt abi.TableType, capElems uint32, def *definition, store tableStore) (*Table, error) {
	maxElems := uint32(abi.MaxTableSize)
	if tt.Limits.HasMax {
		maxElems = tt.Limits.Max
	}
	maxElems = min(maxElems, capElems)
	if tt.Limits.Min > maxElems {
		return nil, fmt.Errorf("table needs %d elements, more than the limit of %d", tt.Limits.Min, maxElems)
	}
	t := &Table{res: store.res, def: def, elem: tt.Elem, max: maxElems, declared: tt.Limits, committed: store.committed}
	def.base = uintptr(unsafe.Pointer(&store.res[0]))
	if t.grow(tt.Limits.Min, 0) < 0 {
		return nil, fmt.Errorf("committing a table of %d elements failed", tt.Limits.Min)
	}
	return t, nil
}

// Size returns the number of elements (0 once freed).
func (t *Table) Size() uint32 {
	if t.freed.Load() {
		return 0
	}
	return uint32(atomic.LoadUint64(&t.def.length))
}

// elems returns the current elements.
func (t *Table) elems() []uint64 {
	n := atomic.LoadUint64(&t.def.length)
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&t.res[0])), n)
}

// grow adds delta elements set to init and returns the old size or -1.
func (t *Table) grow(delta uint32, init uint64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.def.length
	if uint64(delta) > uint64(t.max)-old {
		return -1
	}
	newLen := old + uint64(delta)
	if need := (newLen*abi.TableElemSize + pageSize - 1) &^ (pageSize - 1); need > t.committed {
		if grantMappings(1) != nil {
			return -1
		}
		if err := mprotect(t.res[t.committed:need], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return -1
		}
		t.committed = need
	}
	// Elements at and beyond the length are zero (never written: every
	// store is bounds-checked), so null needs no filling.
	if newLen > 0 && init != 0 {
		all := unsafe.Slice((*uint64)(unsafe.Pointer(&t.res[0])), newLen)
		for i := old; i < newLen; i++ {
			all[i] = init
		}
	}
	atomic.StoreUint64(&t.def.length, newLen)
	return int64(old)
}

// Global is a global variable's 16-byte storage.
type Global struct {
	lifetime
	slot *[2]uint64
	typ  abi.GlobalType
}

// Type returns the global's type.
func (g *Global) Type() abi.GlobalType { return g.typ }

// Get returns the value's slots (two for v128, low half first), or zeros
// once the global has been freed with its instance.
func (g *Global) Get() []uint64 {
	if g.freed.Load() {
		return make([]uint64, g.typ.Type.Slots())
	}
	if g.typ.Type == abi.V128 {
		return []uint64{g.slot[0], g.slot[1]}
	}
	return []uint64{g.get()}
}

func (g *Global) get() uint64 {
	v := g.slot[0]
	if g.typ.Type == abi.I32 || g.typ.Type == abi.F32 {
		v &= 0xFFFFFFFF
	}
	return v
}

// Set stores a value given as slots. Setting an immutable global is an
// error, and so is a funcref that is not null or a live function's Ref.
func (g *Global) Set(v ...uint64) error {
	if !g.typ.Mutable {
		return fmt.Errorf("global is immutable")
	}
	if len(v) != g.typ.Type.Slots() {
		return fmt.Errorf("global of type %#x takes %d slots, got %d", byte(g.typ.Type), g.typ.Type.Slots(), len(v))
	}
	if g.freed.Load() {
		return errFreed
	}
	if g.typ.Type == abi.FuncRef {
		return admitRef(v[0], &g.lifetime, nil, func() { g.set(v) })
	}
	g.set(v)
	return nil
}

func (g *Global) set(v []uint64) {
	g.slot[0] = v[0]
	if g.typ.Type == abi.I32 || g.typ.Type == abi.F32 {
		g.slot[0] &= 0xFFFFFFFF
	}
	if len(v) > 1 {
		g.slot[1] = v[1]
	}
}
