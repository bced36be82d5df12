package abi

import (
	"testing"
	"unsafe"
)

// Go mirrors of the fixed-layout records; the runtime accesses them through
// the same offsets.
type (
	mirrorHeader struct {
		builtins, reserved uintptr
	}
	mirrorMemoryDef struct {
		base   uintptr
		length uint64
	}
	mirrorTableDef struct {
		base   uintptr
		length uint64
	}
	mirrorFuncRef struct {
		code, vmctx uintptr
		typeID      uint64
	}
	mirrorThread struct {
		interrupt  uint32
		_          uint32
		fuel       int64
		stackLimit uintptr
	}
)

func TestFixedOffsets(t *testing.T) {
	var h mirrorHeader
	var m mirrorMemoryDef
	var tb mirrorTableDef
	var f mirrorFuncRef
	var th mirrorThread
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"VMCtxBuiltins", unsafe.Offsetof(h.builtins), VMCtxBuiltins},
		{"VMCtxHeaderSize", unsafe.Sizeof(h), VMCtxHeaderSize},
		{"MemoryDefBase", unsafe.Offsetof(m.base), MemoryDefBase},
		{"MemoryDefLength", unsafe.Offsetof(m.length), MemoryDefLength},
		{"MemoryDefSize", unsafe.Sizeof(m), MemoryDefSize},
		{"TableDefBase", unsafe.Offsetof(tb.base), TableDefBase},
		{"TableDefLength", unsafe.Offsetof(tb.length), TableDefLength},
		{"TableDefSize", unsafe.Sizeof(tb), TableDefSize},
		{"FuncRefCode", unsafe.Offsetof(f.code), FuncRefCode},
		{"FuncRefVMCtx", unsafe.Offsetof(f.vmctx), FuncRefVMCtx},
		{"FuncRefTypeID", unsafe.Offsetof(f.typeID), FuncRefTypeID},
		{"FuncRefSize", unsafe.Sizeof(f), FuncRefSize},
		{"ThreadInterrupt", unsafe.Offsetof(th.interrupt), ThreadInterrupt},
		{"ThreadFuel", unsafe.Offsetof(th.fuel), ThreadFuel},
		{"ThreadStackLimit", unsafe.Offsetof(th.stackLimit), ThreadStackLimit},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#x, Go mirror has %#x", c.name, c.want, c.got)
		}
	}
	if unsafe.Sizeof(th) > ThreadRuntime {
		t.Errorf("public thread state overlaps ThreadRuntime")
	}
}

// TestLayoutDisjoint checks that every field of a layout is aligned, inside
// Size, and overlaps no other field.
func TestLayoutDisjoint(t *testing.T) {
	c := Counts{Types: 3, ImportedFuncs: 2, Funcs: 5, ImportedMemories: 0, Memories: 1,
		ImportedTables: 1, Tables: 3, ImportedGlobals: 2, Globals: 4}
	l := NewLayout(c)
	type field struct {
		name      string
		off, size int
		align     int
	}
	fields := []field{{"header", 0, VMCtxHeaderSize, 8}}
	add := func(name string, n, from int, at func(int) int, size, align int) {
		for i := from; i < n; i++ {
			fields = append(fields, field{name, at(i), size, align})
		}
	}
	add("memptr", c.Memories, 0, l.MemoryPtr, 8, 8)
	add("tableptr", c.Tables, 0, l.TablePtr, 8, 8)
	add("globalptr", c.Globals, 0, l.GlobalPtr, 8, 8)
	add("typeid", c.Types, 0, l.TypeID, 8, 8)
	add("funcref", c.Funcs, 0, l.FuncRef, FuncRefSize, 8)
	add("memdef", c.Memories, c.ImportedMemories, l.MemoryDef, MemoryDefSize, 8)
	add("tabledef", c.Tables, c.ImportedTables, l.TableDef, TableDefSize, 8)
	add("globaldef", c.Globals, c.ImportedGlobals, l.GlobalDef, GlobalSize, 16)
	if l.MemoryPtr(0) != VMCtxHeaderSize {
		t.Errorf("memory 0 pointer at %#x, want VMCtxHeaderSize", l.MemoryPtr(0))
	}
	used := make([]string, l.Size)
	for _, f := range fields {
		if f.off%f.align != 0 || f.off+f.size > l.Size {
			t.Errorf("%s at %#x+%d misaligned or beyond size %d", f.name, f.off, f.size, l.Size)
			continue
		}
		for b := f.off; b < f.off+f.size; b++ {
			if used[b] != "" {
				t.Fatalf("%s at %#x overlaps %s", f.name, f.off, used[b])
			}
			used[b] = f.name
		}
	}
	if l.Size%16 != 0 {
		t.Errorf("size %d not a multiple of 16", l.Size)
	}
}

func TestLayoutRejectsBadIndex(t *testing.T) {
	l := NewLayout(Counts{Funcs: 1, ImportedFuncs: 1})
	defer func() {
		if recover() == nil {
			t.Error("MemoryPtr(0) on a module without memory did not panic")
		}
	}()
	l.MemoryPtr(0)
}
