package wasm

import (
	"io"
	"slices"
)

// valUnknown is the type of a value popped from the polymorphic stack of
// unreachable code: it matches every type.
const valUnknown ValType = 0

// ctrlFrame is one entry of the control stack of the validation algorithm
// in the specification's appendix.
type ctrlFrame struct {
	op              Opcode // OpBlock (also the function body), OpLoop, OpIf or OpElse
	params, results []ValType
	height          int    // operand stack height at block entry
	unreachable     bool   // rest of the block is unreachable: the stack is polymorphic
	brStamp         uint32 // codeState.brStamp of the last br_table that checked this label
}

// labelTypes returns what a branch to the frame's label carries.
func (f *ctrlFrame) labelTypes() []ValType {
	if f.op == OpLoop {
		return f.params
	}
	return f.results
}

// codeState is the scratch of the body checker, reused across functions.
type codeState struct {
	funcIdx uint32
	offset  uint32 // offset of the instruction being checked

	// Local types: the first len(locals) are listed; past that (a function
	// declaring many locals) local falls back to a binary search over
	// runEnds, the cumulative end index of each run of code.Locals.
	locals    []ValType
	numLocals uint32
	runs      []LocalRun
	runEnds   []uint32

	brStamp uint32 // incremented per br_table; see ctrlFrame.brStamp
	vals    []ValType
	ctrls   []ctrlFrame
	spill   []ValType // br_table: values popped for one label
	instr   Instr
}

func (v *validator) failCode(format string, args ...any) {
	e := invalid(v.code.offset, format, args...)
	e.Func = int(v.code.funcIdx)
	panic(e)
}

func (v *validator) push(t ValType) { v.code.vals = append(v.code.vals, t) }

func (v *validator) pushVals(ts []ValType) { v.code.vals = append(v.code.vals, ts...) }

func (v *validator) pop() ValType {
	c := &v.code
	f := &c.ctrls[len(c.ctrls)-1]
	if len(c.vals) == f.height {
		if f.unreachable {
			return valUnknown
		}
		v.failCode("type mismatch: expected a value, but the stack is empty")
	}
	t := c.vals[len(c.vals)-1]
	c.vals = c.vals[:len(c.vals)-1]
	return t
}

func (v *validator) popExpect(want ValType) ValType {
	got := v.pop()
	if got != want && got != valUnknown && want != valUnknown {
		v.failCode("type mismatch: expected %s, got %s", want, got)
	}
	return got
}

func (v *validator) popVals(ts []ValType) {
	for i := len(ts) - 1; i >= 0; i-- {
		v.popExpect(ts[i])
	}
}

func (v *validator) pushCtrl(op Opcode, params, results []ValType) {
	c := &v.code
	c.ctrls = append(c.ctrls, ctrlFrame{op: op, params: params, results: results, height: len(c.vals)})
	v.pushVals(params)
}

func (v *validator) popCtrl() ctrlFrame {
	c := &v.code
	f := c.ctrls[len(c.ctrls)-1]
	v.popVals(f.results)
	if len(c.vals) != f.height {
		v.failCode("type mismatch: %d values left on the stack at the end of the block", len(c.vals)-f.height)
	}
	c.ctrls = c.ctrls[:len(c.ctrls)-1]
	return f
}

func (v *validator) setUnreachable() {
	c := &v.code
	f := &c.ctrls[len(c.ctrls)-1]
	c.vals = c.vals[:f.height]
	f.unreachable = true
}

func (v *validator) label(depth uint32) *ctrlFrame {
	c := &v.code
	if depth >= uint32(len(c.ctrls)) {
		v.failCode("unknown label %d", depth)
	}
	return &c.ctrls[len(c.ctrls)-1-int(depth)]
}

func (v *validator) local(idx uint32) ValType {
	c := &v.code
	if idx < uint32(len(c.locals)) {
		return c.locals[idx]
	}
	if idx >= c.numLocals {
		v.failCode("unknown local %d", idx)
	}
	i, _ := slices.BinarySearch(c.runEnds, idx+1)
	return c.runs[i].Type
}

// maxListedLocals bounds the locals setLocals lists one by one.
const maxListedLocals = 1024

// setLocals prepares local for a function's parameters and locals.
func (v *validator) setLocals(params []ValType, runs []LocalRun) {
	c := &v.code
	c.locals = append(c.locals[:0], params...)
	c.runs = runs
	c.runEnds = c.runEnds[:0]
	total := uint64(len(params))
	for _, run := range runs {
		if !isValType(byte(run.Type)) {
			v.failCode("malformed value type")
		}
		if total += uint64(run.Count); total > MaxLocals+uint64(len(params)) {
			v.failCode("too many locals")
		}
		c.runEnds = append(c.runEnds, uint32(total))
	}
	c.numLocals = uint32(total)
	if total > maxListedLocals {
		return // the params stay listed; local searches the runs
	}
	for _, run := range runs {
		for range run.Count {
			c.locals = append(c.locals, run.Type)
		}
	}
}

