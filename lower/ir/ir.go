// Package ir is wasmaot's SSA intermediate representation: the form every
// back end (the IR interpreter, backend/llvm, the native back ends) consumes.
//
// # Shape
//
// A Module is the source wasm.Module plus one Func per defined function. A
// Func is a list of basic blocks; Blocks[0] is the entry block and its
// parameters are the function's parameters. Values are SSA: each Value is
// defined exactly once, either as a block parameter or as a result of an
// instruction, and has one Type (i32, i64, f32, f64, v128, funcref,
// externref). Control-flow merges use block parameters, not phi nodes: a
// branch passes one argument per parameter of its target. Every block ends
// in exactly one terminator (jump, brif, switch, return, trap) and holds no
// other terminator.
//
// The text form is described in print.go; testdata/example.ir shows a
// loop summing bytes of memory and most operand kinds. Parse reads it back,
// and Verify checks the invariants above after lowering and after every
// pass in tests.
//
// # Operations
//
// Ops are described by one table (see Op.Info): name, typing rule, side
// effects and whether the op can trap. Pure numeric and SIMD operations
// reuse the WebAssembly instruction of the same name and keep its
// semantics exactly (lower/numeric is the reference), with one rule: the
// instructions that trap in wasm (integer div/rem, float-to-int trunc) are
// always preceded in lowered IR by explicit trap_if checks, so when they
// execute their operands are in range and a back end may use the plain
// machine or LLVM instruction. Loads and stores are unchecked; each is
// dominated by a bounds_check of its address with an extent of at least
// offset+size, which the bounds-check elimination pass may drop when an
// earlier check already covers it, and loop versioning when a test before
// the loop proved that it passes in every iteration the loop can run.
//
// Operations that keep their wasm checks inside them, for the back end to
// materialise: call_indirect (index beyond the table: undefined element;
// null entry: uninitialized element; signature differs structurally:
// indirect call type mismatch), table.get/set/fill/copy/init and
// memory.fill/copy/init (range checks), memory.grow and table.grow (return
// -1 on failure). Stack-limit checks are not IR operations: every back end
// adds one to each function's prologue (the interpreter limits call
// depth). interrupt_check appears at function entry and at every loop
// header.
//
// # Why wasm-level operations and not VMContext fields
//
// The IR keeps wasm-level state operations (global.get 3, memory 0's bounds,
// table.get, call_indirect with its table and type) instead of naming
// VMContext offsets. The same IR feeds the interpreter, which has no
// VMContext, and several back ends that materialise state differently (a
// guard-page mode drops bounds checks, an imported global is one more
// indirection); the VMContext layout is a runtime contract in rtlib/abi
// that can change without touching lower/; and the passes reason about wasm
// objects (which memory, which extent), not byte offsets. A back end turns
// each operation into loads at abi offsets in one place.
package ir

import (
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Type is the type of an SSA value: one of the WebAssembly value types.
type Type = wasm.ValType

// Value types, for convenience.
const (
	I32       = wasm.I32
	I64       = wasm.I64
	F32       = wasm.F32
	F64       = wasm.F64
	V128      = wasm.V128
	FuncRef   = wasm.FuncRef
	ExternRef = wasm.ExternRef
)

// Value names an SSA value of one function: an index into Func.Types.
type Value uint32

// Module is a lowered WebAssembly module.
type Module struct {
	// Wasm is the validated source module: types, imports, memories,
	// tables, globals, segments, exports and the start function.
	Wasm *wasm.Module
	// Funcs holds the defined functions: Funcs[i] is wasm function
	// Wasm.NumImportedFuncs + i.
	Funcs []*Func
}

// Func is one function in SSA form.
type Func struct {
	Index uint32 // wasm function index
	Name  string // from the name section, for diagnostics; may be empty
	Sig   wasm.FuncType
	// Blocks lists the blocks in layout order; Blocks[0] is the entry.
	Blocks []*Block
	// Types holds the type of every value; Value v has type Types[v].
	Types []Type

	nextBlockID int // 0: not known yet (see NewBlock)
}

// Block is a basic block: parameters, then instructions, the last of
// which (and only the last) is a terminator.
type Block struct {
	ID     int // unique within the function; printed as bID
	Params []Value
	Instrs []*Instr
}

// Instr is one operation. Which immediates are meaningful depends on Op;
// the others are zero.
type Instr struct {
	Op      Op
	Results []Value
	Args    []Value

	// Index is the first index immediate: function (call, call_import,
	// ref.func), type (call_indirect), global, table, memory (bounds_check),
	// data segment or element segment.
	Index uint32
	// Index2 is the table of call_indirect and table.init, and the source
	// table of table.copy.
	Index2 uint32
	// Const holds the bits of a scalar constant, the low 8 bytes of a v128
	// constant or shuffle lane list, or the extent of a bounds_check.
	// ConstHi holds the high 8 bytes of a v128 constant or lane list.
	Const, ConstHi uint64
	// Offset and Align are a memory access's static offset and log2
	// alignment hint.
	Offset uint32
	Align  uint8
	Lane   uint8        // lane index of extract/replace lane and load/store lane
	Type   Type         // ref.null: the reference type
	Trap   abi.TrapCode // trap_if, trap
	Succs  []*BlockCall // terminators: successors; switch lists the default last
}

// BlockCall is a control-flow edge: a target block and one argument per
// parameter of that block.
type BlockCall struct {
	Block *Block
	Args  []Value
}

// NewValue adds a value of type t to f.
func (f *Func) NewValue(t Type) Value {
	f.Types = append(f.Types, t)
	return Value(len(f.Types) - 1)
}

// NewBlock appends an empty block with a fresh ID to f.
func (f *Func) NewBlock() *Block {
	if f.nextBlockID == 0 { // first call: blocks may come from the parser
		for _, b := range f.Blocks {
			f.nextBlockID = max(f.nextBlockID, b.ID+1)
		}
	}
	b := &Block{ID: f.nextBlockID}
	f.nextBlockID++
	f.Blocks = append(f.Blocks, b)
	return b
}

// Terminator returns the block's last instruction if it is a terminator.
func (b *Block) Terminator() *Instr {
	if n := len(b.Instrs); n > 0 && b.Instrs[n-1].Op.IsTerminator() {
		return b.Instrs[n-1]
	}
	return nil
}

// Succs returns the successor edges of b (none if it has no terminator).
func (b *Block) Succs() []*BlockCall {
	if t := b.Terminator(); t != nil {
		return t.Succs
	}
	return nil
}

// IsConst reports whether in is a scalar or v128 constant.
func (in *Instr) IsConst() bool { return in.Op.Info().Kind == KindConst }
