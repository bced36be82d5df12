package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Encoding: MetaMagic, then MetaVersion as a little-endian uint32, then the
// fields of Meta in declaration order. Integers are unsigned LEB128
// (Start is encoded as Start+1, so 0 means none); strings and byte arrays
// are a length followed by the bytes; slices are a count followed by the
// elements; Bits of a ConstExpr are fixed 8-byte little-endian words.
// docs/object-format.md gives the grammar.

// Encode returns the binary encoding of m.
func (m *Meta) Encode() []byte {
	var e encoder
	e.buf = make([]byte, 0, m.sizeHint())
	e.buf = append(e.buf, MetaMagic...)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, MetaVersion)
	e.str(m.CompilerVersion)
	e.u(uint64(m.Arch))
	e.u(uint64(len(m.Features)))
	for _, f := range m.Features {
		e.str(f)
	}
	e.u(uint64(m.Bounds))
	e.bool(m.FuelMetered)
	e.buf = append(e.buf, m.SourceSHA256[:]...)
	e.str(m.ModuleName)

	e.u(uint64(len(m.Types)))
	for _, t := range m.Types {
		e.valTypes(t.Params)
		e.valTypes(t.Results)
		e.str(t.EntrySymbol)
	}
	e.u(uint64(len(m.Imports)))
	for _, im := range m.Imports {
		e.str(im.Module)
		e.str(im.Name)
		e.u(uint64(im.Kind))
		switch im.Kind {
		case ExternFunc:
			e.u(uint64(im.FuncType))
			e.str(im.StubSymbol)
		case ExternTable:
			e.tableType(im.Table)
		case ExternMemory:
			e.limits(im.Memory.Limits)
		case ExternGlobal:
			e.globalType(im.Global)
		}
	}
	e.u(uint64(len(m.Funcs)))
	for _, f := range m.Funcs {
		e.u(uint64(f.Type))
		e.str(f.Symbol)
	}
	e.u(uint64(len(m.Tables)))
	for _, t := range m.Tables {
		e.tableType(t)
	}
	e.u(uint64(len(m.Memories)))
	for _, mem := range m.Memories {
		e.limits(mem.Limits)
	}
	e.u(uint64(len(m.Globals)))
	for _, g := range m.Globals {
		e.globalType(g.Type)
		e.constExpr(g.Init)
	}
	e.u(uint64(len(m.Exports)))
	for _, x := range m.Exports {
		e.str(x.Name)
		e.u(uint64(x.Kind))
		e.u(uint64(x.Index))
	}
	e.u(uint64(m.Start + 1))
	e.u(uint64(len(m.Data)))
	for _, d := range m.Data {
		e.u(uint64(d.Mode))
		if d.Mode == SegmentActive {
			e.u(uint64(d.Memory))
			e.constExpr(d.Offset)
		}
		e.u(uint64(len(d.Bytes)))
		e.buf = append(e.buf, d.Bytes...)
	}
	e.u(uint64(len(m.Elems)))
	for _, s := range m.Elems {
		e.u(uint64(s.Mode))
		if s.Mode == SegmentActive {
			e.u(uint64(s.Table))
			e.constExpr(s.Offset)
		}
		e.buf = append(e.buf, byte(s.Type))
		e.u(uint64(len(s.Init)))
		for _, c := range s.Init {
			e.constExpr(c)
		}
	}
	e.u(uint64(len(m.FuncNames)))
	for _, n := range m.FuncNames {
		e.u(uint64(n.Index))
		e.str(n.Name)
	}
	return e.buf
}

// sizeHint is about the size of m's encoding: its byte strings and
// names, which make up most of a large module's metadata, plus a few
// bytes per element.
func (m *Meta) sizeHint() int {
	n := 256 + 16*(len(m.Funcs)+len(m.Types)+len(m.Imports)+len(m.Exports)+len(m.Globals))
	for _, d := range m.Data {
		n += len(d.Bytes) + 16
	}
	for _, f := range m.FuncNames {
		n += len(f.Name) + 4
	}
	for _, e := range m.Exports {
		n += len(e.Name)
	}
	for _, f := range m.Funcs {
		n += len(f.Symbol)
	}
	return n
}

