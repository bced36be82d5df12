package arm64

import (
	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// This file fixes the register roles and the AAPCS64 argument assignment.
//
// Register roles in generated functions:
//
//	x0–x13, x21–x27   allocatable (x19–x27 callee-saved)
//	x14               address scratch (memory operands out of range)
//	x15               move scratch (slot-to-slot copies)
//	x16, x17          operand scratch (IP0/IP1; also call targets)
//	x18, x28          never touched (platform register, Go's g)
//	x19               this function's VMContext, for its whole body
//	x20               base of linear memory 0 (invariant: never moves)
//	x29, x30          frame pointer, link register
//	v0–v7, v16–v27, v8–v15 allocatable (d8–d15 callee-saved)
//	v28–v31           FP and vector scratch (v30, v31 consecutive for TBL)
const (
	regAddr    = X14
	regMove    = X15
	regTmp0    = X16
	regTmp1    = X17
	regVMCtx   = X19
	regMemBase = X20
	vTmp0      = V0 + 29
	vTmp1      = V0 + 30
	vTmp2      = V0 + 31
	vTmp3      = V0 + 28
)

// Registers are numbered for the allocator as x0–x30 → 0–30 and v0–v31 →
// 32–63.
func allocReg(r Reg) regalloc.Reg {
	if r.IsV() {
		return regalloc.Reg(32 + r - V0)
	}
	return regalloc.Reg(r)
}

func machineReg(r regalloc.Reg) Reg {
	if r >= 32 {
		return V0 + Reg(r-32)
	}
	return Reg(r)
}

var allocConfig = func() *regalloc.Config {
	c := &regalloc.Config{
		ClassOf: func(t ir.Type) regalloc.Class {
			switch t {
			case ir.F32, ir.F64, ir.V128:
				return regalloc.Float
			}
			return regalloc.Int
		},
		SlotSize: func(t ir.Type) int {
			switch t {
			case ir.I32, ir.F32:
				return 4
			case ir.V128:
				return 16
			}
			return 8
		},
		Clobbers: clobbers,
	}
	for r := X0; r <= X13; r++ {
		c.Allocatable[regalloc.Int] = append(c.Allocatable[regalloc.Int], allocReg(r))
	}
	for r := X21; r <= X27; r++ {
		c.Allocatable[regalloc.Int] = append(c.Allocatable[regalloc.Int], allocReg(r))
		c.CalleeSaved = c.CalleeSaved.With(allocReg(r))
	}
	for _, r := range []int{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27} {
		c.Allocatable[regalloc.Float] = append(c.Allocatable[regalloc.Float], allocReg(V0+Reg(r)))
	}
	// d8–d15 are callee-saved only in their low 64 bits: all of an
	// f32/f64, but not of a v128.
	var lowOnly regalloc.RegSet
	for r := 8; r <= 15; r++ {
		c.Allocatable[regalloc.Float] = append(c.Allocatable[regalloc.Float], allocReg(V0+Reg(r)))
		lowOnly = lowOnly.With(allocReg(V0 + Reg(r)))
	}
	c.CalleeSaved |= lowOnly
	c.PreservedFor = func(t ir.Type) regalloc.RegSet {
		if t == ir.V128 {
			return c.CalleeSaved &^ lowOnly
		}
		return c.CalleeSaved
	}
	return c
}()

// clobbers reports whether an instruction is implemented with a call,
// which destroys every caller-saved register.
func clobbers(in *ir.Instr) bool {
	switch in.Op {
	case ir.OpCall, ir.OpCallImport, ir.OpCallIndirect, ir.OpMemoryGrow, ir.OpMemoryFill, ir.OpMemoryCopy,
		ir.OpMemoryInit, ir.OpDataDrop, ir.OpTableGrow, ir.OpTableFill, ir.OpTableCopy, ir.OpTableInit, ir.OpElemDrop:
		return true
	}
	return false
}

// argLoc is where one argument travels under AAPCS64: a register, or a
// stack slot at Stack bytes above the stack pointer at the call.
type argLoc struct {
	Reg   Reg
	Stack int // valid when Reg == ZR
}

// assignArgs places arguments of types ts after `fixed` leading pointer
// arguments (vmctx, and the results area when there is one), returning
// each one's place and the stack bytes the call needs (16-aligned).
func assignArgs(ts []abi.ValType, fixed int) ([]argLoc, int) {
	out := make([]argLoc, len(ts))
	ngr, nfr, stack := fixed, 0, 0
	for i, t := range ts {
		switch t {
		case abi.F32, abi.F64, abi.V128:
			if nfr < 8 {
				out[i] = argLoc{Reg: V0 + Reg(nfr)}
				nfr++
				continue
			}
		default:
			if ngr < 8 {
				out[i] = argLoc{Reg: X0 + Reg(ngr)}
				ngr++
				continue
			}
		}
		size := 8
		if t == abi.V128 {
			size = 16
			stack = (stack + 15) &^ 15
		}
		out[i] = argLoc{Reg: ZR, Stack: stack}
		stack += size
	}
	return out, (stack + 15) &^ 15
}

// valSize is the byte size of a value of type t in memory.
func valSize(t abi.ValType) Size {
	switch t {
	case abi.I32, abi.F32:
		return 4
	case abi.V128:
		return 16
	}
	return 8
}

func isFloat(t abi.ValType) bool { return t == abi.F32 || t == abi.F64 || t == abi.V128 }

func abiTypes(ts []ir.Type) []abi.ValType {
	out := make([]abi.ValType, len(ts))
	for i, t := range ts {
		out[i] = abi.ValType(t)
	}
	return out
}
