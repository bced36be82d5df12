package llvm

import (
	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file reaches the VMContext and the structures it points to, at the
// offsets rtlib/abi defines.

// addr returns base+off as a pointer to t. No inbounds: the pointer is
// never assumed to stay inside an LLVM object.
func (b *funcBuilder) addr(t types.Type, base value.Value, off int64) value.Value {
	p := base
	if off != 0 {
		p = b.cur.NewGetElementPtr(types.I8, base, i64c(off))
	}
	return b.cur.NewBitCast(p, types.NewPointer(t))
}

// load reads a t at base+off. invariant marks fields that never change
// while compiled code can observe them, so LLVM may hoist and merge them.
func (b *funcBuilder) load(t types.Type, base value.Value, off int64, invariant bool) value.Value {
	ld := b.cur.NewLoad(t, b.addr(t, base, off))
	ld.Align = 8
	ld.Metadata = append(ld.Metadata, b.m.stateTag())
	if invariant {
		ld.Metadata = append(ld.Metadata, &metadata.Attachment{Name: "invariant.load", Node: b.m.emptyMD})
	}
	return ld
}

// stateTag and memTag are the !tbaa attachments of runtime-state and
// linear-memory accesses.
func (m *moduleBuilder) stateTag() *metadata.Attachment {
	return &metadata.Attachment{Name: "tbaa", Node: m.stateTBAA}
}

func (m *moduleBuilder) memTag() *metadata.Attachment {
	return &metadata.Attachment{Name: "tbaa", Node: m.memTBAA}
}

// loadPtr reads a pointer field as i8*.
func (b *funcBuilder) loadPtr(base value.Value, off int64, invariant bool) value.Value {
	return b.load(types.I8Ptr, base, off, invariant)
}

func (b *funcBuilder) store(v value.Value, base value.Value, off int64) {
	st := b.cur.NewStore(v, b.addr(v.Type(), base, off))
	st.Align = 8
	st.Metadata = append(st.Metadata, b.m.stateTag())
}

// callBuiltin calls builtin bi through the VMContext's builtin table.
func (b *funcBuilder) callBuiltin(bi abi.Builtin, ret types.Type, args ...value.Value) *llir.InstCall {
	table := b.cached(cacheKey{kind: 'B'}, func() value.Value { return b.loadPtr(b.vmctx, abi.VMCtxBuiltins, true) })
	code := b.loadPtr(table, int64(bi)*8, true)
	ptypes := []types.Type{types.I8Ptr}
	all := []value.Value{b.vmctx}
	for _, a := range args {
		ptypes = append(ptypes, a.Type())
		all = append(all, a)
	}
	fp := b.cur.NewBitCast(code, types.NewPointer(types.NewFunc(ret, ptypes...)))
	return b.cur.NewCall(fp, all...)
}

// cacheKey names a per-function value computed once in the entry block.
type cacheKey struct {
	kind  byte // 'B' builtin table, 'M' memory base, 'L' memory length pointer, 'T' table def, 'G' global
	index uint32
}

// cached returns the value for key, computing it with make in the entry
// block on first use. Only values that are the same for the whole call
// qualify: addresses and invariant loads from the VMContext, which is
// dereferenceable, so loading them up front is always safe.
func (b *funcBuilder) cached(key cacheKey, make func() value.Value) value.Value {
	if v, ok := b.cache[key]; ok {
		return v
	}
	saved := b.cur
	b.cur = b.entry
	v := make()
	b.cur = saved
	b.cache[key] = v
	return v
}

// defOrImport returns the address of an entity definition: inside the
// VMContext at defOff for a defined entity, through the (invariant)
// pointer slot at ptrOff for an imported one.
func (b *funcBuilder) defOrImport(defined bool, defOff, ptrOff int) value.Value {
	if defined {
		return b.cur.NewGetElementPtr(types.I8, b.vmctx, i64c(int64(defOff)))
	}
	return b.loadPtr(b.vmctx, int64(ptrOff), true)
}

// memoryDef returns a pointer to memory i's MemoryDefinition.
func (b *funcBuilder) memoryDef(i uint32) value.Value {
	l := b.m.layout
	if int(i) >= l.ImportedMemories {
		return b.defOrImport(true, l.MemoryDef(int(i)), 0)
	}
	return b.defOrImport(false, 0, l.MemoryPtr(int(i)))
}

// memoryBase is memory i's base address (invariant: the reservation never
// moves). memoryLength is its current byte length, reloaded at each use
// because memory.grow and calls change it.
func (b *funcBuilder) memoryBase(i uint32) value.Value {
	return b.cached(cacheKey{'M', i}, func() value.Value {
		return b.loadPtr(b.memoryDef(i), abi.MemoryDefBase, true)
	})
}

func (b *funcBuilder) memoryLength(i uint32) value.Value {
	p := b.cached(cacheKey{'L', i}, func() value.Value {
		return b.addr(types.I64, b.memoryDef(i), abi.MemoryDefLength)
	})
	ld := b.cur.NewLoad(types.I64, p)
	ld.Align = 8
	ld.Metadata = append(ld.Metadata, b.m.stateTag())
	return ld
}

// tableDef returns a pointer to table i's TableDefinition.
func (b *funcBuilder) tableDef(i uint32) value.Value {
	return b.cached(cacheKey{'T', i}, func() value.Value {
		l := b.m.layout
		if int(i) >= l.ImportedTables {
			return b.defOrImport(true, l.TableDef(int(i)), 0)
		}
		return b.defOrImport(false, 0, l.TablePtr(int(i)))
	})
}

// tableElem checks idx (i32) against table i's length, trapping with code
// when out of range, and returns a pointer to the 8-byte element.
func (b *funcBuilder) tableElem(i uint32, idx value.Value, code abi.TrapCode) value.Value {
	def := b.tableDef(i)
	length := b.load(types.I64, def, abi.TableDefLength, false)
	idx64 := b.cur.NewZExt(idx, types.I64)
	b.trapIf(b.cur.NewICmp(enum.IPredUGE, idx64, length), code)
	base := b.loadPtr(def, abi.TableDefBase, true)
	p := b.cur.NewGetElementPtr(types.I8, base, b.cur.NewShl(idx64, i64c(3)))
	return b.cur.NewBitCast(p, i64Ptr)
}

// global returns a pointer to global i's 16-byte storage.
func (b *funcBuilder) global(i uint32) value.Value {
	return b.cached(cacheKey{'G', i}, func() value.Value {
		l := b.m.layout
		if int(i) >= l.ImportedGlobals {
			return b.defOrImport(true, l.GlobalDef(int(i)), 0)
		}
		return b.defOrImport(false, 0, l.GlobalPtr(int(i)))
	})
}

// interruptCheck polls the execution's interrupt flag and calls the yield
// builtin when it is set. The load is volatile so that LLVM neither hoists
// it out of a loop nor merges two polls.
func (b *funcBuilder) interruptCheck() {
	ld := b.cur.NewLoad(types.I32, b.addr(types.I32, b.thread, abi.ThreadInterrupt))
	ld.Volatile = true
	ld.Align = 4
	ld.Metadata = append(ld.Metadata, b.m.stateTag())
	set := b.cur.NewICmp(enum.IPredNE, ld, i32c(0))
	yield := b.fn.NewBlock("")
	cont := b.fn.NewBlock("")
	b.cur.NewCondBr(set, yield, cont)
	b.cur = yield
	call := b.callBuiltin(abi.BuiltinYield, types.Void)
	call.FuncAttrs = append(call.FuncAttrs, enum.FuncAttrCold)
	b.cur.NewBr(cont)
	b.cur = cont
}
