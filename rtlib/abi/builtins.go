package abi

// Builtin indexes the builtin table that VMCtxBuiltins points to. Compiled
// code calls builtin b by loading the code address at
// *(vmctx+VMCtxBuiltins) + 8*b and calling it with the platform C ABI.
// Builtins are never reached through relocations.
//
// The C signatures (u32 arguments are zero-extended by the callee, i.e.
// their upper 32 bits may hold garbage):
//
//	BuiltinTrap       void trap(vmctx*, u32 code)                    never returns
//	BuiltinHostCall   void host_call(vmctx*, u32 import, u64* slots) slots: args in, results out
//	BuiltinYield      void yield(vmctx*)                             returns to continue
//	BuiltinMemoryGrow u32  memory_grow(vmctx*, u32 mem, u32 delta)   old pages or 0xFFFFFFFF
//	BuiltinMemoryFill void memory_fill(vmctx*, u32 mem, u32 dst, u32 val, u32 n)
//	BuiltinMemoryCopy void memory_copy(vmctx*, u32 dstMem, u32 srcMem, u32 dst, u32 src, u32 n)
//	BuiltinMemoryInit void memory_init(vmctx*, u32 mem, u32 seg, u32 dst, u32 src, u32 n)
//	BuiltinDataDrop   void data_drop(vmctx*, u32 seg)
//	BuiltinTableGrow  u32  table_grow(vmctx*, u32 table, u64 init, u32 delta)  old size or 0xFFFFFFFF
//	BuiltinTableFill  void table_fill(vmctx*, u32 table, u32 dst, u64 val, u32 n)
//	BuiltinTableCopy  void table_copy(vmctx*, u32 dstTable, u32 srcTable, u32 dst, u32 src, u32 n)
//	BuiltinTableInit  void table_init(vmctx*, u32 table, u32 seg, u32 dst, u32 src, u32 n)
//	BuiltinElemDrop   void elem_drop(vmctx*, u32 seg)
//
// Builtins that can fail (bounds of the bulk operations) trap themselves;
// compiled code need not check before calling them. memory.size,
// table.size, table.get, table.set, global access and ref.func are inline
// (see the VMContext layout); memory.copy and memory.fill may also be
// inlined with explicit bounds checks and calls to memmove/memset.
type Builtin int

// Builtins. The numbering is part of the object-file contract: append only.
const (
	BuiltinTrap Builtin = iota
	BuiltinHostCall
	BuiltinYield
	BuiltinMemoryGrow
	BuiltinMemoryFill
	BuiltinMemoryCopy
	BuiltinMemoryInit
	BuiltinDataDrop
	BuiltinTableGrow
	BuiltinTableFill
	BuiltinTableCopy
	BuiltinTableInit
	BuiltinElemDrop
	NumBuiltins
)

var builtinNames = [NumBuiltins]string{
	"trap", "host_call", "yield", "memory_grow", "memory_fill", "memory_copy",
	"memory_init", "data_drop", "table_grow", "table_fill", "table_copy",
	"table_init", "elem_drop",
}

func (b Builtin) String() string {
	if b >= 0 && b < NumBuiltins {
		return builtinNames[b]
	}
	return "builtin(" + itoa(int(b)) + ")"
}

// RuntimeSymbols are the only undefined symbols an object may reference.
// The runtime provides them as native code with the C library's semantics.
var RuntimeSymbols = []string{"memcpy", "memmove", "memset"}

// Symbol names in the object's .text (each also named in the metadata):
//
//	wasm_func_<funcidx>   a defined function:  ret f(vmctx*, [results*,] params...)
//	wasm_entry_<typeidx>  array-call trampoline: void e(vmctx*, code*, u64* slots)
//	wasm_import_<funcidx> host-import stub for imported function funcidx,
//	                      with the import's own signature (like wasm_func)
//
// Calling convention: the platform C ABI (SysV x86-64, AAPCS64). vmctx is
// the first argument, then the wasm parameters (i32 as i32, i64 as i64,
// f32/f64 as float/double, v128 as <2 x i64> in a vector register,
// references as pointer-sized integers). One result is returned in the
// return register; with more than one result, the second argument is a
// pointer to a results area laid out as slots (below) and the function
// returns void.
//
// Slots: an array of uint64; each value takes one slot (i32/f32 in the low
// 32 bits, upper bits ignored on read), v128 takes two (low half first).
// The array-call trampoline reads the parameters from slots, calls code
// with vmctx, and writes the results back to slots from index 0; slots is
// long enough for both. A multi-value trampoline may pass slots itself as
// the results area. Host-import stubs spill their parameters into such an
// array (on their own stack), call BuiltinHostCall with the import's
// function index, and load the results from it.
const (
	FuncSymbolPrefix   = "wasm_func_"
	EntrySymbolPrefix  = "wasm_entry_"
	ImportSymbolPrefix = "wasm_import_"
)

// FuncSymbol returns the conventional symbol name of function i.
func FuncSymbol(i int) string { return FuncSymbolPrefix + itoa(i) }

// EntrySymbol returns the conventional array-call trampoline name of type i.
func EntrySymbol(i int) string { return EntrySymbolPrefix + itoa(i) }

// ImportSymbol returns the conventional host-import stub name of imported
// function i.
func ImportSymbol(i int) string { return ImportSymbolPrefix + itoa(i) }
