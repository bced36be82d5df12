package abi

// VMContext layout.
//
// Every compiled function receives a pointer to its instance's VMContext as
// its first argument. The VMContext lives outside the Go heap (the runtime
// maps it) and consists of a fixed header followed by module-dependent
// arrays whose offsets Layout computes. All fields are 8 bytes and
// little-endian; pointers are native addresses.
//
// Anything an instance may share with another instance (memories, tables,
// globals, functions) is reached through one level of indirection, so an
// importer sees the exporter's growth and writes:
//
//	memory i  : *MemoryDefinition at MemoryPtr(i)
//	table i   : *TableDefinition  at TablePtr(i)
//	global i  : *[16]byte storage at GlobalPtr(i)
//	function i: a FuncRef record  at FuncRef(i) (copied from the exporter for imports)
//
// Defined (non-imported) memories, tables and globals keep their
// definitions inside the VMContext; the pointer slots of defined entities
// point there.
const (
	// VMCtxBuiltins holds a pointer to the builtin table, an array of
	// NumBuiltins code addresses indexed by Builtin.
	VMCtxBuiltins = 0x00
	// The word at 0x08 is reserved (zero); neither compiled code nor the
	// runtime uses it (the runtime identifies an instance by its VMContext
	// address).
	//
	// VMCtxHeaderSize is where the module-dependent part begins. The
	// pointer to memory 0, if the module has a memory, is always here.
	VMCtxHeaderSize = 0x10
)

// MemoryDefinition describes a linear memory: {Base, Length}. Base never
// changes for the life of the memory, so loads of it may be marked
// invariant; Length (in bytes) grows with memory.grow and must be reloaded
// after any call.
const (
	MemoryDefBase   = 0x00
	MemoryDefLength = 0x08
	MemoryDefSize   = 0x10
)

// TableDefinition describes a table: {Base, Length}. Elements are 8 bytes:
// a funcref element is a pointer to a FuncRef record (0 is null), an
// externref element is an opaque nonzero value (0 is null). Base never
// changes (tables are reserved at their maximum size); Length counts
// elements and grows with table.grow.
const (
	TableDefBase   = 0x00
	TableDefLength = 0x08
	TableDefSize   = 0x10
	TableElemSize  = 8
)

// FuncRef is the record a funcref value points to: the code address, the
// VMContext to pass it, and the canonical type ID of its signature (compared
// with TypeID(typeidx) by call_indirect).
const (
	FuncRefCode   = 0x00
	FuncRefVMCtx  = 0x08
	FuncRefTypeID = 0x10
	FuncRefSize   = 0x18
)

// GlobalSize is the storage of one global: i32/f32 in the low 4 bytes,
// i64/f64/references in the low 8 bytes, v128 in all 16 (low half first).
const GlobalSize = 16

// Counts are the module-dependent sizes a Layout depends on. Imported
// entities come first in each index space, as in WebAssembly.
type Counts struct {
	Types                      int
	ImportedFuncs, Funcs       int // Funcs includes the imported ones
	ImportedMemories, Memories int
	ImportedTables, Tables     int
	ImportedGlobals, Globals   int
}

// Layout gives the offsets of the module-dependent VMContext fields. The
// compiler and the runtime must build it from the same Counts.
type Layout struct {
	Counts
	memoryPtrs, tablePtrs, globalPtrs int
	typeIDs, funcRefs                 int
	memoryDefs, tableDefs, globalDefs int
	// Size is the VMContext size in bytes, a multiple of 16.
	Size int
}

// NewLayout lays out a VMContext for a module with the given counts. It
// panics if a count is negative or the imports exceed the totals, which is
// a bug in the caller (both sides take counts from validated metadata).
func NewLayout(c Counts) *Layout {
	if c.Types < 0 || c.ImportedFuncs < 0 || c.ImportedMemories < 0 || c.ImportedTables < 0 || c.ImportedGlobals < 0 ||
		c.ImportedFuncs > c.Funcs || c.ImportedMemories > c.Memories ||
		c.ImportedTables > c.Tables || c.ImportedGlobals > c.Globals {
		panic("abi.NewLayout: inconsistent counts")
	}
	l := &Layout{Counts: c}
	off := VMCtxHeaderSize
	next := func(n, size int) int {
		at := off
		off += n * size
		return at
	}
	l.memoryPtrs = next(c.Memories, 8)
	l.tablePtrs = next(c.Tables, 8)
	l.globalPtrs = next(c.Globals, 8)
	l.typeIDs = next(c.Types, 8)
	l.funcRefs = next(c.Funcs, FuncRefSize)
	off = (off + 15) &^ 15
	l.memoryDefs = next(c.Memories-c.ImportedMemories, MemoryDefSize)
	l.tableDefs = next(c.Tables-c.ImportedTables, TableDefSize)
	l.globalDefs = next(c.Globals-c.ImportedGlobals, GlobalSize)
	l.Size = (off + 15) &^ 15
	return l
}

func check(i, n int, what string) {
	if i < 0 || i >= n {
		panic("abi.Layout: " + what + " index out of range")
	}
}

// MemoryPtr is the offset of the *MemoryDefinition of memory i.
func (l *Layout) MemoryPtr(i int) int {
	check(i, l.Memories, "memory")
	return l.memoryPtrs + 8*i
}

// TablePtr is the offset of the *TableDefinition of table i.
func (l *Layout) TablePtr(i int) int {
	check(i, l.Tables, "table")
	return l.tablePtrs + 8*i
}

// GlobalPtr is the offset of the pointer to global i's storage.
func (l *Layout) GlobalPtr(i int) int {
	check(i, l.Globals, "global")
	return l.globalPtrs + 8*i
}

// TypeID is the offset of the canonical (process-wide, nonzero) ID of type
// index i, a uint64.
func (l *Layout) TypeID(i int) int {
	check(i, l.Types, "type")
	return l.typeIDs + 8*i
}

// FuncRef is the offset of function i's FuncRef record. For an imported
// function (i < ImportedFuncs) the runtime copies the exporter's record
// here: calling import i means loading Code and VMCtx from it. ref.func i
// evaluates to the address vmctx+FuncRef(i).
func (l *Layout) FuncRef(i int) int {
	check(i, l.Funcs, "function")
	return l.funcRefs + FuncRefSize*i
}

// MemoryDef is the offset of the MemoryDefinition of memory i, which must
// be defined by the module (i >= ImportedMemories).
func (l *Layout) MemoryDef(i int) int {
	check(i-l.ImportedMemories, l.Memories-l.ImportedMemories, "defined memory")
	return l.memoryDefs + MemoryDefSize*(i-l.ImportedMemories)
}

// TableDef is the offset of the TableDefinition of defined table i.
func (l *Layout) TableDef(i int) int {
	check(i-l.ImportedTables, l.Tables-l.ImportedTables, "defined table")
	return l.tableDefs + TableDefSize*(i-l.ImportedTables)
}

// GlobalDef is the offset of the storage of defined global i (16-byte
// aligned). Compiled code may access defined globals here directly instead
// of through GlobalPtr.
func (l *Layout) GlobalDef(i int) int {
	check(i-l.ImportedGlobals, l.Globals-l.ImportedGlobals, "defined global")
	return l.globalDefs + GlobalSize*(i-l.ImportedGlobals)
}
