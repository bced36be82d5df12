package wasm

import (
	"io"
	"unicode/utf8"
)

// Implementation limits of the decoder, beyond those of the specification.
const (
	// MaxLocals bounds the locals a function declares (parameters excluded).
	MaxLocals = 50000
	// MaxTypeArity bounds the parameters, and separately the results, of a
	// function type. It keeps the cost of validating an instruction that
	// moves a type's values (call, br_table, block) small.
	MaxTypeArity = 1000
)

// Section ids of the binary format.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
)

// sectionRank gives the position each non-custom section must take: the
// data count section sits between the element and code sections.
var sectionRank = [...]int{
	secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5,
	secGlobal: 6, secExport: 7, secStart: 8, secElement: 9, secDataCount: 10,
	secCode: 11, secData: 12,
}

// Decode decodes a WebAssembly 2.0 binary module. It checks the binary
// format completely, including the encoding of every instruction in every
// function body, but not the validation rules: call Validate for those.
// Errors are *Error values of kind Malformed.
//
// The Module aliases bin (Code.Body, Data.Init, CustomSection.Data), so bin
// must not be modified while the Module is in use.
func Decode(bin []byte) (m *Module, err error) {
	d := &decoder{bin: bin, end: len(bin), m: &Module{}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			m, err = nil, e
		}
	}()
	d.module()
	return d.m, nil
}

// decoder reads a module. Its methods report errors by panicking with an
// *Error, which Decode recovers; nothing else is recovered.
type decoder struct {
	bin []byte
	pos int
	end int // end of the current section, or len(bin) between sections
	m   *Module

	inSection bool // whether end is a section's end

	frames []byte  // block nesting of the body being checked, reused
	instr  Instr   // instruction being checked, reused (keeps its Targets array)
	slab   []Instr // backing array for constant expressions, filled in order

	// dataRef is set by the first memory.init or data.drop in a module
	// without a data count section. The binary format then requires the
	// count, but only a module with a data section is reported as
	// malformed: without one, the instruction names an unknown data
	// segment, which the test suite expects Validate to report (text
	// assemblers emit no data count section for a module without data).
	dataRef    *Error
	sawDataSec bool
}

func (d *decoder) fail(off int, format string, args ...any) {
	panic(malformed(off, format, args...))
}

// failLEB turns a LEB128 decoding message into an error at d.pos.
func (d *decoder) failLEB(msg string) {
	if msg == msgEnd {
		d.failEnd()
	}
	d.fail(d.pos, msg)
}

// failEnd reports reading past the current section, or past the file.
func (d *decoder) failEnd() {
	if !d.inSection {
		d.fail(d.end, msgEnd)
	}
	d.fail(d.end, msgBodyEnd)
}

func (d *decoder) u32() uint32 {
	v, n, msg := leU32(d.bin[:d.end], d.pos)
	if msg != "" {
		d.failLEB(msg)
	}
	d.pos += n
	return v
}

func (d *decoder) byte() byte {
	if d.pos >= d.end {
		d.failEnd()
	}
	c := d.bin[d.pos]
	d.pos++
	return c
}

func (d *decoder) bytes(n uint32) []byte {
	if uint64(n) > uint64(d.end-d.pos) {
		d.fail(d.pos, "length out of bounds")
	}
	b := d.bin[d.pos : d.pos+int(n) : d.pos+int(n)]
	d.pos += int(n)
	return b
}

func (d *decoder) name() string {
	at := d.pos
	b := d.bytes(d.u32())
	if !utf8.Valid(b) {
		d.fail(at, "malformed UTF-8 encoding")
	}
	return string(b)
}

// count reads a vector length and returns it with a safe capacity for
// preallocation: no more entries than the rest of the section could hold
// at minSize bytes each.
func (d *decoder) count(minSize int) (n uint32, capHint int) {
	n = d.u32()
	capHint = (d.end - d.pos) / minSize
	if uint64(n) < uint64(capHint) {
		capHint = int(n)
	}
	return n, capHint
}

func (d *decoder) valType() ValType {
	c := d.byte()
	if !isValType(c) {
		d.fail(d.pos-1, "malformed value type")
	}
	return ValType(c)
}

