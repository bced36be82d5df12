package wasm

import "io"

// elementSection decodes the eight element segment encodings. The flags
// value has three bits: 1 = passive or declarative (with 2 telling which)
// rather than active, 2 = explicit table index (active) / declarative,
// 4 = items are expressions rather than function indices.
func (d *decoder) elementSection() {
	n, c := d.count(3)
	d.m.Elems = make([]Elem, 0, c)
	for range n {
		flagsAt := d.pos
		flags := d.u32()
		if flags > 7 {
			d.fail(flagsAt, "malformed elements segment kind")
		}
		e := Elem{Type: FuncRef}
		switch {
		case flags&1 == 0:
			e.Mode = SegmentActive
			if flags&2 != 0 {
				e.Table = d.u32()
			}
			e.Offset = d.constExpr()
		case flags&2 == 0:
			e.Mode = SegmentPassive
		default:
			e.Mode = SegmentDeclarative
		}
		exprs := flags&4 != 0
		if flags&3 != 0 { // element kind or reference type present
			if exprs {
				e.Type = d.refType()
			} else if d.byte() != 0x00 {
				d.fail(d.pos-1, "malformed element kind")
			}
		}
		if exprs {
			e.Init = d.elemExprs()
		} else {
			e.Init = d.elemFuncs()
		}
		d.m.Elems = append(d.m.Elems, e)
	}
}

// elemFuncs reads a vector of function indices as ref.func expressions,
// all backed by one array.
func (d *decoder) elemFuncs() []ConstExpr {
	n, c := d.count(1)
	instrs := make([]Instr, 0, c)
	for range n {
		at := d.pos
		instrs = append(instrs, Instr{Op: OpRefFunc, Offset: uint32(at), Index: d.u32()})
	}
	init := make([]ConstExpr, len(instrs))
	for i := range instrs {
		init[i] = ConstExpr{Instrs: instrs[i : i+1 : i+1], Offset: instrs[i].Offset}
	}
	return init
}

// elemExprs reads a vector of constant expressions, all backed by one
// instruction array.
func (d *decoder) elemExprs() []ConstExpr {
	n, c := d.count(2)
	var instrs []Instr
	init := make([]ConstExpr, 0, c)
	ends := make([]int, 0, c)
	for range n {
		init = append(init, ConstExpr{Offset: uint32(d.pos)})
		instrs = d.appendConstExpr(instrs)
		ends = append(ends, len(instrs))
	}
	start := 0
	for i, end := range ends {
		init[i].Instrs = instrs[start:end:end]
		start = end
	}
	return init
}

func (d *decoder) dataSection() {
	n, c := d.count(3)
	d.m.Datas = make([]Data, 0, c)
	for range n {
		flagsAt := d.pos
		var s Data
		switch d.u32() {
		case 0:
			s.Offset = d.constExpr()
		case 1:
			s.Mode = SegmentPassive
		case 2:
			s.Memory = d.u32()
			s.Offset = d.constExpr()
		default:
			d.fail(flagsAt, "malformed data segment kind")
		}
		s.Init = d.bytes(d.u32())
		d.m.Datas = append(d.m.Datas, s)
	}
}

// codeSection decodes the function bodies and checks each one's syntax.
func (d *decoder) codeSection() {
	m := d.m
	n, c := d.count(3)
	m.Codes = make([]Code, 0, c)
	// All local declarations share one array; runStart[i] indexes it.
	var runs []LocalRun
	runStart := make([]int, 0, c+1)
	sectionEnd := d.end
	for i := range n {
		size := d.u32()
		if uint64(size) > uint64(sectionEnd-d.pos) {
			d.failEnd()
		}
		d.end = d.pos + int(size)
		runStart = append(runStart, len(runs))
		var code Code
		var total uint64
		nruns, _ := d.count(2)
		for range nruns {
			at := d.pos
			r := LocalRun{Count: d.u32(), Type: d.valType()}
			total += uint64(r.Count)
			if total > MaxLocals {
				d.fail(at, "too many locals")
			}
			runs = append(runs, r)
		}
		code.NumLocals = uint32(total)
		code.Body = d.bin[d.pos:d.end:d.end]
		code.Offset = uint32(d.pos)
		d.checkBody(&code, int(m.NumImportedFuncs)+int(i))
		m.Codes = append(m.Codes, code)
		d.pos = d.end
		d.end = sectionEnd
	}
	runStart = append(runStart, len(runs))
	for i := range m.Codes {
		if s, e := runStart[i], runStart[i+1]; e > s {
			m.Codes[i].Locals = runs[s:e:e]
		}
	}
}

// Block nesting states tracked by checkBody.
const (
	frameBlock  byte = iota // block, loop or the function itself
	frameIf                 // if before its else
	frameIfElse             // if after its else
)

// checkBody checks that a body is a well-formed instruction sequence: every
// instruction decodes, else appears only once inside an if, the function's
// final end is its last byte, and memory.init/data.drop come with a data
// count section (reported by module once the data section is seen).
// Typing is left to Validate.
func (d *decoder) checkBody(code *Code, funcIdx int) {
	r := InstrReader{body: code.Body, base: code.Offset}
	frames := append(d.frames[:0], frameBlock)
	in := &d.instr
	for len(frames) > 0 {
		err := r.Next(in)
		if err == io.EOF {
			d.fail(int(r.Offset()), msgBodyEnd)
		}
		if err != nil {
			e := err.(*Error)
			e.Func = funcIdx
			panic(e)
		}
		switch in.Op {
		case OpBlock, OpLoop:
			frames = append(frames, frameBlock)
		case OpIf:
			frames = append(frames, frameIf)
		case OpElse:
			if frames[len(frames)-1] != frameIf {
				d.failFunc(in.Offset, funcIdx, "illegal opcode")
			}
			frames[len(frames)-1] = frameIfElse
		case OpEnd:
			frames = frames[:len(frames)-1]
		case OpMemoryInit, OpDataDrop:
			if d.m.DataCount == nil && d.dataRef == nil {
				d.dataRef = malformed(int(in.Offset), "data count section required")
				d.dataRef.Func = funcIdx
			}
		}
	}
	if r.pos != len(code.Body) {
		d.failFunc(r.Offset(), funcIdx, "section size mismatch")
	}
	d.frames = frames
}

func (d *decoder) failFunc(off uint32, funcIdx int, msg string) {
	e := malformed(int(off), msg)
	e.Func = funcIdx
	panic(e)
}
