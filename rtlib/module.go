// Package rtlib is the wasmaot runtime: it loads objects produced by the
// wasmaot compiler (docs/object-format.md), instantiates them as isolated
// sandboxes and calls them. It never imports the compiler, so a program
// that only runs precompiled objects does not link it.
//
//	mod, err := rtlib.LoadFile("app.o")
//	inst, err := mod.Instantiate(ctx, rtlib.Config{HostFuncs: ...})
//	defer inst.Close()
//	results, err := inst.ExportedFunc("run").Call(ctx, rtlib.I32(7))
//
// Values cross the API as uint64 slots (I32, F64, … encode them; a v128
// takes two). Func.CallWithStack is the allocation-free form of Call for
// hot paths. A trap is an *abi.Trap naming the wasm function it happened
// in; a cancelled ctx interrupts a running call (abi.TrapInterrupted), and
// a fuel budget (Config.Fuel, WithFuel) bounds the work of code compiled
// with fuel metering (abi.TrapOutOfFuel).
//
// Imports are Go functions (Config.HostFuncs), exports of other instances
// (Config.Instances, Config.Externs), or memories, tables and globals the
// embedder creates with NewMemory, NewTable and NewGlobal and shares
// between instances. Tables are readable and writable from Go (Table.Get,
// Set, Func, SetFunc); see extern.go for how function and extern
// references are represented and checked.
//
// Native code runs on its own stacks, outside the Go heap, and does not
// stall the Go scheduler or GC; see docs/runtime.md.
//
// Instantiating a loaded module again is cheap: the first instance turns
// the module's data segments into a memory image that later instances map
// copy-on-write (image.go), and the storage of closed instances is kept,
// reset, for the next ones (pool.go). Per-instance host functions such as
// WASI's are best handed over as a Config.HostModules provider, which is
// asked only for what the module imports.
package rtlib

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Module is a loaded object: mapped, relocated code plus its metadata. It
// is immutable and may be instantiated any number of times, concurrently.
type Module struct {
	img      *loadedImage
	meta     *abi.Meta
	layout   *abi.Layout
	typeIDs  []uint64
	funcAddr []uint64 // per defined function
	entry    []uint64 // array-call trampoline per type (0 if none)
	stub     []uint64 // host-import stub per imported function
	// hostShapes holds per imported function what a host function linked
	// to it needs beyond the function (shared by every instance).
	hostShapes []hostImport
	exports    map[string]abi.Export
	names      map[int]string
	// passiveData is the bitset of passive data segments, each instance's
	// initial Instance.dataLive (nil if there are none).
	passiveData []uint64
	// elemOffsets holds, per element segment made only of ref.func and
	// ref.null, each element's VMContext offset (0 for null); nil for
	// other segments.
	elemOffsets [][]uint64
	// images are the initial contents of the defined memories, built on
	// first use; imagesOK is false if the data segments must be applied
	// one by one (see buildImages).
	imagesOnce sync.Once
	images     []*memoryImage
	imagesOK   bool

	mu        sync.Mutex
	instances int
	closed    bool
	slots     []*slot // ready storage of freed instances, for reuse (see pool.go)
	// shapes holds the slot shape, and the slabs, per pair of configured
	// caps (Config.MaxMemoryPages, MaxTableElements).
	shapes map[[2]uint32]*shape
}

// Load checks, maps and links an object. Corrupt, truncated or foreign
// objects are rejected with an error: the object's seal (package seal)
// must match every section before anything is mapped, and every
// relocation must stay inside the object. The seal detects corruption,
// not a deliberate forgery (anyone can seal an object); to trust an
// object's origin, use LoadVerified.
func Load(obj []byte) (*Module, error) {
	return load(obj, nil)
}

// LoadVerified is Load for an object that must carry an ed25519
// signature by key (`wasmaot sign`, seal.Sign). An unsigned object, one
// signed by another key, or one whose signature does not verify is
// refused before any of its bytes is mapped.
func LoadVerified(obj []byte, key ed25519.PublicKey) (*Module, error) {
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("loading object: the verification key is not an ed25519 public key")
	}
	return load(obj, key)
}

