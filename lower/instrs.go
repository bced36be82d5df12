package lower

import (
	"fmt"
	"math"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// instr lowers one wasm instruction.
func (l *funcLowerer) instr(in *wasm.Instr) error {
	if l.control(in) {
		return nil
	}
	if l.cur == nil {
		return nil // unreachable code is not lowered
	}
	info := in.Op.Info()
	if info == nil {
		return fmt.Errorf("unknown opcode %#x at offset %d", uint16(in.Op), in.Offset)
	}
	op := ir.Op(in.Op)
	switch in.Op {
	case wasm.OpNop:
	case wasm.OpDrop:
		l.pop()
	case wasm.OpSelect, wasm.OpSelectT:
		args := l.popN(3)
		l.push(l.add(ir.Instr{Op: ir.OpSelect, Args: args}, l.f.Types[args[0]]))
	case wasm.OpLocalGet:
		l.push(l.readLocal(in.Index))
	case wasm.OpLocalSet:
		l.writeLocal(in.Index, l.pop())
	case wasm.OpLocalTee:
		l.writeLocal(in.Index, l.stack[len(l.stack)-1])
	case wasm.OpGlobalGet:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index}, l.m.GlobalTypeOf(in.Index).Type))
	case wasm.OpGlobalSet:
		l.add(ir.Instr{Op: op, Index: in.Index, Args: l.a.list(l.pop())})
	case wasm.OpCall:
		ft := l.m.FuncTypeOf(in.Index)
		if in.Index < l.m.NumImportedFuncs {
			op = ir.OpCallImport
		}
		call := l.addInstr(ir.Instr{Op: op, Index: in.Index, Args: l.popN(len(ft.Params))}, ft.Results...)
		l.push(call.Results...)
	case wasm.OpCallIndirect:
		ft := &l.m.Types[in.Index]
		call := l.addInstr(ir.Instr{Op: op, Index: in.Index, Index2: in.Index2, Args: l.popN(len(ft.Params) + 1)}, ft.Results...)
		l.push(call.Results...)
	case wasm.OpRefNull:
		l.push(l.add(ir.Instr{Op: op, Type: in.Type}, in.Type))
	case wasm.OpRefIsNull:
		l.push(l.add(ir.Instr{Op: op, Args: l.a.list(l.pop())}, ir.I32))
	case wasm.OpRefFunc:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index}, ir.FuncRef))
	case wasm.OpTableGet:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index, Args: l.a.list(l.pop())}, l.m.TableTypeOf(in.Index).Elem))
	case wasm.OpTableSet, wasm.OpTableFill, wasm.OpTableCopy, wasm.OpTableInit,
		wasm.OpMemoryFill, wasm.OpMemoryCopy, wasm.OpMemoryInit:
		n := 3
		if in.Op == wasm.OpTableSet {
			n = 2
		}
		l.add(ir.Instr{Op: op, Index: in.Index, Index2: in.Index2, Args: l.popN(n)})
	case wasm.OpTableGrow:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index, Args: l.popN(2)}, ir.I32))
	case wasm.OpTableSize, wasm.OpMemorySize:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index}, ir.I32))
	case wasm.OpMemoryGrow:
		l.push(l.add(ir.Instr{Op: op, Index: in.Index, Args: l.a.list(l.pop())}, ir.I32))
	case wasm.OpElemDrop, wasm.OpDataDrop:
		l.add(ir.Instr{Op: op, Index: in.Index})
	case wasm.OpI32Const:
		l.push(l.constant(ir.I32, uint64(uint32(in.Const))))
	case wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const:
		l.push(l.add(ir.Instr{Op: op, Const: in.Const}, wasm.SigType(info.Results[0])))
	case wasm.OpV128Const:
		l.push(l.add(ir.Instr{Op: op, Const: in.Const, ConstHi: in.ConstHi}, ir.V128))
	default:
		return l.numericOrMemory(in, info)
	}
	return nil
}

// numericOrMemory lowers loads, stores and pure numeric instructions.
func (l *funcLowerer) numericOrMemory(in *wasm.Instr, info *wasm.OpInfo) error {
	op := ir.Op(in.Op)
	irInfo := op.Info()
	if irInfo == nil {
		return fmt.Errorf("%s at offset %d has no IR operation", info.Name, in.Offset)
	}
	args := l.popN(len(info.Params))
	out := ir.Instr{Op: op, Args: args, Lane: in.Lane, Const: in.Const, ConstHi: in.ConstHi}
	switch irInfo.Kind {
	case ir.KindLoad, ir.KindStore:
		size := uint64(info.Size)
		l.add(ir.Instr{Op: ir.OpBoundsCheck, Args: l.a.list(args[0]), Const: uint64(in.Mem.Offset) + size})
		out.Offset, out.Align, out.Const, out.ConstHi = in.Mem.Offset, uint8(in.Mem.Align), 0, 0
	case ir.KindPure:
		l.guard(in.Op, args)
		if in.Op == wasm.OpI32RemS || in.Op == wasm.OpI64RemS {
			out.Args = l.a.list(args[0], l.avoidMinusOne(in.Op, args[1]))
		}
	default:
		return fmt.Errorf("%s at offset %d: unexpected operation kind", info.Name, in.Offset)
	}
	if r := irInfo.Results; len(r) > 0 {
		l.push(l.add(out, r[0]))
	} else {
		l.add(out)
	}
	return nil
}

func (l *funcLowerer) constant(t ir.Type, bits uint64) ir.Value {
	return l.add(ir.Instr{Op: constOp(t), Const: bits}, t)
}

