package rtlib

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Extern is something an instance exports and another may import: a
// *Func, *Memory, *Table or *Global.
type Extern interface{ kind() abi.ExternKind }

func (*Func) kind() abi.ExternKind   { return abi.ExternFunc }
func (*Memory) kind() abi.ExternKind { return abi.ExternMemory }
func (*Table) kind() abi.ExternKind  { return abi.ExternTable }
func (*Global) kind() abi.ExternKind { return abi.ExternGlobal }

// Config is how to instantiate a module. Imports are resolved from
// HostFuncs, then HostModules, then Externs, then the exports of
// Instances.
type Config struct {
	// HostFuncs maps module name → field name → Go function.
	HostFuncs map[string]map[string]abi.HostFunc
	// HostModules maps a module name to a provider of its Go functions,
	// asked only for those the module imports (a *wasi.WASI is one).
	HostModules map[string]abi.HostModule
	// Externs maps module name → field name → an export of another
	// instance (Instance.Export, a Func from a table) or a memory, table or
	// global made by NewMemory, NewTable or NewGlobal.
	Externs map[string]map[string]Extern
	// Instances maps a module name to an instance whose exports satisfy
	// the imports from that module (the spec's "register").
	Instances map[string]*Instance
	// MaxMemoryPages caps every memory's growth (0: 65536 pages, 4 GiB).
	MaxMemoryPages uint32
	// MaxTableElements caps every table's growth (0: abi.MaxTableSize).
	MaxTableElements uint32
	// Fuel is the budget of every outermost call into the instance from
	// Go, start function included (0: unmetered); see WithFuel. An object
	// compiled without fuel metering (abi.Meta.FuelMetered) refuses a
	// budget, which nothing would enforce.
	Fuel int64
}

// Instance is an instantiated module: its own memory, tables and globals,
// linked to its imports. Its functions may be called from several
// goroutines at once (the guest then sees the races it would see under
// threads); Close must not run while calls are in progress.
type Instance struct {
	mod      *Module
	slot     *slot  // its storage (see pool.go)
	vmem     []byte // the VMContext, in slot
	vmctx    uintptr
	memories []*Memory
	tables   []*Table
	globals  []*Global
	host     []*hostImport // imported function index → Go function (nil if not a host import)
	dataLive []uint64      // bitset of passive data segments not yet dropped (nil: none)
	elems    [][]uint64    // evaluated passive element segments, nil once dropped
	ownMem   []*Memory     // defined here (unmapped on free)
	ownTab   []*Table
	ownGlob  []*Global
	group    *group      // guarded by groupsMu
	anchored []*lifetime // host externs whose users are this instance's group
	fuel     int64       // Config.Fuel
	closed   atomic.Bool
	ended    atomic.Pointer[abi.Ending] // the host function error that ended it
	freed    atomic.Bool                // its group has been freed: vmem is gone
	segMu    sync.Mutex                 // dataLive and elems
	// records: the records of the defined functions are in place in vmem
	// (written by define, or kept from the previous instance of a pooled
	// slot: they depend only on the module and vmem's address).
	records bool
}

// hostImport is a Go function linked to an import.
type hostImport struct {
	abi.HostFunc
	slots      int   // length of its stack argument
	refResults []int // slots of funcref results, checked after every call
}

// hostShape is what a hostImport derives from its function type.
func hostShape(ft abi.FuncType) hostImport {
	hi := hostImport{slots: max(slotCount(ft.Params), slotCount(ft.Results))}
	slot := 0
	for _, r := range ft.Results {
		if r == abi.FuncRef {
			hi.refResults = append(hi.refResults, slot)
		}
		slot += r.Slots()
	}
	return hi
}

func (inst *Instance) put64(off int, v uint64) { binary.LittleEndian.PutUint64(inst.vmem[off:], v) }
func (inst *Instance) get64(off int) uint64    { return binary.LittleEndian.Uint64(inst.vmem[off:]) }

// addr returns the native address of VMContext offset off.
func (inst *Instance) addr(off int) uintptr { return inst.vmctx + uintptr(off) }

