package wasm

import (
	"encoding/binary"
	"slices"
)

// Encode returns the binary encoding of m: the header, then every non-empty
// known section in the order the binary format requires, then the "name"
// section (when m.Names holds anything) and m.Customs. Integers use the
// shortest LEB128 encoding. Offsets recorded in m are ignored.
//
// Element segments whose items are all single ref.func expressions of type
// funcref use the compact function-index encodings; the decoder turns both
// forms into the same Module, so Decode(Encode(m)) equals m up to offsets.
func Encode(m *Module) []byte {
	out := []byte{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}
	var sec []byte // contents of the section being built, reused

	emit := func(id byte) {
		out = append(out, id)
		out = encU32(out, uint32(len(sec)))
		out = append(out, sec...)
		sec = sec[:0]
	}

	if len(m.Types) > 0 {
		sec = encU32(sec, uint32(len(m.Types)))
		for _, t := range m.Types {
			sec = append(sec, 0x60)
			sec = encValTypes(sec, t.Params)
			sec = encValTypes(sec, t.Results)
		}
		emit(1)
	}
	if len(m.Imports) > 0 {
		sec = encU32(sec, uint32(len(m.Imports)))
		for _, im := range m.Imports {
			sec = encName(sec, im.Module)
			sec = encName(sec, im.Name)
			sec = append(sec, byte(im.Kind))
			switch im.Kind {
			case ExternFunc:
				sec = encU32(sec, im.Func)
			case ExternTable:
				sec = encTableType(sec, im.Table)
			case ExternMemory:
				sec = encLimits(sec, im.Memory.Limits)
			case ExternGlobal:
				sec = encGlobalType(sec, im.Global)
			}
		}
		emit(2)
	}
	if len(m.Funcs) > 0 {
		sec = encU32(sec, uint32(len(m.Funcs)))
		for _, t := range m.Funcs {
			sec = encU32(sec, t)
		}
		emit(3)
	}
	if len(m.Tables) > 0 {
		sec = encU32(sec, uint32(len(m.Tables)))
		for _, t := range m.Tables {
			sec = encTableType(sec, t)
		}
		emit(4)
	}
	if len(m.Memories) > 0 {
		sec = encU32(sec, uint32(len(m.Memories)))
		for _, mem := range m.Memories {
			sec = encLimits(sec, mem.Limits)
		}
		emit(5)
	}
	if len(m.Globals) > 0 {
		sec = encU32(sec, uint32(len(m.Globals)))
		for _, g := range m.Globals {
			sec = encGlobalType(sec, g.Type)
			sec = encConstExpr(sec, &g.Init)
		}
		emit(6)
	}
	if len(m.Exports) > 0 {
		sec = encU32(sec, uint32(len(m.Exports)))
		for _, e := range m.Exports {
			sec = encName(sec, e.Name)
			sec = append(sec, byte(e.Kind))
			sec = encU32(sec, e.Index)
		}
		emit(7)
	}
	if m.Start != nil {
		sec = encU32(sec, *m.Start)
		emit(8)
	}
	if len(m.Elems) > 0 {
		sec = encU32(sec, uint32(len(m.Elems)))
		for i := range m.Elems {
			sec = encElem(sec, &m.Elems[i])
		}
		emit(9)
	}
	if m.DataCount != nil {
		sec = encU32(sec, *m.DataCount)
		emit(12)
	}
	if len(m.Codes) > 0 {
		sec = encU32(sec, uint32(len(m.Codes)))
		var body []byte
		for _, c := range m.Codes {
			body = encLocals(body[:0], c.Locals)
			body = append(body, c.Body...)
			sec = encU32(sec, uint32(len(body)))
			sec = append(sec, body...)
		}
		emit(10)
	}
	if len(m.Datas) > 0 {
		sec = encU32(sec, uint32(len(m.Datas)))
		for _, d := range m.Datas {
			switch {
			case d.Mode == SegmentPassive:
				sec = append(sec, 1)
			case d.Memory == 0:
				sec = append(sec, 0)
				sec = encConstExpr(sec, &d.Offset)
			default:
				sec = append(sec, 2)
				sec = encU32(sec, d.Memory)
				sec = encConstExpr(sec, &d.Offset)
			}
			sec = encU32(sec, uint32(len(d.Init)))
			sec = append(sec, d.Init...)
		}
		emit(11)
	}
	if !m.Names.isEmpty() {
		sec = encName(sec, "name")
		sec = encNames(sec, &m.Names)
		emit(0)
	}
	for _, c := range m.Customs {
		sec = encName(sec, c.Name)
		sec = append(sec, c.Data...)
		emit(0)
	}
	return out
}