func constOp(t ir.Type) ir.Op {
	switch t {
	case ir.I32:
		return ir.Op(wasm.OpI32Const)
	case ir.I64:
		return ir.Op(wasm.OpI64Const)
	case ir.F32:
		return ir.Op(wasm.OpF32Const)
	case ir.F64:
		return ir.Op(wasm.OpF64Const)
	case ir.V128:
		return ir.Op(wasm.OpV128Const)
	}
	return 0
}

// zeroOp is the op that makes t's zero value (ref.null for references).
func zeroOp(t ir.Type) ir.Op {
	if t.IsRef() {
		return ir.OpRefNull
	}
	return constOp(t)
}

func (l *funcLowerer) binary(op wasm.Opcode, a, b ir.Value) ir.Value {
	return l.add(ir.Instr{Op: ir.Op(op), Args: l.a.list(a, b)}, wasm.SigType(op.Info().Results[0]))
}

func (l *funcLowerer) trapIf(cond ir.Value, code abi.TrapCode) {
	l.add(ir.Instr{Op: ir.OpTrapIf, Args: l.a.list(cond), Trap: code})
}

// intOps are the integer operations the guards need, per width.
type intOps struct {
	t                      ir.Type
	eqz                    wasm.Opcode
	eq, and                wasm.Opcode
	min                    uint64 // bits of the most negative value
	minusOne               uint64
	divS, divU, remS, remU wasm.Opcode
}

var (
	ops32 = intOps{ir.I32, wasm.OpI32Eqz, wasm.OpI32Eq, wasm.OpI32And, 1 << 31, math.MaxUint32,
		wasm.OpI32DivS, wasm.OpI32DivU, wasm.OpI32RemS, wasm.OpI32RemU}
	ops64 = intOps{ir.I64, wasm.OpI64Eqz, wasm.OpI64Eq, wasm.OpI64And, 1 << 63, math.MaxUint64,
		wasm.OpI64DivS, wasm.OpI64DivU, wasm.OpI64RemS, wasm.OpI64RemU}
)

// truncRange gives, for a trapping float-to-int truncation, the operand
// type and the bounds outside which the result overflows: the operation
// traps if x < low (x <= low when lowInclusive) or x >= high.
type truncRange struct {
	float        ir.Type
	low, high    float64
	lowInclusive bool // trap when x <= low, else when x < low
}

var truncRanges = map[wasm.Opcode]truncRange{
	wasm.OpI32TruncF32S: {ir.F32, -2147483648, 2147483648, false},
	wasm.OpI32TruncF64S: {ir.F64, -2147483649, 2147483648, true},
	wasm.OpI32TruncF32U: {ir.F32, -1, 4294967296, true},
	wasm.OpI32TruncF64U: {ir.F64, -1, 4294967296, true},
	wasm.OpI64TruncF32S: {ir.F32, -9223372036854775808, 9223372036854775808, false},
	wasm.OpI64TruncF64S: {ir.F64, -9223372036854775808, 9223372036854775808, false},
	wasm.OpI64TruncF32U: {ir.F32, -1, 18446744073709551616, true},
	wasm.OpI64TruncF64U: {ir.F64, -1, 18446744073709551616, true},
}

func (l *funcLowerer) floatConst(t ir.Type, x float64) ir.Value {
	if t == ir.F32 {
		return l.constant(t, uint64(math.Float32bits(float32(x))))
	}
	return l.constant(t, math.Float64bits(x))
}

// guard emits the trap checks that make a trapping numeric instruction
// total: division by zero, signed overflow, NaN and out-of-range truncation.
func (l *funcLowerer) guard(op wasm.Opcode, args []ir.Value) {
	for _, o := range []intOps{ops32, ops64} {
		switch op {
		case o.divU, o.remU, o.divS, o.remS:
			l.trapIf(l.add(ir.Instr{Op: ir.Op(o.eqz), Args: args[1:2]}, ir.I32), abi.TrapIntegerDivideByZero)
		}
		if op == o.divS {
			isMin := l.binary(o.eq, args[0], l.constant(o.t, o.min))
			isMinusOne := l.binary(o.eq, args[1], l.constant(o.t, o.minusOne))
			l.trapIf(l.binary(wasm.OpI32And, isMin, isMinusOne), abi.TrapIntegerOverflow)
		}
	}
	r, ok := truncRanges[op]
	if !ok {
		return
	}
	x := args[0]
	ne, lt, le, ge := wasm.OpF32Ne, wasm.OpF32Lt, wasm.OpF32Le, wasm.OpF32Ge
	if r.float == ir.F64 {
		ne, lt, le, ge = wasm.OpF64Ne, wasm.OpF64Lt, wasm.OpF64Le, wasm.OpF64Ge
	}
	l.trapIf(l.binary(ne, x, x), abi.TrapInvalidConversion)
	below := lt
	if r.lowInclusive {
		below = le
	}
	tooLow := l.binary(below, x, l.floatConst(r.float, r.low))
	tooHigh := l.binary(ge, x, l.floatConst(r.float, r.high))
	l.trapIf(l.binary(wasm.OpI32Or, tooLow, tooHigh), abi.TrapIntegerOverflow)
}

// avoidMinusOne returns a divisor for rem_s that is 1 where d is -1: the
// remainder is 0 either way, and a machine's INT_MIN % -1 overflows.
func (l *funcLowerer) avoidMinusOne(op wasm.Opcode, d ir.Value) ir.Value {
	o := ops32
	if op == wasm.OpI64RemS {
		o = ops64
	}
	isMinusOne := l.binary(o.eq, d, l.constant(o.t, o.minusOne))
	return l.add(ir.Instr{Op: ir.OpSelect, Args: l.a.list(l.constant(o.t, 1), d, isMinusOne)}, o.t)
}
