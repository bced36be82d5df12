package interp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/lower/numeric"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// code is a function prepared for execution: blocks by position, each
// instruction with its kind, successor positions and, for pure
// instructions, the wasm.Instr numeric.Eval takes.
type code struct {
	f      *ir.Func
	blocks []cblock
}

type cblock struct {
	params []ir.Value
	instrs []cinstr
}

type cinstr struct {
	*ir.Instr
	kind ir.Kind
	w    *wasm.Instr // KindPure
	succ []int       // block positions of Succs
	mem  *memOp      // KindLoad, KindStore
}

func compile(f *ir.Func) *code {
	pos := map[*ir.Block]int{}
	for i, b := range f.Blocks {
		pos[b] = i
	}
	c := &code{f: f, blocks: make([]cblock, len(f.Blocks))}
	for i, b := range f.Blocks {
		cb := &c.blocks[i]
		cb.params = b.Params
		for _, in := range b.Instrs {
			ci := cinstr{Instr: in, kind: in.Op.Info().Kind}
			switch ci.kind {
			case ir.KindPure:
				ci.w = &wasm.Instr{Op: wasm.Opcode(in.Op), Lane: in.Lane, Const: in.Const, ConstHi: in.ConstHi}
			case ir.KindLoad, ir.KindStore:
				ci.mem = memOps[wasm.Opcode(in.Op)]
			}
			for _, s := range in.Succs {
				ci.succ = append(ci.succ, pos[s.Block])
			}
			cb.instrs = append(cb.instrs, ci)
		}
	}
	return c
}

// machine runs one call from the host into wasm, with its nested calls.
type machine struct {
	ctx context.Context
	eng *Engine
	// frames lists the active functions, innermost last. A trap unwinds
	// by panicking, which leaves frames as it was at the trap, so recover
	// can name the trapping function.
	frames []*Function
	polls  int
}

// trapPanic carries a trap or a host error up the Go stack to recover.
type trapPanic struct{ err error }

func internalf(format string, args ...any) {
	panic(trapPanic{fmt.Errorf("%w: %s", ErrInternal, fmt.Sprintf(format, args...))})
}

// recover turns a trapPanic into *err, naming the innermost wasm
// function in a trap; other panics continue.
func (mc *machine) recover(err *error) {
	if r := recover(); r != nil {
		tp, ok := r.(trapPanic)
		if !ok {
			panic(r)
		}
		var trap *abi.Trap
		if errors.As(tp.err, &trap) && trap.Func < 0 {
			for i := len(mc.frames) - 1; i >= 0; i-- {
				if f := mc.frames[i]; f.code != nil {
					trap.Func, trap.FuncName = int(f.code.f.Index), f.name
					break
				}
			}
		}
		*err = tp.err
	}
}

// interruptPollInterval is how many interrupt checks pass between looks
// at the context, which costs more than a counter.
const interruptPollInterval = 1024

// call runs f; caller is the calling instance (nil when called from Go),
// which a host function sees as its Caller.
func (mc *machine) call(f *Function, args []Value, caller *Instance) []Value {
	if len(mc.frames) >= mc.eng.MaxCallDepth {
		trap(abi.TrapCallStackExhausted)
	}
	mc.frames = append(mc.frames, f)
	var results []Value
	if f.host != nil {
		results = mc.callHost(f, args, caller)
	} else {
		results = mc.run(f, args)
	}
	mc.frames = mc.frames[:len(mc.frames)-1]
	return results
}

type hostCaller struct{ inst *Instance }

func (c hostCaller) Memory() []byte {
	if c.inst == nil {
		return nil
	}
	return c.inst.Memory()
}