// Instantiate creates an instance: links imports, sets up memories,
// tables and globals, applies active segments and runs the start
// function. A link error names the import; a trap in a segment or the
// start function is returned as an error (wrapping *abi.Trap).
func (m *Module) Instantiate(ctx context.Context, cfg Config) (*Instance, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("module is closed")
	}
	m.instances++
	m.mu.Unlock()
	if cfg.MaxMemoryPages == 0 {
		cfg.MaxMemoryPages = abi.MaxMemoryPages
	}
	if cfg.MaxTableElements == 0 {
		cfg.MaxTableElements = abi.MaxTableSize
	}
	s, err := m.takeSlot(cfg)
	if err != nil {
		m.mu.Lock()
		m.instances--
		m.maybeUnmap()
		m.mu.Unlock()
		return nil, err
	}
	inst := &Instance{mod: m, slot: s, vmem: s.vmem, vmctx: uintptr(unsafe.Pointer(&s.vmem[0])), host: make([]*hostImport, m.layout.ImportedFuncs)}
	inst.records = s.records
	inst.group = &group{open: 1, members: []*Instance{inst}}
	register(inst)
	if err := inst.setUp(ctx, cfg); err != nil {
		// Segments applied before a failure may have stored references to
		// this instance's functions in imported tables: Close frees it only
		// with the rest of its group.
		inst.Close()
		return nil, err
	}
	return inst, nil
}

func (inst *Instance) setUp(ctx context.Context, cfg Config) error {
	m := inst.mod
	if cfg.Fuel > 0 && !m.meta.FuelMetered {
		return errNotMetered
	}
	inst.fuel = cfg.Fuel
	inst.put64(abi.VMCtxBuiltins, uint64(builtinTable()))
	for t, id := range m.typeIDs {
		inst.put64(m.layout.TypeID(t), id)
	}
	if err := inst.link(cfg); err != nil {
		return err
	}
	if err := inst.define(cfg); err != nil {
		return err
	}
	return inst.initialize(ctx)
}

// link resolves the imports into the VMContext.
func (inst *Instance) link(cfg Config) error {
	m, l := inst.mod, inst.mod.layout
	var fi, ti, mi, gi int
	var hosts []hostImport // one allocation for every host import
	for _, im := range m.meta.Imports {
		ext, host, err := resolve(cfg, im)
		if err != nil {
			return fmt.Errorf("import %s.%s: %w", im.Module, im.Name, err)
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("import %s.%s: "+format, append([]any{im.Module, im.Name}, args...)...)
		}
		if ext != nil && ext.kind() != im.Kind {
			return fail("want a %v, got a %v", im.Kind, ext.kind())
		}
		switch im.Kind {
		case abi.ExternFunc:
			want := m.meta.Types[im.FuncType]
			rec := l.FuncRef(fi)
			if host != nil {
				if !slices.Equal(host.Params, want.Params) || !slices.Equal(host.Results, want.Results) {
					return fail("host function has type %v -> %v, want %v -> %v", host.Params, host.Results, want.Params, want.Results)
				}
				if hosts == nil {
					hosts = make([]hostImport, l.ImportedFuncs)
				}
				hosts[fi] = m.hostShapes[fi]
				hosts[fi].HostFunc = *host
				inst.host[fi] = &hosts[fi]
				inst.put64(rec+abi.FuncRefCode, m.stub[fi])
				inst.put64(rec+abi.FuncRefVMCtx, uint64(inst.vmctx))
				inst.put64(rec+abi.FuncRefTypeID, m.typeIDs[im.FuncType])
			} else {
				f := ext.(*Func)
				if !slices.Equal(f.params, want.Params) || !slices.Equal(f.results, want.Results) {
					return fail("function has type %v -> %v, want %v -> %v", f.params, f.results, want.Params, want.Results)
				}
				inst.put64(rec+abi.FuncRefCode, f.code)
				inst.put64(rec+abi.FuncRefVMCtx, f.vmctx)
				inst.put64(rec+abi.FuncRefTypeID, f.typeID)
				inst.join(f.inst)
			}
			fi++
		case abi.ExternMemory:
			mem := ext.(*Memory)
			if !limitsMatch(uint64(mem.Size()), mem.declared, im.Memory.Limits) {
				return fail("memory limits %+v (size %d) do not match %+v", mem.declared, mem.Size(), im.Memory.Limits)
			}
			inst.put64(l.MemoryPtr(mi), uint64(uintptr(unsafe.Pointer(mem.def))))
			inst.memories = append(inst.memories, mem)
			inst.use(&mem.lifetime)
			mi++
		case abi.ExternTable:
			tab := ext.(*Table)
			if tab.elem != im.Table.Elem || !limitsMatch(uint64(tab.Size()), tab.declared, im.Table.Limits) {
				return fail("table type does not match")
			}
			inst.put64(l.TablePtr(ti), uint64(uintptr(unsafe.Pointer(tab.def))))
			inst.tables = append(inst.tables, tab)
			inst.use(&tab.lifetime)
			ti++
		case abi.ExternGlobal:
			g := ext.(*Global)
			if g.typ != im.Global {
				return fail("global type %+v, want %+v", g.typ, im.Global)
			}
			inst.put64(l.GlobalPtr(gi), uint64(uintptr(unsafe.Pointer(g.slot))))
			inst.globals = append(inst.globals, g)
			inst.use(&g.lifetime)
			gi++
		}
	}
	return nil
}

