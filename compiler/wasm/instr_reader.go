package wasm

import (
	"encoding/binary"
	"io"
)

// InstrReader decodes a function body (or a constant expression) one
// instruction at a time. It checks only the encoding of each instruction,
// not the nesting of blocks or any typing rule.
//
// Next allocates nothing except, for br_table, when the Targets slice of the
// Instr it is given has too little capacity. It reuses that backing array
// otherwise, so the Targets of an Instr filled by Next stay valid only until
// the same Instr is passed to Next again: copy them to keep them longer.
type InstrReader struct {
	body []byte
	pos  int
	base uint32 // module offset of body[0]
}

// NewInstrReader returns a reader over body, whose first byte sits at
// module offset offset.
func NewInstrReader(body []byte, offset uint32) *InstrReader {
	return &InstrReader{body: body, base: offset}
}

// Instrs returns a reader over the function's instructions.
func (c *Code) Instrs() *InstrReader { return NewInstrReader(c.Body, c.Offset) }

// Offset returns the module offset of the next instruction.
func (r *InstrReader) Offset() uint32 { return r.base + uint32(r.pos) }

// msgBodyEnd is reported when an instruction runs past the function body
// (or the section holding a constant expression).
const msgBodyEnd = "unexpected end of section or function"

// isValType reports whether b encodes a WebAssembly 2.0 value type.
func isValType(b byte) bool {
	switch ValType(b) {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return true
	}
	return false
}

// Next decodes the next instruction into *in. It returns io.EOF when the
// body is exhausted, i.e. after the function's final end has been returned,
// and an *Error of kind Malformed (with Func -1) on a bad encoding. Fields
// the instruction has no immediate for are zero; Targets has length 0.
func (r *InstrReader) Next(in *Instr) error {
	b := r.body
	if r.pos >= len(b) {
		return io.EOF
	}
	start := r.pos
	// Reset field by field: assigning a whole Instr would write the
	// Targets pointer (and run the GC write barrier) on every call.
	in.Offset = r.base + uint32(start)
	in.Index, in.Index2 = 0, 0
	in.Block = BlockType{}
	in.Mem = MemArg{}
	in.Lane = 0
	in.Const, in.ConstHi = 0, 0
	in.Targets = in.Targets[:0]
	in.Type = 0
	c := b[r.pos]
	r.pos++
	var info *OpInfo
	if c == PrefixMisc || c == PrefixSIMD {
		sub, err := r.u32()
		if err != nil {
			return err
		}
		if sub > 0xFF {
			return r.fail(start, "illegal opcode")
		}
		in.Op = Opcode(c)<<8 | Opcode(sub)
		if c == PrefixMisc {
			info = opInfoMisc[sub]
		} else {
			info = opInfoSIMD[sub]
		}
	} else {
		in.Op = Opcode(c)
		info = opInfoByte[c]
	}
	if info == nil {
		return r.fail(start, "illegal opcode")
	}
	var err error
	switch info.Imm {
	case ImmNone:
	case ImmBlock:
		err = r.blockType(&in.Block)
	case ImmLabel, ImmFunc, ImmLocal, ImmGlobal, ImmTable, ImmData, ImmElem:
		if r.pos < len(b) && b[r.pos] < 0x80 { // the common one-byte index
			in.Index = uint32(b[r.pos])
			r.pos++
		} else {
			in.Index, err = r.u32()
		}
	case ImmCallind, ImmTableinit, ImmTablecopy:
		if in.Index, err = r.u32(); err == nil {
			in.Index2, err = r.u32()
		}
	case ImmBrtable:
		in.Targets, err = r.brTable(in.Targets)
	case ImmMemarg:
		err = r.memArg(&in.Mem)
	case ImmMemlane:
		if err = r.memArg(&in.Mem); err == nil {
			in.Lane, err = r.byte()
		}
	case ImmLane:
		in.Lane, err = r.byte()
	case ImmMemidx:
		err = r.zeroByte()
	case ImmMemcopy:
		if err = r.zeroByte(); err == nil {
			err = r.zeroByte()
		}
	case ImmMeminit:
		if in.Index, err = r.u32(); err == nil {
			err = r.zeroByte()
		}
	case ImmI32:
		if r.pos < len(b) && b[r.pos] < 0x80 { // one byte: sign-extend bit 6
			in.Const = uint64(int64(int8(b[r.pos]<<1) >> 1))
			r.pos++
			break
		}
		v, n, msg := leS32(b, r.pos)
		if msg != "" {
			return r.lebFail(msg)
		}
		r.pos += n
		in.Const = uint64(int64(v))
	case ImmI64:
		v, n, msg := leS64(b, r.pos)
		if msg != "" {
			return r.lebFail(msg)
		}
		r.pos += n
		in.Const = uint64(v)
	case ImmF32:
		if len(b)-r.pos < 4 {
			return r.fail(len(b), msgBodyEnd)
		}
		in.Const = uint64(binary.LittleEndian.Uint32(b[r.pos:]))
		r.pos += 4
	case ImmF64:
		if len(b)-r.pos < 8 {
			return r.fail(len(b), msgBodyEnd)
		}
		in.Const = binary.LittleEndian.Uint64(b[r.pos:])
		r.pos += 8
	case ImmV128, ImmShuffle:
		if len(b)-r.pos < 16 {
			return r.fail(len(b), msgBodyEnd)
		}
		in.Const = binary.LittleEndian.Uint64(b[r.pos:])
		in.ConstHi = binary.LittleEndian.Uint64(b[r.pos+8:])
		r.pos += 16
	case ImmSelectt:
		err = r.selectTypes(in)
	case ImmReftype:
		var t byte
		if t, err = r.byte(); err == nil {
			if !ValType(t).IsRef() {
				return r.fail(r.pos-1, "malformed reference type")
			}
			in.Type = ValType(t)
		}
	}
	return err
}