type encoder struct{ buf []byte }

func (e *encoder) u(v uint64)   { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) str(s string) { e.u(uint64(len(s))); e.buf = append(e.buf, s...) }

func (e *encoder) valTypes(ts []ValType) {
	e.u(uint64(len(ts)))
	for _, t := range ts {
		e.buf = append(e.buf, byte(t))
	}
}

func (e *encoder) bool(b bool) {
	if b {
		e.u(1)
	} else {
		e.u(0)
	}
}

func (e *encoder) limits(l Limits) {
	e.bool(l.HasMax)
	e.u(uint64(l.Min))
	if l.HasMax {
		e.u(uint64(l.Max))
	}
}

func (e *encoder) tableType(t TableType) {
	e.buf = append(e.buf, byte(t.Elem))
	e.limits(t.Limits)
}

func (e *encoder) globalType(g GlobalType) {
	e.buf = append(e.buf, byte(g.Type))
	e.bool(g.Mutable)
}

func (e *encoder) constExpr(c ConstExpr) {
	e.u(uint64(c.Op))
	switch c.Op {
	case ConstI32, ConstI64, ConstF32, ConstF64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, c.Bits[0])
	case ConstV128:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, c.Bits[0])
		e.buf = binary.LittleEndian.AppendUint64(e.buf, c.Bits[1])
	case ConstRefNull:
		e.buf = append(e.buf, byte(c.Type))
	case ConstRefFunc, ConstGlobalGet:
		e.u(uint64(c.Index))
	}
}

// ErrNotMeta is returned (wrapped) when the data does not start with MetaMagic.
var ErrNotMeta = errors.New("not wasmaot metadata (bad magic)")

// DecodeMeta decodes and validates metadata. It never panics and never
// allocates much more than len(data), whatever the input.
func DecodeMeta(data []byte) (*Meta, error) {
	if len(data) < len(MetaMagic)+4 || string(data[:len(MetaMagic)]) != MetaMagic {
		return nil, ErrNotMeta
	}
	if v := binary.LittleEndian.Uint32(data[len(MetaMagic):]); v != MetaVersion {
		return nil, fmt.Errorf("metadata version %d, this runtime reads version %d", v, MetaVersion)
	}
	d := decoder{data: data, pos: len(MetaMagic) + 4}
	m := d.meta()
	if d.err != nil {
		return nil, d.err
	}
	if d.pos != len(d.data) {
		return nil, fmt.Errorf("metadata: %d trailing bytes", len(d.data)-d.pos)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

type decoder struct {
	data []byte
	pos  int
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("metadata at byte %d: "+format, append([]any{d.pos}, args...)...)
	}
}

func (d *decoder) u() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.pos:])
	if n <= 0 {
		d.fail("bad or truncated integer")
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) u32() uint32 {
	v := d.u()
	if v > 0xFFFFFFFF {
		d.fail("integer %d out of range", v)
		return 0
	}
	return uint32(v)
}

// count reads an element count, each element taking at least minSize bytes.
func (d *decoder) count(minSize int) int {
	v := d.u()
	if d.err == nil && v > uint64(len(d.data)-d.pos)/uint64(minSize) {
		d.fail("count %d exceeds the remaining data", v)
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.count(1)
	if d.err != nil {
		return nil
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.pos >= len(d.data) {
		d.fail("truncated")
		return 0
	}
	b := d.data[d.pos]
	d.pos++
	return b
}

func (d *decoder) word() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.data)-d.pos < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.data[d.pos:])
	d.pos += 8
	return v
}

func (d *decoder) bool() bool {
	switch d.u() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad flag")
	return false
}

func (d *decoder) valTypes() []ValType {
	n := d.count(1)
	ts := make([]ValType, n)
	for i := range ts {
		ts[i] = ValType(d.byte())
	}
	return ts
}

func (d *decoder) limits() Limits {
	var l Limits
	l.HasMax = d.bool()
	l.Min = d.u32()
	if l.HasMax {
		l.Max = d.u32()
	}
	return l
}

func (d *decoder) tableType() TableType {
	return TableType{Elem: ValType(d.byte()), Limits: d.limits()}
}

