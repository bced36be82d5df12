package llvm

import (
	"slices"

	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file reaches the VMContext and the structures it points to, at the
// offsets rtlib/abi defines.

// addr returns base+off as a pointer to t. No inbounds: the pointer is
// never assumed to stay inside an LLVM object.
func (b *funcBuilder) addr(t *llType, base value, off int64) value {
	p := base
	if off != 0 {
		p = b.cur.NewGetElementPtr(tI8, base, i64c(off))
	}
	return b.cur.NewBitCast(p, ptrTo(t))
}

// load reads a t at base+off. invariant marks fields that never change
// while compiled code can observe them, so LLVM may hoist and merge them.
func (b *funcBuilder) load(t *llType, base value, off int64, invariant bool) value {
	attach := attachState
	if invariant {
		attach = attachState + attachInvariant
	}
	return b.cur.load(t, b.addr(t, base, off), 8, false, attach)
}

// loadPtr reads a pointer field as i8*.
func (b *funcBuilder) loadPtr(base value, off int64, invariant bool) value {
	return b.load(tI8Ptr, base, off, invariant)
}

func (b *funcBuilder) store(v value, base value, off int64) {
	b.cur.store(v, b.addr(v.Type(), base, off), 8, attachState)
}

// callBuiltin calls builtin bi through the VMContext's builtin table, with
// call-site attributes attrs ("" for none).
func (b *funcBuilder) callBuiltin(bi abi.Builtin, ret *llType, attrs string, args ...value) value {
	table := b.cached(cacheKey{kind: 'B'}, func() value { return b.loadPtr(b.vmctx, abi.VMCtxBuiltins, true) })
	code := b.loadPtr(table, int64(bi)*8, true)
	ptypes := []*llType{tI8Ptr}
	all := []value{b.vmctx}
	for _, a := range args {
		ptypes = append(ptypes, a.Type())
		all = append(all, a)
	}
	fp := b.cur.NewBitCast(code, ptrTo(funcType(ret, ptypes...)))
	return b.cur.callAttrs(attrs, fp, all...)
}

// cacheKey names a per-function value computed once in the entry block.
type cacheKey struct {
	kind  byte // 'B' builtin table, 'M' memory base, 'L' memory length pointer, 'T' table def, 'G' global, 'I' interrupt flag
	index uint32
}

// cached returns the value for key, computing it with make in the entry
// block on first use. Only values that are the same for the whole call
// qualify: addresses and invariant loads from the VMContext, which is
// dereferenceable, so loading them up front is always safe.
func (b *funcBuilder) cached(key cacheKey, make func() value) value {
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
func (b *funcBuilder) defOrImport(defined bool, defOff, ptrOff int) value {
	if defined {
		return b.cur.NewGetElementPtr(tI8, b.vmctx, i64c(int64(defOff)))
	}
	return b.loadPtr(b.vmctx, int64(ptrOff), true)
}

// memoryDef returns a pointer to memory i's MemoryDefinition.
func (b *funcBuilder) memoryDef(i uint32) value {
	l := b.m.layout
	if int(i) >= l.ImportedMemories {
		return b.defOrImport(true, l.MemoryDef(int(i)), 0)
	}
	return b.defOrImport(false, 0, l.MemoryPtr(int(i)))
}

// memoryBase is memory i's base address (invariant: the reservation never
// moves).
func (b *funcBuilder) memoryBase(i uint32) value {
	return b.cached(cacheKey{'M', i}, func() value {
		return b.loadPtr(b.memoryDef(i), abi.MemoryDefBase, true)
	})
}

// memoryLengthField is the address of memory i's current byte length.
func (b *funcBuilder) memoryLengthField(i uint32) value {
	return b.cached(cacheKey{'L', i}, func() value {
		return b.addr(tI64, b.memoryDef(i), abi.MemoryDefLength)
	})
}

// Memory lengths live in one stack slot per memory, which LLVM promotes to
// SSA values: the prologue and every operation that can grow a memory
// (memory.grow and calls, which may grow it directly, through a host
// function or through a re-entrant call) store the length read from the
// MemoryDefinition, and accesses read the slot. Nothing else changes a
// length; in particular the yield builtin of an interrupt check does not,
// so a loop without calls sees one loop-invariant length, which LLVM
// keeps in a register. A length can only be stale when another instance
// sharing the memory grows it concurrently, a race the embedder owns;
// memories never shrink, so a stale length is only ever too small.

// setupLengthSlots makes the slots for the memories f accesses and fills
// them; it runs in the entry block.
func (b *funcBuilder) setupLengthSlots() {
	seen := map[uint32]bool{}
	for _, blk := range b.f.Blocks {
		for _, in := range blk.Instrs {
			switch in.Op {
			case ir.OpBoundsCheck, ir.OpMemorySize, ir.OpMemoryCopy, ir.OpMemoryFill:
			default:
				continue
			}
			if !seen[in.Index] {
				seen[in.Index] = true
				b.lengthMems = append(b.lengthMems, in.Index)
			}
		}
	}
	slices.Sort(b.lengthMems)
	for _, i := range b.lengthMems {
		b.lengthSlots[i] = b.fn.slots(1).v
	}
	b.refreshLengths()
}

// refreshLengths reloads every memory length slot.
func (b *funcBuilder) refreshLengths() {
	for _, i := range b.lengthMems {
		b.cur.store(b.cur.load(tI64, b.memoryLengthField(i), 8, false, attachState), b.lengthSlots[i], 8, "")
	}
}

// memoryLength is memory i's byte length as of the last refresh.
func (b *funcBuilder) memoryLength(i uint32) value {
	if slot, ok := b.lengthSlots[i]; ok {
		return b.cur.load(tI64, slot, 8, false, "")
	}
	return b.cur.load(tI64, b.memoryLengthField(i), 8, false, attachState)
}

// tableDef returns a pointer to table i's TableDefinition.
func (b *funcBuilder) tableDef(i uint32) value {
	return b.cached(cacheKey{'T', i}, func() value {
		l := b.m.layout
		if int(i) >= l.ImportedTables {
			return b.defOrImport(true, l.TableDef(int(i)), 0)
		}
		return b.defOrImport(false, 0, l.TablePtr(int(i)))
	})
}

// tableElem checks idx (i32) against table i's length, trapping with code
// when out of range, and returns a pointer to the 8-byte element.
func (b *funcBuilder) tableElem(i uint32, idx value, code abi.TrapCode) value {
	def := b.tableDef(i)
	length := b.load(tI64, def, abi.TableDefLength, false)
	idx64 := b.cur.NewZExt(idx, tI64)
	b.trapIf(b.cur.NewICmp("uge", idx64, length), code)
	base := b.loadPtr(def, abi.TableDefBase, true)
	p := b.cur.NewGetElementPtr(tI8, base, b.cur.NewShl(idx64, i64c(3)))
	return b.cur.NewBitCast(p, i64Ptr)
}

// global returns a pointer to global i's 16-byte storage.
func (b *funcBuilder) global(i uint32) value {
	return b.cached(cacheKey{'G', i}, func() value {
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
	flag := b.cached(cacheKey{kind: 'I'}, func() value { return b.addr(tI32, b.thread, abi.ThreadInterrupt) })
	ld := b.cur.load(tI32, flag, 4, true, attachState)
	set := b.cur.NewICmp("ne", ld, i32c(0))
	yield := b.fn.NewBlock("")
	cont := b.fn.NewBlock("")
	b.cur.NewCondBr(set, yield, cont)
	b.cur = yield
	b.callBuiltin(abi.BuiltinYield, tVoid, "cold")
	b.cur.NewBr(cont)
	b.cur = cont
}