func limitsMatch(size uint64, actual, want abi.Limits) bool {
	if size < uint64(want.Min) {
		return false
	}
	return !want.HasMax || (actual.HasMax && actual.Max <= want.Max)
}

func resolve(cfg Config, im abi.Import) (Extern, *abi.HostFunc, error) {
	if h, ok := cfg.HostFuncs[im.Module][im.Name]; ok {
		if im.Kind != abi.ExternFunc {
			return nil, nil, fmt.Errorf("want a %v, got a host function", im.Kind)
		}
		return nil, &h, nil
	}
	if hm := cfg.HostModules[im.Module]; hm != nil {
		if h, ok := hm.HostFunc(im.Name); ok {
			if im.Kind != abi.ExternFunc {
				return nil, nil, fmt.Errorf("want a %v, got a host function", im.Kind)
			}
			return nil, &h, nil
		}
	}
	if e, ok := cfg.Externs[im.Module][im.Name]; ok && e != nil {
		return e, nil, nil
	}
	if from, ok := cfg.Instances[im.Module]; ok && from != nil {
		if e, err := from.Export(im.Name); err == nil {
			return e, nil, nil
		}
		return nil, nil, fmt.Errorf("module %q has no export %q", im.Module, im.Name)
	}
	return nil, nil, errors.New("not provided")
}

// define creates the module's own memories, tables, globals and function
// records, in the instance's slot.
func (inst *Instance) define(cfg Config) error {
	s := inst.slot
	m, l := inst.mod, inst.mod.layout
	images, _ := m.memoryImages()
	for i, mt := range m.meta.Memories {
		idx := l.ImportedMemories + i
		def := inst.definitionAt(l.MemoryDef(idx))
		var img *memoryImage
		if images != nil {
			img = images[i]
		}
		mem, err := newMemory(mt.Limits, cfg.MaxMemoryPages, def, s.mems[i], s.ready, img)
		if err != nil {
			return fmt.Errorf("memory %d: %w", idx, err)
		}
		mem.anchor = inst
		inst.ownMem = append(inst.ownMem, mem)
		inst.memories = append(inst.memories, mem)
		inst.put64(l.MemoryPtr(idx), uint64(inst.addr(l.MemoryDef(idx))))
	}
	for i, tt := range m.meta.Tables {
		idx := l.ImportedTables + i
		tab, err := newTable(tt, cfg.MaxTableElements, inst.definitionAt(l.TableDef(idx)), s.tabs[i])
		if err != nil {
			return fmt.Errorf("table %d: %w", idx, err)
		}
		tab.anchor = inst
		inst.ownTab = append(inst.ownTab, tab)
		inst.tables = append(inst.tables, tab)
		inst.put64(l.TablePtr(idx), uint64(inst.addr(l.TableDef(idx))))
	}
	if n := len(m.meta.Funcs); n > 0 && !inst.records {
		recs := unsafe.Slice((*funcRecord)(unsafe.Pointer(&inst.vmem[l.FuncRef(l.ImportedFuncs)])), n)
		for i, f := range m.meta.Funcs {
			recs[i] = funcRecord{code: m.funcAddr[i], vmctx: uint64(inst.vmctx), typeID: m.typeIDs[f.Type]}
		}
	}
	inst.records = true
	for i, g := range m.meta.Globals {
		idx := l.ImportedGlobals + i
		off := l.GlobalDef(idx)
		gl := &Global{slot: (*[2]uint64)(unsafe.Pointer(&inst.vmem[off])), typ: g.Type}
		gl.anchor = inst
		v := inst.constValue(g.Init)
		gl.set(v[:g.Type.Type.Slots()])
		inst.globals = append(inst.globals, gl)
		inst.ownGlob = append(inst.ownGlob, gl)
		inst.put64(l.GlobalPtr(idx), uint64(inst.addr(off)))
	}
	// Active and declarative segments are dropped once instantiated, so
	// only passive ones need per-instance state.
	if m.passiveData != nil {
		inst.dataLive = slices.Clone(m.passiveData)
	}
	inst.elems = make([][]uint64, len(m.meta.Elems))
	for i, e := range m.meta.Elems {
		if e.Mode != abi.SegmentPassive {
			continue
		}
		vals := make([]uint64, len(e.Init))
		for j, c := range e.Init {
			vals[j] = inst.constValue(c)[0]
		}
		inst.elems[i] = vals
	}
	return nil
}

