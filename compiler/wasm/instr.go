package wasm

// BlockType is the type of a block, loop or if.
type BlockType struct {
	Kind  BlockKind
	Value ValType // BlockValue: the single result type
	Index uint32  // BlockIndex: a type index (multi-value)
}

// BlockKind says which form a BlockType takes.
type BlockKind byte

// Block type forms.
const (
	BlockEmpty BlockKind = iota // []→[]
	BlockValue                  // []→[Value]
	BlockIndex                  // Types[Index]
)

// MemArg is the immediate of a load or store.
type MemArg struct {
	Align  uint32 // log2 of the alignment hint
	Offset uint32
}

// Instr is one decoded instruction. Which fields are meaningful depends on
// Op.Info().Imm; the rest are zero.
type Instr struct {
	Op     Opcode
	Offset uint32 // byte offset of the instruction's first byte in the module

	// Index is the first index immediate: label (br, br_if), function
	// (call, ref.func), type (call_indirect), local, global, table
	// (table.get/set/size/grow/fill, table.copy destination), data
	// (memory.init, data.drop) or element (table.init, elem.drop) index.
	// For a typed select it is the number of annotated types, which is 1
	// in every valid module (Type holds the first).
	Index uint32
	// Index2 is the second index immediate: the table of call_indirect and
	// table.init, the source table of table.copy.
	Index2 uint32

	Block BlockType // block, loop, if
	Mem   MemArg    // loads, stores, load/store lane
	Lane  byte      // extract/replace lane, load/store lane

	// Const holds the bits of i32/i64/f32/f64.const (i32 sign-extended to
	// 64 bits) and the low 8 bytes (little-endian) of v128.const and of the
	// i8x16.shuffle lane list; ConstHi holds their high 8 bytes.
	Const, ConstHi uint64

	Targets []uint32 // br_table: the label list, then the default label
	Type    ValType  // select with a type annotation: that type; ref.null: the reference type
}
