package rtlib

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Slots and slabs. An instance's off-heap storage (its VMContext and the
// reservations of the memories and tables it defines) is one slot: a
// contiguous range, page-aligned parts in that order, carved from a slab.
// A slab is one reservation holding several slots of one shape (the sizes
// of the parts, which depend on the module and the configured caps), so
// instances do not cost a mapping each: neighbouring parts with the same
// protection merge into one mapping, and a slab of instances whose
// memories are fully committed (a maximum equal to the minimum) is a
// single mapping however many instances it holds. A free slot is
// inaccessible, fresh anonymous memory; a slab is unmapped when its last
// slot is freed.
//
// Slot pooling. Preparing a slot and faulting its pages in is most of
// what a fresh instance costs. When an instance's group is freed, its
// module keeps the slot for a later instance of the same shape, reset so
// that it is indistinguishable from new:
//
//   - the VMContext is cleared, except for the records of the defined
//     functions, which depend only on the module and the VMContext's
//     address, and stays resident;
//   - each memory is remapped to the state a new one of the module starts
//     in (prepareMemory): its initial pages fresh anonymous memory, or
//     the module's image mapped copy-on-write anew, and the pages it grew
//     into inaccessible; the next instance then finds it ready;
//   - each table's elements are cleared; its committed pages stay
//     accessible and resident, all zero (compiled code and the Go API
//     check every table access against the length, never the commitment).
//
// Each module keeps at most maxPooledSlots ready; the others are freed.
const maxPooledSlots = 16

// maxSlabSlots and maxSlabBytes bound a slab; slabs start with one slot
// and double, so that a few instances reserve little.
const (
	maxSlabSlots = 1024
	maxSlabBytes = 1 << 40
)

// shape is the layout of a slot.
type shape struct {
	vmem uint64
	mems []uint64 // reservation sizes of the defined memories
	tabs []uint64 // of the defined tables
	size uint64   // the whole slot
	// newMappings bounds the mappings preparing a fresh slot adds: its
	// slab, the VMContext made accessible, and per memory an image and
	// its anonymous rest, per table its committed part.
	newMappings int
	pool        slabPool
}

// slabPool is the slabs of one shape and the next slab's slot count.
type slabPool struct {
	slabs []*slab
	next  int
}

type slab struct {
	mem  []byte
	free []int // indexes of free slots
	used int
}

// slot is one instance's storage.
type slot struct {
	shape *shape
	slab  *slab
	index int
	mem   []byte // the whole slot
	vmem  []byte
	mems  [][]byte
	tabs  []tableStore
	// ready: the slot was reset by a freed instance (memories prepared,
	// tables committed and cleared); otherwise it is fresh and only the
	// VMContext is accessible.
	ready bool
	// records: vmem holds the defined functions' records (Instance.records).
	records bool
}

// tableStore is a table reservation whose first committed bytes are
// readable, writable and zero, the rest inaccessible.
type tableStore struct {
	res       []byte
	committed uint64
}

func pageRound(n uint64) uint64 { return max((n+pageSize-1)&^(pageSize-1), pageSize) }

// memoryBytes is the reservation of a memory with limits lim under a cap
// of capPages pages.
func memoryBytes(lim abi.Limits, capPages uint32) uint64 {
	maxPages := uint32(abi.MaxMemoryPages)
	if lim.HasMax {
		maxPages = lim.Max
	}
	return pageRound(uint64(min(maxPages, capPages)) * wasmPageSize)
}

// tableBytes is the reservation of a table of type tt under a cap of
// capElems elements.
func tableBytes(tt abi.TableType, capElems uint32) uint64 {
	maxElems := uint32(abi.MaxTableSize)
	if tt.Limits.HasMax {
		maxElems = tt.Limits.Max
	}
	return pageRound(uint64(min(maxElems, capElems)) * abi.TableElemSize)
}

// shapeFor returns the shape of m's slots under cfg's caps (m.mu held).
func (m *Module) shapeFor(cfg Config) *shape {
	key := [2]uint32{cfg.MaxMemoryPages, cfg.MaxTableElements}
	if sh := m.shapes[key]; sh != nil {
		return sh
	}
	sh := &shape{vmem: pageRound(uint64(m.layout.Size)), newMappings: 3, pool: slabPool{next: 1}}
	sh.size = sh.vmem
	for _, mt := range m.meta.Memories {
		n := memoryBytes(mt.Limits, cfg.MaxMemoryPages)
		sh.mems = append(sh.mems, n)
		sh.size += n
		sh.newMappings += 4
	}
	for _, tt := range m.meta.Tables {
		n := tableBytes(tt, cfg.MaxTableElements)
		sh.tabs = append(sh.tabs, n)
		sh.size += n
		sh.newMappings += 2
	}
	if m.shapes == nil {
		m.shapes = map[[2]uint32]*shape{}
	}
	m.shapes[key] = sh
	return sh
}