func (mc *machine) callHost(f *Function, args []Value, caller *Instance) []Value {
	h := f.host
	n := 0
	for _, t := range h.Params {
		n += t.Slots()
	}
	m := 0
	for _, t := range h.Results {
		m += t.Slots()
	}
	stack := make([]uint64, max(n, m))
	i := 0
	for k, t := range h.Params {
		stack[i] = args[k].Lo
		if t == abi.V128 {
			stack[i+1] = args[k].Hi
		}
		i += t.Slots()
	}
	if err := h.Fn(mc.ctx, hostCaller{caller}, stack); err != nil {
		var trap *abi.Trap
		if errors.As(err, &trap) {
			panic(trapPanic{trap})
		}
		if cause := mc.ctx.Err(); cause != nil && errors.Is(err, cause) {
			// The host function gave up because the call's context
			// ended: the guest ends as an interrupt check would end it.
			panic(trapPanic{fmt.Errorf("%w: %w", &abi.Trap{Code: abi.TrapInterrupted, Func: -1, Offset: -1}, err)})
		}
		panic(trapPanic{err})
	}
	results := make([]Value, len(h.Results))
	i = 0
	for k, t := range h.Results {
		results[k].Lo = stack[i]
		if t == abi.V128 {
			results[k].Hi = stack[i+1]
		}
		i += t.Slots()
	}
	return results
}

// run interprets a wasm function.
func (mc *machine) run(fn *Function, args []Value) []Value {
	c := fn.code
	inst := fn.inst
	regs := make([]Value, len(c.f.Types))
	for i, p := range c.blocks[0].params {
		regs[p] = args[i]
	}
	var argBuf [3]Value
	var edgeBuf []Value
	bi := 0
	for {
		b := &c.blocks[bi]
	instrs:
		for k := range b.instrs {
			in := &b.instrs[k]
			switch in.kind {
			case ir.KindConst:
				regs[in.Results[0]] = Value{Lo: in.Const, Hi: in.ConstHi}
			case ir.KindPure:
				a := argBuf[:len(in.Args)]
				for i, v := range in.Args {
					a[i] = regs[v]
				}
				r, trap := numeric.Eval(in.w, a)
				if trap != abi.TrapNone {
					internalf("unguarded %s trapped with %v", in.Op, trap)
				}
				regs[in.Results[0]] = r
			case ir.KindLoad:
				regs[in.Results[0]] = inst.load(in, regs)
			case ir.KindStore:
				inst.store(in, regs)
			case ir.KindSpecial:
				mc.special(inst, in, regs)
			case ir.KindTerminator:
				switch in.Op {
				case ir.OpReturn:
					out := make([]Value, len(in.Args))
					for i, v := range in.Args {
						out[i] = regs[v]
					}
					return out
				case ir.OpTrap:
					trap(in.Trap)
				}
				s := 0
				switch in.Op {
				case ir.OpBrIf:
					if uint32(regs[in.Args[0]].Lo) == 0 {
						s = 1
					}
				case ir.OpSwitch:
					s = int(min(uint64(uint32(regs[in.Args[0]].Lo)), uint64(len(in.succ)-1)))
				}
				// Block arguments are a parallel copy: read them all first.
				edge := in.Succs[s]
				edgeBuf = edgeBuf[:0]
				for _, v := range edge.Args {
					edgeBuf = append(edgeBuf, regs[v])
				}
				bi = in.succ[s]
				for i, p := range c.blocks[bi].params {
					regs[p] = edgeBuf[i]
				}
				break instrs
			}
		}
	}
}

