package lower

import (
	"errors"
	"io"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// funcLowerer translates one function body.
type funcLowerer struct {
	m          *wasm.Module
	f          *ir.Func
	localTypes []ir.Type
	blocks     []*blockState // by block ID (lowering numbers blocks densely)
	// defs maps (block ID, local) to the local's current value in that
	// block (see ssa.go); gen tells this function's blockStates from
	// those a reused lowerer kept from earlier functions.
	defs defTable
	gen  uint32
	a    arena

	cur    *ir.Block  // block being filled; nil while the code is unreachable
	stack  []ir.Value // wasm operand stack
	frames []frame    // control stack; frames[0] is the function body
}

type frameKind uint8

const (
	frameFunc frameKind = iota
	frameBlock
	frameLoop
	frameIf
)

type frame struct {
	kind            frameKind
	params, results []ir.Type
	height          int  // stack height below the frame's parameters
	dead            bool // opened in unreachable code: not lowered at all
	// label is where a branch to this frame goes: the loop header for a
	// loop; otherwise the continuation after end, created on first use.
	label *ir.Block
	// if only: the false successor, until else is reached, and the
	// parameter values to give it.
	elseBlock *ir.Block
	ifParams  []ir.Value
}

func (l *funcLowerer) newBlock(params []ir.Type) *ir.Block {
	b := l.f.NewBlock()
	for _, t := range params {
		b.Params = append(b.Params, l.f.NewValue(t))
	}
	return b
}

// body lowers the whole instruction sequence of the function.
func (l *funcLowerer) body(r *wasm.InstrReader) error {
	entry := l.newBlock(l.f.Sig.Params)
	l.state(entry).sealed = true
	for i, p := range entry.Params {
		l.setDef(entry, uint32(i), p)
	}
	l.cur = entry
	l.frames = append(l.frames, frame{kind: frameFunc, results: l.f.Sig.Results})
	l.add(ir.Instr{Op: ir.OpInterruptCheck})
	var in wasm.Instr
	for {
		err := r.Next(&in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := l.instr(&in); err != nil {
			return err
		}
	}
	if len(l.frames) != 0 {
		return errors.New("function body does not end with end")
	}
	return nil
}

// add appends in to the current block and returns its first result.
func (l *funcLowerer) add(in ir.Instr, results ...ir.Type) ir.Value {
	p := l.addInstr(in, results...)
	if len(p.Results) > 0 {
		return p.Results[0]
	}
	return noValue
}

// addInstr appends in, with new values of types results as its results,
// to the current block and returns it.
func (l *funcLowerer) addInstr(in ir.Instr, results ...ir.Type) *ir.Instr {
	p := l.a.instr(in)
	p.Results = l.a.values(len(results))
	for i, t := range results {
		p.Results[i] = l.f.NewValue(t)
	}
	l.cur.Instrs = l.a.appendInstr(l.cur.Instrs, p)
	if p.Op.IsTerminator() {
		l.addEdges(l.cur, p.Succs)
		l.cur = nil
	}
	return p
}

func (l *funcLowerer) push(vs ...ir.Value) { l.stack = append(l.stack, vs...) }

func (l *funcLowerer) pop() ir.Value {
	v := l.stack[len(l.stack)-1]
	l.stack = l.stack[:len(l.stack)-1]
	return v
}

// popN removes and returns the top n values, in stack order.
func (l *funcLowerer) popN(n int) []ir.Value {
	vs := l.a.list(l.stack[len(l.stack)-n:]...)
	l.stack = l.stack[:len(l.stack)-n]
	return vs
}

func (l *funcLowerer) top(n int) []ir.Value { return l.a.list(l.stack[len(l.stack)-n:]...) }

// branchTarget returns the edge for a branch to label depth, taking its
// arguments from the top of the stack (the stack is left as it is).
func (l *funcLowerer) branchTarget(depth uint32) *ir.BlockCall {
	fr := &l.frames[len(l.frames)-1-int(depth)]
	if fr.kind == frameLoop {
		return l.a.edge(fr.label, l.top(len(fr.params)))
	}
	if fr.label == nil {
		fr.label = l.newBlock(fr.results)
		if fr.kind == frameFunc {
			// The function's label returns its parameters.
			saved := l.cur
			l.cur = fr.label
			l.state(fr.label).sealed = true // its defs are never read
			l.add(ir.Instr{Op: ir.OpReturn, Args: l.a.list(fr.label.Params...)})
			l.cur = saved
		}
	}
	return l.a.edge(fr.label, l.top(len(fr.results)))
}

// control lowers block, loop, if, else, end and the branches; it reports
// whether in was one of them.
func (l *funcLowerer) control(in *wasm.Instr) bool {
	switch in.Op {
	case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
		params, results := l.m.BlockSig(in.Block)
		fr := frame{params: params, results: results, kind: frameBlock}
		switch in.Op {
		case wasm.OpLoop:
			fr.kind = frameLoop
		case wasm.OpIf:
			fr.kind = frameIf
		}
		if l.cur == nil {
			fr.dead = true
			l.frames = append(l.frames, fr)
			return true
		}
		switch in.Op {
		case wasm.OpLoop:
			header := l.newBlock(params)
			l.add(ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{l.a.edge(header, l.popN(len(params)))}})
			l.cur = header
			l.push(header.Params...)
			l.add(ir.Instr{Op: ir.OpInterruptCheck})
			fr.label = header
		case wasm.OpIf:
			cond := l.pop()
			then, els := l.f.NewBlock(), l.f.NewBlock()
			l.add(ir.Instr{Op: ir.OpBrIf, Args: l.a.list(cond), Succs: []*ir.BlockCall{l.a.edge(then, nil), l.a.edge(els, nil)}})
			l.seal(then)
			l.seal(els)
			l.cur = then
			fr.elseBlock, fr.ifParams = els, l.top(len(params))
		}
		fr.height = len(l.stack) - len(params)
		l.frames = append(l.frames, fr)
	case wasm.OpElse:
		fr := &l.frames[len(l.frames)-1]
		if !fr.dead {
			l.toElse(fr)
		}
	case wasm.OpEnd:
		l.end()
	case wasm.OpBr:
		if l.cur != nil {
			l.br(in.Index)
		}
	case wasm.OpBrIf:
		if l.cur != nil {
			cond := l.pop()
			cont := l.f.NewBlock()
			l.add(ir.Instr{Op: ir.OpBrIf, Args: l.a.list(cond), Succs: []*ir.BlockCall{l.branchTarget(in.Index), l.a.edge(cont, nil)}})
			l.seal(cont)
			l.cur = cont
		}
	case wasm.OpBrTable:
		if l.cur != nil {
			idx := l.pop()
			sw := ir.Instr{Op: ir.OpSwitch, Args: l.a.list(idx), Succs: make([]*ir.BlockCall, 0, len(in.Targets))}
			for _, t := range in.Targets {
				sw.Succs = append(sw.Succs, l.branchTarget(t))
			}
			l.add(sw)
		}
	case wasm.OpReturn:
		if l.cur != nil {
			l.br(uint32(len(l.frames) - 1))
		}
	case wasm.OpUnreachable:
		if l.cur != nil {
			l.add(ir.Instr{Op: ir.OpTrap, Trap: abi.TrapUnreachable})
		}
	default:
		return false
	}
	return true
}

// br is an unconditional branch to label depth; a branch to the function
// label returns directly.
func (l *funcLowerer) br(depth uint32) {
	if int(depth) == len(l.frames)-1 {
		l.add(ir.Instr{Op: ir.OpReturn, Args: l.top(len(l.f.Sig.Results))})
		return
	}
	l.add(ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{l.branchTarget(depth)}})
}

