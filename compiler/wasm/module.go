// Package wasm decodes and validates WebAssembly 2.0 binary modules.
//
// Decode turns bytes into a Module; Validate checks it against the
// specification's validation rules. Function bodies stay in their binary
// form (Code.Body) and are read one instruction at a time with an
// InstrReader, so a multi-megabyte module is never expanded into a tree:
// the validator and the lowering pass each stream over the bytes.
//
// Errors are *Error values whose Kind says whether the bytes are not a
// module at all (Malformed, found by Decode) or break a validation rule
// (Invalid, found by Validate); messages start with the reference
// interpreter's wording. No input makes either function panic, and
// neither allocates for counts the input merely claims: preallocation is
// bounded by the bytes left.
//
// A decoded Module aliases the input (Code.Body, Data.Init,
// CustomSection.Data); the input must not change while it is in use.
//
// Implementation limits, beyond the specification's: a function declares
// at most MaxLocals (50,000) locals ("too many locals"), and a function
// type has at most MaxTypeArity (1,000) parameters and as many results
// ("too many parameters", "too many results"); both are Malformed.
package wasm

import "fmt"

// ValType is a value type, numbered by its binary encoding.
type ValType byte

// Value types.
const (
	I32       ValType = 0x7F
	I64       ValType = 0x7E
	F32       ValType = 0x7D
	F64       ValType = 0x7C
	V128      ValType = 0x7B
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6F
)

func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	}
	return fmt.Sprintf("valtype(%#x)", byte(t))
}

// IsRef reports whether t is a reference type.
func (t ValType) IsRef() bool { return t == FuncRef || t == ExternRef }

// FuncType is a function signature.
type FuncType struct {
	Params, Results []ValType
}

// Limits bound the size of a table (in elements) or memory (in 64 KiB pages).
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

// GlobalType describes a global variable.
type GlobalType struct {
	Type    ValType
	Mutable bool
}

// ExternKind is the kind of an import or export.
type ExternKind byte

// Extern kinds, numbered by their binary encoding.
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
	return fmt.Sprintf("externkind(%d)", byte(k))
}

// Import is one entry of the import section. Exactly one of the typed
// fields is meaningful, chosen by Kind.
type Import struct {
	Module, Name string
	Kind         ExternKind
	Offset       uint32 // byte offset of the entry in the module
	Func         uint32 // type index
	Table        TableType
	Memory       MemoryType
	Global       GlobalType
}

// Export is one entry of the export section.
type Export struct {
	Name   string
	Kind   ExternKind
	Index  uint32
	Offset uint32 // byte offset of the entry in the module
}

// ConstExpr is a constant expression (global initialisers, segment offsets,
// element items). Valid 2.0 constant expressions hold exactly one
// instruction (t.const, ref.null, ref.func or global.get); the decoder keeps
// whatever it read so that the validator can reject the rest.
type ConstExpr struct {
	Instrs []Instr // without the final end
	Offset uint32  // byte offset of the first instruction in the module
}

// Global is a defined global.
type Global struct {
	Type GlobalType
	Init ConstExpr
}

// SegmentMode says when a data or element segment is applied.
type SegmentMode byte

// Segment modes.
const (
	SegmentActive      SegmentMode = iota // copied at instantiation
	SegmentPassive                        // used by memory.init / table.init
	SegmentDeclarative                    // elements only: declares ref.func targets
)

// Elem is an element segment. Init holds one constant expression per
// element; the compact "vector of function indices" encodings are decoded
// into ref.func expressions so that consumers see one form.
type Elem struct {
	Mode   SegmentMode
	Table  uint32    // active only
	Offset ConstExpr // active only
	Type   ValType   // FuncRef or ExternRef
	Init   []ConstExpr
}

// Data is a data segment.
type Data struct {
	Mode   SegmentMode // SegmentActive or SegmentPassive
	Memory uint32      // active only
	Offset ConstExpr   // active only
	Init   []byte
}

// LocalRun declares Count locals of one type, as in the binary format.
type LocalRun struct {
	Count uint32
	Type  ValType
}

// Code is one function body.
type Code struct {
	Locals    []LocalRun // declared locals, excluding parameters
	NumLocals uint32     // sum of Locals[i].Count
	Body      []byte     // instructions after the local declarations, including the final end
	Offset    uint32     // byte offset of Body[0] in the module
}

// CustomSection is a custom section other than "name".
type CustomSection struct {
	Name   string
	Data   []byte
	Offset uint32 // byte offset of the section's contents in the module
}

// Names holds the decoded "name" custom section. A malformed name section
// is ignored, as the specification allows.
type Names struct {
	Module string
	Funcs  map[uint32]string
	Locals map[uint32]map[uint32]string
}

// Module is a decoded WebAssembly module. Index spaces (functions, tables,
// memories, globals) list imports first, then definitions.
type Module struct {
	Types     []FuncType
	Imports   []Import
	Funcs     []uint32 // type index of each defined function
	Tables    []TableType
	Memories  []MemoryType
	Globals   []Global
	Exports   []Export
	Start     *uint32
	Elems     []Elem
	DataCount *uint32
	Codes     []Code
	Datas     []Data
	Names     Names
	Customs   []CustomSection

	// Number of imports of each kind, i.e. the index of the first definition.
	NumImportedFuncs, NumImportedTables, NumImportedMemories, NumImportedGlobals uint32

	// SectionOffsets is the byte offset of each non-custom section's
	// contents, by section id (0 for a section that is absent); validation
	// errors about a section as a whole point there.
	SectionOffsets [13]uint32
}