func (d *decoder) globalType() GlobalType {
	return GlobalType{Type: ValType(d.byte()), Mutable: d.bool()}
}

func (d *decoder) constExpr() ConstExpr {
	c := ConstExpr{Op: ConstOp(d.u())}
	switch c.Op {
	case ConstI32, ConstI64, ConstF32, ConstF64:
		c.Bits[0] = d.word()
	case ConstV128:
		c.Bits[0] = d.word()
		c.Bits[1] = d.word()
	case ConstRefNull:
		c.Type = ValType(d.byte())
	case ConstRefFunc, ConstGlobalGet:
		c.Index = d.u32()
	default:
		d.fail("bad constant expression op %d", c.Op)
	}
	return c
}

func (d *decoder) meta() *Meta {
	m := &Meta{}
	m.CompilerVersion = d.str()
	m.Arch = Arch(d.u())
	m.Features = make([]string, d.count(1))
	for i := range m.Features {
		m.Features[i] = d.str()
	}
	m.Bounds = BoundsMode(d.u())
	m.FuelMetered = d.bool()
	if d.err == nil && len(d.data)-d.pos < 32 {
		d.fail("truncated")
	}
	if d.err == nil {
		copy(m.SourceSHA256[:], d.data[d.pos:])
		d.pos += 32
	}
	m.ModuleName = d.str()

	m.Types = make([]FuncType, d.count(3))
	for i := range m.Types {
		m.Types[i] = FuncType{Params: d.valTypes(), Results: d.valTypes(), EntrySymbol: d.str()}
	}
	m.Imports = make([]Import, d.count(4))
	for i := range m.Imports {
		im := &m.Imports[i]
		im.Module = d.str()
		im.Name = d.str()
		im.Kind = ExternKind(d.u())
		switch im.Kind {
		case ExternFunc:
			im.FuncType = d.u32()
			im.StubSymbol = d.str()
		case ExternTable:
			im.Table = d.tableType()
		case ExternMemory:
			im.Memory.Limits = d.limits()
		case ExternGlobal:
			im.Global = d.globalType()
		default:
			d.fail("bad import kind %d", im.Kind)
		}
	}
	m.Funcs = make([]Func, d.count(2))
	for i := range m.Funcs {
		m.Funcs[i] = Func{Type: d.u32(), Symbol: d.str()}
	}
	m.Tables = make([]TableType, d.count(3))
	for i := range m.Tables {
		m.Tables[i] = d.tableType()
	}
	m.Memories = make([]MemoryType, d.count(2))
	for i := range m.Memories {
		m.Memories[i].Limits = d.limits()
	}
	m.Globals = make([]Global, d.count(3))
	for i := range m.Globals {
		m.Globals[i] = Global{Type: d.globalType(), Init: d.constExpr()}
	}
	m.Exports = make([]Export, d.count(3))
	for i := range m.Exports {
		m.Exports[i] = Export{Name: d.str(), Kind: ExternKind(d.u()), Index: d.u32()}
	}
	start := d.u()
	if start > 0xFFFFFFFF+1 {
		d.fail("bad start function")
	}
	m.Start = int64(start) - 1
	m.Data = make([]DataSegment, d.count(2))
	for i := range m.Data {
		s := &m.Data[i]
		s.Mode = SegmentMode(d.u())
		if s.Mode == SegmentActive {
			s.Memory = d.u32()
			s.Offset = d.constExpr()
		}
		s.Bytes = d.bytes()
	}
	m.Elems = make([]ElemSegment, d.count(3))
	for i := range m.Elems {
		s := &m.Elems[i]
		s.Mode = SegmentMode(d.u())
		if s.Mode == SegmentActive {
			s.Table = d.u32()
			s.Offset = d.constExpr()
		}
		s.Type = ValType(d.byte())
		s.Init = make([]ConstExpr, d.count(2))
		for j := range s.Init {
			s.Init[j] = d.constExpr()
		}
	}
	m.FuncNames = make([]FuncName, d.count(2))
	for i := range m.FuncNames {
		m.FuncNames[i] = FuncName{Index: d.u32(), Name: d.str()}
	}
	return m
}