// toElse ends the then-arm of an if and starts its else-arm.
func (l *funcLowerer) toElse(fr *frame) {
	if l.cur != nil {
		l.add(ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{l.branchTarget(0)}})
	}
	l.cur = fr.elseBlock
	fr.elseBlock = nil
	l.stack = append(l.stack[:fr.height], fr.ifParams...)
}

func (l *funcLowerer) end() {
	fr := &l.frames[len(l.frames)-1]
	if fr.dead {
		l.frames = l.frames[:len(l.frames)-1]
		return
	}
	if fr.kind == frameIf && fr.elseBlock != nil {
		l.toElse(fr) // an if without else passes its parameters through
	}
	switch {
	case fr.kind == frameFunc:
		if l.cur != nil {
			l.add(ir.Instr{Op: ir.OpReturn, Args: l.top(len(fr.results))})
		}
		if fr.label != nil {
			l.seal(fr.label)
		}
	case fr.kind == frameLoop:
		l.seal(fr.label)
		// Falling out of a loop continues in the current block.
	case fr.label != nil:
		if l.cur != nil {
			l.add(ir.Instr{Op: ir.OpJump, Succs: []*ir.BlockCall{l.branchTarget(0)}})
		}
		l.seal(fr.label)
		l.cur = fr.label
		l.stack = append(l.stack[:fr.height], fr.label.Params...)
	}
	// Without a label nobody branched here: the current block (if any)
	// simply continues with the results on the stack.
	if l.cur == nil {
		l.stack = l.stack[:fr.height]
	}
	l.frames = l.frames[:len(l.frames)-1]
}
