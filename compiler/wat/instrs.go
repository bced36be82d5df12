package wat

import (
	"math/bits"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// opcodeByName maps instruction names to opcodes, built from the opcode
// table. "select" maps to the untyped form; a (result t) turns it typed.
var opcodeByName = func() map[string]wasm.Opcode {
	m := map[string]wasm.Opcode{}
	for _, op := range wasm.Opcodes() {
		if op == wasm.OpSelectT {
			continue
		}
		m[op.Info().Name] = op
	}
	return m
}()

// exprParser translates an instruction sequence, flat or folded. It keeps
// both the binary encoding (code, for function bodies) and the decoded
// instructions (instrs, for constant expressions).
type exprParser struct {
	b      *builder
	locals *space   // nil in constant expressions
	labels []string // enclosing block labels, innermost last; "" if unnamed
	code   []byte
	instrs []wasm.Instr
}

func (e *exprParser) emit(in wasm.Instr) {
	e.code = wasm.AppendInstr(e.code, &in)
	e.instrs = append(e.instrs, in)
}

// openBlock is a flat block, loop or if whose end is still to come.
type openBlock struct {
	op      wasm.Opcode
	label   string
	pos     Pos
	sawElse bool
}

// seq translates a sequence of instructions in which flat block
// instructions must be balanced by their end.
func (e *exprParser) seq(nodes []*Node) error {
	var open []openBlock
	c := &cursor{nodes: nodes}
	for !c.done() {
		n := c.next()
		if n.Kind == List {
			if err := e.folded(n); err != nil {
				return err
			}
			continue
		}
		if n.Kind != Keyword {
			return errorf(n.Pos, "unexpected token %s, expected an instruction", n.describe())
		}
		switch n.Text {
		case "block", "loop", "if":
			op := opcodeByName[n.Text]
			label, bt, err := e.blockHeader(c)
			if err != nil {
				return err
			}
			e.emit(wasm.Instr{Op: op, Block: bt})
			e.labels = append(e.labels, label)
			open = append(open, openBlock{op: op, label: label, pos: n.Pos})
		case "else":
			if len(open) == 0 || open[len(open)-1].op != wasm.OpIf || open[len(open)-1].sawElse {
				return errorf(n.Pos, "unexpected token else")
			}
			top := &open[len(open)-1]
			if err := endLabel(c, top.label); err != nil {
				return err
			}
			top.sawElse = true
			e.emit(wasm.Instr{Op: wasm.OpElse})
		case "end":
			if len(open) == 0 {
				return errorf(n.Pos, "unexpected token end")
			}
			if err := endLabel(c, open[len(open)-1].label); err != nil {
				return err
			}
			open = open[:len(open)-1]
			e.labels = e.labels[:len(e.labels)-1]
			e.emit(wasm.Instr{Op: wasm.OpEnd})
		default:
			in, err := e.plain(n, c)
			if err != nil {
				return err
			}
			e.emitPlain(in)
		}
	}
	if len(open) > 0 {
		return errorf(open[len(open)-1].pos, "%s without end (unexpected end of instructions)", open[len(open)-1].op)
	}
	return nil
}

// endLabel consumes the optional label after else or end, which must repeat
// the block's own label.
func endLabel(c *cursor, label string) error {
	if c.done() || c.peek().Kind != ID {
		return nil
	}
	n := c.next()
	if n.Text != label {
		return errorf(n.Pos, "mismatching label %s", n.Text)
	}
	return nil
}

// folded translates a folded instruction.
func (e *exprParser) folded(n *Node) error {
	if len(n.List) == 0 || n.List[0].Kind != Keyword {
		return errorf(n.Pos, "unexpected token %s, expected an instruction", n.describe())
	}
	head := n.List[0]
	c := listCursor(n)
	switch head.Text {
	case "block", "loop":
		label, bt, err := e.blockHeader(c)
		if err != nil {
			return err
		}
		e.emit(wasm.Instr{Op: opcodeByName[head.Text], Block: bt})
		e.labels = append(e.labels, label)
		if err := e.seq(c.nodes[c.i:]); err != nil {
			return err
		}
		e.labels = e.labels[:len(e.labels)-1]
		e.emit(wasm.Instr{Op: wasm.OpEnd})
		return nil
	case "if":
		return e.foldedIf(c)
	case "then", "else", "end":
		return errorf(head.Pos, "unexpected token %s", head.Text)
	}
	in, err := e.plain(head, c)
	if err != nil {
		return err
	}
	for !c.done() {
		arg := c.next()
		if arg.Kind != List {
			return errorf(arg.Pos, "unexpected token %s", arg.describe())
		}
		if err := e.folded(arg); err != nil {
			return err
		}
	}
	e.emitPlain(in)
	return nil
}

// foldedIf translates (if label? blocktype folded* (then instr*) (else instr*)?).
func (e *exprParser) foldedIf(c *cursor) error {
	label, bt, err := e.blockHeader(c)
	if err != nil {
		return err
	}
	for !c.done() && c.peek().Head() != "then" {
		cond := c.next()
		if cond.Kind != List {
			return errorf(cond.Pos, "unexpected token %s", cond.describe())
		}
		if err := e.folded(cond); err != nil {
			return err
		}
	}
	if c.done() {
		return errorf(c.endPos(), "expected (then …) in if")
	}
	then := c.next()
	e.emit(wasm.Instr{Op: wasm.OpIf, Block: bt})
	e.labels = append(e.labels, label)
	if err := e.seq(then.List[1:]); err != nil {
		return err
	}
	if c.peekHead("else") {
		els := c.next()
		e.emit(wasm.Instr{Op: wasm.OpElse})
		if err := e.seq(els.List[1:]); err != nil {
			return err
		}
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	e.labels = e.labels[:len(e.labels)-1]
	e.emit(wasm.Instr{Op: wasm.OpEnd})
	return nil
}

// blockHeader reads a block's optional label and block type.
func (e *exprParser) blockHeader(c *cursor) (string, wasm.BlockType, error) {
	label := ""
	if id := c.optID(); id != nil {
		label = id.Text
	}
	var explicit *Node
	if c.peekHead("type") {
		tc := listCursor(c.next())
		if tc.done() {
			return "", wasm.BlockType{}, errorf(tc.endPos(), "expected a type index")
		}
		explicit = tc.next()
		if err := tc.expectEnd(); err != nil {
			return "", wasm.BlockType{}, err
		}
	}
	if explicit != nil {
		c.i-- // let typeUse read (type x) and check the inline signature
		idx, _, err := e.b.typeUse(c, false)
		if err != nil || int(idx) >= len(e.b.m.Types) {
			return label, wasm.BlockType{Kind: wasm.BlockIndex, Index: idx}, err
		}
		// A type [] → [t?] has the shorter value-type encoding.
		return label, blockType(e.b.m.Types[idx], idx), nil
	}
	ft, _, err := e.b.inlineSig(c, false)
	if err != nil {
		return "", wasm.BlockType{}, err
	}
	if len(ft.Params) > 0 || len(ft.Results) > 1 {
		return label, wasm.BlockType{Kind: wasm.BlockIndex, Index: e.b.implicitType(ft)}, nil
	}
	return label, blockType(ft, 0), nil
}

// blockType encodes a block of type ft, whose index is idx.
func blockType(ft wasm.FuncType, idx uint32) wasm.BlockType {
	switch {
	case len(ft.Params) == 0 && len(ft.Results) == 0:
		return wasm.BlockType{Kind: wasm.BlockEmpty}
	case len(ft.Params) == 0 && len(ft.Results) == 1:
		return wasm.BlockType{Kind: wasm.BlockValue, Value: ft.Results[0]}
	}
	return wasm.BlockType{Kind: wasm.BlockIndex, Index: idx}
}

// plainInstr is a non-block instruction. A typed select whose arity is not
// one cannot be a wasm.Instr but must still reach the validator, which
// rejects it; selectTypes holds its result types.
type plainInstr struct {
	wasm.Instr
	selectTypes []wasm.ValType
	oddSelect   bool
}

func (e *exprParser) emitPlain(p plainInstr) {
	if !p.oddSelect {
		e.emit(p.Instr)
		return
	}
	e.code = append(e.code, byte(wasm.OpSelectT), byte(len(p.selectTypes)))
	for _, t := range p.selectTypes {
		e.code = append(e.code, byte(t))
	}
	e.instrs = append(e.instrs, wasm.Instr{Op: wasm.OpSelectT})
}

// plain reads the immediates of a non-block instruction named by kw.
func (e *exprParser) plain(kw *Node, c *cursor) (plainInstr, error) {
	op, ok := opcodeByName[kw.Text]
	if !ok || op == wasm.OpElse || op == wasm.OpEnd {
		return plainInstr{}, errorf(kw.Pos, "unknown operator %s", kw.Text)
	}
	info := op.Info()
	p := plainInstr{Instr: wasm.Instr{Op: op}}
	in := &p.Instr
	var err error
	switch info.Imm {
	case wasm.ImmBlock:
		return p, errorf(kw.Pos, "unexpected token %s", kw.Text)
	case wasm.ImmNone:
		if op == wasm.OpSelect && c.peekHead("result") {
			ft, _, err := e.b.inlineSig(c, false)
			if err != nil {
				return p, err
			}
			in.Op = wasm.OpSelectT
			if len(ft.Results) == 1 {
				in.Type = ft.Results[0]
			} else {
				p.oddSelect, p.selectTypes = true, ft.Results
			}
		}
	case wasm.ImmLabel:
		in.Index, err = e.label(c)
	case wasm.ImmBrtable:
		for err == nil && !c.done() && isIndex(c.peek()) {
			var l uint32
			l, err = e.label(c)
			in.Targets = append(in.Targets, l)
		}
		if err == nil && len(in.Targets) == 0 {
			err = errorf(c.endPos(), "expected a label")
		}
	case wasm.ImmFunc:
		in.Index, err = e.index(c, e.b.funcs)
	case wasm.ImmCallind:
		if !c.done() && isIndex(c.peek()) {
			if in.Index2, err = e.index(c, e.b.tables); err != nil {
				return p, err
			}
		}
		in.Index, _, err = e.b.typeUse(c, false)
	case wasm.ImmLocal:
		locals := e.locals
		if locals == nil { // a constant expression: left for validation to reject
			locals = newSpace("local")
		}
		in.Index, err = e.index(c, locals)
	case wasm.ImmGlobal:
		in.Index, err = e.index(c, e.b.globals)
	case wasm.ImmTable:
		in.Index, err = e.optIndex(c, e.b.tables)
	case wasm.ImmTablecopy:
		if !c.done() && isIndex(c.peek()) {
			if in.Index, err = e.index(c, e.b.tables); err == nil {
				in.Index2, err = e.index(c, e.b.tables)
			}
		}
	case wasm.ImmTableinit:
		// table.init x? y: a lone index is an element segment of table 0.
		var idx []*Node
		for len(idx) < 2 && !c.done() && isIndex(c.peek()) {
			idx = append(idx, c.next())
		}
		switch len(idx) {
		case 0:
			err = errorf(c.endPos(), "expected an element segment index")
		case 1:
			in.Index, err = e.b.elems.resolve(idx[0])
		case 2:
			if in.Index2, err = e.b.tables.resolve(idx[0]); err == nil {
				in.Index, err = e.b.elems.resolve(idx[1])
			}
		}
	case wasm.ImmElem:
		in.Index, err = e.index(c, e.b.elems)
	case wasm.ImmMeminit, wasm.ImmData:
		e.b.usesDataCount = true
		in.Index, err = e.index(c, e.b.datas)
	case wasm.ImmMemarg:
		in.Mem, err = memarg(c, info.Size)
	case wasm.ImmMemlane:
		if in.Mem, err = memarg(c, info.Size); err == nil {
			in.Lane, err = laneIndex(c)
		}
	case wasm.ImmLane:
		in.Lane, err = laneIndex(c)
	case wasm.ImmI32, wasm.ImmI64, wasm.ImmF32, wasm.ImmF64:
		in.Const, err = scalarConst(c, info.Imm)
	case wasm.ImmV128:
		in.Const, in.ConstHi, err = V128Const(c.nodes, &c.i, c.endPos())
	case wasm.ImmShuffle:
		var lanes [16]byte
		for i := range lanes {
			if lanes[i], err = laneIndex(c); err != nil {
				return p, err
			}
		}
		in.Const, in.ConstHi = packBytes(lanes[:])
	case wasm.ImmReftype:
		in.Type, err = heapType(c)
	}
	return p, err
}

// label resolves a label reference: a relative depth or a block label,
// innermost first (labels may shadow each other).
func (e *exprParser) label(c *cursor) (uint32, error) {
	if c.done() {
		return 0, errorf(c.endPos(), "expected a label")
	}
	n := c.next()
	if n.Kind == ID {
		for i := len(e.labels) - 1; i >= 0; i-- {
			if e.labels[i] == n.Text {
				return uint32(len(e.labels) - 1 - i), nil
			}
		}
		return 0, errorf(n.Pos, "unknown label %s", n.Text)
	}
	if n.Kind != Reserved {
		return 0, errorf(n.Pos, "unexpected token %s, expected a label", n.describe())
	}
	v, err := ParseU32(n.Text)
	if err != nil {
		return 0, errorf(n.Pos, "malformed label %q: %v", n.Text, err)
	}
	return v, nil
}

func (e *exprParser) index(c *cursor, sp *space) (uint32, error) {
	if c.done() {
		return 0, errorf(c.endPos(), "expected a %s index", sp.kind)
	}
	return sp.resolve(c.next())
}

// optIndex reads an index that defaults to 0 when absent.
func (e *exprParser) optIndex(c *cursor, sp *space) (uint32, error) {
	if c.done() || !isIndex(c.peek()) {
		return 0, nil
	}
	return sp.resolve(c.next())
}

func memarg(c *cursor, natural uint8) (wasm.MemArg, error) {
	m := wasm.MemArg{Align: uint32(bits.TrailingZeros8(natural))}
	if !c.done() {
		if v, ok := keywordValue(c.peek(), "offset"); ok {
			n := c.next()
			off, err := ParseU32(v)
			if err != nil {
				return m, errorf(n.Pos, "malformed memory offset %q: %v", v, err)
			}
			m.Offset = off
		}
	}
	if !c.done() {
		if v, ok := keywordValue(c.peek(), "align"); ok {
			n := c.next()
			a, err := ParseU32(v)
			if err != nil {
				return m, errorf(n.Pos, "malformed alignment %q: %v", v, err)
			}
			if a == 0 || a&(a-1) != 0 {
				return m, errorf(n.Pos, "alignment %d must be a power of two", a)
			}
			m.Align = uint32(bits.TrailingZeros32(a))
		}
	}
	return m, nil
}

func laneIndex(c *cursor) (byte, error) {
	if c.done() || c.peek().Kind != Reserved {
		return 0, errorf(c.endPos(), "expected a lane index")
	}
	n := c.next()
	v, err := parseNat(n.Text)
	if err != nil || v > 255 {
		return 0, errorf(n.Pos, "malformed lane index %q", n.Text)
	}
	return byte(v), nil
}

func heapType(c *cursor) (wasm.ValType, error) {
	if c.done() {
		return 0, errorf(c.endPos(), "expected a heap type (func or extern)")
	}
	n := c.next()
	if n.Kind == Keyword {
		switch n.Text {
		case "func":
			return wasm.FuncRef, nil
		case "extern":
			return wasm.ExternRef, nil
		}
	}
	return 0, errorf(n.Pos, "unexpected token %s, expected a heap type (func or extern)", n.describe())
}

// scalarConst reads the literal of an i32, i64, f32 or f64 constant and
// returns its bits (an i32 sign-extended to 64 bits, as in wasm.Instr).
func scalarConst(c *cursor, kind wasm.ImmKind) (uint64, error) {
	if c.done() || (c.peek().Kind != Reserved && c.peek().Kind != Keyword) {
		return 0, errorf(c.endPos(), "expected a constant")
	}
	n := c.next()
	var v uint64
	var err error
	what := ""
	switch kind {
	case wasm.ImmI32:
		what = "i32"
		v, err = ParseInt(n.Text, 32)
		v = uint64(int64(int32(v)))
	case wasm.ImmI64:
		what = "i64"
		v, err = ParseInt(n.Text, 64)
	case wasm.ImmF32:
		what = "f32"
		var f uint32
		f, err = ParseF32(n.Text)
		v = uint64(f)
	case wasm.ImmF64:
		what = "f64"
		v, err = ParseF64(n.Text)
	}
	if err != nil {
		return 0, constError(n, what, err)
	}
	return v, nil
}

func constError(n *Node, what string, err error) error {
	if err == errRange {
		return errorf(n.Pos, "%s constant out of range: %s", what, n.Text)
	}
	return errorf(n.Pos, "unknown operator or malformed %s constant: %s", what, n.Text)
}

// V128Const reads `shape lane*` at nodes[*i] (the operand of v128.const)
// and returns the 16 bytes as two little-endian halves. end is reported
// when the list is too short.
func V128Const(nodes []*Node, i *int, end Pos) (lo, hi uint64, err error) {
	if *i >= len(nodes) || nodes[*i].Kind != Keyword {
		return 0, 0, errorf(end, "expected a v128 shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)")
	}
	shapeNode := nodes[*i]
	*i++
	shape, ok := shapes[shapeNode.Text]
	if !ok {
		return 0, 0, errorf(shapeNode.Pos, "unexpected token %s, expected a v128 shape", shapeNode.Text)
	}
	var buf [16]byte
	for lane := 0; lane < shape.lanes; lane++ {
		if *i >= len(nodes) || (nodes[*i].Kind != Reserved && nodes[*i].Kind != Keyword) {
			return 0, 0, errorf(end, "expected %d lanes for %s", shape.lanes, shapeNode.Text)
		}
		n := nodes[*i]
		*i++
		v, err := shape.parse(n.Text)
		if err != nil {
			return 0, 0, constError(n, shapeNode.Text, err)
		}
		for b := 0; b < shape.size; b++ {
			buf[lane*shape.size+b] = byte(v >> (8 * b))
		}
	}
	lo, hi = packBytes(buf[:])
	return lo, hi, nil
}

// V128Shape describes one lane interpretation of a v128 constant.
type V128Shape struct {
	lanes, size int // lane count and bytes per lane
	float       bool
}

// Lanes returns the number of lanes and the bytes per lane.
func (s V128Shape) Lanes() (count, size int) { return s.lanes, s.size }

// Float reports whether the lanes are floats.
func (s V128Shape) Float() bool { return s.float }

func (s V128Shape) parse(text string) (uint64, error) {
	switch {
	case s.float && s.size == 4:
		v, err := ParseF32(text)
		return uint64(v), err
	case s.float:
		return ParseF64(text)
	}
	return parseSizedInt(text, s.size*8)
}

var shapes = map[string]V128Shape{
	"i8x16": {16, 1, false}, "i16x8": {8, 2, false}, "i32x4": {4, 4, false},
	"i64x2": {2, 8, false}, "f32x4": {4, 4, true}, "f64x2": {2, 8, true},
}

// LookupShape returns the v128 shape named name (e.g. "i32x4").
func LookupShape(name string) (V128Shape, bool) {
	s, ok := shapes[name]
	return s, ok
}

func packBytes(b []byte) (lo, hi uint64) {
	for i := 7; i >= 0; i-- {
		lo = lo<<8 | uint64(b[i])
		hi = hi<<8 | uint64(b[i+8])
	}
	return lo, hi
}

// parseSizedInt parses an integer literal for a lane of size bits (8, 16,
// 32 or 64), accepting the signed and the unsigned range.
func parseSizedInt(text string, size int) (uint64, error) {
	if size >= 32 {
		return ParseInt(text, size)
	}
	neg := strings.HasPrefix(text, "-")
	s := strings.TrimLeft(text, "+-")
	if len(text)-len(s) > 1 {
		return 0, errSyntax
	}
	v, err := parseNat(s)
	if err != nil {
		return 0, err
	}
	if (neg && v > 1<<(size-1)) || (!neg && v >= 1<<size) {
		return 0, errRange
	}
	if neg {
		v = -v
	}
	return v & (1<<size - 1), nil
}
