package rtlib

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Lifetimes. Instances hold raw pointers into each other: an imported
// function's FuncRef record names the exporter's VMContext, an imported
// memory, table or global is the exporter's off-heap storage, and a
// funcref value stored anywhere is the address of a record inside some
// VMContext. Instances that can reach each other's memory this way form a
// group and are freed together, when the last of them is closed.
//
// A group grows when an instance imports from another (link), and when a
// function reference crosses from one group into storage another group
// can read: Go storing it in a table or global, passing it as an argument,
// or returning it from a host function (admitRef).
//
// Memories, tables and globals created by the embedder (NewMemory, …)
// belong to no instance and are unmapped by the garbage collector once
// unreachable. A host table or funcref global is anchored to the group of
// its first user, so that everyone who can read the references in it is
// in one group; when that group is freed its function references are
// cleared (they would dangle) and the anchor is dropped.

// group is a set of instances freed together.
type group struct {
	open    int
	members []*Instance
}

// groupsMu guards every group, Instance.group, Instance.anchored and
// lifetime.anchor.
var groupsMu sync.Mutex

// lifetime is what a Memory, Table or Global shares with its users.
type lifetime struct {
	host bool // made by NewMemory, NewTable or NewGlobal
	// anchor is the defining instance, or for a host extern holding
	// function references the first instance (of the group) using it.
	anchor *Instance
	// clearRefs nulls the function references of an anchored host extern.
	clearRefs func()
	// freed is set when the storage is unmapped with its defining
	// instance's group; the Go methods then fail instead of touching it.
	freed atomic.Bool
}

var (
	errFreed         = errors.New("rtlib: the instance that owns this object has been freed")
	errFreedInstance = errors.New("rtlib: the instance has been freed")
)

// instances maps VMContext addresses to live (not yet freed) instances,
// for the builtins, and keeps them sorted to find the owner of a
// function reference. freed counts removals: a VMContext address cached
// with an older count may since have been reused (see thread.instance).
var instances struct {
	sync.RWMutex
	m      map[uintptr]*Instance
	sorted []*Instance // by vmctx
	freed  atomic.Uint64
}

func register(inst *Instance) {
	instances.Lock()
	defer instances.Unlock()
	if instances.m == nil {
		instances.m = map[uintptr]*Instance{}
	}
	instances.m[inst.vmctx] = inst
	i := sort.Search(len(instances.sorted), func(i int) bool { return instances.sorted[i].vmctx > inst.vmctx })
	instances.sorted = append(instances.sorted, nil)
	copy(instances.sorted[i+1:], instances.sorted[i:])
	instances.sorted[i] = inst
}

func unregister(inst *Instance) {
	instances.Lock()
	defer instances.Unlock()
	delete(instances.m, inst.vmctx)
	i := sort.Search(len(instances.sorted), func(i int) bool { return instances.sorted[i].vmctx >= inst.vmctx })
	if i < len(instances.sorted) && instances.sorted[i] == inst {
		instances.sorted = append(instances.sorted[:i], instances.sorted[i+1:]...)
	}
	instances.freed.Add(1)
}

func instanceAt(vmctx uint64) *Instance {
	instances.RLock()
	defer instances.RUnlock()
	return instances.m[uintptr(vmctx)]
}

// refOwner returns the live instance whose VMContext holds the FuncRef
// record at ref, or nil if ref is not such a record.
func refOwner(ref uint64) *Instance {
	instances.RLock()
	defer instances.RUnlock()
	s := instances.sorted
	i := sort.Search(len(s), func(i int) bool { return uint64(s[i].vmctx) > ref }) - 1
	if i < 0 {
		return nil
	}
	inst := s[i]
	l := inst.mod.layout
	off := ref - uint64(inst.vmctx)
	if l.Funcs == 0 || off < uint64(l.FuncRef(0)) {
		return nil
	}
	if k := off - uint64(l.FuncRef(0)); k%abi.FuncRefSize != 0 || k/abi.FuncRefSize >= uint64(l.Funcs) {
		return nil
	}
	return inst
}

// use records that inst imports the extern with lifetime lt.
func (inst *Instance) use(lt *lifetime) {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	switch {
	case lt.anchor != nil:
		inst.joinLocked(lt.anchor)
	case lt.clearRefs != nil:
		lt.anchor = inst
		inst.anchored = append(inst.anchored, lt)
	}
}

// admitRef checks a function reference that Go is about to make readable
// to the users of lt (or, with lt nil, to instance to) and groups its
// owner with them. store, if not nil, runs under the same lock, so that
// the reference cannot be stored after its group was freed.
func admitRef(ref uint64, lt *lifetime, to *Instance, store func()) error {
	if ref == 0 {
		if store != nil {
			store()
		}
		return nil
	}
	owner := refOwner(ref)
	if owner == nil {
		return fmt.Errorf("rtlib: %#x is not a function reference of a live instance", ref)
	}
	groupsMu.Lock()
	defer groupsMu.Unlock()
	if owner.group.open == 0 {
		return fmt.Errorf("rtlib: function reference %#x belongs to closed instances", ref)
	}
	switch {
	case to != nil:
		owner.joinLocked(to)
	case lt.anchor != nil:
		owner.joinLocked(lt.anchor)
	default:
		lt.anchor = owner
		owner.anchored = append(owner.anchored, lt)
	}
	if store != nil {
		store()
	}
	return nil
}

// join merges the groups of inst and other.
func (inst *Instance) join(other *Instance) {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	inst.joinLocked(other)
}

func (inst *Instance) joinLocked(other *Instance) {
	a, b := inst.group, other.group
	if a == b {
		return
	}
	if len(a.members) < len(b.members) {
		a, b = b, a
	}
	for _, x := range b.members {
		x.group = a
	}
	a.members = append(a.members, b.members...)
	a.open += b.open
}

// Close releases the instance. Its memory is freed once every instance
// linked with it (see the lifetime notes above) is closed too. Calls into
// it fail from now on; Close must not run while calls are in progress.
func (inst *Instance) Close() error {
	groupsMu.Lock()
	if inst.closed.Load() {
		groupsMu.Unlock()
		return nil
	}
	inst.closed.Store(true)
	g := inst.group
	g.open--
	var free []*Instance
	if g.open == 0 {
		free = g.members
		for _, x := range free {
			for _, lt := range x.anchored {
				lt.anchor = nil
				lt.clearRefs()
			}
			x.anchored = nil
		}
	}
	groupsMu.Unlock()
	for _, x := range free {
		unregister(x)
		x.freeOwn()
		m := x.mod
		m.mu.Lock()
		m.instances--
		m.maybeUnmap()
		m.mu.Unlock()
	}
	return nil
}

// freeOwn releases what the instance itself mapped (to its module's
// pool, see releaseSlot).
func (inst *Instance) freeOwn() {
	inst.freed.Store(true)
	for _, m := range inst.ownMem {
		m.freed.Store(true)
	}
	for _, t := range inst.ownTab {
		t.freed.Store(true)
	}
	for _, g := range inst.ownGlob {
		g.freed.Store(true)
	}
	inst.releaseSlot()
	inst.vmem = nil
}
