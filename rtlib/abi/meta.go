package abi

// MetaSection is the ELF section holding the encoded Meta.
const MetaSection = ".wasmaot.meta"

// MetaMagic opens every encoded Meta; MetaVersion is the format (and ABI)
// version, bumped on any incompatible change to this package's contract.
const (
	MetaMagic   = "WAOTMETA"
	MetaVersion = 2
)

// Arch is the target architecture of an object.
type Arch uint8

// Architectures.
const (
	ArchAMD64 Arch = 1
	ArchARM64 Arch = 2
)

func (a Arch) String() string {
	switch a {
	case ArchAMD64:
		return "amd64"
	case ArchARM64:
		return "arm64"
	}
	return "arch(" + itoa(int(a)) + ")"
}

// BoundsMode is how compiled code keeps memory accesses in bounds.
type BoundsMode uint8

// Bounds-check modes.
const (
	BoundsExplicit BoundsMode = 0 // a compare and branch before every access
	BoundsGuard    BoundsMode = 1 // guard pages and a fault handler (M2)
)

// ExternKind is the kind of an import or export (binary encoding).
type ExternKind uint8

// Extern kinds.
const (
	ExternFunc   ExternKind = 0
	ExternTable  ExternKind = 1
	ExternMemory ExternKind = 2
	ExternGlobal ExternKind = 3
)

func (k ExternKind) String() string {
	switch k {
	case ExternFunc:
		return "func"
	case ExternTable:
		return "table"
	case ExternMemory:
		return "memory"
	case ExternGlobal:
		return "global"
	}
	return "extern(" + itoa(int(k)) + ")"
}

// Meta describes a compiled module: everything the runtime needs besides
// the code. The compiler encodes it into MetaSection; the runtime decodes
// and validates it with DecodeMeta.
type Meta struct {
	CompilerVersion string
	Arch            Arch
	// Features are the CPU features the code needs beyond the
	// architecture's baseline, by the names in KnownFeatures.
	Features []string
	Bounds   BoundsMode
	// FuelMetered is whether the code counts fuel (abi.ThreadFuel) and
	// calls yield when it runs out; the runtime refuses a fuel budget
	// for code that does not, since nothing would enforce it.
	FuelMetered  bool
	SourceSHA256 [32]byte
	ModuleName   string // from the name section, may be empty

	Types    []FuncType
	Imports  []Import
	Funcs    []Func // defined functions; function index = imported funcs + i
	Tables   []TableType
	Memories []MemoryType
	Globals  []Global
	Exports  []Export
	Start    int64 // function index, or -1
	Data     []DataSegment
	Elems    []ElemSegment
	// FuncNames maps function indices to names (name section), sorted by
	// index, indices unique.
	FuncNames []FuncName
}

// FuncType is a function signature with the symbol of its array-call
// trampoline (empty if no exported or host-called function has the type).
type FuncType struct {
	Params, Results []ValType
	EntrySymbol     string
}

// Import is one import. Exactly one of the type fields is meaningful, by
// Kind. StubSymbol names the host-import stub of a function import.
type Import struct {
	Module, Name string
	Kind         ExternKind
	FuncType     uint32 // ExternFunc: type index
	StubSymbol   string // ExternFunc
	Table        TableType
	Memory       MemoryType
	Global       GlobalType
}

// Func is a defined function.
type Func struct {
	Type   uint32
	Symbol string
}

// Limits bound a table (elements) or memory (64 KiB pages).
type Limits struct {
	Min    uint32
	Max    uint32 // meaningful only if HasMax
	HasMax bool
}

// TableType describes a table.
type TableType struct {
	Elem   ValType // FuncRef or ExternRef
	Limits Limits
}

// MemoryType describes a linear memory.
type MemoryType struct {
	Limits Limits
}

// GlobalType describes a global.
type GlobalType struct {
	Type    ValType
	Mutable bool
}

// Global is a defined global and its initialiser.
type Global struct {
	Type GlobalType
	Init ConstExpr
}

// Export is one export.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32
}

// ConstOp is the instruction of a constant expression.
type ConstOp uint8

// Constant expression instructions (WebAssembly 2.0 has one per expression).
const (
	ConstI32       ConstOp = 1 // Bits[0] low 32 bits
	ConstI64       ConstOp = 2 // Bits[0]
	ConstF32       ConstOp = 3 // Bits[0] low 32 bits
	ConstF64       ConstOp = 4 // Bits[0]
	ConstV128      ConstOp = 5 // Bits[0] low half, Bits[1] high half
	ConstRefNull   ConstOp = 6 // Type is FuncRef or ExternRef
	ConstRefFunc   ConstOp = 7 // Index is a function index
	ConstGlobalGet ConstOp = 8 // Index is an (imported) global index
)

// ConstExpr is a constant expression.
type ConstExpr struct {
	Op    ConstOp
	Type  ValType // ConstRefNull
	Index uint32  // ConstRefFunc, ConstGlobalGet
	Bits  [2]uint64
}

// SegmentMode says when a data or element segment is applied.
type SegmentMode uint8

// Segment modes.
const (
	SegmentActive      SegmentMode = 0
	SegmentPassive     SegmentMode = 1
	SegmentDeclarative SegmentMode = 2 // element segments only
)

// DataSegment is a data segment with its bytes embedded.
type DataSegment struct {
	Mode   SegmentMode
	Memory uint32    // SegmentActive
	Offset ConstExpr // SegmentActive: i32 offset
	Bytes  []byte
}

// ElemSegment is an element segment: one constant expression per element
// (ref.func, ref.null or global.get).
type ElemSegment struct {
	Mode   SegmentMode
	Table  uint32    // SegmentActive
	Offset ConstExpr // SegmentActive: i32 offset
	Type   ValType   // FuncRef or ExternRef
	Init   []ConstExpr
}

// FuncName names a function.
type FuncName struct {
	Index uint32
	Name  string
}

// NumImported returns how many imports of kind k there are.
func (m *Meta) NumImported(k ExternKind) int {
	n := 0
	for i := range m.Imports {
		if m.Imports[i].Kind == k {
			n++
		}
	}
	return n
}

// Layout returns the VMContext layout of the module.
func (m *Meta) Layout() *Layout {
	f := m.NumImported(ExternFunc)
	t := m.NumImported(ExternTable)
	mem := m.NumImported(ExternMemory)
	g := m.NumImported(ExternGlobal)
	return NewLayout(Counts{
		Types:         len(m.Types),
		ImportedFuncs: f, Funcs: f + len(m.Funcs),
		ImportedTables: t, Tables: t + len(m.Tables),
		ImportedMemories: mem, Memories: mem + len(m.Memories),
		ImportedGlobals: g, Globals: g + len(m.Globals),
	})
}

// FuncTypeIndex returns the type index of function i (imported or
// defined); i must be valid.
func (m *Meta) FuncTypeIndex(i int) uint32 {
	for k := range m.Imports {
		if m.Imports[k].Kind == ExternFunc {
			if i == 0 {
				return m.Imports[k].FuncType
			}
			i--
		}
	}
	return m.Funcs[i].Type
}

// KnownFeatures lists the CPU feature names an object may require, per
// architecture. The runtime refuses unknown names and features the host
// lacks.
var KnownFeatures = map[Arch][]string{
	ArchAMD64: {"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "bmi1", "bmi2", "fma"},
	ArchARM64: {"lse", "crc", "aes", "sha2", "fp16", "rcpc", "dotprod"},
}