func (d *decoder) refType() ValType {
	c := d.byte()
	if !ValType(c).IsRef() {
		d.fail(d.pos-1, "malformed reference type")
	}
	return ValType(c)
}

func (d *decoder) module() {
	if len(d.bin) < 4 {
		d.fail(len(d.bin), msgEnd)
	}
	if string(d.bin[:4]) != "\x00asm" {
		d.fail(0, "magic header not detected")
	}
	if len(d.bin) < 8 {
		d.fail(len(d.bin), msgEnd)
	}
	if string(d.bin[4:8]) != "\x01\x00\x00\x00" {
		d.fail(4, "unknown binary version")
	}
	d.pos = 8
	lastRank := 0
	for d.pos < len(d.bin) {
		idAt := d.pos
		id := d.byte()
		size := d.u32()
		if uint64(size) > uint64(len(d.bin)-d.pos) {
			d.fail(d.pos, "length out of bounds")
		}
		if id != secCustom {
			if int(id) >= len(sectionRank) {
				d.fail(idAt, "malformed section id")
			}
			if sectionRank[id] <= lastRank {
				d.fail(idAt, "unexpected content after last section")
			}
			lastRank = sectionRank[id]
		}
		d.end, d.inSection = d.pos+int(size), true
		if id != secCustom {
			d.m.SectionOffsets[id] = uint32(d.pos)
		}
		d.section(id)
		if d.pos != d.end {
			d.fail(d.pos, "section size mismatch")
		}
		d.end, d.inSection = len(d.bin), false
	}
	m := d.m
	if len(m.Funcs) != len(m.Codes) {
		d.fail(len(d.bin), "function and code section have inconsistent lengths")
	}
	if d.dataRef != nil && d.sawDataSec {
		panic(d.dataRef)
	}
	if m.DataCount != nil && int(*m.DataCount) != len(m.Datas) {
		d.fail(len(d.bin), "data count and data section have inconsistent lengths")
	}
}

func (d *decoder) section(id byte) {
	m := d.m
	switch id {
	case secCustom:
		d.custom()
	case secType:
		d.typeSection()
	case secImport:
		d.importSection()
	case secFunction:
		n, c := d.count(1)
		m.Funcs = make([]uint32, 0, c)
		for range n {
			m.Funcs = append(m.Funcs, d.u32())
		}
	case secTable:
		n, c := d.count(3)
		m.Tables = make([]TableType, 0, c)
		for range n {
			m.Tables = append(m.Tables, d.tableType())
		}
	case secMemory:
		n, c := d.count(2)
		m.Memories = make([]MemoryType, 0, c)
		for range n {
			m.Memories = append(m.Memories, MemoryType{Limits: d.limits()})
		}
	case secGlobal:
		n, c := d.count(4)
		m.Globals = make([]Global, 0, c)
		for range n {
			t := d.globalType()
			m.Globals = append(m.Globals, Global{Type: t, Init: d.constExpr()})
		}
	case secExport:
		d.exportSection()
	case secStart:
		start := d.u32()
		m.Start = &start
	case secElement:
		d.elementSection()
	case secDataCount:
		n := d.u32()
		m.DataCount = &n
	case secCode:
		d.codeSection()
	case secData:
		d.sawDataSec = true
		d.dataSection()
	}
}

func (d *decoder) custom() {
	start := d.pos
	name := d.name()
	data := d.bin[d.pos:d.end:d.end]
	d.pos = d.end
	if name == "name" {
		// A malformed name section is ignored, as the specification allows.
		if names, ok := decodeNames(data); ok {
			d.m.Names = names
		}
		return
	}
	d.m.Customs = append(d.m.Customs, CustomSection{Name: name, Data: data, Offset: uint32(start)})
}

func (d *decoder) typeSection() {
	n, c := d.count(3)
	d.m.Types = make([]FuncType, 0, c)
	for range n {
		if d.tag() != 0x60 {
			d.fail(d.pos-1, "malformed function type")
		}
		var t FuncType
		t.Params = d.valTypes("too many parameters")
		t.Results = d.valTypes("too many results")
		d.m.Types = append(d.m.Types, t)
	}
}