func (v *validator) blockSig(bt BlockType) (params, results []ValType) {
	if bt.Kind == BlockIndex {
		v.typeAt(bt.Index, v.code.offset)
	}
	return v.m.BlockSig(bt)
}

// function checks one function body.
func (v *validator) function(funcIdx uint32, code *Code) {
	c := &v.code
	c.funcIdx = funcIdx
	c.offset = code.Offset
	ft := v.funcTypes[funcIdx]
	v.setLocals(ft.Params, code.Locals)
	c.vals = c.vals[:0]
	c.ctrls = c.ctrls[:0]
	v.pushCtrl(OpBlock, nil, ft.Results)
	r := InstrReader{body: code.Body, base: code.Offset}
	in := &c.instr
	for len(c.ctrls) > 0 {
		if err := r.Next(in); err != nil {
			e, ok := err.(*Error)
			if !ok { // io.EOF before the final end
				e = malformed(int(r.Offset()), msgBodyEnd)
			}
			e.Func = int(funcIdx)
			panic(e)
		}
		c.offset = in.Offset
		v.instr(in)
	}
	if r.Next(in) != io.EOF {
		e := malformed(int(in.Offset), "section size mismatch")
		e.Func = int(funcIdx)
		panic(e)
	}
}

// instr applies one instruction to the operand and control stacks.
func (v *validator) instr(in *Instr) {
	c := &v.code
	switch in.Op {
	case OpUnreachable:
		v.setUnreachable()
	case OpBlock, OpLoop:
		params, results := v.blockSig(in.Block)
		v.popVals(params)
		v.pushCtrl(in.Op, params, results)
	case OpIf:
		params, results := v.blockSig(in.Block)
		v.popExpect(I32)
		v.popVals(params)
		v.pushCtrl(OpIf, params, results)
	case OpElse:
		if c.ctrls[len(c.ctrls)-1].op != OpIf {
			v.failCode("else without if")
		}
		f := v.popCtrl()
		v.pushCtrl(OpElse, f.params, f.results)
	case OpEnd:
		f := v.popCtrl()
		if f.op == OpIf && !slices.Equal(f.params, f.results) {
			v.failCode("type mismatch: if without else must leave its parameters unchanged")
		}
		v.pushVals(f.results)
	case OpBr:
		v.popVals(v.label(in.Index).labelTypes())
		v.setUnreachable()
	case OpBrIf:
		v.popExpect(I32)
		ts := v.label(in.Index).labelTypes()
		v.popVals(ts)
		v.pushVals(ts)
	case OpBrTable:
		v.brTable(in.Targets)
	case OpReturn:
		v.popVals(c.ctrls[0].results)
		v.setUnreachable()
	case OpCall:
		ft := v.funcType(in.Index, in.Offset)
		v.popVals(ft.Params)
		v.pushVals(ft.Results)
	case OpCallIndirect:
		if t := v.table(in.Index2, in.Offset); t.Elem != FuncRef {
			v.failCode("type mismatch: call_indirect on a table of %s", t.Elem)
		}
		ft := v.typeAt(in.Index, in.Offset)
		v.popExpect(I32)
		v.popVals(ft.Params)
		v.pushVals(ft.Results)
	case OpDrop:
		v.pop()
	case OpSelect:
		v.popExpect(I32)
		t1, t2 := v.pop(), v.pop()
		if t1.IsRef() || t2.IsRef() {
			v.failCode("type mismatch: select without a type needs numeric or vector operands")
		}
		if t1 != t2 && t1 != valUnknown && t2 != valUnknown {
			v.failCode("type mismatch: select operands %s and %s", t2, t1)
		}
		if t1 == valUnknown {
			t1 = t2
		}
		v.push(t1)
	case OpSelectT:
		if in.Index != 1 {
			v.failCode("invalid result arity")
		}
		v.popExpect(I32)
		v.popExpect(in.Type)
		v.popExpect(in.Type)
		v.push(in.Type)
	case OpLocalGet:
		v.push(v.local(in.Index))
	case OpLocalSet:
		v.popExpect(v.local(in.Index))
	case OpLocalTee:
		t := v.local(in.Index)
		v.popExpect(t)
		v.push(t)
	case OpGlobalGet:
		v.push(v.global(in.Index, in.Offset).Type)
	case OpGlobalSet:
		g := v.global(in.Index, in.Offset)
		if !g.Mutable {
			v.failCode("global is immutable")
		}
		v.popExpect(g.Type)
	case OpTableGet:
		t := v.table(in.Index, in.Offset).Elem
		v.popExpect(I32)
		v.push(t)
	case OpTableSet:
		t := v.table(in.Index, in.Offset).Elem
		v.popExpect(t)
		v.popExpect(I32)
	case OpTableGrow:
		t := v.table(in.Index, in.Offset).Elem
		v.popExpect(I32)
		v.popExpect(t)
		v.push(I32)
	case OpTableFill:
		t := v.table(in.Index, in.Offset).Elem
		v.popExpect(I32)
		v.popExpect(t)
		v.popExpect(I32)
	case OpRefNull:
		v.push(in.Type)
	case OpRefIsNull:
		if t := v.pop(); t != valUnknown && !t.IsRef() {
			v.failCode("type mismatch: expected a reference, got %s", t)
		}
		v.push(I32)
	case OpRefFunc:
		v.funcType(in.Index, in.Offset)
		if !v.isDeclared(in.Index) {
			v.failCode("undeclared function reference %d", in.Index)
		}
		v.push(FuncRef)
	default:
		v.fixed(in)
	}
}