func (n *Names) isEmpty() bool {
	return n.Module == "" && len(n.Funcs) == 0 && len(n.Locals) == 0
}

// encNames appends the subsections of a name section: module name (0),
// function names (1) and local names (2), each name map sorted by index.
func encNames(dst []byte, n *Names) []byte {
	var sub []byte
	if n.Module != "" {
		sub = encName(sub, n.Module)
		dst = append(dst, 0)
		dst = encU32(dst, uint32(len(sub)))
		dst = append(dst, sub...)
		sub = sub[:0]
	}
	if len(n.Funcs) > 0 {
		sub = encNameMap(sub, n.Funcs)
		dst = append(dst, 1)
		dst = encU32(dst, uint32(len(sub)))
		dst = append(dst, sub...)
		sub = sub[:0]
	}
	if len(n.Locals) > 0 {
		funcs := encSortedKeys(n.Locals)
		sub = encU32(sub, uint32(len(funcs)))
		for _, f := range funcs {
			sub = encU32(sub, f)
			sub = encNameMap(sub, n.Locals[f])
		}
		dst = append(dst, 2)
		dst = encU32(dst, uint32(len(sub)))
		dst = append(dst, sub...)
	}
	return dst
}

func encNameMap(dst []byte, names map[uint32]string) []byte {
	idx := encSortedKeys(names)
	dst = encU32(dst, uint32(len(idx)))
	for _, i := range idx {
		dst = encU32(dst, i)
		dst = encName(dst, names[i])
	}
	return dst
}