func (r *InstrReader) fail(pos int, msg string) error {
	return malformed(int(r.base)+pos, msg)
}

func (r *InstrReader) lebFail(msg string) error {
	if msg == msgEnd {
		msg = msgBodyEnd
	}
	return r.fail(r.pos, msg)
}

func (r *InstrReader) u32() (uint32, error) {
	v, n, msg := leU32(r.body, r.pos)
	if msg != "" {
		return 0, r.lebFail(msg)
	}
	r.pos += n
	return v, nil
}

func (r *InstrReader) byte() (byte, error) {
	if r.pos >= len(r.body) {
		return 0, r.fail(r.pos, msgBodyEnd)
	}
	c := r.body[r.pos]
	r.pos++
	return c, nil
}

// zeroByte reads a reserved byte, which must be exactly 0x00.
func (r *InstrReader) zeroByte() error {
	c, err := r.byte()
	if err == nil && c != 0 {
		err = r.fail(r.pos-1, "zero byte expected")
	}
	return err
}

func (r *InstrReader) blockType(bt *BlockType) error {
	if r.pos >= len(r.body) {
		return r.fail(r.pos, msgBodyEnd)
	}
	c := r.body[r.pos]
	switch {
	case c == 0x40:
		r.pos++
		bt.Kind = BlockEmpty
		return nil
	case isValType(c):
		r.pos++
		bt.Kind, bt.Value = BlockValue, ValType(c)
		return nil
	}
	v, n, msg := leS33(r.body, r.pos)
	if msg != "" {
		return r.lebFail(msg)
	}
	if v < 0 {
		return r.fail(r.pos, "malformed value type")
	}
	r.pos += n
	bt.Kind, bt.Index = BlockIndex, uint32(v)
	return nil
}

// memArg reads an alignment exponent and an offset. An exponent of 32 or
// more cannot describe any alignment and is a format error.
func (r *InstrReader) memArg(m *MemArg) error {
	at := r.pos
	align, err := r.u32()
	if err != nil {
		return err
	}
	if align >= 32 {
		return r.fail(at, "malformed memop flags")
	}
	m.Align = align
	m.Offset, err = r.u32()
	return err
}

// brTable reads the label vector and the default label into targets.
func (r *InstrReader) brTable(targets []uint32) ([]uint32, error) {
	n, err := r.u32()
	if err != nil {
		return targets, err
	}
	// Every label takes at least one byte: bound the count by what is left.
	if rest := uint32(len(r.body) - r.pos); n >= rest {
		return targets, r.fail(len(r.body), msgBodyEnd)
	}
	if uint32(cap(targets)) < n+1 {
		targets = make([]uint32, 0, n+1)
	}
	for i := uint32(0); i <= n; i++ {
		l, err := r.u32()
		if err != nil {
			return targets, err
		}
		targets = append(targets, l)
	}
	return targets, nil
}

// selectTypes reads the type vector of a typed select. WebAssembly 2.0
// allows exactly one type; other lengths decode (Index holds the length,
// Type the first type) and fail validation.
func (r *InstrReader) selectTypes(in *Instr) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	if n > uint32(len(r.body)-r.pos) {
		return r.fail(len(r.body), msgBodyEnd)
	}
	in.Index = n
	for i := uint32(0); i < n; i++ {
		t, err := r.byte()
		if err != nil {
			return err
		}
		if !isValType(t) {
			return r.fail(r.pos-1, "malformed value type")
		}
		if i == 0 {
			in.Type = ValType(t)
		}
	}
	return nil
}