// brTable checks a br_table: every label must carry as many values as the
// default one, and the operand stack must match each label's types.
func (v *validator) brTable(targets []uint32) {
	c := &v.code
	v.popExpect(I32)
	c.brStamp++
	defFrame := v.label(targets[len(targets)-1])
	def := defFrame.labelTypes()
	defFrame.brStamp = c.brStamp
	for _, l := range targets[:len(targets)-1] {
		f := v.label(l)
		if f.brStamp == c.brStamp {
			continue // this label was checked already: checking again changes nothing
		}
		f.brStamp = c.brStamp
		ts := f.labelTypes()
		if len(ts) != len(def) {
			v.failCode("type mismatch: br_table labels carry %d and %d values", len(ts), len(def))
		}
		// Pop the label's types and push back what was popped, which keeps
		// unknown values unknown.
		c.spill = c.spill[:0]
		for i := len(ts) - 1; i >= 0; i-- {
			c.spill = append(c.spill, v.popExpect(ts[i]))
		}
		for i := len(c.spill) - 1; i >= 0; i-- {
			v.push(c.spill[i])
		}
	}
	v.popVals(def)
	v.setUnreachable()
}

// fixed checks an instruction whose stack signature is fixed by its opcode,
// after the checks its immediates need.
func (v *validator) fixed(in *Instr) {
	info := in.Op.Info()
	switch info.Imm {
	case ImmMemarg, ImmMemlane:
		v.memory(0, in.Offset)
		if 1<<in.Mem.Align > uint32(info.Size) {
			v.failCode("alignment must not be larger than natural")
		}
		if info.Imm == ImmMemlane && uint32(in.Lane) >= 16/uint32(info.Size) {
			v.failCode("invalid lane index")
		}
	case ImmMemidx, ImmMemcopy:
		v.memory(0, in.Offset)
	case ImmMeminit:
		v.memory(0, in.Offset)
		v.dataSegment(in.Index)
	case ImmData:
		v.dataSegment(in.Index)
	case ImmLane:
		if in.Lane >= info.Size {
			v.failCode("invalid lane index")
		}
	case ImmShuffle:
		for _, w := range [2]uint64{in.Const, in.ConstHi} {
			for i := 0; i < 8; i++ {
				if byte(w>>(8*i)) >= 32 {
					v.failCode("invalid lane index")
				}
			}
		}
	case ImmTable:
		v.table(in.Index, in.Offset)
	case ImmTableinit:
		t := v.table(in.Index2, in.Offset)
		e := v.elemSegment(in.Index)
		if t.Elem != e.Type {
			v.failCode("type mismatch: table of %s, element segment of %s", t.Elem, e.Type)
		}
	case ImmElem:
		v.elemSegment(in.Index)
	case ImmTablecopy:
		dst, src := v.table(in.Index, in.Offset), v.table(in.Index2, in.Offset)
		if dst.Elem != src.Elem {
			v.failCode("type mismatch: copying %s into a table of %s", src.Elem, dst.Elem)
		}
	}
	if !info.Fixed {
		v.failCode("illegal opcode %s", info.Name) // every other opcode is handled in instr
	}
	v.popVals(info.params)
	v.pushVals(info.results)
}

func (v *validator) dataSegment(idx uint32) {
	if idx >= uint32(len(v.m.Datas)) {
		v.failCode("unknown data segment %d", idx)
	}
}

func (v *validator) elemSegment(idx uint32) *Elem {
	if idx >= uint32(len(v.m.Elems)) {
		v.failCode("unknown elem segment %d", idx)
	}
	return &v.m.Elems[idx]
}