// special executes the operations typed by their own rules.
func (mc *machine) special(inst *Instance, in *cinstr, regs []Value) {
	arg := func(i int) Value { return regs[in.Args[i]] }
	u32 := func(i int) uint32 { return uint32(regs[in.Args[i]].Lo) }
	set := func(v Value) { regs[in.Results[0]] = v }
	switch in.Op {
	case ir.OpSelect:
		if u32(2) != 0 {
			set(arg(0))
		} else {
			set(arg(1))
		}
	case ir.OpBoundsCheck:
		if uint64(u32(0))+in.Const > uint64(len(inst.mems[in.Index].Data)) {
			trap(abi.TrapMemoryOutOfBounds)
		}
	case ir.OpTrapIf:
		if u32(0) != 0 {
			trap(in.Trap)
		}
	case ir.OpInterruptCheck:
		mc.polls++
		if mc.polls%interruptPollInterval == 0 && mc.ctx.Err() != nil {
			// Like rtlib, the trap wraps the context's error, so callers
			// can tell a deadline from a cancellation.
			panic(trapPanic{fmt.Errorf("%w: %w", &abi.Trap{Code: abi.TrapInterrupted, Func: -1, Offset: -1}, context.Cause(mc.ctx))})
		}
	case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect:
		mc.callInstr(inst, in, regs)
	case ir.OpGlobalGet:
		set(inst.globals[in.Index].Val)
	case ir.OpGlobalSet:
		inst.globals[in.Index].Val = arg(0)
	case ir.OpRefNull:
		set(Value{})
	case ir.OpRefIsNull:
		set(Value{Lo: boolBits(arg(0).Lo == 0)})
	case ir.OpRefFunc:
		set(Value{Lo: inst.funcs[in.Index].ref})
	case ir.OpMemorySize:
		set(Value{Lo: uint64(len(inst.mems[in.Index].Data) / pageSize)})
	case ir.OpMemoryGrow:
		set(Value{Lo: uint64(uint32(inst.mems[in.Index].grow(u32(0))))})
	case ir.OpMemoryFill:
		inst.memoryFill(in.Index, u32(0), byte(u32(1)), u32(2))
	case ir.OpMemoryCopy:
		inst.memoryCopy(in.Index, u32(0), u32(1), u32(2))
	case ir.OpMemoryInit:
		inst.memoryInit(0, in.Index, u32(0), u32(1), u32(2))
	case ir.OpDataDrop:
		inst.datas[in.Index] = nil
	case ir.OpTableGet:
		t := inst.tables[in.Index]
		if u32(0) >= uint32(len(t.Elems)) {
			trap(abi.TrapTableOutOfBounds)
		}
		set(Value{Lo: t.Elems[u32(0)]})
	case ir.OpTableSet:
		t := inst.tables[in.Index]
		if u32(0) >= uint32(len(t.Elems)) {
			trap(abi.TrapTableOutOfBounds)
		}
		t.Elems[u32(0)] = arg(1).Lo
	case ir.OpTableSize:
		set(Value{Lo: uint64(len(inst.tables[in.Index].Elems))})
	case ir.OpTableGrow:
		set(Value{Lo: uint64(uint32(inst.tables[in.Index].grow(u32(1), arg(0).Lo)))})
	case ir.OpTableFill:
		inst.tableFill(in.Index, u32(0), arg(1).Lo, u32(2))
	case ir.OpTableCopy:
		inst.tableCopy(in.Index, in.Index2, u32(0), u32(1), u32(2))
	case ir.OpTableInit:
		inst.tableInit(in.Index2, in.Index, u32(0), u32(1), u32(2))
	case ir.OpElemDrop:
		inst.elems[in.Index] = nil
	default:
		internalf("no interpreter rule for %s", in.Op)
	}
}

func boolBits(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (mc *machine) callInstr(inst *Instance, in *cinstr, regs []Value) {
	args := make([]Value, len(in.Args))
	for i, v := range in.Args {
		args[i] = regs[v]
	}
	var f *Function
	if in.Op == ir.OpCallIndirect {
		idx := uint32(args[len(args)-1].Lo)
		args = args[:len(args)-1]
		t := inst.tables[in.Index2]
		if idx >= uint32(len(t.Elems)) {
			trap(abi.TrapUndefinedElement)
		}
		ref := t.Elems[idx]
		if ref == 0 {
			trap(abi.TrapUninitializedElement)
		}
		f = mc.eng.funcByRef(ref)
		want := &inst.mod.Wasm.Types[in.Index]
		if f == nil || !slices.Equal(f.Type.Params, want.Params) || !slices.Equal(f.Type.Results, want.Results) {
			trap(abi.TrapIndirectCallTypeMismatch)
		}
	} else {
		f = inst.funcs[in.Index]
	}
	results := mc.call(f, args, inst)
	for i, r := range in.Results {
		regs[r] = results[i]
	}
}