// funcRecord is a FuncRef record (abi.FuncRefCode, FuncRefVMCtx,
// FuncRefTypeID) in the VMContext.
type funcRecord struct{ code, vmctx, typeID uint64 }

// The layout of funcRecord is abi's (each array is empty exactly when the
// two sides are equal, and an invalid negative length otherwise).
var (
	_ [unsafe.Sizeof(funcRecord{}) - abi.FuncRefSize]struct{}
	_ [abi.FuncRefSize - unsafe.Sizeof(funcRecord{})]struct{}
	_ [unsafe.Offsetof(funcRecord{}.vmctx) - abi.FuncRefVMCtx]struct{}
	_ [abi.FuncRefVMCtx - unsafe.Offsetof(funcRecord{}.vmctx)]struct{}
	_ [unsafe.Offsetof(funcRecord{}.typeID) - abi.FuncRefTypeID]struct{}
	_ [abi.FuncRefTypeID - unsafe.Offsetof(funcRecord{}.typeID)]struct{}
)

func (inst *Instance) definitionAt(off int) *definition {
	return (*definition)(unsafe.Pointer(&inst.vmem[off]))
}

func (inst *Instance) get64Range(addr uintptr, n int) []byte {
	off := addr - inst.vmctx
	return inst.vmem[off : off+uintptr(n)]
}

// constValue evaluates a validated constant expression to slots (the
// second is used by v128 only).
func (inst *Instance) constValue(c abi.ConstExpr) [2]uint64 {
	switch c.Op {
	case abi.ConstRefNull:
		return [2]uint64{}
	case abi.ConstRefFunc:
		return [2]uint64{uint64(inst.addr(inst.mod.layout.FuncRef(int(c.Index))))}
	case abi.ConstGlobalGet:
		g := inst.globals[c.Index]
		return [2]uint64{g.get(), g.slot[1]}
	}
	return c.Bits
}

// initialize applies the active segments in order and runs the start
// function.
func (inst *Instance) initialize(ctx context.Context) error {
	meta := inst.mod.meta
	for i := range meta.Elems {
		e := &meta.Elems[i]
		if e.Mode != abi.SegmentActive {
			continue
		}
		dst := uint64(uint32(inst.constValue(e.Offset)[0]))
		elems := inst.tables[e.Table].elems()
		if dst+uint64(len(e.Init)) > uint64(len(elems)) {
			return errors.Join(instantiationTrap(abi.TrapTableOutOfBounds), inst.unapplyImages())
		}
		elems = elems[dst : dst+uint64(len(e.Init))]
		if offs := inst.mod.elemOffsets[i]; offs != nil {
			for j, off := range offs {
				if off != 0 {
					off += uint64(inst.vmctx)
				}
				elems[j] = off
			}
			continue
		}
		for j, c := range e.Init {
			elems[j] = inst.constValue(c)[0]
		}
	}
	if !inst.mod.imagesOK {
		if err := inst.applyData(); err != nil {
			return err
		}
	}
	if meta.Start >= 0 {
		f := inst.funcAt(int(meta.Start), "")
		if _, err := f.Call(ctx); err != nil {
			return fmt.Errorf("start function: %w", err)
		}
	}
	return nil
}

// unapplyImages empties the memories that were created holding the
// module's image (define): when an element segment fails, the data
// segments must not have been applied, and functions of this instance
// may already be in imported tables, where they can read its memory.
func (inst *Instance) unapplyImages() error {
	images, _ := inst.mod.memoryImages()
	for i, img := range images {
		if img != nil && i < len(inst.ownMem) {
			mem := inst.ownMem[i]
			if err := prepareMemory(mem.res, uintptr(mem.def.length), uintptr(mem.def.length), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyData applies the active data segments one by one, failing at the
// first that does not fit (the segments before it stay applied).
func (inst *Instance) applyData() error {
	for i := range inst.mod.meta.Data {
		d := &inst.mod.meta.Data[i]
		if d.Mode != abi.SegmentActive {
			continue
		}
		dst := uint64(uint32(inst.constValue(d.Offset)[0]))
		mem := inst.memories[d.Memory].Bytes()
		if dst+uint64(len(d.Bytes)) > uint64(len(mem)) {
			return instantiationTrap(abi.TrapMemoryOutOfBounds)
		}
		copy(mem[dst:], d.Bytes)
	}
	return nil
}

func instantiationTrap(code abi.TrapCode) error {
	return fmt.Errorf("instantiation: %w", &abi.Trap{Code: code, Func: -1, Offset: -1})
}