// takeSlot returns a slot for a new instance under cfg: a ready one of
// the same shape if the module pooled one, else a fresh one carved from
// a slab with its VMContext accessible.
func (m *Module) takeSlot(cfg Config) (*slot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sh := m.shapeFor(cfg)
	for i := len(m.slots) - 1; i >= 0; i-- {
		if s := m.slots[i]; s.shape == sh {
			m.slots = append(m.slots[:i], m.slots[i+1:]...)
			return s, nil
		}
	}
	if sh.size > maxSlabBytes {
		return nil, errors.New("rtlib: an instance would reserve more than 1 TiB of address space")
	}
	if err := grantMappings(sh.newMappings); err != nil {
		return nil, err
	}
	s, err := sh.carve()
	if err != nil {
		return nil, err
	}
	if err := mprotect(s.vmem, unix.PROT_READ|unix.PROT_WRITE); err != nil {
		m.freeSlotLocked(s)
		return nil, fmt.Errorf("rtlib: mapping a VMContext: %w", err)
	}
	return s, nil
}

// carve takes a free slot from a slab of the shape, reserving a new slab
// if none has one.
func (sh *shape) carve() (*slot, error) {
	p := &sh.pool
	var sl *slab
	for _, x := range p.slabs {
		if len(x.free) > 0 {
			sl = x
			break
		}
	}
	if sl == nil {
		n := min(p.next, maxSlabSlots, int(maxSlabBytes/sh.size))
		mem, err := mmap(int(uint64(n)*sh.size), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_NORESERVE)
		if err != nil {
			return nil, fmt.Errorf("rtlib: reserving address space for instances: %w", err)
		}
		sl = &slab{mem: mem}
		for i := n - 1; i >= 0; i-- {
			sl.free = append(sl.free, i)
		}
		p.slabs = append(p.slabs, sl)
		p.next = min(2*n, maxSlabSlots)
	}
	i := sl.free[len(sl.free)-1]
	sl.free = sl.free[:len(sl.free)-1]
	sl.used++
	off := uint64(i) * sh.size
	s := &slot{shape: sh, slab: sl, index: i, mem: sl.mem[off : off+sh.size : off+sh.size]}
	rest := s.mem
	take := func(n uint64) []byte {
		part := rest[:n:n]
		rest = rest[n:]
		return part
	}
	s.vmem = take(sh.vmem)
	for _, n := range sh.mems {
		s.mems = append(s.mems, take(n))
	}
	for _, n := range sh.tabs {
		s.tabs = append(s.tabs, tableStore{res: take(n)})
	}
	return s, nil
}

// freeSlot makes a slot inaccessible, fresh memory again and returns it
// to its slab, unmapping the slab if it was the last in use.
func (m *Module) freeSlot(s *slot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.freeSlotLocked(s)
}

func (m *Module) freeSlotLocked(s *slot) {
	// Replacing the slot drops its pages. If that fails (the process is
	// out of mappings) the slot stays in use, never handed out again, and
	// goes with its slab when the module is unmapped.
	if mapAnon(s.mem, unix.PROT_NONE) != nil {
		return
	}
	sl, p := s.slab, &s.shape.pool
	sl.free = append(sl.free, s.index)
	sl.used--
	if sl.used == 0 && unmap(sl.mem) == nil {
		for i, x := range p.slabs {
			if x == sl {
				p.slabs = append(p.slabs[:i], p.slabs[i+1:]...)
				break
			}
		}
	}
}

// unmapSlabs releases every slab of the module (m.mu held; no instance
// is left).
func (m *Module) unmapSlabs() {
	for _, sh := range m.shapes {
		for _, sl := range sh.pool.slabs {
			unmap(sl.mem)
		}
		sh.pool.slabs = nil
	}
	m.slots = nil
}

// releaseSlot resets the storage of a freed instance and pools it in its
// module, or frees it if it cannot be reset or the pool is full.
func (inst *Instance) releaseSlot() {
	m, s := inst.mod, inst.slot
	m.mu.Lock()
	ok := !m.closed && len(m.slots) < maxPooledSlots
	m.mu.Unlock()
	// An instance that failed to set up has not defined every part.
	ok = ok && len(inst.ownMem) == len(s.mems) && len(inst.ownTab) == len(s.tabs)
	images, _ := m.memoryImages()
	for i, mem := range inst.ownMem {
		if !ok {
			break
		}
		var img *memoryImage
		if images != nil {
			img = images[i]
		}
		minBytes := uintptr(m.meta.Memories[i].Limits.Min) * wasmPageSize
		ok = prepareMemory(mem.res, minBytes, uintptr(mem.def.length), img) == nil
	}
	if ok {
		for i, t := range inst.ownTab {
			clear(t.elems())
			s.tabs[i].committed = t.committed
		}
		s.ready, s.records = true, inst.records
		if l := m.layout; s.records && l.Funcs > l.ImportedFuncs {
			// Everything but the defined functions' records, which no
			// code writes.
			start, end := l.FuncRef(l.ImportedFuncs), l.FuncRef(l.Funcs-1)+abi.FuncRefSize
			clear(s.vmem[:start])
			clear(s.vmem[end:])
		} else {
			clear(s.vmem)
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if !m.closed && len(m.slots) < maxPooledSlots {
			m.slots = append(m.slots, s)
			return
		}
		m.freeSlotLocked(s)
		return
	}
	m.freeSlot(s)
}
