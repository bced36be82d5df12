package rtlib

import (
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Slot pooling. Mapping and unmapping an instance's off-heap storage, and
// faulting its pages in again, is most of what a fresh instance costs.
// When an instance's group is freed, its module keeps the storage of its
// own VMContext, memories and tables (a slot) for a later instance of the
// same module, reset so that it is indistinguishable from new:
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
// Each module keeps at most maxPooledSlots; the rest are unmapped.
const maxPooledSlots = 16

// slot is the off-heap storage of a freed instance.
type slot struct {
	vmem    []byte
	records bool         // vmem holds the defined functions' records (Instance.records)
	mems    [][]byte     // reservations of the defined memories, nil once taken
	tabs    []tableStore // of the defined tables, res nil once taken
}

// tableStore is a table reservation whose first committed bytes are
// readable, writable and zero, the rest inaccessible.
type tableStore struct {
	res       []byte
	committed uint64
}

// takeSlot returns a pooled slot for a new instance, or nil.
func (m *Module) takeSlot() *slot {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.slots)
	if n == 0 {
		return nil
	}
	s := m.slots[n-1]
	m.slots[n-1] = nil
	m.slots = m.slots[:n-1]
	return s
}

// releaseSlot resets the storage of a freed instance and gives it to its
// module, or unmaps it if it cannot be reset or the pool is full.
func (inst *Instance) releaseSlot() {
	m := inst.mod
	m.mu.Lock()
	ok := !m.closed && len(m.slots) < maxPooledSlots
	m.mu.Unlock()
	images, _ := m.memoryImages()
	for i, mem := range inst.ownMem {
		var img *memoryImage
		if images != nil {
			img = images[i]
		}
		minBytes := uintptr(m.meta.Memories[i].Limits.Min) * wasmPageSize
		ok = ok && prepareMemory(mem.res, minBytes, uintptr(mem.def.length), img) == nil
	}
	if ok {
		s := &slot{vmem: inst.vmem, records: inst.records}
		for _, mem := range inst.ownMem {
			s.mems = append(s.mems, mem.res)
		}
		for _, t := range inst.ownTab {
			clear(t.elems())
			s.tabs = append(s.tabs, tableStore{res: t.res, committed: t.committed})
		}
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
		pooled := !m.closed && len(m.slots) < maxPooledSlots
		if pooled {
			m.slots = append(m.slots, s)
		}
		m.mu.Unlock()
		if pooled {
			return
		}
	}
	for _, mem := range inst.ownMem {
		mem.unmap()
	}
	for _, t := range inst.ownTab {
		t.unmap()
	}
	unmap(inst.vmem)
}

// unmap releases whatever the slot still holds.
func (s *slot) unmap() {
	if s.vmem != nil {
		unmap(s.vmem)
	}
	for _, r := range s.mems {
		if r != nil {
			unmap(r)
		}
	}
	for _, t := range s.tabs {
		if t.res != nil {
			unmap(t.res)
		}
	}
}

// takeMemory hands over the reservation of defined memory i, if any.
func (s *slot) takeMemory(i int) []byte {
	if s == nil || i >= len(s.mems) {
		return nil
	}
	r := s.mems[i]
	s.mems[i] = nil
	return r
}

// takeTable hands over the reservation of defined table i, if any.
func (s *slot) takeTable(i int) tableStore {
	if s == nil || i >= len(s.tabs) {
		return tableStore{}
	}
	t := s.tabs[i]
	s.tabs[i] = tableStore{}
	return t
}
