package backend

import (
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The casts from compiler/wasm enums to rtlib/abi ones below are exact:
// TestEnumsMatchABI pins the two numberings equal.

// BuildMeta describes wm for the runtime: everything an object carries
// besides the code. The driver calls it once per compilation and hands the
// result to the back end in Input.Meta; compilerVersion (which names the
// back end) and the sha256 of the source wasm are recorded in it. The
// result is validated as the runtime will validate it.
func BuildMeta(wm *wasm.Module, t Target, compilerVersion string, source [32]byte) (*abi.Meta, error) {
	m := &abi.Meta{
		CompilerVersion: compilerVersion,
		Arch:            t.Arch,
		Features:        slices.Clone(t.Features),
		Bounds:          abi.BoundsExplicit,
		SourceSHA256:    source,
		ModuleName:      wm.Names.Module,
		Start:           -1,
	}
	for i, ft := range wm.Types {
		m.Types = append(m.Types, abi.FuncType{Params: valTypes(ft.Params), Results: valTypes(ft.Results),
			EntrySymbol: abi.EntrySymbol(i)})
	}
	fn := 0
	for _, im := range wm.Imports {
		out := abi.Import{Module: im.Module, Name: im.Name, Kind: abi.ExternKind(im.Kind)}
		switch im.Kind {
		case wasm.ExternFunc:
			out.FuncType = im.Func
			out.StubSymbol = abi.ImportSymbol(fn)
			fn++
		case wasm.ExternTable:
			out.Table = tableType(im.Table)
		case wasm.ExternMemory:
			out.Memory = abi.MemoryType{Limits: limits(im.Memory.Limits)}
		case wasm.ExternGlobal:
			out.Global = abi.GlobalType{Type: abi.ValType(im.Global.Type), Mutable: im.Global.Mutable}
		}
		m.Imports = append(m.Imports, out)
	}
	for i, ti := range wm.Funcs {
		m.Funcs = append(m.Funcs, abi.Func{Type: ti, Symbol: abi.FuncSymbol(int(wm.NumImportedFuncs) + i)})
	}
	for _, tt := range wm.Tables {
		m.Tables = append(m.Tables, tableType(tt))
	}
	for _, mt := range wm.Memories {
		m.Memories = append(m.Memories, abi.MemoryType{Limits: limits(mt.Limits)})
	}
	for i, g := range wm.Globals {
		init, err := constExpr(g.Init)
		if err != nil {
			return nil, fmt.Errorf("global %d: %w", int(wm.NumImportedGlobals)+i, err)
		}
		m.Globals = append(m.Globals, abi.Global{Type: abi.GlobalType{Type: abi.ValType(g.Type.Type), Mutable: g.Type.Mutable}, Init: init})
	}
	for _, e := range wm.Exports {
		m.Exports = append(m.Exports, abi.Export{Name: e.Name, Kind: abi.ExternKind(e.Kind), Index: e.Index})
	}
	if wm.Start != nil {
		m.Start = int64(*wm.Start)
	}
	if len(wm.Datas) > 0 {
		m.Data = make([]abi.DataSegment, 0, len(wm.Datas))
	}
	for i, d := range wm.Datas {
		seg := abi.DataSegment{Mode: abi.SegmentMode(d.Mode), Memory: d.Memory, Bytes: d.Init}
		if d.Mode == wasm.SegmentActive {
			off, err := constExpr(d.Offset)
			if err != nil {
				return nil, fmt.Errorf("data segment %d: %w", i, err)
			}
			seg.Offset = off
		}
		m.Data = append(m.Data, seg)
	}
	if len(wm.Elems) > 0 {
		m.Elems = make([]abi.ElemSegment, 0, len(wm.Elems))
	}
	for i, e := range wm.Elems {
		seg := abi.ElemSegment{Mode: abi.SegmentMode(e.Mode), Table: e.Table, Type: abi.ValType(e.Type)}
		if e.Mode == wasm.SegmentActive {
			off, err := constExpr(e.Offset)
			if err != nil {
				return nil, fmt.Errorf("element segment %d: %w", i, err)
			}
			seg.Offset = off
		}
		for j, x := range e.Init {
			c, err := constExpr(x)
			if err != nil {
				return nil, fmt.Errorf("element segment %d, item %d: %w", i, j, err)
			}
			seg.Init = append(seg.Init, c)
		}
		m.Elems = append(m.Elems, seg)
	}
	for idx := range wm.NumFuncs() {
		if name, ok := wm.Names.Funcs[idx]; ok {
			m.FuncNames = append(m.FuncNames, abi.FuncName{Index: idx, Name: name})
		}
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return m, nil
}

func valTypes(ts []wasm.ValType) []abi.ValType {
	out := make([]abi.ValType, len(ts))
	for i, t := range ts {
		out[i] = abi.ValType(t)
	}
	return out
}

func limits(l wasm.Limits) abi.Limits { return abi.Limits{Min: l.Min, Max: l.Max, HasMax: l.HasMax} }

func tableType(t wasm.TableType) abi.TableType {
	return abi.TableType{Elem: abi.ValType(t.Elem), Limits: limits(t.Limits)}
}

// constExpr converts a validated one-instruction constant expression.
func constExpr(e wasm.ConstExpr) (abi.ConstExpr, error) {
	if len(e.Instrs) != 1 {
		return abi.ConstExpr{}, fmt.Errorf("constant expression at offset %d has %d instructions, want 1", e.Offset, len(e.Instrs))
	}
	in := e.Instrs[0]
	switch in.Op {
	case wasm.OpI32Const:
		return abi.ConstExpr{Op: abi.ConstI32, Bits: [2]uint64{uint64(uint32(in.Const))}}, nil
	case wasm.OpI64Const:
		return abi.ConstExpr{Op: abi.ConstI64, Bits: [2]uint64{in.Const}}, nil
	case wasm.OpF32Const:
		return abi.ConstExpr{Op: abi.ConstF32, Bits: [2]uint64{uint64(uint32(in.Const))}}, nil
	case wasm.OpF64Const:
		return abi.ConstExpr{Op: abi.ConstF64, Bits: [2]uint64{in.Const}}, nil
	case wasm.OpV128Const:
		return abi.ConstExpr{Op: abi.ConstV128, Bits: [2]uint64{in.Const, in.ConstHi}}, nil
	case wasm.OpRefNull:
		return abi.ConstExpr{Op: abi.ConstRefNull, Type: abi.ValType(in.Type)}, nil
	case wasm.OpRefFunc:
		return abi.ConstExpr{Op: abi.ConstRefFunc, Index: in.Index}, nil
	case wasm.OpGlobalGet:
		return abi.ConstExpr{Op: abi.ConstGlobalGet, Index: in.Index}, nil
	}
	return abi.ConstExpr{}, fmt.Errorf("unsupported constant instruction %s at offset %d", in.Op, in.Offset)
}
