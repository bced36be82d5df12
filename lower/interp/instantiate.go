package interp

import (
	"context"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Instantiate links m's imports, creates its memories, tables and
// globals, applies its element and data segments and runs its start
// function. Link failures are *LinkError; a trap while applying segments
// or in the start function is *abi.Trap (segments applied before the trap
// stay applied, as the spec says).
func (e *Engine) Instantiate(ctx context.Context, m *ir.Module, imports Imports) (inst *Instance, err error) {
	wm := m.Wasm
	inst = &Instance{eng: e, mod: m, exports: map[string]any{}}
	if err := inst.link(imports); err != nil {
		return nil, err
	}
	for i, f := range m.Funcs {
		fn := &Function{Type: *wm.FuncTypeOf(wm.NumImportedFuncs + uint32(i)), inst: inst, name: f.Name}
		fn.code = compile(f)
		e.register(fn)
		inst.funcs = append(inst.funcs, fn)
	}
	for _, t := range wm.Tables {
		inst.tables = append(inst.tables, e.newTable(t))
	}
	for _, mt := range wm.Memories {
		inst.mems = append(inst.mems, e.newMemory(mt.Limits))
	}
	for _, g := range wm.Globals {
		inst.globals = append(inst.globals, &Global{Type: g.Type, Val: inst.constExpr(&g.Init)})
	}
	for _, ex := range wm.Exports {
		switch ex.Kind {
		case wasm.ExternFunc:
			inst.exports[ex.Name] = inst.funcs[ex.Index]
		case wasm.ExternTable:
			inst.exports[ex.Name] = inst.tables[ex.Index]
		case wasm.ExternMemory:
			inst.exports[ex.Name] = inst.mems[ex.Index]
		case wasm.ExternGlobal:
			inst.exports[ex.Name] = inst.globals[ex.Index]
		}
	}
	inst.elems = make([][]uint64, len(wm.Elems))
	for i := range wm.Elems {
		seg := &wm.Elems[i]
		refs := make([]uint64, len(seg.Init))
		for j := range seg.Init {
			refs[j] = inst.constExpr(&seg.Init[j]).Lo
		}
		inst.elems[i] = refs
	}
	inst.datas = make([][]byte, len(wm.Datas))
	for i := range wm.Datas {
		inst.datas[i] = wm.Datas[i].Init
	}
	mc := &machine{ctx: ctx, eng: e}
	defer mc.recover(&err)
	for i := range wm.Elems {
		seg := &wm.Elems[i]
		switch seg.Mode {
		case wasm.SegmentActive:
			off := uint32(inst.constExpr(&seg.Offset).Lo)
			inst.tableInit(seg.Table, uint32(i), off, 0, uint32(len(seg.Init)))
			inst.elems[i] = nil
		case wasm.SegmentDeclarative:
			inst.elems[i] = nil
		}
	}
	for i := range wm.Datas {
		seg := &wm.Datas[i]
		if seg.Mode == wasm.SegmentActive {
			off := uint32(inst.constExpr(&seg.Offset).Lo)
			inst.memoryInit(seg.Memory, uint32(i), off, 0, uint32(len(seg.Init)))
			inst.datas[i] = nil
		}
	}
	if wm.Start != nil {
		mc.call(inst.funcs[*wm.Start], nil, nil)
	}
	return inst, nil
}

func (e *Engine) newTable(t wasm.TableType) *Table {
	max := min(e.MaxTableSize, limitMax(t.Limits, ^uint32(0)))
	return &Table{Type: t, Elems: make([]uint64, t.Limits.Min), max: max}
}

func (e *Engine) newMemory(l wasm.Limits) *Memory {
	max := min(e.MaxMemoryPages, limitMax(l, wasmMaxPages))
	return &Memory{Data: make([]byte, int(l.Min)*pageSize), Limits: l, max: max}
}

func limitMax(l wasm.Limits, dflt uint32) uint32 {
	if l.HasMax {
		return l.Max
	}
	return dflt
}

// constExpr evaluates a validated constant expression.
func (inst *Instance) constExpr(x *wasm.ConstExpr) Value {
	in := &x.Instrs[0]
	switch in.Op {
	case wasm.OpI32Const:
		return Value{Lo: uint64(uint32(in.Const))}
	case wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const:
		return Value{Lo: in.Const}
	case wasm.OpV128Const:
		return Value{Lo: in.Const, Hi: in.ConstHi}
	case wasm.OpRefNull:
		return Value{}
	case wasm.OpRefFunc:
		return Value{Lo: inst.funcs[in.Index].ref}
	case wasm.OpGlobalGet:
		return inst.globals[in.Index].Val
	}
	panic(fmt.Sprintf("%v: constant expression %s", ErrInternal, in.Op))
}

// link resolves and type-checks every import, in order.
func (inst *Instance) link(imports Imports) error {
	for _, imp := range inst.mod.Wasm.Imports {
		var x any
		ok := imports != nil
		if ok {
			x, ok = imports(imp.Module, imp.Name)
		}
		fail := func(format string, args ...any) error {
			return &LinkError{Module: imp.Module, Name: imp.Name, Reason: fmt.Sprintf(format, args...)}
		}
		if !ok {
			return fail("unknown import")
		}
		switch imp.Kind {
		case wasm.ExternFunc:
			var f *Function
			switch h := x.(type) {
			case *Function:
				f = h
			case *abi.HostFunc:
				f = inst.eng.HostFunction(h)
			case abi.HostFunc:
				f = inst.eng.HostFunction(&h)
			default:
				return fail("incompatible import type: want a function")
			}
			want := inst.mod.Wasm.Types[imp.Func]
			if !slices.Equal(f.Type.Params, want.Params) || !slices.Equal(f.Type.Results, want.Results) {
				return fail("incompatible import type: function signature mismatch")
			}
			inst.funcs = append(inst.funcs, f)
		case wasm.ExternTable:
			t, ok := x.(*Table)
			if !ok || t.Type.Elem != imp.Table.Elem || !limitsMatch(uint32(len(t.Elems)), t.Type.Limits, imp.Table.Limits) {
				return fail("incompatible import type: table")
			}
			inst.tables = append(inst.tables, t)
		case wasm.ExternMemory:
			m, ok := x.(*Memory)
			if !ok || !limitsMatch(uint32(len(m.Data)/pageSize), m.Limits, imp.Memory.Limits) {
				return fail("incompatible import type: memory")
			}
			inst.mems = append(inst.mems, m)
		case wasm.ExternGlobal:
			g, ok := x.(*Global)
			if !ok || g.Type != imp.Global {
				return fail("incompatible import type: global")
			}
			inst.globals = append(inst.globals, g)
		}
	}
	return nil
}

// limitsMatch reports whether an entity of current size cur and declared
// limits have satisfies the import limits want.
func limitsMatch(cur uint32, have, want wasm.Limits) bool {
	if cur < want.Min {
		return false
	}
	if want.HasMax {
		return have.HasMax && have.Max <= want.Max
	}
	return true
}