func (d *decoder) valTypes(tooMany string) []ValType {
	at := d.pos
	n, c := d.count(1)
	if n == 0 {
		return nil
	}
	if n > MaxTypeArity {
		d.fail(at, tooMany)
	}
	ts := make([]ValType, 0, c)
	for range n {
		ts = append(ts, d.valType())
	}
	return ts
}

func (d *decoder) importSection() {
	m := d.m
	n, c := d.count(4)
	m.Imports = make([]Import, 0, c)
	for range n {
		at := uint32(d.pos)
		im := Import{Module: d.name(), Name: d.name(), Offset: at}
		kindAt := d.pos
		im.Kind = ExternKind(d.byte())
		switch im.Kind {
		case ExternFunc:
			im.Func = d.u32()
			m.NumImportedFuncs++
		case ExternTable:
			im.Table = d.tableType()
			m.NumImportedTables++
		case ExternMemory:
			im.Memory = MemoryType{Limits: d.limits()}
			m.NumImportedMemories++
		case ExternGlobal:
			im.Global = d.globalType()
			m.NumImportedGlobals++
		default:
			d.fail(kindAt, "malformed import kind")
		}
		m.Imports = append(m.Imports, im)
	}
}

func (d *decoder) exportSection() {
	n, c := d.count(3)
	d.m.Exports = make([]Export, 0, c)
	for range n {
		at := uint32(d.pos)
		e := Export{Name: d.name(), Offset: at}
		kindAt := d.pos
		e.Kind = ExternKind(d.byte())
		if e.Kind > ExternGlobal {
			d.fail(kindAt, "malformed export kind")
		}
		e.Index = d.u32()
		d.m.Exports = append(d.m.Exports, e)
	}
}

func (d *decoder) tableType() TableType {
	t := d.refType()
	return TableType{Elem: t, Limits: d.limits()}
}

func (d *decoder) limits() Limits {
	switch d.tag() {
	case 0x00:
		return Limits{Min: d.u32()}
	case 0x01:
		return Limits{Min: d.u32(), Max: d.u32(), HasMax: true}
	}
	d.fail(d.pos-1, "integer too large")
	return Limits{}
}

// tag reads a one-byte tag (limits flags, the function type's 0x60). The
// reference interpreter reads tags as LEB128 numbers, so a set
// continuation bit is reported as an overlong integer.
func (d *decoder) tag() byte {
	c := d.byte()
	if c&0x80 != 0 {
		d.fail(d.pos-1, msgTooLong)
	}
	return c
}

func (d *decoder) globalType() GlobalType {
	t := d.valType()
	mutAt := d.pos
	switch d.byte() {
	case 0:
		return GlobalType{Type: t}
	case 1:
		return GlobalType{Type: t, Mutable: true}
	}
	d.fail(mutAt, "malformed mutability")
	return GlobalType{}
}

// constExpr reads instructions up to the end that closes the expression.
// Expressions share slab arrays, as modules (Go's, say) can have tens of
// thousands of data segments, each with an offset expression.
func (d *decoder) constExpr() ConstExpr {
	start := d.pos
	if cap(d.slab)-len(d.slab) < 2 {
		d.slab = make([]Instr, 0, min(2*cap(d.slab)+16, 1024))
	}
	first := len(d.slab)
	d.slab = d.appendConstExpr(d.slab)
	end := len(d.slab)
	return ConstExpr{Instrs: d.slab[first:end:end], Offset: uint32(start)}
}

// appendConstExpr reads a constant expression's instructions (without the
// final end) and appends them to instrs. Blocks may appear (they are
// invalid, not malformed), so it tracks nesting to find the final end.
func (d *decoder) appendConstExpr(instrs []Instr) []Instr {
	r := InstrReader{body: d.bin[:d.end], pos: d.pos}
	depth := 0
	for {
		var in Instr
		if err := r.Next(&in); err != nil {
			if err == io.EOF {
				d.failEnd()
			}
			panic(err)
		}
		switch in.Op {
		case OpBlock, OpLoop, OpIf:
			depth++
		case OpEnd:
			if depth == 0 {
				d.pos = r.pos
				return instrs
			}
			depth--
		}
		instrs = append(instrs, in)
	}
}