func encSortedKeys[V any](m map[uint32]V) []uint32 {
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// encElem chooses among the eight element segment encodings: flag bit 0
// is passive/declarative, bit 1 an explicit table (active) or declarative,
// bit 2 expressions instead of function indices.
func encElem(dst []byte, e *Elem) []byte {
	compact := e.Type == FuncRef
	for _, x := range e.Init {
		if len(x.Instrs) != 1 || x.Instrs[0].Op != OpRefFunc {
			compact = false
			break
		}
	}
	var flags byte
	switch e.Mode {
	case SegmentPassive:
		flags = 1
	case SegmentDeclarative:
		flags = 3
	default:
		if e.Table != 0 || e.Type != FuncRef {
			flags = 2
		}
	}
	if !compact {
		flags |= 4
	}
	dst = append(dst, flags)
	if flags&3 == 2 {
		dst = encU32(dst, e.Table)
	}
	if e.Mode == SegmentActive {
		dst = encConstExpr(dst, &e.Offset)
	}
	if flags&3 != 0 { // explicit element kind or reference type
		if compact {
			dst = append(dst, 0x00) // elemkind funcref
		} else {
			dst = append(dst, byte(e.Type))
		}
	}
	dst = encU32(dst, uint32(len(e.Init)))
	for i := range e.Init {
		if compact {
			dst = encU32(dst, e.Init[i].Instrs[0].Index)
		} else {
			dst = encConstExpr(dst, &e.Init[i])
		}
	}
	return dst
}

// encLocals writes local declarations, merging adjacent runs of one type.
func encLocals(dst []byte, runs []LocalRun) []byte {
	var merged []LocalRun
	for _, r := range runs {
		if r.Count == 0 {
			continue
		}
		if n := len(merged); n > 0 && merged[n-1].Type == r.Type {
			merged[n-1].Count += r.Count
			continue
		}
		merged = append(merged, r)
	}
	dst = encU32(dst, uint32(len(merged)))
	for _, r := range merged {
		dst = encU32(dst, r.Count)
		dst = append(dst, byte(r.Type))
	}
	return dst
}

func encConstExpr(dst []byte, x *ConstExpr) []byte {
	for i := range x.Instrs {
		dst = AppendInstr(dst, &x.Instrs[i])
	}
	return append(dst, byte(OpEnd))
}

func encValTypes(dst []byte, ts []ValType) []byte {
	dst = encU32(dst, uint32(len(ts)))
	for _, t := range ts {
		dst = append(dst, byte(t))
	}
	return dst
}

func encTableType(dst []byte, t TableType) []byte {
	return encLimits(append(dst, byte(t.Elem)), t.Limits)
}

func encLimits(dst []byte, l Limits) []byte {
	if !l.HasMax {
		return encU32(append(dst, 0), l.Min)
	}
	return encU32(encU32(append(dst, 1), l.Min), l.Max)
}

func encGlobalType(dst []byte, g GlobalType) []byte {
	mut := byte(0)
	if g.Mutable {
		mut = 1
	}
	return append(dst, byte(g.Type), mut)
}

func encName(dst []byte, s string) []byte {
	return append(encU32(dst, uint32(len(s))), s...)
}

// AppendInstr appends the binary encoding of one instruction (opcode and
// immediates, as selected by in.Op.Info().Imm) to dst. Opcodes without an
// Info are written as their opcode bytes alone. A typed select is written
// with the one type in.Type (the only arity valid in WebAssembly 2.0).
func AppendInstr(dst []byte, in *Instr) []byte {
	op := in.Op
	if op > 0xFF {
		dst = append(dst, byte(op>>8))
		dst = encU32(dst, uint32(op&0xFF))
	} else {
		dst = append(dst, byte(op))
	}
	info := op.Info()
	if info == nil {
		return dst
	}
	switch info.Imm {
	case ImmBlock:
		switch in.Block.Kind {
		case BlockEmpty:
			dst = append(dst, 0x40)
		case BlockValue:
			dst = append(dst, byte(in.Block.Value))
		case BlockIndex:
			dst = encS64(dst, int64(in.Block.Index))
		}
	case ImmLabel, ImmFunc, ImmLocal, ImmGlobal, ImmTable, ImmData, ImmElem:
		dst = encU32(dst, in.Index)
	case ImmBrtable:
		// Targets holds the labels followed by the default.
		n := len(in.Targets)
		if n == 0 {
			return encU32(encU32(dst, 0), 0)
		}
		dst = encU32(dst, uint32(n-1))
		for _, l := range in.Targets {
			dst = encU32(dst, l)
		}
	case ImmCallind, ImmTableinit, ImmTablecopy:
		dst = encU32(encU32(dst, in.Index), in.Index2)
	case ImmMemarg:
		dst = encU32(encU32(dst, in.Mem.Align), in.Mem.Offset)
	case ImmMemlane:
		dst = encU32(encU32(dst, in.Mem.Align), in.Mem.Offset)
		dst = append(dst, in.Lane)
	case ImmLane:
		dst = append(dst, in.Lane)
	case ImmMemidx:
		dst = append(dst, 0)
	case ImmMemcopy:
		dst = append(dst, 0, 0)
	case ImmMeminit:
		dst = append(encU32(dst, in.Index), 0)
	case ImmI32:
		dst = encS64(dst, int64(int32(in.Const)))
	case ImmI64:
		dst = encS64(dst, int64(in.Const))
	case ImmF32:
		dst = binary.LittleEndian.AppendUint32(dst, uint32(in.Const))
	case ImmF64:
		dst = binary.LittleEndian.AppendUint64(dst, in.Const)
	case ImmV128, ImmShuffle:
		dst = binary.LittleEndian.AppendUint64(dst, in.Const)
		dst = binary.LittleEndian.AppendUint64(dst, in.ConstHi)
	case ImmSelectt:
		dst = append(dst, 1, byte(in.Type))
	case ImmReftype:
		dst = append(dst, byte(in.Type))
	}
	return dst
}

// encU32 appends v as unsigned LEB128.
func encU32(dst []byte, v uint32) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// encS64 appends v as signed LEB128 (also used for s32 and the s33 of
// block type indices).
func encS64(dst []byte, v int64) []byte {
	for {
		b := byte(v & 0x7F)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(dst, b)
		}
		dst = append(dst, b|0x80)
	}
}
