package amd64

import (
	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Register roles. Generated functions follow the SysV ABI at their
// boundaries (rtlib/abi: VMContext first, a results area second when there
// are several results); inside, two callee-saved registers hold per-call
// invariants and a few registers are scratch for single instructions.
const (
	regVMCtx   = R15 // the VMContext, for the whole function
	regMemBase = R14 // memory 0's base address (never moves), when used
	// Scratch registers: never allocated, free for use inside one
	// instruction's code. RAX/RDX are also idiv's and the return value's
	// registers, RCX the shift count.
	tmpA = RAX
	tmpC = RCX
	tmpD = RDX
	tmpR = R11 // the edge-copy cycle breaker, and addresses
	// Vector scratch registers.
	xtmp0  = XMM0
	xtmp1  = XMM0 + 1
	xtmp2  = XMM0 + 2
	xtmp3  = XMM0 + 14 // SIMD sequences' fourth temporary
	xcycle = XMM0 + 15 // the float edge-copy cycle breaker; a SIMD temporary inside instructions
)

// allocConfig describes the registers to backend/regalloc.
var allocConfig = &regalloc.Config{
	Allocatable: [regalloc.NumClasses][]regalloc.Reg{
		regalloc.Int: {regalloc.Reg(RSI), regalloc.Reg(RDI), regalloc.Reg(R8), regalloc.Reg(R9), regalloc.Reg(R10),
			regalloc.Reg(RBX), regalloc.Reg(R12), regalloc.Reg(R13), regalloc.Reg(RBP)},
		regalloc.Float: xmmRange(3, 14),
	},
	CalleeSaved: regalloc.RegSet(0).With(regalloc.Reg(RBX)).With(regalloc.Reg(RBP)).
		With(regalloc.Reg(R12)).With(regalloc.Reg(R13)),
	ClassOf:      classOf,
	SlotSize:     func(t ir.Type) int { return slotSize(t) },
	Clobbers:     clobbers,
	TiesOperand0: tiesOperand0,
	Remat:        remat,
}

// remat accepts the integer constants that fit a sign-extended imm32:
// rules fold them into operand forms (imm32), and elsewhere one mov
// recreates them, which is cheaper than the register they would hold.
func remat(in *ir.Instr) bool {
	switch in.Op {
	case ir.Op(wasm.OpI32Const):
		return true
	case ir.Op(wasm.OpI64Const):
		return int64(in.Const) >= -1<<31 && int64(in.Const) < 1<<31
	}
	return false
}

func xmmRange(lo, hi int) []regalloc.Reg {
	var rs []regalloc.Reg
	for i := lo; i < hi; i++ {
		rs = append(rs, regalloc.Reg(XMM0)+regalloc.Reg(i))
	}
	return rs
}

func classOf(t ir.Type) regalloc.Class {
	if isXMM(t) {
		return regalloc.Float
	}
	return regalloc.Int
}

// isXMM reports whether values of type t live in vector registers.
func isXMM(t ir.Type) bool { return t == ir.F32 || t == ir.F64 || t == ir.V128 }

// slotSize is the spill-slot size: every vector-register value takes 16
// bytes so that edge copies can move whole registers without knowing the
// type.
func slotSize(t ir.Type) int {
	if isXMM(t) {
		return 16
	}
	return 8
}

// clobbers reports the instructions implemented with a call.
func clobbers(in *ir.Instr) bool {
	switch in.Op {
	case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect, ir.OpMemoryGrow, ir.OpMemoryFill,
		ir.OpMemoryCopy, ir.OpMemoryInit, ir.OpDataDrop, ir.OpTableGrow, ir.OpTableFill,
		ir.OpTableCopy, ir.OpTableInit, ir.OpElemDrop:
		return true
	}
	return false
}

// callsWasm reports whether f calls a wasm function, and so needs the
// stack-limit check in its prologue.
func callsWasm(f *ir.Func) bool {
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect:
				return true
			}
		}
	}
	return false
}

var (
	intArgRegs   = []Reg{RDI, RSI, RDX, RCX, R8, R9}
	floatArgRegs = []Reg{XMM0, XMM0 + 1, XMM0 + 2, XMM0 + 3, XMM0 + 4, XMM0 + 5, XMM0 + 6, XMM0 + 7}
)

// argLoc is where the SysV convention passes one argument: a register,
// or the stack at an offset from the first stack argument.
type argLoc struct {
	reg     Reg
	onStack bool
	off     int32
}

// classifyArgs places a wasm function's arguments under the calling
// convention: vmctx in RDI, the results area in RSI when there are several
// results, then the parameters. It returns their places and the size of
// the stack-argument area (a multiple of 16).
func classifyArgs(sig *wasm.FuncType) ([]argLoc, int32) {
	nInt := 1 // vmctx
	if len(sig.Results) > 1 {
		nInt++
	}
	nFloat := 0
	var stack int32
	locs := make([]argLoc, len(sig.Params))
	for i, t := range sig.Params {
		switch {
		case isXMM(t) && nFloat < len(floatArgRegs):
			locs[i] = argLoc{reg: floatArgRegs[nFloat]}
			nFloat++
		case !isXMM(t) && nInt < len(intArgRegs):
			locs[i] = argLoc{reg: intArgRegs[nInt]}
			nInt++
		case t == ir.V128:
			stack = (stack + 15) &^ 15
			locs[i] = argLoc{onStack: true, off: stack}
			stack += 16
		default:
			locs[i] = argLoc{onStack: true, off: stack}
			stack += 8
		}
	}
	return locs, (stack + 15) &^ 15
}

// resultReg is the register a single result is returned in.
func resultReg(t ir.Type) Reg {
	if isXMM(t) {
		return XMM0
	}
	return RAX
}