func load(obj []byte, key ed25519.PublicKey) (*Module, error) {
	img, err := loadObject(obj, key)
	if err != nil {
		return nil, fmt.Errorf("loading object: %w", err)
	}
	m := &Module{img: img, meta: img.meta, layout: img.meta.Layout(),
		exports: map[string]abi.Export{}, names: map[int]string{}}
	for _, t := range m.meta.Types {
		m.typeIDs = append(m.typeIDs, canonicalTypeID(t.Params, t.Results))
		var e uint64
		if t.EntrySymbol != "" {
			e = img.symbol[t.EntrySymbol]
		}
		m.entry = append(m.entry, e)
	}
	for _, f := range m.meta.Funcs {
		m.funcAddr = append(m.funcAddr, img.symbol[f.Symbol])
	}
	for _, im := range m.meta.Imports {
		if im.Kind == abi.ExternFunc {
			m.stub = append(m.stub, img.symbol[im.StubSymbol])
			m.hostShapes = append(m.hostShapes, hostShape(m.meta.Types[im.FuncType]))
		}
	}
	for i, d := range m.meta.Data {
		if d.Mode == abi.SegmentPassive {
			if m.passiveData == nil {
				m.passiveData = make([]uint64, (len(m.meta.Data)+63)/64)
			}
			m.passiveData[i/64] |= 1 << (i % 64)
		}
	}
	m.elemOffsets = make([][]uint64, len(m.meta.Elems))
	for i, e := range m.meta.Elems {
		m.elemOffsets[i] = elemOffsets(e, m.layout)
	}
	for _, n := range m.meta.FuncNames {
		m.names[int(n.Index)] = n.Name
	}
	for _, x := range m.meta.Exports {
		m.exports[x.Name] = x
		if _, ok := m.names[int(x.Index)]; !ok && x.Kind == abi.ExternFunc {
			m.names[int(x.Index)] = x.Name
		}
	}
	return m, nil
}

func elemOffsets(e abi.ElemSegment, l *abi.Layout) []uint64 {
	offs := make([]uint64, len(e.Init))
	for j, c := range e.Init {
		switch c.Op {
		case abi.ConstRefFunc:
			offs[j] = uint64(l.FuncRef(int(c.Index)))
		case abi.ConstRefNull:
		default:
			return nil
		}
	}
	return offs
}

// Meta returns the module's metadata (imports, exports, target, …). The
// caller must not modify it.
func (m *Module) Meta() *abi.Meta { return m.meta }

// Close releases the module's code once its last instance is closed.
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		m.maybeUnmap()
	}
	return nil
}

func (m *Module) maybeUnmap() {
	if m.closed && m.instances == 0 && m.img != nil {
		m.img.unmap()
		m.img = nil
		closeImages(m.images)
		m.images = nil
		m.unmapSlabs()
	}
}

// memoryImages returns the images of the defined memories, or false if
// the module's data segments are not static.
func (m *Module) memoryImages() ([]*memoryImage, bool) {
	m.imagesOnce.Do(func() { m.images, m.imagesOK = buildImages(m.meta, m.layout.ImportedMemories) })
	return m.images, m.imagesOK
}

// funcName names wasm function i for errors.
func (m *Module) funcName(i int) string { return m.names[i] }

// canonicalTypeIDs gives every distinct signature in the process a
// nonzero ID, so that call_indirect can compare signatures across modules
// with one integer comparison.
var canonicalTypeIDs struct {
	sync.Mutex
	ids map[string]uint64
}

func canonicalTypeID(params, results []abi.ValType) uint64 {
	var b strings.Builder
	for _, p := range params {
		b.WriteByte(byte(p))
	}
	b.WriteByte(0)
	for _, r := range results {
		b.WriteByte(byte(r))
	}
	key := b.String()
	canonicalTypeIDs.Lock()
	defer canonicalTypeIDs.Unlock()
	if canonicalTypeIDs.ids == nil {
		canonicalTypeIDs.ids = map[string]uint64{}
	}
	id, ok := canonicalTypeIDs.ids[key]
	if !ok {
		id = uint64(len(canonicalTypeIDs.ids) + 1)
		canonicalTypeIDs.ids[key] = id
	}
	return id
}

// slotCount is the number of uint64 slots the values of ts occupy.
func slotCount(ts []abi.ValType) int {
	n := 0
	for _, t := range ts {
		n += t.Slots()
	}
	return n
}
